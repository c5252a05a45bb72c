/* Shared declarations of the native kernels (see ucs_native.c for the overview). */
#ifndef UCS_NATIVE_H
#define UCS_NATIVE_H

#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define UCS_X86 1
#endif

/* Elementwise loops compiled once per ISA, picked at load time (GCC on Linux). */
#if defined(UCS_X86) && !defined(__clang__) && defined(__linux__)
#define UCS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define UCS_CLONES
#endif

/* pool.c: the caller plus one helper thread */
typedef void (*part_fn)(void *arg, int part, int parts);
void run_parts(part_fn fn, void *arg, int threads);
void part_range(long n, int part, int parts, long align, long *lo, long *hi);
/*
 * Runs fn(arg, slice, part) once for every slice in [0, slices), claimed one at a time by the
 * `threads` parts (part: which thread's working buffers). For reductions: each slice sums into
 * its own partial, added in slice order by the caller, so the result is the same bits on one
 * thread and two, whatever the scheduling (see pool.c).
 */
typedef void (*slice_fn)(void *arg, long slice, int part);
void run_slices(slice_fn fn, void *arg, long slices, int threads);
/* [lo, hi) of slice `slice` of `slices` equal runs of n items (n / slices rounded down or up). */
static inline void slice_range(long n, long slice, long slices, long *lo, long *hi) {
  *lo = n * slice / slices;
  *hi = n * (slice + 1) / slices;
}

/* Source index along one axis with "same" padding; -1 for a zero pad. */
static inline long pad_source(long i, long n, int reflect) {
  if (i >= 0 && i < n) return i;
  if (!reflect) return -1;
  return i < 0 ? -i : 2 * (n - 1) - i;
}

/*
 * The im2col matrix of a convolution input, never materialised: row (ci kh + dy) kw + dx,
 * column p = output pixel (row0 + p / wo, p % wo).
 */
typedef struct {
  const float *x;
  long c, h, w, kh, kw, stride, wo, row0;
  int reflect;
} ConvSrc;

/* dst[0..count) = columns [p0, p0 + count) of im2col row r. */
void conv_fill_row(const ConvSrc *s, long r, long p0, long count, float *dst);

/* gemm.c */
typedef struct {
  int ta, tb;
  long M, N, K, lda, ldb, ldc;
  const float *a, *b;
  float *c;
  int acc;
  int split; /* how two threads share the work: SPLIT_N, SPLIT_M or SPLIT_K */
  float *partial; /* SPLIT_K: the second thread's M x N sum, added to C at the end */
  int partial_written;
  /* When set, op(B) is the im2col matrix of conv (tb = 0) or its transpose (tb = 1); b unused. */
  const ConvSrc *conv;
  int stream; /* set by ucs_gemm / the 1x1 backward: C large and written once (see gemm.c) */
} Gemm;

enum { SPLIT_N, SPLIT_M, SPLIT_K };
void ucs_choose_isa(void);
const char *ucs_isa_name(void);
/* The chosen ISA for every kernel with per-ISA copies: 2 AVX-512, 1 AVX2 + FMA, 0 other (set with the GEMM's). */
extern int ucs_isa_level;
static inline int ucs_simd_level(void) { return ucs_isa_level; }
void ucs_gemm(Gemm *g, int threads);
/* The backward of a 1x1 convolution in one pass over dy: dx (+)= W^T dy (dx NULL: none), dw = dy x^T. */
int ucs_conv1x1_backward(long M, long K, long P, const float *w, const float *dy, const float *x, float *dw, float *dx, int acc, int threads);
/* gemm_skinny.c: M <= 4 or K <= 4 as single passes; 0 when the shape is not one of those */
int ucs_gemm_skinny(Gemm *g, int threads);
/* Frees the calling thread's packing buffers (environment cleanup; see gemm.c). */
void ucs_release_thread_buffers(void);

/* passes.c: elementwise passes, im2col, resize */
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
  double out[2][2]; /* the sums: one pair per slice (run_pass) */
  int slices;
} Pass;
void run_pass(Pass *p, long work, int threads);

/*
 * Whole-layer passes, channels shared between the threads (so the small planes of the early
 * layers use both threads too, and one call replaces one per channel).
 */
enum { LAYER_BN_FWD, LAYER_BN_BWD, LAYER_UP, LAYER_UPB };
typedef struct {
  int op;
  long channels, plane;
  const float *x, *dy;
  float *y, *dx; /* dx may be NULL (batch-norm backward without an input gradient) */
  const float *scale, *shift;
  float *state, *scaleGrad, *shiftGrad;
  double eps;
  int relu, acc;
  long h, w; /* upsampling: input plane h x w */
  int vertical;
  int failed;
} LayerJob;
void layer_part(void *arg, int part, int parts);

typedef struct {
  long c, h, w, kh, kw, stride, wo;
  int reflect;
  const float *x;
  float *cols; /* im2col: output; col2im: input */
  float *dx;   /* col2im: gradient the columns are added into */
  long row0, rows;
} Im2col;
void im2col_part(void *arg, int part, int parts);

typedef struct {
  long c, h, w, H, W;
  const int32_t *yi0, *yi1, *xi0, *xi1;
  const double *yw0, *yw1, *xw0, *xw1;
  int nearest, backward, acc;
  float *from, *to; /* forward: x -> y; backward: dy -> dx */
} Resize;
void resize_part(void *arg, int part, int parts);

