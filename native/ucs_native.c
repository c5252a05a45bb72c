/*
 * Native compute kernels of untrained-cs (optional; the WebAssembly SIMD kernels are the
 * automatic fallback). Built at install time by native/build.mjs with the machine's C compiler
 * against Node's own headers (Node-API, so one binary serves every Node version >= 18).
 *
 * GEMM follows the GotoBLAS/BLIS blocking: op(B) packed in KC x NC blocks of NR-wide panels,
 * op(A) in MC x KC blocks of MR-high panels, an MR x NR register tile in the micro-kernel. The
 * micro-kernel is chosen at load time from what the CPU supports (AVX-512F, AVX2+FMA, generic C)
 * so one build runs on any x86-64 machine. Transposes are absorbed by the packing, so all four
 * op combinations share one path. Elementwise passes (batch-norm sums, affine, ReLU, bilinear x2)
 * are plain C loops the compiler vectorises, cloned per ISA where the compiler supports it.
 *
 * Two threads: the caller plus one helper thread that spins briefly, then sleeps on a condition
 * variable. The thread count is an argument of every call, so each Node worker keeps its own
 * setting; a call made while the helper is busy with another worker's job runs on one thread.
 */
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define UCS_X86 1
#endif

#if defined(UCS_X86) && !defined(__clang__) && defined(__linux__)
#define UCS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define UCS_CLONES
#endif

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
static void run_parts(part_fn fn, void *arg, int threads) {
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
static void part_range(long n, int part, int parts, long align, long *lo, long *hi) {
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

/* ---------------------------------------------------------------- GEMM */

typedef void (*micro_fn)(long kc, const float *ap, const float *bp, float *c, long ldc, int acc);

typedef struct {
  const char *name;
  int mr, nr;
  micro_fn micro;
} Isa;

/* Cache blocking (tuned on a Xeon with 48 KB L1d and 2 MB L2 per core; see BENCHMARKS.md). */
#ifndef UCS_KC
#define UCS_KC 256
#endif
#ifndef UCS_MC
#define UCS_MC 120
#endif
#ifndef UCS_NC
#define UCS_NC 2048
#endif
enum { KC = UCS_KC, MC = UCS_MC, NC = UCS_NC };

static void micro_generic(long kc, const float *ap, const float *bp, float *c, long ldc, int acc) {
  float t[4][16];
  memset(t, 0, sizeof t);
  for (long k = 0; k < kc; k++) {
    for (int i = 0; i < 4; i++) {
      const float a = ap[4 * k + i];
      for (int j = 0; j < 16; j++) t[i][j] += a * bp[16 * k + j];
    }
  }
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 16; j++) c[i * ldc + j] = acc ? c[i * ldc + j] + t[i][j] : t[i][j];
}

#ifdef UCS_X86
/* 12 x 32: 24 zmm accumulators, two B vectors and a broadcast per row (BLIS's SKX shape). */
__attribute__((target("avx512f"))) static void micro_avx512(long kc, const float *ap, const float *bp, float *c, long ldc, int acc) {
  __m512 s[12][2];
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) s[i][0] = s[i][1] = _mm512_setzero_ps();
  for (long k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_load_ps(bp);
    const __m512 b1 = _mm512_load_ps(bp + 16);
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
      const __m512 a = _mm512_set1_ps(ap[i]);
      s[i][0] = _mm512_fmadd_ps(a, b0, s[i][0]);
      s[i][1] = _mm512_fmadd_ps(a, b1, s[i][1]);
    }
    ap += 12;
    bp += 32;
  }
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) {
    float *cr = c + i * ldc;
    if (acc) {
      s[i][0] = _mm512_add_ps(s[i][0], _mm512_loadu_ps(cr));
      s[i][1] = _mm512_add_ps(s[i][1], _mm512_loadu_ps(cr + 16));
    }
    _mm512_storeu_ps(cr, s[i][0]);
    _mm512_storeu_ps(cr + 16, s[i][1]);
  }
}

/* 6 x 16: 12 ymm accumulators (16 registers in all). */
__attribute__((target("avx2,fma"))) static void micro_avx2(long kc, const float *ap, const float *bp, float *c, long ldc, int acc) {
  __m256 s[6][2];
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) s[i][0] = s[i][1] = _mm256_setzero_ps();
  for (long k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_load_ps(bp);
    const __m256 b1 = _mm256_load_ps(bp + 8);
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
      const __m256 a = _mm256_broadcast_ss(ap + i);
      s[i][0] = _mm256_fmadd_ps(a, b0, s[i][0]);
      s[i][1] = _mm256_fmadd_ps(a, b1, s[i][1]);
    }
    ap += 6;
    bp += 16;
  }
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) {
    float *cr = c + i * ldc;
    if (acc) {
      s[i][0] = _mm256_add_ps(s[i][0], _mm256_loadu_ps(cr));
      s[i][1] = _mm256_add_ps(s[i][1], _mm256_loadu_ps(cr + 8));
    }
    _mm256_storeu_ps(cr, s[i][0]);
    _mm256_storeu_ps(cr + 8, s[i][1]);
  }
}
#endif

static Isa isa = {"generic", 4, 16, micro_generic};

static void choose_isa(void) {
  const char *force = getenv("UNTRAINED_CS_NATIVE_ISA");
#ifdef UCS_X86
  __builtin_cpu_init();
  int want512 = !force || strcmp(force, "avx512") == 0;
  int want2 = !force || strcmp(force, "avx2") == 0 || strcmp(force, "avx512") == 0;
  if (want512 && __builtin_cpu_supports("avx512f")) {
    isa = (Isa){"avx512", 12, 32, micro_avx512};
    return;
  }
  if (want2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    isa = (Isa){"avx2", 6, 16, micro_avx2};
    return;
  }
#endif
  (void)force;
}

/* Per-thread packing buffers, kept for the life of the thread. */
static _Thread_local float *pack_a_buf, *pack_b_buf;

static int ensure_buffers(void) {
  if (pack_a_buf) return 1;
  pack_a_buf = aligned_alloc(64, sizeof(float) * (MC + 16) * KC);
  pack_b_buf = aligned_alloc(64, sizeof(float) * (NC + 32) * KC);
  return pack_a_buf && pack_b_buf;
}

typedef struct {
  int ta, tb;
  long M, N, K, lda, ldb, ldc;
  const float *a, *b;
  float *c;
  int acc;
  int split; /* how two threads share the work: SPLIT_N, SPLIT_M or SPLIT_K */
  float *partial; /* SPLIT_K: the second thread's M x N sum, added to C at the end */
  int partial_written;
} Gemm;

