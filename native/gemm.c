/* Blocked GEMM: packing, micro-kernels per ISA, two-thread splits. */
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "ucs_native.h"

/* ---------------------------------------------------------------- GEMM */

/*
 * C (+)= A B for one MR x NR tile: A packed MR values per k, B rows ldb floats apart (NR in a
 * packed panel, the row stride of a row-packed block). acc: 0 store, 1 add to C, ACC_STREAM
 * store with non-temporal stores (kernels with `stream`).
 */
typedef void (*micro_fn)(long kc, const float *ap, const float *bp, long ldb, float *c, long ldc, int acc);
enum { ACC_STREAM = 2 };

typedef struct {
  const char *name;
  int mr, nr;
  micro_fn micro;
  int stream; /* the micro-kernel takes ACC_STREAM (64-byte aligned rows of C) */
} Isa;

/* Cache blocking (tuned on a Xeon with 48 KB L1d and 2 MB L2 per core; see BENCHMARKS.md). */
#ifndef UCS_KC
#define UCS_KC 256
#endif
#ifndef UCS_MC
#define UCS_MC 128
#endif
#ifndef UCS_NC
#define UCS_NC 2048
#endif
enum { KC = UCS_KC, MC = UCS_MC, NC = UCS_NC };

static void micro_generic(long kc, const float *ap, const float *bp, long ldb, float *c, long ldc, int acc) {
  float t[4][16];
  memset(t, 0, sizeof t);
  for (long k = 0; k < kc; k++) {
    for (int i = 0; i < 4; i++) {
      const float a = ap[4 * k + i];
      for (int j = 0; j < 16; j++) t[i][j] += a * bp[ldb * k + j];
    }
  }
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 16; j++) c[i * ldc + j] = acc ? c[i * ldc + j] + t[i][j] : t[i][j];
}

#ifdef UCS_X86
/*
 * MR x 32 with AVX-512: 2 MR zmm accumulators, two B vectors and one broadcast per row. MR = 8
 * (16 accumulators) by default: channel counts are multiples of 8, and on the 64-channel conv
 * shapes it measured 224 against 211 GFLOP/s for MR = 12 (2 threads), equal elsewhere.
 */
#ifndef UCS_AVX512_MR
#define UCS_AVX512_MR 8
#endif
__attribute__((target("avx512f"))) static void micro_avx512(long kc, const float *ap, const float *bp, long ldb, float *c, long ldc, int acc) {
  enum { R = UCS_AVX512_MR };
  __m512 s[R][2];
#pragma GCC unroll 12
  for (int i = 0; i < R; i++) s[i][0] = s[i][1] = _mm512_setzero_ps();
  for (long k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_load_ps(bp);
    const __m512 b1 = _mm512_load_ps(bp + 16);
#pragma GCC unroll 12
    for (int i = 0; i < R; i++) {
      const __m512 a = _mm512_set1_ps(ap[i]);
      s[i][0] = _mm512_fmadd_ps(a, b0, s[i][0]);
      s[i][1] = _mm512_fmadd_ps(a, b1, s[i][1]);
    }
    ap += R;
    bp += ldb;
  }
#pragma GCC unroll 12
  for (int i = 0; i < R; i++) {
    float *cr = c + i * ldc;
    if (acc == ACC_STREAM) {
      _mm512_stream_ps(cr, s[i][0]);
      _mm512_stream_ps(cr + 16, s[i][1]);
      continue;
    }
    if (acc) {
      s[i][0] = _mm512_add_ps(s[i][0], _mm512_loadu_ps(cr));
      s[i][1] = _mm512_add_ps(s[i][1], _mm512_loadu_ps(cr + 16));
    }
    _mm512_storeu_ps(cr, s[i][0]);
    _mm512_storeu_ps(cr + 16, s[i][1]);
  }
}

