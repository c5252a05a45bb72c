/* The helper thread shared by every native kernel. */
#include <pthread.h>
#include <stdatomic.h>

#include "ucs_native.h"

/* ---------------------------------------------------------------- helper thread */

typedef void (*part_fn)(void *arg, int part, int parts);

static pthread_mutex_t pool_busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_done = PTHREAD_COND_INITIALIZER;
/*
 * The job word is (sequence << 2) | state. The caller posts a job (POSTED), the helper claims
 * it (TAKEN) and acknowledges it in done_seq when its part is done. A caller that finishes its
 * own part while the job is still POSTED cancels it (CANCELLED) and runs the other part itself:
 * on a shared machine the helper may not be scheduled for milliseconds, and the caller must not
 * sit waiting for it (a kernel then costs at most its one-thread time, plus nothing).
 */
enum { POSTED = 1, TAKEN = 2, CANCELLED = 3 };
#define SEQ_MASK 0x3fffffffu
static atomic_uint job_word, done_seq;
static part_fn job_fn;
static void *job_arg;
static int helper_started;

static void pause_briefly(void) {
#ifdef UCS_X86
  _mm_pause();
#endif
}

static void *helper_main(void *unused) {
  (void)unused;
  unsigned seen = 0;
  for (;;) {
    /* Spin a little first: GEMM calls of one step follow each other within microseconds. */
    for (int spin = 0; spin < 20000 && atomic_load_explicit(&job_word, memory_order_acquire) == seen; spin++) pause_briefly();
    if (atomic_load_explicit(&job_word, memory_order_acquire) == seen) {
      pthread_mutex_lock(&pool_mutex);
      while (atomic_load_explicit(&job_word, memory_order_acquire) == seen) pthread_cond_wait(&pool_wake, &pool_mutex);
      pthread_mutex_unlock(&pool_mutex);
    }
    unsigned w = atomic_load_explicit(&job_word, memory_order_acquire);
    seen = w;
    if ((w & 3u) != POSTED) continue;
    /* Claim it; failing means the caller cancelled it (or already posted the next job): look again. */
    if (!atomic_compare_exchange_strong_explicit(&job_word, &w, (w & ~3u) | TAKEN, memory_order_acq_rel, memory_order_acquire)) continue;
    seen = (w & ~3u) | TAKEN;
    job_fn(job_arg, 1, 2);
    pthread_mutex_lock(&pool_mutex);
    atomic_store_explicit(&done_seq, w >> 2, memory_order_release);
    pthread_cond_signal(&pool_done);
    pthread_mutex_unlock(&pool_mutex);
  }
  return NULL;
}

/*
 * Runs fn on `threads` (1 or 2) parts: part 0 on the calling thread, part 1 on the helper, or
 * also on the caller when the helper has not started it by the time part 0 is done. So parts
 * must not wait for each other.
 */
void run_parts(part_fn fn, void *arg, int threads) {
  if (threads < 2 || pthread_mutex_trylock(&pool_busy) != 0) {
    fn(arg, 0, 1);
    return;
  }
  if (!helper_started) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, helper_main, NULL) != 0) {
      pthread_attr_destroy(&attr);
      pthread_mutex_unlock(&pool_busy);
      fn(arg, 0, 1);
      return;
    }
    pthread_attr_destroy(&attr);
    helper_started = 1;
  }
  job_fn = fn;
  job_arg = arg;
  const unsigned seq = ((atomic_load_explicit(&job_word, memory_order_relaxed) >> 2) + 1) & SEQ_MASK;
  pthread_mutex_lock(&pool_mutex);
  atomic_store_explicit(&job_word, (seq << 2) | POSTED, memory_order_release);
  pthread_cond_signal(&pool_wake);
  pthread_mutex_unlock(&pool_mutex);
  fn(arg, 0, 2);
  unsigned posted = (seq << 2) | POSTED;
  if (atomic_compare_exchange_strong_explicit(&job_word, &posted, (seq << 2) | CANCELLED, memory_order_acq_rel, memory_order_acquire)) {
    fn(arg, 1, 2);
  } else {
    for (int spin = 0; spin < 20000 && atomic_load_explicit(&done_seq, memory_order_acquire) != seq; spin++) pause_briefly();
    if (atomic_load_explicit(&done_seq, memory_order_acquire) != seq) {
      pthread_mutex_lock(&pool_mutex);
      while (atomic_load_explicit(&done_seq, memory_order_acquire) != seq) pthread_cond_wait(&pool_done, &pool_mutex);
      pthread_mutex_unlock(&pool_mutex);
    }
  }
  pthread_mutex_unlock(&pool_busy);
}

/*
 * Reductions: results must not depend on the thread count or on which thread was free, and
 * float sums change with their grouping. So a reduction cuts its work into `slices` fixed by the
 * problem size alone, sums each slice in a fixed order into the slice's own partial, and its
 * caller adds the partials in slice order. The slices are claimed one at a time, so a thread the
 * OS delays leaves its share to the other (as in run_parts' users); with one thread, or the
 * helper busy, they run in order on the caller: the same sums. fn(arg, slice, part): part (0 or
 * 1) names the working buffers of the thread running it (never two slices at once per part).
 */
typedef struct {
  slice_fn fn;
  void *arg;
  long slices;
  atomic_long next;
} SliceJob;

static void slice_part(void *arg, int part, int parts) {
  SliceJob *j = arg;
  (void)parts;
  for (long s; (s = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->slices;) j->fn(j->arg, s, part);
}

void run_slices(slice_fn fn, void *arg, long slices, int threads) {
  SliceJob j = {fn, arg, slices, 0};
  atomic_init(&j.next, 0);
  run_parts(slice_part, &j, slices > 1 ? threads : 1);
}

/* [lo, hi) of part `part` of n items, cut at multiples of `align`. */
void part_range(long n, int part, int parts, long align, long *lo, long *hi) {
  if (parts == 1) {
    *lo = 0;
    *hi = n;
    return;
  }
  long mid = ((n / 2 + align - 1) / align) * align;
  if (mid > n) mid = n;
  *lo = part == 0 ? 0 : mid;
  *hi = part == 0 ? mid : n;
}