enum { SPLIT_N, SPLIT_M, SPLIT_K };

/*
 * dst[k * width + r] = src[r * ld + k] for k < kc and r < rows (zero for rows <= r < width): a
 * panel transpose. On x86 in 4 x 4 SSE blocks (2-3x faster than element by element).
 */
static void transpose_pack(float *dst, long width, const float *src, long ld, long rows, long kc) {
  long r = 0;
#ifdef UCS_X86
  for (; r + 4 <= rows; r += 4) {
    const float *s0 = src + r * ld, *s1 = s0 + ld, *s2 = s1 + ld, *s3 = s2 + ld;
    long k = 0;
    for (; k + 4 <= kc; k += 4) {
      __m128 v0 = _mm_loadu_ps(s0 + k), v1 = _mm_loadu_ps(s1 + k), v2 = _mm_loadu_ps(s2 + k), v3 = _mm_loadu_ps(s3 + k);
      _MM_TRANSPOSE4_PS(v0, v1, v2, v3);
      float *d = dst + k * width + r;
      _mm_storeu_ps(d, v0);
      _mm_storeu_ps(d + width, v1);
      _mm_storeu_ps(d + 2 * width, v2);
      _mm_storeu_ps(d + 3 * width, v3);
    }
    for (; k < kc; k++) {
      float *d = dst + k * width + r;
      d[0] = s0[k];
      d[1] = s1[k];
      d[2] = s2[k];
      d[3] = s3[k];
    }
  }
#endif
  for (; r < rows; r++) {
    const float *sr = src + r * ld;
    for (long k = 0; k < kc; k++) dst[k * width + r] = sr[k];
  }
  for (; r < width; r++)
    for (long k = 0; k < kc; k++) dst[k * width + r] = 0;
}

/* op(A)[i, k] for rows [i0, i0 + mc), k in [p0, p0 + kc), into MR-high panels (zero padded). */
static void pack_a(const Gemm *g, float *dst, long i0, long mc, long p0, long kc) {
  const int mr = isa.mr;
  for (long ip = 0; ip < mc; ip += mr) {
    const long rows = mc - ip < mr ? mc - ip : mr;
    if (g->ta) {
      /* A stored K x M: each k gives `rows` contiguous values. */
      for (long k = 0; k < kc; k++) {
        const float *src = g->a + (p0 + k) * g->lda + i0 + ip;
        long r = 0;
        for (; r < rows; r++) dst[r] = src[r];
        for (; r < mr; r++) dst[r] = 0;
        dst += mr;
      }
    } else {
      transpose_pack(dst, mr, g->a + (i0 + ip) * g->lda + p0, g->lda, rows, kc);
      dst += mr * kc;
    }
  }
}

/* op(B)[k, j] for k in [p0, p0 + kc), columns [j0, j0 + nc), into NR-wide panels. */
static void pack_b(const Gemm *g, float *dst, long j0, long nc, long p0, long kc) {
  const int nr = isa.nr;
  for (long jp = 0; jp < nc; jp += nr) {
    const long cols = nc - jp < nr ? nc - jp : nr;
    if (!g->tb) {
      for (long k = 0; k < kc; k++) {
        const float *src = g->b + (p0 + k) * g->ldb + j0 + jp;
        long j = 0;
        if (cols == nr) {
          memcpy(dst, src, sizeof(float) * nr);
        } else {
          for (; j < cols; j++) dst[j] = src[j];
          for (; j < nr; j++) dst[j] = 0;
        }
        dst += nr;
      }
    } else {
      /* B stored N x K: column j of op(B) is row j of B. */
      transpose_pack(dst, nr, g->b + (j0 + jp) * g->ldb + p0, g->ldb, cols, kc);
      dst += nr * kc;
    }
  }
}

/* C[m0:m1, n0:n1] (+)= op(A)[m0:m1, k0:k1] op(B)[k0:k1, n0:n1], into c with row stride ldc. */
static void gemm_block(const Gemm *g, long m0, long m1, long n0, long n1, long k0, long k1, float *c, long ldc, int accumulate) {
  const int mr = isa.mr, nr = isa.nr;
  float tile[12 * 32] __attribute__((aligned(64)));
  if (!ensure_buffers()) return;
  for (long jc = n0; jc < n1; jc += NC) {
    const long nc = n1 - jc < NC ? n1 - jc : NC;
    for (long pc = k0; pc < k1; pc += KC) {
      const long kc = k1 - pc < KC ? k1 - pc : KC;
      const int acc = accumulate || pc > k0;
      pack_b(g, pack_b_buf, jc, nc, pc, kc);
      for (long ic = m0; ic < m1; ic += MC) {
        const long mc = m1 - ic < MC ? m1 - ic : MC;
        pack_a(g, pack_a_buf, ic, mc, pc, kc);
        for (long jr = 0; jr < nc; jr += nr) {
          const long cols = nc - jr < nr ? nc - jr : nr;
          const float *bp = pack_b_buf + jr * kc;
          for (long ir = 0; ir < mc; ir += mr) {
            const long rows = mc - ir < mr ? mc - ir : mr;
            const float *ap = pack_a_buf + ir * kc;
            float *ct = c + (ic + ir) * ldc + jc + jr;
            if (rows == mr && cols == nr) {
              isa.micro(kc, ap, bp, ct, ldc, acc);
            } else {
              isa.micro(kc, ap, bp, tile, nr, 0);
              for (long i = 0; i < rows; i++)
                for (long j = 0; j < cols; j++) ct[i * ldc + j] = acc ? ct[i * ldc + j] + tile[i * nr + j] : tile[i * nr + j];
            }
          }
        }
      }
    }
  }
}

static void gemm_part(void *arg, int part, int parts) {
  Gemm *g = arg;
  long lo, hi;
  if (parts == 1) {
    gemm_block(g, 0, g->M, 0, g->N, 0, g->K, g->c, g->ldc, g->acc);
  } else if (g->split == SPLIT_K) {
    part_range(g->K, part, parts, KC, &lo, &hi);
    if (part == 0)
      gemm_block(g, 0, g->M, 0, g->N, lo, hi, g->c, g->ldc, g->acc);
    else {
      gemm_block(g, 0, g->M, 0, g->N, lo, hi, g->partial, g->N, 0);
      g->partial_written = 1;
    }
  } else if (g->split == SPLIT_M) {
    part_range(g->M, part, parts, isa.mr, &lo, &hi);
    if (lo < hi) gemm_block(g, lo, hi, 0, g->N, 0, g->K, g->c, g->ldc, g->acc);
  } else {
    part_range(g->N, part, parts, isa.nr, &lo, &hi);
    if (lo < hi) gemm_block(g, 0, g->M, lo, hi, 0, g->K, g->c, g->ldc, g->acc);
  }
}