/* 6 x 16: 12 ymm accumulators (16 registers in all). */
__attribute__((target("avx2,fma"))) static void micro_avx2(long kc, const float *ap, const float *bp, long ldb, float *c, long ldc, int acc) {
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
    bp += ldb;
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

static Isa isa = {"generic", 4, 16, micro_generic, 0};
int ucs_isa_level;
#ifdef UCS_X86
static int transpose512; /* packing with the AVX-512 16 x 16 transposes (set with the ISA) */
#endif

void ucs_choose_isa(void) {
  const char *force = getenv("UNTRAINED_CS_NATIVE_ISA");
#ifdef UCS_X86
  __builtin_cpu_init();
  int want512 = !force || strcmp(force, "avx512") == 0;
  int want2 = !force || strcmp(force, "avx2") == 0 || strcmp(force, "avx512") == 0;
  if (want512 && __builtin_cpu_supports("avx512f")) {
    isa = (Isa){"avx512", UCS_AVX512_MR, 32, micro_avx512, 1};
    ucs_isa_level = 2;
    transpose512 = 1;
    return;
  }
  if (want2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    isa = (Isa){"avx2", 6, 16, micro_avx2, 0};
    ucs_isa_level = 1;
    return;
  }
#endif
  (void)force;
}

/*
 * Per-thread packing buffers, kept for the life of the thread and freed when it exits (Node
 * worker threads of a sweep come and go; a plain thread-local pointer would leak 2 MB each).
 */
static _Thread_local float *pack_a_buf, *pack_b_buf, *conv_rows_buf;
static pthread_key_t pack_key;
static pthread_once_t pack_once = PTHREAD_ONCE_INIT;

static void free_pack(void *p) {
  float **bufs = p;
  free(bufs[0]);
  free(bufs[1]);
  free(bufs[2]);
  free(bufs);
}

static void make_pack_key(void) { pthread_key_create(&pack_key, free_pack); }

/*
 * Frees the calling thread's buffers now and clears its key value, so no destructor of this
 * library runs when the thread exits. Called from the Node environment's cleanup hook: a Node
 * worker thread tears down its environment (which may unload this addon) before its OS thread
 * exits, and a destructor pointing into an unloaded library is the exit segfault of issue 13.
 */
void ucs_release_thread_buffers(void) {
  if (!pack_a_buf) return;
  float **bufs = pthread_getspecific(pack_key);
  pthread_setspecific(pack_key, NULL);
  if (bufs) free_pack(bufs);
  pack_a_buf = pack_b_buf = conv_rows_buf = NULL;
}

static int ensure_buffers(void) {
  if (pack_a_buf) return 1;
  pthread_once(&pack_once, make_pack_key);
  float **bufs = malloc(3 * sizeof(float *));
  if (!bufs) return 0;
  bufs[0] = aligned_alloc(64, sizeof(float) * (MC + 16) * KC);
  bufs[1] = aligned_alloc(64, sizeof(float) * (NC + 32) * KC);
  /* im2col rows: one transposed panel (32 x KC) or one row segment (NC + 32) */
  bufs[2] = aligned_alloc(64, sizeof(float) * (32 * KC > NC + 32 ? 32 * KC : NC + 32));
  if (!bufs[0] || !bufs[1] || !bufs[2]) {
    free_pack(bufs);
    return 0;
  }
  pthread_setspecific(pack_key, bufs);
  pack_a_buf = bufs[0];
  pack_b_buf = bufs[1];
  conv_rows_buf = bufs[2];
  return 1;
}



#ifdef UCS_X86

/*
 * dst[k * width + r] = src[r * ld + k] for k < 16 and r < n (n = 8 or 16): one 16 x 16 transpose
 * in zmm registers (unpack, in-lane shuffle, two 128-bit lane shuffles; 64 shuffles for 256
 * values, against 8 shuffles and 8 128-bit memory operations per 16 values for 4 x 4 SSE).
 * With n = 8 the upper rows are zero and only the lower 8 lanes are stored.
 */
__attribute__((target("avx512f"))) static void transpose16_avx512(float *dst, long width, const float *src, long ld, int n) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; i++) r[i] = i < n ? _mm512_loadu_ps(src + i * ld) : _mm512_setzero_ps();
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int h = 0; h < 16; h += 8)
    for (int i = 0; i < 4; i++) {
      t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
      t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xDD);
    }
  for (int i = 0; i < 8; i++) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
  }
  if (n == 16)
    for (int k = 0; k < 16; k++) _mm512_storeu_ps(dst + k * width, r[k]);
  else
    for (int k = 0; k < 16; k++) _mm256_storeu_ps(dst + k * width, _mm512_castps512_ps256(r[k]));
}
#endif

