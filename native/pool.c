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
static atomic_int job_seq, done_seq;
static part_fn job_fn;
static void *job_arg;
static int helper_started;

static void *helper_main(void *unused) {
  (void)unused;
  int seen = 0;
  for (;;) {
    /* Spin a little first: GEMM calls of one step follow each other within microseconds. */
    for (int spin = 0; spin < 20000 && atomic_load_explicit(&job_seq, memory_order_acquire) == seen; spin++) {
#ifdef UCS_X86
      _mm_pause();
#endif
    }
    if (atomic_load_explicit(&job_seq, memory_order_acquire) == seen) {
      pthread_mutex_lock(&pool_mutex);
      while (atomic_load_explicit(&job_seq, memory_order_acquire) == seen) pthread_cond_wait(&pool_wake, &pool_mutex);
      pthread_mutex_unlock(&pool_mutex);
    }
    seen = atomic_load_explicit(&job_seq, memory_order_acquire);
    job_fn(job_arg, 1, 2);
    pthread_mutex_lock(&pool_mutex);
    atomic_store_explicit(&done_seq, seen, memory_order_release);
    pthread_cond_signal(&pool_done);
    pthread_mutex_unlock(&pool_mutex);
  }
  return NULL;
}

/* Runs fn on `threads` (1 or 2) parts; part 0 on the calling thread. */
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
  pthread_mutex_lock(&pool_mutex);
  int seq = atomic_load(&job_seq) + 1;
  atomic_store_explicit(&job_seq, seq, memory_order_release);
  pthread_cond_signal(&pool_wake);
  pthread_mutex_unlock(&pool_mutex);
  fn(arg, 0, 2);
  for (int spin = 0; spin < 20000 && atomic_load_explicit(&done_seq, memory_order_acquire) != seq; spin++) {
#ifdef UCS_X86
    _mm_pause();
#endif
  }
  if (atomic_load_explicit(&done_seq, memory_order_acquire) != seq) {
    pthread_mutex_lock(&pool_mutex);
    while (atomic_load_explicit(&done_seq, memory_order_acquire) != seq) pthread_cond_wait(&pool_done, &pool_mutex);
    pthread_mutex_unlock(&pool_mutex);
  }
  pthread_mutex_unlock(&pool_busy);
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