static void gemm(Gemm *g, int threads) {
  if (g->M <= 0 || g->N <= 0) return;
  if (g->K <= 0) {
    if (!g->acc)
      for (long i = 0; i < g->M; i++) memset(g->c + i * g->ldc, 0, sizeof(float) * g->N);
    return;
  }
  /* Not worth waking the helper below ~2 M multiply-adds. */
  if ((double)g->M * g->N * g->K < 2e6) threads = 1;
  /*
   * Two threads split the largest dimension. Splitting K (weight gradients: K = pixels) keeps
   * each thread packing only its own half of both operands; the halves are summed at the end.
   */
  g->partial = NULL;
  g->partial_written = 0;
  if (g->K >= 4 * KC && g->K > 4 * g->N && g->K > 4 * g->M) {
    g->split = SPLIT_K;
    if (threads > 1) {
      g->partial = malloc(sizeof(float) * g->M * g->N);
      if (!g->partial) threads = 1;
    }
  } else {
    g->split = g->N >= 2 * isa.nr ? SPLIT_N : SPLIT_M;
    if (g->split == SPLIT_M && g->M < 2 * isa.mr) threads = 1;
  }
  run_parts(gemm_part, g, threads);
  if (g->partial) {
    /* run_parts may have run one part only (helper busy): then partial was never written. */
    if (g->partial_written)
      for (long i = 0; i < g->M; i++)
        for (long j = 0; j < g->N; j++) g->c[i * g->ldc + j] += g->partial[i * g->N + j];
    free(g->partial);
  }
}

/* ---------------------------------------------------------------- elementwise passes */

/*
 * Reductions: float32 vector partial sums over blocks of BLOCK values, each block's lanes then
 * added in float64: stable for planes of millions of values at the speed of a float32 pass.
 * GCC vector types (one source for every clone: AVX-512, AVX2 or SSE2); the compiler does not
 * vectorise these float64 reductions by itself without reassociation (measured 10 GB/s against
 * 50 GB/s in cache).
 */
#define BLOCK 512
typedef float vf16 __attribute__((vector_size(64), aligned(4), may_alias));
typedef int vi16 __attribute__((vector_size(64), aligned(4), may_alias));
#define LOAD16(p) (*(const vf16 *)(p))
/* max(v, 0) by clearing negative lanes; NaN passes, as in torch.relu. */
#define RELU16(v) ((vf16)((vi16)(v) & ~((v) < 0)))
#define HSUM16(acc, v)                                        \
  do {                                                        \
    float t_[16];                                             \
    memcpy(t_, &(v), sizeof t_);                              \
    for (int l_ = 0; l_ < 16; l_++) (acc) += (double)t_[l_]; \
  } while (0)

static inline float relu_if(float v, int relu) { return relu && v < 0 ? 0 : v; }

UCS_CLONES static double sum_range(const float *x, long n, int relu) {
  double s = 0;
  long i = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    vf16 a0 = {0}, a1 = {0};
    for (long q = 0; q < BLOCK; q += 32) {
      vf16 v0 = LOAD16(x + i + q), v1 = LOAD16(x + i + q + 16);
      if (relu) {
        v0 = RELU16(v0);
        v1 = RELU16(v1);
      }
      a0 += v0;
      a1 += v1;
    }
    a0 += a1;
    HSUM16(s, a0);
  }
  for (; i < n; i++) s += relu_if(x[i], relu);
  return s;
}

UCS_CLONES static double centered_range(const float *x, long n, float mean, int relu) {
  double s = 0;
  long i = 0;
  const vf16 m = (vf16){0} + mean;
  for (; i + BLOCK <= n; i += BLOCK) {
    vf16 a0 = {0}, a1 = {0};
    for (long q = 0; q < BLOCK; q += 32) {
      vf16 v0 = LOAD16(x + i + q), v1 = LOAD16(x + i + q + 16);
      if (relu) {
        v0 = RELU16(v0);
        v1 = RELU16(v1);
      }
      v0 -= m;
      v1 -= m;
      a0 += v0 * v0;
      a1 += v1 * v1;
    }
    a0 += a1;
    HSUM16(s, a0);
  }
  for (; i < n; i++) {
    const float d = relu_if(x[i], relu) - mean;
    s += d * d;
  }
  return s;
}

UCS_CLONES static void bn_sums_range(const float *x, const float *dy, long n, float mean, int relu, double out[2]) {
  double a = 0, b = 0;
  long i = 0;
  const vf16 m = (vf16){0} + mean;
  for (; i + BLOCK <= n; i += BLOCK) {
    vf16 sd0 = {0}, sd1 = {0}, sp0 = {0}, sp1 = {0};
    for (long q = 0; q < BLOCK; q += 32) {
      const vf16 g0 = LOAD16(dy + i + q), g1 = LOAD16(dy + i + q + 16);
      vf16 v0 = LOAD16(x + i + q), v1 = LOAD16(x + i + q + 16);
      if (relu) {
        v0 = RELU16(v0);
        v1 = RELU16(v1);
      }
      sd0 += g0;
      sd1 += g1;
      sp0 += g0 * (v0 - m);
      sp1 += g1 * (v1 - m);
    }
    sd0 += sd1;
    sp0 += sp1;
    HSUM16(a, sd0);
    HSUM16(b, sp0);
  }
  for (; i < n; i++) {
    a += dy[i];
    b += dy[i] * (relu_if(x[i], relu) - mean);
  }
  out[0] = a;
  out[1] = b;
}

UCS_CLONES static void affine_range(const float *x, float *y, long n, float a, float b, int relu) {
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    vf16 v = LOAD16(x + i);
    if (relu) v = RELU16(v);
    *(vf16 *)(y + i) = v * a + b;
  }
  for (; i < n; i++) y[i] = relu_if(x[i], relu) * a + b;
}

UCS_CLONES static void leaky_range(const float *x, float *y, long n, float slope) {
  for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i];
}