/*
 * dst[k * width + r] = src[r * ld + k] for k < kc and r < rows (zero for rows <= r < width): a
 * panel transpose. On x86 in 16 x 16 AVX-512 blocks where
 * available (NT GEMM 64 x 64 x 65536 5.5 -> 4.7 ms), else 4 x 4 SSE blocks (2-3x faster than
 * element by element).
 */
static void transpose_pack(float *dst, long width, const float *src, long ld, long rows, long kc) {
  long r = 0;
#ifdef UCS_X86
  if (transpose512 && kc >= 16) {
    const long k16 = kc & ~15L;
    for (; r + 8 <= rows; ) {
      const int n = r + 16 <= rows ? 16 : 8;
      for (long k = 0; k < k16; k += 16) transpose16_avx512(dst + k * width + r, width, src + r * ld + k, ld, n);
      for (long k = k16; k < kc; k++)
        for (int i = 0; i < n; i++) dst[k * width + r + i] = src[(r + i) * ld + k];
      r += n;
    }
  }
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

/*
 * Row stride of a row-packed block of nc columns: whole NR panels plus 16 floats, so that
 * consecutive rows do not fall into the same L1 set (2048 columns: 8 KB apart).
 */
static long row_stride(long nc) { return (nc + isa.nr - 1) / isa.nr * isa.nr + 16; }

/*
 * op(B)[k, j] for k in [p0, p0 + kc), columns [j0, j0 + nc): plain B as rows (row_stride), the
 * rest into NR-wide panels (K x NR each).
 */
static void pack_b(const Gemm *g, float *dst, long j0, long nc, long p0, long kc) {
  const int nr = isa.nr;
  if (g->conv && !g->tb) {
    /* im2col rows generated straight into the panels (no column matrix in memory): each row
     * segment once into a buffer, then cut into the NR-wide panels. */
    const long panels = (nc + nr - 1) / nr;
    for (long k = 0; k < kc; k++) {
      conv_fill_row(g->conv, p0 + k, j0, nc, conv_rows_buf);
      for (long q = nc; q < panels * nr; q++) conv_rows_buf[q] = 0;
      for (long jp = 0; jp < panels; jp++) memcpy(dst + (jp * kc + k) * nr, conv_rows_buf + jp * nr, sizeof(float) * nr);
    }
    return;
  }
  if (!g->tb) {
    /*
     * Plain B is copied as rows (row_stride(nc) floats apart, zero padded to whole NR panels),
     * which the micro-kernel reads in place: one sequential copy per row. Cut into NR-wide
     * panels instead, every row was scattered over 64 destinations 8 KB apart (one L1 set):
     * the Deep Decoder step 0.4-1.1 ms faster in paired runs (BENCHMARKS.md, fifth round).
     */
    const long ld = row_stride(nc), padded = (nc + nr - 1) / nr * nr;
    for (long k = 0; k < kc; k++) {
      float *d = dst + k * ld;
      if (k + 2 < kc) {
        /* two rows ahead: each row segment is a new stream for the hardware prefetchers */
        const char *q = (const char *)(g->b + (p0 + k + 2) * g->ldb + j0);
        for (long o = 0; o < (long)sizeof(float) * nc; o += 64) __builtin_prefetch(q + o, 0, 3);
      }
      memcpy(d, g->b + (p0 + k) * g->ldb + j0, sizeof(float) * nc);
      for (long j = nc; j < padded; j++) d[j] = 0;
    }
    return;
  }
  for (long jp = 0; jp < nc; jp += nr) {
    const long cols = nc - jp < nr ? nc - jp : nr;
    if (!g->tb) {
      for (long k = 0; k < kc; k++) {
        if (cols == nr) {
          memcpy(dst, g->b + (p0 + k) * g->ldb + j0 + jp, sizeof(float) * nr);
        } else {
          const float *src = g->b + (p0 + k) * g->ldb + j0 + jp;
          long j = 0;
          for (; j < cols; j++) dst[j] = src[j];
          for (; j < nr; j++) dst[j] = 0;
        }
        dst += nr;
      }
    } else if (g->conv) {
      /* op(B) = im2col^T: im2col rows j0 + jp .. (pixels p0 .. p0 + kc) then transposed. */
      for (long j = 0; j < cols; j++) conv_fill_row(g->conv, j0 + jp + j, p0, kc, conv_rows_buf + j * kc);
      transpose_pack(dst, nr, conv_rows_buf, kc, cols, kc);
      dst += nr * kc;
    } else {
      /* B stored N x K: column j of op(B) is row j of B. */
      transpose_pack(dst, nr, g->b + (j0 + jp) * g->ldb + p0, g->ldb, cols, kc);
      dst += nr * kc;
    }
  }
}

/* op(B)[k, j] one element at a time (the unblocked fallback). */
static float b_at(const Gemm *g, long k, long j) {
  if (g->conv) {
    float v;
    if (g->tb)
      conv_fill_row(g->conv, j, k, 1, &v);
    else
      conv_fill_row(g->conv, k, j, 1, &v);
    return v;
  }
  return g->tb ? g->b[j * g->ldb + k] : g->b[k * g->ldb + j];
}

/* C[m0:m1, n0:n1] (+)= op(A)[m0:m1, k0:k1] op(B)[k0:k1, n0:n1], into c with row stride ldc. */
static void gemm_block(const Gemm *g, long m0, long m1, long n0, long n1, long k0, long k1, float *c, long ldc, int accumulate) {
  const int mr = isa.mr, nr = isa.nr;
  float tile[12 * 32] __attribute__((aligned(64)));
  if (!ensure_buffers()) {
    /* No memory for the packing buffers: a slow but correct unblocked product. */
    for (long i = m0; i < m1; i++)
      for (long j = n0; j < n1; j++) {
        float sum = 0;
        for (long k = k0; k < k1; k++)
          sum += (g->ta ? g->a[k * g->lda + i] : g->a[i * g->lda + k]) * b_at(g, k, j);
        c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
      }
    return;
  }
  /* Non-temporal stores only where C is written once, whole lines (rows a multiple of 64 bytes apart). */
  const int stream = g->stream && isa.stream && k1 - k0 <= KC && !(ldc & 15);
  for (long jc = n0; jc < n1; jc += NC) {
    const long nc = n1 - jc < NC ? n1 - jc : NC;
    for (long pc = k0; pc < k1; pc += KC) {
      const long kc = k1 - pc < KC ? k1 - pc : KC;
      const int acc = accumulate || pc > k0;
      pack_b(g, pack_b_buf, jc, nc, pc, kc);
      /* where panel jr starts and its row stride */
      const int rows_packed = !g->conv && !g->tb;
      const long ldb = rows_packed ? row_stride(nc) : nr, panel = rows_packed ? nr : nr * kc;
      for (long ic = m0; ic < m1; ic += MC) {
        const long mc = m1 - ic < MC ? m1 - ic : MC;
        pack_a(g, pack_a_buf, ic, mc, pc, kc);
        for (long jr = 0; jr < nc; jr += nr) {
          const long cols = nc - jr < nr ? nc - jr : nr;
          const float *bp = pack_b_buf + (jr / nr) * panel;
          for (long ir = 0; ir < mc; ir += mr) {
            const long rows = mc - ir < mr ? mc - ir : mr;
            const float *ap = pack_a_buf + ir * kc;
            float *ct = c + (ic + ir) * ldc + jc + jr;
            if (rows == mr && cols == nr) {
              isa.micro(kc, ap, bp, ldb, ct, ldc, stream && !acc && !((uintptr_t)ct & 63) ? ACC_STREAM : acc);
            } else {
              isa.micro(kc, ap, bp, ldb, tile, nr, 0);
              for (long i = 0; i < rows; i++)
                for (long j = 0; j < cols; j++) ct[i * ldc + j] = acc ? ct[i * ldc + j] + tile[i * nr + j] : tile[i * nr + j];
            }
          }
        }
      }
    }
  }
#ifdef UCS_X86
  /* Non-temporal stores are weakly ordered: visible before the other thread's next read. */
  if (stream) _mm_sfence();
#endif
}

/*
 * The backward of a 1x1 convolution, W: M x K (out x in channels), dY: M x P, X: K x P, over
 * column blocks of the P pixels: per block dX[:, blk] (+)= W^T dY[:, blk], then dW += dY[:, blk]
 * X[:, blk]^T while that block of dY is still in cache, so dY (16 MB at 64 channels on 256x256)
 * is read from memory once instead of once per product. Above a size fixed by the shape alone,
 * the pixels are cut into two halves (slices, see run_slices): the first sums its dW into dw,
 * the second into `partial`, added at the end, on one thread as on two (the same bits).
 */
typedef struct {
  long M, K, P;
  const float *w, *dy, *x;
  float *dw, *dx, *partial;
  int acc, partialWritten;
  /* dy not stored: each block computed from the norm + head's deferred gradient (normhead.c) */
  const HeadGrad *head;
  float *blk; /* with a head: 2 x M x BACK_BLOCK floats, one block of dy per part */
  long slices; /* 1 or 2 */
} Conv1x1Back;

enum { BACK_BLOCK = 512 };

static void conv1x1_back_slice(void *arg, long slice, int part) {
  Conv1x1Back *b = arg;
  long lo, hi;
  part_range(b->P, (int)slice, (int)b->slices, BACK_BLOCK, &lo, &hi);
  if (lo >= hi) return;
  float *dw = slice == 0 ? b->dw : b->partial;
  /* With a head, dy's block is computed into blk (M x BACK_BLOCK, cache-resident) first. */
  float *blk = b->head ? b->blk + part * b->M * BACK_BLOCK : NULL;
  for (long p0 = lo; p0 < hi; p0 += BACK_BLOCK) {
    const long p1 = hi - p0 < BACK_BLOCK ? hi : p0 + BACK_BLOCK;
    /* dy's columns [off, off + p1 - p0) of an array with row stride ldy hold pixels [p0, p1) */
    const float *dy = b->dy;
    long ldy = b->P, off = p0;
    if (blk) {
      ucs_head_grad_rows(b->head, p0, p1 - p0, blk, BACK_BLOCK);
      dy = blk;
      ldy = BACK_BLOCK;
      off = 0;
    }
    const Gemm tn = {.ta = 1, .tb = 0, .M = b->K, .N = b->P, .K = b->M, .lda = b->K, .ldb = ldy, .ldc = b->P, .a = b->w, .b = dy, .c = b->dx, .stream = !b->acc && b->K * b->P >= UCS_STREAM_FLOATS};
    const Gemm nt = {.ta = 0, .tb = 1, .M = b->M, .N = b->K, .K = b->P, .lda = ldy, .ldb = b->P, .ldc = b->K, .a = dy, .b = b->x + (p0 - off), .c = dw};
    if (b->dx) gemm_block(&tn, 0, b->K, off, off + p1 - p0, 0, b->M, b->dx + (p0 - off), b->P, b->acc);
    gemm_block(&nt, 0, b->M, 0, b->K, off, off + p1 - p0, dw, b->K, p0 > lo);
  }
  if (slice == 1) b->partialWritten = 1;
}

static int conv1x1_backward(Conv1x1Back b, int threads);

int ucs_conv1x1_backward(long M, long K, long P, const float *w, const float *dy, const float *x, float *dw, float *dx, int acc, int threads) {
  return conv1x1_backward((Conv1x1Back){.M = M, .K = K, .P = P, .w = w, .dy = dy, .x = x, .dw = dw, .dx = dx, .acc = acc}, threads);
}

int ucs_conv1x1_backward_head(long M, long K, long P, const float *w, const HeadGrad *head, const float *x, float *dw, float *dx, int acc, int threads) {
  return conv1x1_backward((Conv1x1Back){.M = M, .K = K, .P = P, .w = w, .head = head, .x = x, .dw = dw, .dx = dx, .acc = acc}, threads);
}

/* 0 when out of memory for a block of the head's dy (nothing usable written then). */
static int conv1x1_backward(Conv1x1Back b, int threads) {
  const long M = b.M, K = b.K, P = b.P;
  /* Two halves where a second thread pays off, by the shape alone (the same sums on one thread). */
  b.slices = P < 2 * BACK_BLOCK || (double)M * K * P < 2e6 ? 1 : 2;
  if (b.head) {
    /* one block of dy per part, allocated before anything is written */
    b.blk = aligned_alloc(64, sizeof(float) * 2 * M * BACK_BLOCK);
    if (!b.blk) return 0;
  }
  if (b.slices > 1) {
    b.partial = malloc(sizeof(float) * M * K);
    /* out of memory: one slice (other bits than two; this only) */
    if (!b.partial) b.slices = 1;
  }
  run_slices(conv1x1_back_slice, &b, b.slices, threads);
  if (b.partial) {
    if (b.partialWritten)
      for (long i = 0; i < M * K; i++) b.dw[i] += b.partial[i];
    free(b.partial);
  }
  free(b.blk);
  return 1;
}

/* SPLIT_K: slice 0 sums the first half of K into C, slice 1 the second into `partial`. */
static void gemm_k_slice(void *arg, long slice, int part) {
  Gemm *g = arg;
  long lo, hi;
  (void)part;
  part_range(g->K, (int)slice, 2, KC, &lo, &hi);
  if (slice == 0)
    gemm_block(g, 0, g->M, 0, g->N, lo, hi, g->c, g->ldc, g->acc);
  else {
    gemm_block(g, 0, g->M, 0, g->N, lo, hi, g->partial, g->N, 0);
    g->partial_written = 1;
  }
}

/* SPLIT_N / SPLIT_M: disjoint blocks of C, each summed over all of K (the same bits as one part:
 * the cuts fall on whole register tiles). */
static void gemm_part(void *arg, int part, int parts) {
  Gemm *g = arg;
  long lo, hi;
  if (parts == 1) {
    gemm_block(g, 0, g->M, 0, g->N, 0, g->K, g->c, g->ldc, g->acc);
  } else if (g->split == SPLIT_M) {
    part_range(g->M, part, parts, isa.mr, &lo, &hi);
    if (lo < hi) gemm_block(g, lo, hi, 0, g->N, 0, g->K, g->c, g->ldc, g->acc);
  } else {
    part_range(g->N, part, parts, isa.nr, &lo, &hi);
    if (lo < hi) gemm_block(g, 0, g->M, lo, hi, 0, g->K, g->c, g->ldc, g->acc);
  }
}

void ucs_gemm(Gemm *g, int threads) {
  if (g->M <= 0 || g->N <= 0) return;
  if (g->K <= 0) {
    if (!g->acc)
      for (long i = 0; i < g->M; i++) memset(g->c + i * g->ldc, 0, sizeof(float) * g->N);
    return;
  }
  if (ucs_gemm_skinny(g, threads)) return;
  /* Not worth waking the helper below ~2 M multiply-adds. */
  const int large = (double)g->M * g->N * g->K >= 2e6;
  if (!large) threads = 1;
  /*
   * Two threads split the largest dimension. Splitting K (weight gradients: K = pixels) keeps
   * each thread packing only its own half of both operands; the halves are summed at the end.
   * Whether K is split depends on the shape alone, never on the threads: one thread sums the
   * same two halves in turn (the same bits; see run_slices).
   */
  g->partial = NULL;
  g->partial_written = 0;
  g->stream = !g->acc && !g->conv && g->M * g->N >= UCS_STREAM_FLOATS;
  if (large && g->K >= 4 * KC && g->K > 4 * g->N && g->K > 4 * g->M) {
    g->split = SPLIT_K;
    g->partial = malloc(sizeof(float) * g->M * g->N);
  } else {
    g->split = g->N >= 2 * isa.nr ? SPLIT_N : SPLIT_M;
    if (g->split == SPLIT_M && g->M < 2 * isa.mr) threads = 1;
  }
  /* (out of memory for the partial: all of K at once, other bits than two halves; this only) */
  if (g->partial) run_slices(gemm_k_slice, g, 2, threads);
  else run_parts(gemm_part, g, g->split == SPLIT_K ? 1 : threads);
  if (g->partial) {
    if (g->partial_written)
      for (long i = 0; i < g->M; i++)
        for (long j = 0; j < g->N; j++) g->c[i * g->ldc + j] += g->partial[i * g->N + j];
    free(g->partial);
  }
}

const char *ucs_isa_name(void) { return isa.name; }