/*
 * Batch-norm statistics of one plane (of max(x, 0) with relu): state[0..1] = mean, 1 / std,
 * and the affine map y = a r + b the norm applies. Shared by passes.c and normhead.c.
 */
void ucs_bn_statistics(const float *x, long P, double eps, int relu, float scale, float shift, float *state, float *a, float *b);
/* Sum of n values (of max(x, 0) with relu): float32 blocks added in float64. */
double ucs_sum_range(const float *x, long n, int relu);
/* The batch-norm backward of one plane (state: its mean, 1 / std; dx NULL: none), as passes.c's layer. */
void ucs_bn_backward_plane(const float *x, const float *dy, float *dx, long P, float scale, const float *state, float *scaleGrad, float *shiftGrad, int acc, int relu);
/* y = a max(x, 0) + b with relu, else a x + b. */
void ucs_bn_affine(const float *x, float *y, long n, float a, float b, int relu);
/* The same with non-temporal stores when y is 64-byte aligned (outputs too large for the caches). */
void ucs_bn_affine_stream(const float *x, float *y, long n, float a, float b, int relu);
/*
 * Outputs of at least this many floats (4 MB), written once, are stored with non-temporal
 * stores (GEMM C, the 1x1 backward's dX, the norm's affine map, the norm + head's dx): they do
 * not stay in this machine's caches for their reader anyway, and ordinary stores first read
 * every line from memory (write allocate): 64 x 65536 x 64 NN 4.6 -> 4.0 ms on one thread;
 * 2^20 measured a little ahead of 2^21 and 2^18 in the whole step (BENCHMARKS.md, fifth round).
 */
#ifndef UCS_STREAM_FLOATS
#define UCS_STREAM_FLOATS (1L << 20)
#endif
/* Bilinear x2 of one h x w plane (vertical: both axes, tmp 2h x w floats) and its adjoint (tmp 2h x w). */
void ucs_upsample_plane(const float *x, float *y, long h, long w, int vertical, float *tmp);
void ucs_upsample_adjoint_plane(const float *dy, float *dx, long h, long w, int vertical, float *tmp, int acc);
/*
 * upnorm.c: bilinear x2 then batch norm of every channel, one channel at a time through cache:
 * the upsampled planes and their gradient are never stored (the backward recomputes them).
 * Scratch: 2 parts x upnorm_part_floats.
 */
typedef struct {
  int backward;
  long channels, h, w;
  int vertical;
  const float *x; /* channels x h x w: the upsampling's input */
  float *y; /* forward: channels x H x W, the norm's output */
  const float *dy; /* backward: the norm's output gradient */
  float *dx; /* backward: the upsampling's input gradient (NULL: none) */
  const float *scale, *shift;
  float *state, *scaleGrad, *shiftGrad;
  double eps;
  int relu, acc;
  float *scratch;
} UpNorm;
long ucs_upnorm_part_floats(long h, long w, int vertical);
void ucs_upnorm(UpNorm *u, int threads);
/* sigmoid.c: y = 1 / (1 + exp(-x)) and dx (+)= dy y (1 - y), float32 vectors */
void ucs_sigmoid(const float *x, float *y, long n, int threads);
void ucs_sigmoid_backward(const float *y, const float *dy, float *dx, long n, int acc, int threads);
/* normhead.c: channel normalisation fused with the 1x1 convolution to a few channels after it */
enum { NORM_HEAD_MAX_OUTS = 4 };
typedef struct {
  int backward;
  long channels, plane, outs;
  const float *x; /* channels x plane: the norm's input */
  const float *scale, *shift, *weight; /* weight: outs x channels, as the convolution's */
  float *state; /* 2 per channel: the forward writes mean, 1 / std; the backward reads them */
  float *out; /* forward: outs x plane */
  float *partial; /* forward: outs x plane of scratch for the second thread's sum (NULL: one thread) */
  int partialWritten;
  const float *dout; /* backward: outs x plane */
  float *dx; /* backward: channels x plane, NULL when no input gradient is wanted */
  float *scaleGrad, *shiftGrad, *weightGrad;
  double eps;
  int relu, acc;
  double dsum[NORM_HEAD_MAX_OUTS];
  /*
   * backward with coef set: the input gradient is deferred, not written: coef[4c..4c+3] = mean,
   * k, mean dy, c of channel c (head_apply's), from which ucs_head_grad_rows computes any block
   * of it. backward = 2: write dx from coef (a deferred gradient nobody fused).
   */
  float *coef;
} NormHead;
void ucs_norm_head(NormHead *h, int threads);
/* A deferred input gradient of the norm + head (see NormHead.coef): z the norm's input. */
typedef struct {
  const float *z, *dout, *weight, *coef;
  long channels, plane, outs;
  int relu;
} HeadGrad;
/* dst[c ldd + i] = the norm's input gradient of channel c at pixel p0 + i, i < n. */
void ucs_head_grad_rows(const HeadGrad *g, long p0, long n, float *dst, long ldd);
/* ucs_conv1x1_backward with dy (M = head->channels rows) computed block by block from `head`. */
int ucs_conv1x1_backward_head(long M, long K, long P, const float *w, const HeadGrad *head, const float *x, float *dw, float *dx, int acc, int threads);
/* fft.c: orthonormal N-D complex FFT of interleaved float64; 0 when out of memory */
int ucs_fft_nd(double *interleaved, const long *shape, int ndim, int inverse, int threads);
int ucs_dct_nd(double *data, const long *shape, int ndim, int inverse, int threads);

#endif