UCS_CLONES static void leaky_back_range(const float *x, const float *dy, float *dx, long n, float slope, int acc) {
  if (acc)
    for (long i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : slope * dy[i];
  else
    for (long i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : slope * dy[i];
}

/* dx (+)= k (dy - meanDy - (r - mean) c), zero where x <= 0 when relu (the ReLU derivative). */
UCS_CLONES static void bn_apply_range(const float *x, const float *dy, float *dx, long n, float mean, float k, float meanDy, float c, int acc, int relu) {
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    const vf16 xv = LOAD16(x + i);
    vf16 d = (LOAD16(dy + i) - meanDy - ((relu ? RELU16(xv) : xv) - mean) * c) * k;
    if (relu) d = (vf16)((vi16)d & (xv > 0));
    if (acc) d += LOAD16(dx + i);
    *(vf16 *)(dx + i) = d;
  }
  for (; i < n; i++) {
    const float xv = x[i];
    float d = k * (dy[i] - meanDy - (relu_if(xv, relu) - mean) * c);
    if (relu && !(xv > 0)) d = 0;
    dx[i] = acc ? dx[i] + d : d;
  }
}

/*
 * Bilinear x2 (align_corners = false) of one row: w samples -> 2w. Interior in 16-sample
 * vectors: even outputs .75 x[i] + .25 x[i-1], odd .75 x[i] + .25 x[i+1], interleaved.
 */
typedef int vmask16 __attribute__((vector_size(64)));
UCS_CLONES static void expand_row(const float *src, float *dst, long w) {
  dst[0] = src[0];
  dst[2 * w - 1] = src[w - 1];
  long i = 1;
  const vmask16 lo = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23};
  const vmask16 hi = {8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  for (; i + 17 <= w; i += 16) {
    const vf16 c = LOAD16(src + i) * 0.75f;
    const vf16 e = c + LOAD16(src + i - 1) * 0.25f;
    const vf16 o = c + LOAD16(src + i + 1) * 0.25f;
    *(vf16 *)(dst + 2 * i) = __builtin_shuffle(e, o, lo);
    *(vf16 *)(dst + 2 * i + 16) = __builtin_shuffle(e, o, hi);
  }
  for (; i < w; i++) {
    dst[2 * i] = 0.75f * src[i] + 0.25f * src[i - 1];
    if (i + 1 < w) dst[2 * i + 1] = 0.75f * src[i] + 0.25f * src[i + 1];
  }
  if (w > 1) dst[1] = 0.75f * src[0] + 0.25f * src[1];
}

UCS_CLONES static void blend(const float *a, const float *b, float *out, long n) {
  for (long i = 0; i < n; i++) out[i] = 0.75f * a[i] + 0.25f * b[i];
}

/* Adjoint of expand_row: 2w samples -> w (added to dst when acc); interior in vectors. */
UCS_CLONES static void shrink_row(const float *src, float *dst, long w, int acc) {
  const vmask16 even = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};
  const vmask16 odd = even + 1;
  long i = 0;
  for (; i < w && i < 1; i++) {
    const float e = src[0], o = src[1];
    const float after = w > 1 ? src[2] : o;
    const float v = 0.75f * (e + o) + 0.25f * (e + after);
    dst[0] = acc ? dst[0] + v : v;
  }
  for (; i + 17 <= w; i += 16) {
    const float *p = src + 2 * i;
    const vf16 a0 = LOAD16(p), a1 = LOAD16(p + 16);
    const vf16 b0 = LOAD16(p - 2), b1 = LOAD16(p + 14);
    const vf16 c0 = LOAD16(p + 2), c1 = LOAD16(p + 18);
    const vf16 e = __builtin_shuffle(a0, a1, even), o = __builtin_shuffle(a0, a1, odd);
    const vf16 before = __builtin_shuffle(b0, b1, odd), after = __builtin_shuffle(c0, c1, even);
    vf16 v = (e + o) * 0.75f + (before + after) * 0.25f;
    if (acc) v += LOAD16(dst + i);
    *(vf16 *)(dst + i) = v;
  }
  for (; i < w; i++) {
    const float e = src[2 * i], o = src[2 * i + 1];
    const float before = src[2 * i - 1];
    const float after = i + 1 < w ? src[2 * i + 2] : o;
    const float v = 0.75f * (e + o) + 0.25f * (before + after);
    dst[i] = acc ? dst[i] + v : v;
  }
}

/* ---------------------------------------------------------------- im2col and its adjoint */

typedef struct {
  long c, h, w, kh, kw, stride, wo;
  int reflect;
  const float *x;
  float *cols; /* im2col: output; col2im: input */
  float *dx;   /* col2im: gradient the columns are added into */
  long row0, rows;
} Im2col;

/* Source index along one axis with "same" padding; -1 for a zero pad. */
static inline long pad_source(long i, long n, int reflect) {
  if (i >= 0 && i < n) return i;
  if (!reflect) return -1;
  return i < 0 ? -i : 2 * (n - 1) - i;
}

/* Channels [c0, c1): rows (ci kh + dy) kw + dx of rows * wo columns each. */
static void im2col_channels(const Im2col *g, long c0, long c1) {
  const long ph = (g->kh - 1) / 2, pw = (g->kw - 1) / 2, n = g->rows * g->wo;
  for (long ci = c0; ci < c1; ci++) {
    const float *plane = g->x + ci * g->h * g->w;
    float *r = g->cols + ci * g->kh * g->kw * n;
    for (long dy = 0; dy < g->kh; dy++)
      for (long dx = 0; dx < g->kw; dx++, r += n) {
        /* Stride 1: output columns [lo, hi) read inside the input, one contiguous copy. */
        long lo = pw - dx > 0 ? pw - dx : 0;
        long hi = g->w - dx + pw < g->wo ? g->w - dx + pw : g->wo;
        if (hi < lo) hi = lo;
        for (long oy = 0; oy < g->rows; oy++) {
          float *dst = r + oy * g->wo;
          const long sy = pad_source((g->row0 + oy) * g->stride + dy - ph, g->h, g->reflect);
          if (sy < 0) {
            memset(dst, 0, sizeof(float) * g->wo);
            continue;
          }
          const float *src = plane + sy * g->w;
          if (g->stride == 1) {
            memcpy(dst + lo, src + lo + dx - pw, sizeof(float) * (hi - lo));
            for (long ox = 0; ox < lo; ox++) {
              const long sx = pad_source(ox + dx - pw, g->w, g->reflect);
              dst[ox] = sx < 0 ? 0 : src[sx];
            }
            for (long ox = hi; ox < g->wo; ox++) {
              const long sx = pad_source(ox + dx - pw, g->w, g->reflect);
              dst[ox] = sx < 0 ? 0 : src[sx];
            }
          } else {
            for (long ox = 0; ox < g->wo; ox++) {
              const long sx = pad_source(ox * g->stride + dx - pw, g->w, g->reflect);
              dst[ox] = sx < 0 ? 0 : src[sx];
            }
          }
        }
      }
  }
}

UCS_CLONES static void add_into(float *dst, const float *src, long n) {
  for (long i = 0; i < n; i++) dst[i] += src[i];
}

/* Adjoint of im2col_channels: each channel adds only into its own plane of dx. */
static void col2im_channels(const Im2col *g, long c0, long c1) {
  const long ph = (g->kh - 1) / 2, pw = (g->kw - 1) / 2, n = g->rows * g->wo;
  for (long ci = c0; ci < c1; ci++) {
    float *plane = g->dx + ci * g->h * g->w;
    const float *r = g->cols + ci * g->kh * g->kw * n;
    for (long dy = 0; dy < g->kh; dy++)
      for (long dx = 0; dx < g->kw; dx++, r += n) {
        long lo = pw - dx > 0 ? pw - dx : 0;
        long hi = g->w - dx + pw < g->wo ? g->w - dx + pw : g->wo;
        if (hi < lo) hi = lo;
        for (long oy = 0; oy < g->rows; oy++) {
          const long sy = pad_source((g->row0 + oy) * g->stride + dy - ph, g->h, g->reflect);
          if (sy < 0) continue;
          const float *src = r + oy * g->wo;
          float *dst = plane + sy * g->w;
          if (g->stride == 1) {
            add_into(dst + lo + dx - pw, src + lo, hi - lo);
            for (long ox = 0; ox < lo; ox++) {
              const long sx = pad_source(ox + dx - pw, g->w, g->reflect);
              if (sx >= 0) dst[sx] += src[ox];
            }
            for (long ox = hi; ox < g->wo; ox++) {
              const long sx = pad_source(ox + dx - pw, g->w, g->reflect);
              if (sx >= 0) dst[sx] += src[ox];
            }
          } else {
            for (long ox = 0; ox < g->wo; ox++) {
              const long sx = pad_source(ox * g->stride + dx - pw, g->w, g->reflect);
              if (sx >= 0) dst[sx] += src[ox];
            }
          }
        }
      }
  }
}

static void im2col_part(void *arg, int part, int parts) {
  const Im2col *g = arg;
  long lo, hi;
  part_range(g->c, part, parts, 1, &lo, &hi);
  if (g->dx)
    col2im_channels(g, lo, hi);
  else
    im2col_channels(g, lo, hi);
}

/* ---------------------------------------------------------------- separable resize and its adjoint */

typedef struct {
  long c, h, w, H, W;
  const int32_t *yi0, *yi1, *xi0, *xi1;
  const double *yw0, *yw1, *xw0, *xw1;
  int nearest, backward, acc;
  float *from, *to; /* forward: x -> y; backward: dy -> dx */
} Resize;

static void resize_channels(const Resize *r, long c0, long c1) {
  const long in = r->h * r->w, out = r->H * r->W;
  for (long ci = c0; ci < c1; ci++) {
    if (!r->backward) {
      const float *x = r->from + ci * in;
      float *y = r->to + ci * out;
      for (long oy = 0; oy < r->H; oy++) {
        const float *row0 = x + r->yi0[oy] * r->w, *row1 = x + r->yi1[oy] * r->w;
        float *o = y + oy * r->W;
        if (r->nearest) {
          for (long ox = 0; ox < r->W; ox++) o[ox] = row0[r->xi0[ox]];
        } else {
          const float a0 = (float)r->yw0[oy], a1 = (float)r->yw1[oy];
          for (long ox = 0; ox < r->W; ox++) {
            const long c0x = r->xi0[ox], c1x = r->xi1[ox];
            const float b0 = (float)r->xw0[ox], b1 = (float)r->xw1[ox];
            o[ox] = a0 * (b0 * row0[c0x] + b1 * row0[c1x]) + a1 * (b0 * row1[c0x] + b1 * row1[c1x]);
          }
        }
      }
    } else {
      const float *dy = r->from + ci * out;
      float *dx = r->to + ci * in;
      if (!r->acc) memset(dx, 0, sizeof(float) * in);
      for (long oy = 0; oy < r->H; oy++) {
        float *row0 = dx + r->yi0[oy] * r->w, *row1 = dx + r->yi1[oy] * r->w;
        const float *g = dy + oy * r->W;
        if (r->nearest) {
          for (long ox = 0; ox < r->W; ox++) row0[r->xi0[ox]] += g[ox];
        } else {
          const float a0 = (float)r->yw0[oy], a1 = (float)r->yw1[oy];
          for (long ox = 0; ox < r->W; ox++) {
            const long c0x = r->xi0[ox], c1x = r->xi1[ox];
            const float b0 = (float)r->xw0[ox] * g[ox], b1 = (float)r->xw1[ox] * g[ox];
            row0[c0x] += a0 * b0;
            row0[c1x] += a0 * b1;
            row1[c0x] += a1 * b0;
            row1[c1x] += a1 * b1;
          }
        }
      }
    }
  }
}

static void resize_part(void *arg, int part, int parts) {
  const Resize *r = arg;
  long lo, hi;
  part_range(r->c, part, parts, 1, &lo, &hi);
  resize_channels(r, lo, hi);
}

/* ---------------------------------------------------------------- range jobs split over threads */

enum { OP_SUM, OP_CSUM, OP_BNSUMS, OP_AFFINE, OP_LEAKY, OP_LEAKYB, OP_BNAPPLY, OP_UP, OP_UPB };

typedef struct {
  int op;
  long n;
  const float *x, *dy;
  float *y;
  float a, b, c, d;
  int relu, acc;
  long h, w;
  int vertical;
  float *tmp;
  double out[2][2];
} Pass;

static void upsample_rows(const Pass *p, long r0, long r1) {
  /* Output rows [r0, r1) of a (vertical ? 2h : h) x 2w plane. */
  const long w = p->w;
  for (long r = r0; r < r1; r++) {
    const float *src;
    if (p->vertical) {
      const long i = r >> 1;
      const long nb = (r & 1) ? (i + 1 < p->h ? i + 1 : i) : (i > 0 ? i - 1 : 0);
      float *t = p->tmp + r * w;
      blend(p->x + i * w, p->x + nb * w, t, w);
      src = t;
    } else {
      src = p->x + r * w;
    }
    expand_row(src, p->y + r * 2 * w, w);
  }
}

static void upsample_back_rows(const Pass *p, long r0, long r1) {
  /* Input rows [r0, r1) of the h x w gradient. */
  const long w = p->w;
  if (!p->vertical) {
    for (long r = r0; r < r1; r++) shrink_row(p->dy + r * 2 * w, p->y + r * w, w, p->acc);
    return;
  }
  /*
   * Input row r takes shrunk rows 2r-1 .. 2r+2. Each part shrinks its own rows [2 r0, 2 r1)
   * into tmp and its two outside neighbours into private rows, so parts never share a write.
   */
  for (long q = 2 * r0; q < 2 * r1; q++) shrink_row(p->dy + q * 2 * w, p->tmp + q * w, w, 0);
  float *edge = malloc(sizeof(float) * 2 * w);
  if (!edge) return;
  float *prev = edge, *next = edge + w;
  if (r0 > 0) shrink_row(p->dy + (2 * r0 - 1) * 2 * w, prev, w, 0);
  if (r1 < p->h) shrink_row(p->dy + 2 * r1 * 2 * w, next, w, 0);
  for (long r = r0; r < r1; r++) {
    const float *e = p->tmp + 2 * r * w, *o = e + w;
    const float *before = r == 0 ? e : r == r0 ? prev : e - w;
    const float *after = r + 1 == p->h ? o : r + 1 == r1 ? next : o + w;
    float *out = p->y + r * w;
    for (long i = 0; i < w; i++) {
      const float v = 0.75f * (e[i] + o[i]) + 0.25f * (before[i] + after[i]);
      out[i] = p->acc ? out[i] + v : v;
    }
  }
  free(edge);
}

static void pass_part(void *arg, int part, int parts) {
  Pass *p = arg;
  long lo, hi;
  if (p->op == OP_UP || p->op == OP_UPB) {
    const long rows = p->op == OP_UP ? (p->vertical ? 2 * p->h : p->h) : p->h;
    part_range(rows, part, parts, 1, &lo, &hi);
    if (p->op == OP_UP)
      upsample_rows(p, lo, hi);
    else
      upsample_back_rows(p, lo, hi);
    return;
  }
  part_range(p->n, part, parts, 16, &lo, &hi);
  const long n = hi - lo;
  switch (p->op) {
    case OP_SUM: p->out[part][0] = sum_range(p->x + lo, n, p->relu); break;
    case OP_CSUM: p->out[part][0] = centered_range(p->x + lo, n, p->a, p->relu); break;
    case OP_BNSUMS: bn_sums_range(p->x + lo, p->dy + lo, n, p->a, p->relu, p->out[part]); break;
    case OP_AFFINE: affine_range(p->x + lo, p->y + lo, n, p->a, p->b, p->relu); break;
    case OP_LEAKY: leaky_range(p->x + lo, p->y + lo, n, p->a); break;
    case OP_LEAKYB: leaky_back_range(p->x + lo, p->dy + lo, p->y + lo, n, p->a, p->acc); break;
    case OP_BNAPPLY: bn_apply_range(p->x + lo, p->dy + lo, p->y + lo, n, p->a, p->b, p->c, p->d, p->acc, p->relu); break;
  }
}

/* Memory-bound passes: a second thread pays off above ~64 K floats. */
static void run_pass(Pass *p, long work, int threads) {
  p->out[1][0] = p->out[1][1] = 0;
  run_parts(pass_part, p, work >= (1L << 16) ? threads : 1);
}

/* ---------------------------------------------------------------- Node-API glue */

#define MAX_ARGS 24

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  float *f;
  size_t floats;
  int ok;
} Call;

static void fail(Call *c, const char *msg) {
  if (c->ok) napi_throw_type_error(c->env, "ERR_UNTRAINED_CS_NATIVE", msg);
  c->ok = 0;
}

static int begin(Call *c, napi_env env, napi_callback_info info, size_t want) {
  c->env = env;
  c->argc = MAX_ARGS;
  c->ok = 1;
  napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL);
  if (c->argc < want) {
    fail(c, "untrained-cs native kernel: too few arguments");
    return 0;
  }
  napi_typedarray_type type;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, c->argv[0], &type, &c->floats, &data, &ab, &off) != napi_ok || type != napi_float32_array) {
    fail(c, "untrained-cs native kernel: the first argument must be a Float32Array");
    return 0;
  }
  c->f = data;
  return 1;
}

static long arg_long(Call *c, size_t i) {
  int64_t v = 0;
  if (c->ok && napi_get_value_int64(c->env, c->argv[i], &v) != napi_ok) fail(c, "untrained-cs native kernel: expected a number");
  return (long)v;
}

static double arg_num(Call *c, size_t i) {
  double v = 0;
  if (c->ok && napi_get_value_double(c->env, c->argv[i], &v) != napi_ok) fail(c, "untrained-cs native kernel: expected a number");
  return v;
}

static int arg_bool(Call *c, size_t i) {
  bool v = false;
  if (c->ok && napi_get_value_bool(c->env, c->argv[i], &v) != napi_ok) fail(c, "untrained-cs native kernel: expected a boolean");
  return v;
}

/* Offset range [off, off + len) must lie inside the array. */
static float *span(Call *c, long off, long len) {
  if (!c->ok) return NULL;
  if (off < 0 || len < 0 || (size_t)off + (size_t)len > c->floats) {
    fail(c, "untrained-cs native kernel: offset range outside the array");
    return NULL;
  }
  return c->f + off;
}

static napi_value number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

/* gemm(f, transA, transB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, accumulate, threads) */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 14)) return NULL;
  Gemm g;
  g.ta = arg_bool(&c, 1);
  g.tb = arg_bool(&c, 2);
  g.M = arg_long(&c, 3);
  g.N = arg_long(&c, 4);
  g.K = arg_long(&c, 5);
  const long aOff = arg_long(&c, 6), bOff = arg_long(&c, 8), cOff = arg_long(&c, 10);
  g.lda = arg_long(&c, 7);
  g.ldb = arg_long(&c, 9);
  g.ldc = arg_long(&c, 11);
  g.acc = arg_bool(&c, 12);
  const int threads = (int)arg_long(&c, 13);
  if (!c.ok) return NULL;
  if (g.M <= 0 || g.N <= 0) return NULL;
  /* Extent of each operand: last element (rows - 1) * ld + cols. */
  const long aRows = g.ta ? g.K : g.M, aCols = g.ta ? g.M : g.K;
  const long bRows = g.tb ? g.N : g.K, bCols = g.tb ? g.K : g.N;
  g.a = g.K > 0 ? span(&c, aOff, (aRows - 1) * g.lda + aCols) : c.f;
  g.b = g.K > 0 ? span(&c, bOff, (bRows - 1) * g.ldb + bCols) : c.f;
  g.c = span(&c, cOff, (g.M - 1) * g.ldc + g.N);
  if (!c.ok) return NULL;
  gemm(&g, threads);
  return NULL;
}

/* sum(f, x, n, relu, threads) */
static napi_value js_sum(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 5)) return NULL;
  Pass p = {.op = OP_SUM};
  const long x = arg_long(&c, 1);
  p.n = arg_long(&c, 2);
  p.relu = arg_bool(&c, 3);
  const int threads = (int)arg_long(&c, 4);
  p.x = span(&c, x, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, p.n, threads);
  return number(env, p.out[0][0] + p.out[1][0]);
}

/* centeredSumSquares(f, x, n, mean, relu, threads) */
static napi_value js_centered(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 6)) return NULL;
  Pass p = {.op = OP_CSUM};
  const long x = arg_long(&c, 1);
  p.n = arg_long(&c, 2);
  p.a = (float)arg_num(&c, 3);
  p.relu = arg_bool(&c, 4);
  const int threads = (int)arg_long(&c, 5);
  p.x = span(&c, x, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, p.n, threads);
  return number(env, p.out[0][0] + p.out[1][0]);
}

/* affine(f, x, y, n, a, b, relu, threads) */
static napi_value js_affine(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  Pass p = {.op = OP_AFFINE};
  const long x = arg_long(&c, 1), y = arg_long(&c, 2);
  p.n = arg_long(&c, 3);
  p.a = (float)arg_num(&c, 4);
  p.b = (float)arg_num(&c, 5);
  p.relu = arg_bool(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  p.x = span(&c, x, p.n);
  p.y = span(&c, y, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 2 * p.n, threads);
  return NULL;
}

/* leaky(f, x, y, n, slope, threads) */
static napi_value js_leaky(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 6)) return NULL;
  Pass p = {.op = OP_LEAKY};
  const long x = arg_long(&c, 1), y = arg_long(&c, 2);
  p.n = arg_long(&c, 3);
  p.a = (float)arg_num(&c, 4);
  const int threads = (int)arg_long(&c, 5);
  p.x = span(&c, x, p.n);
  p.y = span(&c, y, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 2 * p.n, threads);
  return NULL;
}

/* leakyBackward(f, x, dy, dx, n, slope, accumulate, threads) */
static napi_value js_leaky_back(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  Pass p = {.op = OP_LEAKYB};
  const long x = arg_long(&c, 1), dy = arg_long(&c, 2), dx = arg_long(&c, 3);
  p.n = arg_long(&c, 4);
  p.a = (float)arg_num(&c, 5);
  p.acc = arg_bool(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  p.x = span(&c, x, p.n);
  p.dy = span(&c, dy, p.n);
  p.y = span(&c, dx, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 3 * p.n, threads);
  return NULL;
}

/* batchNormSums(f, x, dy, n, mean, out: Float64Array(2), relu, threads) */
static napi_value js_bn_sums(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  Pass p = {.op = OP_BNSUMS};
  const long x = arg_long(&c, 1), dy = arg_long(&c, 2);
  p.n = arg_long(&c, 3);
  p.a = (float)arg_num(&c, 4);
  p.relu = arg_bool(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  napi_typedarray_type type;
  size_t len = 0, off;
  void *data = NULL;
  napi_value ab;
  if (c.ok && (napi_get_typedarray_info(env, c.argv[5], &type, &len, &data, &ab, &off) != napi_ok || type != napi_float64_array || len < 2))
    fail(&c, "untrained-cs native kernel: batchNormSums needs a Float64Array of 2 for its sums");
  p.x = span(&c, x, p.n);
  p.dy = span(&c, dy, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 2 * p.n, threads);
  double *out = data;
  out[0] = p.out[0][0] + p.out[1][0];
  out[1] = p.out[0][1] + p.out[1][1];
  return NULL;
}

/* batchNormApply(f, x, dy, dx, n, mean, k, meanDy, c, accumulate, relu, threads) */
static napi_value js_bn_apply(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 12)) return NULL;
  Pass p = {.op = OP_BNAPPLY};
  const long x = arg_long(&c, 1), dy = arg_long(&c, 2), dx = arg_long(&c, 3);
  p.n = arg_long(&c, 4);
  p.a = (float)arg_num(&c, 5);
  p.b = (float)arg_num(&c, 6);
  p.c = (float)arg_num(&c, 7);
  p.d = (float)arg_num(&c, 8);
  p.acc = arg_bool(&c, 9);
  p.relu = arg_bool(&c, 10);
  const int threads = (int)arg_long(&c, 11);
  p.x = span(&c, x, p.n);
  p.dy = span(&c, dy, p.n);
  p.y = span(&c, dx, p.n);
  if (!c.ok) return NULL;
  run_pass(&p, 3 * p.n, threads);
  return NULL;
}

/* upsample2x(f, x, y, h, w, vertical, tmp, threads) */
static napi_value js_up(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 8)) return NULL;
  Pass p = {.op = OP_UP};
  const long x = arg_long(&c, 1), y = arg_long(&c, 2);
  p.h = arg_long(&c, 3);
  p.w = arg_long(&c, 4);
  p.vertical = arg_bool(&c, 5);
  const long tmp = arg_long(&c, 6);
  const int threads = (int)arg_long(&c, 7);
  const long rows = p.vertical ? 2 * p.h : p.h;
  if (c.ok && (p.h < 1 || p.w < 1)) fail(&c, "untrained-cs native kernel: upsample2x needs h, w >= 1");
  p.x = span(&c, x, p.h * p.w);
  p.y = span(&c, y, rows * 2 * p.w);
  p.tmp = span(&c, tmp, rows * p.w);
  if (!c.ok) return NULL;
  run_pass(&p, 3 * rows * p.w, threads);
  return NULL;
}

/* upsample2xBackward(f, dy, dx, h, w, vertical, tmp, accumulate, threads) */
static napi_value js_up_back(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 9)) return NULL;
  Pass p = {.op = OP_UPB};
  const long dy = arg_long(&c, 1), dx = arg_long(&c, 2);
  p.h = arg_long(&c, 3);
  p.w = arg_long(&c, 4);
  p.vertical = arg_bool(&c, 5);
  const long tmp = arg_long(&c, 6);
  p.acc = arg_bool(&c, 7);
  const int threads = (int)arg_long(&c, 8);
  const long rows = p.vertical ? 2 * p.h : p.h;
  if (c.ok && (p.h < 1 || p.w < 1)) fail(&c, "untrained-cs native kernel: upsample2xBackward needs h, w >= 1");
  p.dy = span(&c, dy, rows * 2 * p.w);
  p.y = span(&c, dx, p.h * p.w);
  p.tmp = span(&c, tmp, rows * p.w);
  if (!c.ok) return NULL;
  run_pass(&p, 3 * rows * p.w, threads);
  return NULL;
}

/* Shared argument parsing of im2col / col2im:
 * (f, c, h, w, kh, kw, stride, reflect, wo, from, to, row0, rows, threads) */
static napi_value js_im2col_common(napi_env env, napi_callback_info info, int adjoint) {
  Call c;
  if (!begin(&c, env, info, 14)) return NULL;
  Im2col g = {0};
  g.c = arg_long(&c, 1);
  g.h = arg_long(&c, 2);
  g.w = arg_long(&c, 3);
  g.kh = arg_long(&c, 4);
  g.kw = arg_long(&c, 5);
  g.stride = arg_long(&c, 6);
  g.reflect = arg_bool(&c, 7);
  g.wo = arg_long(&c, 8);
  const long from = arg_long(&c, 9), to = arg_long(&c, 10);
  g.row0 = arg_long(&c, 11);
  g.rows = arg_long(&c, 12);
  const int threads = (int)arg_long(&c, 13);
  if (c.ok && (g.c < 1 || g.h < 1 || g.w < 1 || g.kh < 1 || g.kw < 1 || g.kh % 2 == 0 || g.kw % 2 == 0 || g.stride < 1 || g.wo < 1 || g.rows < 0 || g.row0 < 0))
    fail(&c, "untrained-cs native kernel: im2col needs positive sizes and odd kernels");
  if (c.ok && g.reflect && (g.kh / 2 >= g.h || g.kw / 2 >= g.w) && (g.kh > 1 || g.kw > 1))
    fail(&c, "untrained-cs native kernel: reflection padding must be smaller than the input");
  const long colsLen = g.c * g.kh * g.kw * g.rows * g.wo;
  if (adjoint) {
    g.cols = span(&c, from, colsLen);
    g.dx = span(&c, to, g.c * g.h * g.w);
  } else {
    g.x = span(&c, from, g.c * g.h * g.w);
    g.cols = span(&c, to, colsLen);
  }
  if (!c.ok) return NULL;
  run_parts(im2col_part, &g, colsLen >= (1L << 16) ? threads : 1);
  return NULL;
}

static napi_value js_im2col(napi_env env, napi_callback_info info) { return js_im2col_common(env, info, 0); }
static napi_value js_col2im(napi_env env, napi_callback_info info) { return js_im2col_common(env, info, 1); }

/* A typed array argument of `type` holding at least `len` elements (NULL after a thrown error). */
static void *typed_arg(Call *c, size_t i, napi_typedarray_type want, size_t len) {
  if (!c->ok) return NULL;
  napi_typedarray_type type;
  size_t n = 0, off;
  void *data = NULL;
  napi_value ab;
  if (napi_get_typedarray_info(c->env, c->argv[i], &type, &n, &data, &ab, &off) != napi_ok || type != want || n < len) {
    fail(c, "untrained-cs native kernel: resize maps must be Int32Array / Float64Array of the output sizes");
    return NULL;
  }
  return data;
}

/* Every index of an axis map inside [0, n). */
static void check_index(Call *c, const int32_t *idx, long len, long n) {
  if (!c->ok) return;
  for (long i = 0; i < len; i++)
    if (idx[i] < 0 || idx[i] >= n) {
      fail(c, "untrained-cs native kernel: resize index outside the input");
      return;
    }
}

/* resize(f, c, h, w, H, W, from, to, yi0, yi1, yw0, yw1, xi0, xi1, xw0, xw1, nearest, backward, acc, threads) */
static napi_value js_resize(napi_env env, napi_callback_info info) {
  Call c;
  if (!begin(&c, env, info, 20)) return NULL;
  Resize r = {0};
  r.c = arg_long(&c, 1);
  r.h = arg_long(&c, 2);
  r.w = arg_long(&c, 3);
  r.H = arg_long(&c, 4);
  r.W = arg_long(&c, 5);
  const long from = arg_long(&c, 6), to = arg_long(&c, 7);
  if (c.ok && (r.c < 1 || r.h < 1 || r.w < 1 || r.H < 1 || r.W < 1)) fail(&c, "untrained-cs native kernel: resize needs positive sizes");
  if (!c.ok) return NULL;
  r.yi0 = typed_arg(&c, 8, napi_int32_array, r.H);
  r.yi1 = typed_arg(&c, 9, napi_int32_array, r.H);
  r.yw0 = typed_arg(&c, 10, napi_float64_array, r.H);
  r.yw1 = typed_arg(&c, 11, napi_float64_array, r.H);
  r.xi0 = typed_arg(&c, 12, napi_int32_array, r.W);
  r.xi1 = typed_arg(&c, 13, napi_int32_array, r.W);
  r.xw0 = typed_arg(&c, 14, napi_float64_array, r.W);
  r.xw1 = typed_arg(&c, 15, napi_float64_array, r.W);
  check_index(&c, r.yi0, r.H, r.h);
  check_index(&c, r.yi1, r.H, r.h);
  check_index(&c, r.xi0, r.W, r.w);
  check_index(&c, r.xi1, r.W, r.w);
  r.nearest = arg_bool(&c, 16);
  r.backward = arg_bool(&c, 17);
  r.acc = arg_bool(&c, 18);
  const int threads = (int)arg_long(&c, 19);
  const long in = r.c * r.h * r.w, out = r.c * r.H * r.W;
  r.from = span(&c, from, r.backward ? out : in);
  r.to = span(&c, to, r.backward ? in : out);
  if (!c.ok) return NULL;
  run_parts(resize_part, &r, out >= (1L << 16) ? threads : 1);
  return NULL;
}

static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  napi_create_string_utf8(env, isa.name, NAPI_AUTO_LENGTH, &r);
  return r;
}

NAPI_MODULE_INIT() {
  static int chosen;
  if (!chosen) {
    choose_isa();
    chosen = 1;
  }
  const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {
      {"gemm", js_gemm},
      {"sum", js_sum},
      {"centeredSumSquares", js_centered},
      {"affine", js_affine},
      {"leaky", js_leaky},
      {"leakyBackward", js_leaky_back},
      {"batchNormSums", js_bn_sums},
      {"batchNormApply", js_bn_apply},
      {"upsample2x", js_up},
      {"upsample2xBackward", js_up_back},
      {"im2col", js_im2col},
      {"col2im", js_col2im},
      {"resize", js_resize},
      {"isa", js_isa},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn);
    napi_set_named_property(env, exports, fns[i].name, fn);
  }
  return exports;
}
