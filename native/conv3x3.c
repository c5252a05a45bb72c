/*
 * Direct 3x3 stride-1 convolutions (AVX-512), for the small-channel shapes of ConvDecoder and
 * DIP where the implicit GEMM spends its time packing im2col panels and, for the input
 * gradient, writing and reading a 9 c x pixels column matrix.
 *
 * Forward: the input is copied once into padded planes (zero or reflection border, rows padded
 * to whole 32-pixel tiles), so every tap of every output tile is an unaligned vector load at a
 * fixed offset: no im2col at all. The micro-kernel keeps 8 output channels x 32 pixels in 16
 * zmm accumulators, broadcasting packed weights ([8 outputs][cin][3][3] panels).
 *
 * Input gradient: the adjoint of the forward map is the same kernel on the zero-padded output
 * gradient with the weights transposed and flipped; with reflection padding, on a 2-padded
 * gradient into the padded domain, whose border is then folded back onto the rows and columns
 * it reflected.
 *
 * Weight gradient: a dot-product kernel along the pixels: 2 output channels x 9 taps of one
 * input channel in 18 zmm accumulators, 16 pixels a step (the taps' shifts by valignd from two
 * aligned loads per row), over strips of ~2048 pixels that stay in L1; float64 sums across strips.
 * (3 x 9 with unaligned loads measured 132 against 147 GFLOP/s on one core.)
 *
 * Both threads: output rows (forward, input gradient), claimed one at a time so a delayed
 * thread costs nothing; slices of row strips (weight gradient), claimed the same way, each with
 * its own float64 sum, added in slice order (run_slices: the same bits on one thread and two);
 * channels (padding copies).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conv3x3.h"
#include "ucs_native.h"

/* DW_SLICES: slices of the weight gradient's strips (each a float64 partial of cout cin 9 + cout
 * sums): 8 keeps the two threads' shares within an eighth of the work of each other when one
 * is delayed, for 8 partials (295 KB each at 64 -> 64; halved to 4 at 128 -> 128, see dw_slices). */
enum { CO_BLOCK = 8, TILE = 32, DW_CO = 2, DW_STRIP_PIXELS = 2048, DW_SLICES = 8 };

static long round_up(long v, long m) { return (v + m - 1) / m * m; }

/* Row stride of padded planes whose outputs are wo wide: whole 32-pixel tiles plus the 2-pixel
 * halo, rounded to 16 floats so that every row starts on a cache line (scratch is 64-byte aligned). */
static long padded_stride(long wo) { return round_up(round_up(wo, TILE) + 2, 16); }

/* Next 64-byte aligned region of `floats` from the scratch cursor. */
static float *take(float **cursor, long floats) {
  float *p = (float *)(((uintptr_t)*cursor + 63) & ~(uintptr_t)63);
  *cursor = p + floats;
  return p;
}

/* Rows per strip of the weight gradient: about DW_STRIP_PIXELS pixels. Strips of ~2048 pixels
 * (8 rows of 256): the dy rows of a channel pair and the x rows of one channel stay in L1, and
 * the 18 reductions per strip stay a few percent of its FMAs (8-row strips of a 32-wide plane:
 * 26% slower). */
static long dw_strip_rows(long w) { return w >= DW_STRIP_PIXELS ? 1 : DW_STRIP_PIXELS / w; }

/* Doubles of one slice's partial, rounded to whole cache lines. */
static long dw_partial_doubles(const Conv3 *g) { return round_up(g->cout * g->cin * 9 + g->cout, 8); }

/* Slices of the weight gradient: fixed by the problem's size alone (never by the threads); up
 * to DW_SLICES, halved while the partials would pass 8 MB. */
static long dw_slices(const Conv3 *g) {
  const long strips = (g->h + dw_strip_rows(g->w) - 1) / dw_strip_rows(g->w);
  long n = strips < DW_SLICES ? strips : DW_SLICES;
  /* never below 2 (3 / 2 would give 1 and take the second thread's share away) */
  while (n > 2 && n * dw_partial_doubles(g) > (1L << 20)) n = n / 2 < 2 ? 2 : n / 2;
  return n;
}

long conv3x3_scratch_floats(const Conv3 *g) {
  const long h = g->h, w = g->w, ws1 = padded_stride(w), ws2 = padded_stride(w + 2);
  const long fwd = g->cin * (h + 2) * ws1 + round_up(g->cout, CO_BLOCK) * g->cin * 9;
  const long bwdData = g->reflect ? g->cout * (h + 4) * ws2 + g->cin * (h + 2) * (w + 2) + round_up(g->cin, CO_BLOCK) * g->cout * 9
                                  : g->cout * (h + 2) * ws1 + round_up(g->cin, CO_BLOCK) * g->cout * 9;
  const long bwdWeight = g->cin * (h + 2) * ws1 + 2 * dw_slices(g) * dw_partial_doubles(g);
  long most = fwd > bwdData ? fwd : bwdData;
  if (bwdWeight > most) most = bwdWeight;
  return most + 4 * 16; /* alignment of up to four regions */
}

/* ---------------------------------------------------------------- padding copies */

typedef struct {
  const float *src;
  float *dst;
  long c, h, w, p, ws;
  int reflect;
} PadJob;

/* dst planes ((h + 2p) rows of stride ws) = src planes (h x w) with a border of p: zeros, or
 * (p = 1) reflection. Columns past w + 2p are zero, so vector loads there read finite values. */
static void pad_part(void *arg, int part, int parts) {
  const PadJob *j = arg;
  long c0, c1;
  part_range(j->c, part, parts, 1, &c0, &c1);
  const long rows = j->h + 2 * j->p;
  for (long ch = c0; ch < c1; ch++) {
    const float *s = j->src + ch * j->h * j->w;
    float *d = j->dst + ch * rows * j->ws;
    for (long r = 0; r < rows; r++) {
      float *dr = d + r * j->ws;
      long sr = r - j->p;
      if (j->reflect) sr = pad_source(sr, j->h, 1);
      if (sr < 0 || sr >= j->h) {
        memset(dr, 0, sizeof(float) * j->ws);
        continue;
      }
      const float *srow = s + sr * j->w;
      for (long q = 0; q < j->p; q++) dr[q] = 0;
      memcpy(dr + j->p, srow, sizeof(float) * j->w);
      for (long q = j->p + j->w; q < j->ws; q++) dr[q] = 0;
      if (j->reflect) {
        dr[0] = srow[1];
        dr[j->w + 1] = srow[j->w - 2];
      }
    }
  }
}

static void pad_planes(const float *src, float *dst, long c, long h, long w, long p, long ws, int reflect, int threads) {
  PadJob j = {src, dst, c, h, w, p, ws, reflect};
  run_parts(pad_part, &j, c > 1 && c * h * w >= (1L << 15) ? threads : 1);
}

/*
 * Weights in panels of 8 outputs: dst[((b nin + i) 9 + k) 8 + o] for output 8 b + o, input i,
 * tap k. Forward: outputs are the conv's outputs. Transposed (input gradient): outputs are the
 * conv's inputs and the taps are flipped.
 */
static void pack_weights(const float *w, long cout, long cin, int transposed, float *dst) {
  const long nout = transposed ? cin : cout, nin = transposed ? cout : cin;
  for (long b = 0; b < nout; b += CO_BLOCK)
    for (long i = 0; i < nin; i++)
      for (int k = 0; k < 9; k++, dst += CO_BLOCK)
        for (int o = 0; o < CO_BLOCK; o++) {
          const long out = b + o;
          if (out >= nout) {
            dst[o] = 0;
            continue;
          }
          dst[o] = transposed ? w[(i * cin + out) * 9 + (8 - k)] : w[(out * cin + i) * 9 + k];
        }
}

#ifdef UCS_X86
#define A512 __attribute__((target("avx512f")))

/* ---------------------------------------------------------------- forward kernel */

typedef struct {
  const float *in; /* padded planes: nin of them, stride inPlane, rows of stride ws */
  long inPlane, ws, nin;
  const float *wp; /* packed weights, blocks of 8 outputs */
  long nout, ho, wo;
  float *out;
  long outPlane, outStride;
  const float *bias;
  int acc;
  atomic_long next; /* next output row to claim */
} FwdJob;

/* 8 outputs x 32 pixels of one output row: rows / cols say how many are real. */
A512 static void fwd_tile(const float *wp, const float *in, long inPlane, long ws, long nin, float *out, long outPlane, int rows, int cols, const float *bias, int acc) {
  __m512 s[CO_BLOCK][2];
#pragma GCC unroll 8
  for (int i = 0; i < CO_BLOCK; i++) s[i][0] = s[i][1] = _mm512_setzero_ps();
  for (long ci = 0; ci < nin; ci++) {
    const float *r = in + ci * inPlane;
#pragma GCC unroll 3
    for (int kh = 0; kh < 3; kh++) {
      const float *q = r + kh * ws;
#pragma GCC unroll 3
      for (int kw = 0; kw < 3; kw++) {
        const __m512 b0 = _mm512_loadu_ps(q + kw), b1 = _mm512_loadu_ps(q + kw + 16);
#pragma GCC unroll 8
        for (int i = 0; i < CO_BLOCK; i++) {
          const __m512 a = _mm512_set1_ps(wp[i]);
          s[i][0] = _mm512_fmadd_ps(a, b0, s[i][0]);
          s[i][1] = _mm512_fmadd_ps(a, b1, s[i][1]);
        }
        wp += CO_BLOCK;
      }
    }
  }
  const __mmask16 m0 = cols >= 16 ? 0xffff : (__mmask16)((1u << cols) - 1);
  const __mmask16 m1 = cols >= 32 ? 0xffff : cols > 16 ? (__mmask16)((1u << (cols - 16)) - 1) : 0;
  for (int i = 0; i < rows; i++) {
    float *o = out + i * outPlane;
    __m512 v0 = s[i][0], v1 = s[i][1];
    if (bias) {
      const __m512 b = _mm512_set1_ps(bias[i]);
      v0 = _mm512_add_ps(v0, b);
      v1 = _mm512_add_ps(v1, b);
    }
    if (acc) {
      v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, o));
      v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, o + 16));
    }
    _mm512_mask_storeu_ps(o, m0, v0);
    _mm512_mask_storeu_ps(o + 16, m1, v1);
  }
}

/* Output rows are claimed one at a time, so a thread the OS delays leaves its share to the other. */
static void fwd_part(void *arg, int part, int parts) {
  FwdJob *j = arg;
  (void)part, (void)parts;
  const long panel = j->nin * 9 * CO_BLOCK;
  for (long y; (y = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->ho;)
    for (long b = 0; b < j->nout; b += CO_BLOCK) {
      const int rows = j->nout - b < CO_BLOCK ? (int)(j->nout - b) : CO_BLOCK;
      for (long x = 0; x < j->wo; x += TILE) {
        const int cols = j->wo - x < TILE ? (int)(j->wo - x) : TILE;
        fwd_tile(j->wp + (b / CO_BLOCK) * panel, j->in + y * j->ws + x, j->inPlane, j->ws, j->nin, j->out + b * j->outPlane + y * j->outStride + x, j->outPlane, rows, cols,
                 j->bias ? j->bias + b : NULL, j->acc);
      }
    }
}

static void run_fwd(FwdJob *j, int threads) {
  atomic_init(&j->next, 0);
  run_parts(fwd_part, j, j->ho > 1 && j->nout * j->ho * j->wo * j->nin >= (1L << 16) ? threads : 1);
}

/* ---------------------------------------------------------------- weight-gradient kernel */

typedef struct {
  const float *xp; /* x padded by 1, rows of stride ws */
  long ws, xPlane;
  const float *dy;
  long h, w, cin, cout;
  double *partial; /* per slice, `stride` apart: cout cin 9 weight sums, then cout bias sums */
  long stride;
  int wantBias;
  long strip; /* rows per strip */
  long strips, slices;
} WJob;

/* acc[c][t] over `rows` rows of nco output channels (dy) and one input channel (xp). Every loop
 * is unrolled so the accumulators live in registers (GCC otherwise keeps the array on the stack
 * and stores it every step). Rows of xp start on cache lines (padded_stride). */
A512 __attribute__((always_inline)) static inline void dw_block(const float *xp, long ws, const float *dy, long plane, long w, long rows, const int nco, double *out, long coStride) {
  __m512 acc[DW_CO][9];
#pragma GCC unroll 3
  for (int c = 0; c < DW_CO; c++)
#pragma GCC unroll 9
    for (int t = 0; t < 9; t++) acc[c][t] = _mm512_setzero_ps();
  for (long r = 0; r < rows; r++) {
    const float *x0 = xp + r * ws;
    const float *d = dy + r * w;
    for (long x = 0; x < w; x += 16) {
      const __mmask16 m = w - x >= 16 ? 0xffff : (__mmask16)((1u << (w - x)) - 1);
      __m512 dv[DW_CO];
#pragma GCC unroll 3
      for (int c = 0; c < DW_CO; c++) dv[c] = c < nco ? _mm512_maskz_loadu_ps(m, d + c * plane + x) : _mm512_setzero_ps();
#pragma GCC unroll 3
      for (int kh = 0; kh < 3; kh++) {
        const __m512 A = _mm512_load_ps(x0 + kh * ws + x), B = _mm512_load_ps(x0 + kh * ws + x + 16);
        const __m512 s1 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(B), _mm512_castps_si512(A), 1));
        const __m512 s2 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(B), _mm512_castps_si512(A), 2));
#pragma GCC unroll 3
        for (int c = 0; c < DW_CO; c++)
          if (c < nco) {
            acc[c][kh * 3] = _mm512_fmadd_ps(dv[c], A, acc[c][kh * 3]);
            acc[c][kh * 3 + 1] = _mm512_fmadd_ps(dv[c], s1, acc[c][kh * 3 + 1]);
            acc[c][kh * 3 + 2] = _mm512_fmadd_ps(dv[c], s2, acc[c][kh * 3 + 2]);
          }
      }
    }
  }
#pragma GCC unroll 3
  for (int c = 0; c < DW_CO; c++)
#pragma GCC unroll 9
    for (int t = 0; t < 9; t++)
      if (c < nco) out[c * coStride + t] += _mm512_reduce_add_ps(acc[c][t]);
}

A512 static void dw_block2(const float *xp, long ws, const float *dy, long plane, long w, long rows, double *out, long coStride) { dw_block(xp, ws, dy, plane, w, rows, 2, out, coStride); }
A512 static void dw_block1(const float *xp, long ws, const float *dy, long plane, long w, long rows, double *out, long coStride) { dw_block(xp, ws, dy, plane, w, rows, 1, out, coStride); }

/* One slice: its strips in order into its own float64 partial (run_slices). */
static void dw_slice(void *arg, long slice, int part) {
  WJob *j = arg;
  (void)part;
  double *sum = j->partial + slice * j->stride;
  const long nw = j->cout * j->cin * 9, plane = j->h * j->w;
  memset(sum, 0, sizeof(double) * (size_t)(nw + j->cout));
  long s0, s1;
  slice_range(j->strips, slice, j->slices, &s0, &s1);
  for (long s = s0; s < s1; s++) {
    const long y0 = s * j->strip;
    const long rows = j->h - y0 < j->strip ? j->h - y0 : j->strip;
    for (long co = 0; co < j->cout; co += DW_CO) {
      const long nco = j->cout - co < DW_CO ? j->cout - co : DW_CO;
      const float *d = j->dy + co * plane + y0 * j->w;
      if (j->wantBias)
        for (long c = 0; c < nco; c++) {
          double s = 0;
          for (long p = 0; p < rows * j->w; p++) s += d[c * plane + p];
          sum[nw + co + c] += s;
        }
      for (long ci = 0; ci < j->cin; ci++) {
        const float *xp = j->xp + ci * j->xPlane + y0 * j->ws;
        double *out = sum + (co * j->cin + ci) * 9;
        if (nco == 2) dw_block2(xp, j->ws, d, plane, j->w, rows, out, j->cin * 9);
        else dw_block1(xp, j->ws, d, plane, j->w, rows, out, j->cin * 9);
      }
    }
  }
}

/* ---------------------------------------------------------------- reflection fold */

typedef struct {
  float *dxp; /* cin planes of (h + 2) x (w + 2) */
  float *dx;
  long c, h, w;
  int acc;
} FoldJob;

/* dx (+)= the interior of dxp plus its border added onto the pixels that border reflected. */
static void fold_part(void *arg, int part, int parts) {
  const FoldJob *j = arg;
  long c0, c1;
  part_range(j->c, part, parts, 1, &c0, &c1);
  const long W = j->w + 2, h = j->h, w = j->w;
  for (long ch = c0; ch < c1; ch++) {
    float *p = j->dxp + ch * (h + 2) * W;
    /* Padded row 0 reflected source row 1 (padded 2); row h + 1 reflected h - 2 (padded h - 1). */
    for (long q = 0; q < W; q++) {
      p[2 * W + q] += p[q];
      p[(h - 1) * W + q] += p[(h + 1) * W + q];
    }
    for (long r = 1; r <= h; r++) {
      float *row = p + r * W;
      row[2] += row[0];
      row[w - 1] += row[w + 1];
      float *d = j->dx + ch * h * w + (r - 1) * w;
      if (j->acc)
        for (long q = 0; q < w; q++) d[q] += row[q + 1];
      else
        memcpy(d, row + 1, sizeof(float) * w);
    }
  }
}

void conv3x3_fold_reflection(float *dxp, float *dx, long c, long h, long w, int acc, int threads) {
  FoldJob f = {dxp, dx, c, h, w, acc};
  run_parts(fold_part, &f, c > 1 && c * (h + 2) * (w + 2) >= (1L << 15) ? threads : 1);
}
#endif

/* ---------------------------------------------------------------- entry points */

int conv3x3_available(void) {
#ifdef UCS_X86
  return strcmp(ucs_isa_name(), "avx512") == 0;
#else
  return 0;
#endif
}

#ifdef UCS_X86
void conv3x3_forward(const Conv3 *g, const float *x, const float *weight, const float *bias, float *y, int acc, float *scratch, int threads) {
  const long ws = padded_stride(g->w), plane = (g->h + 2) * ws;
  float *cur = scratch;
  float *xp = take(&cur, g->cin * plane);
  float *wp = take(&cur, round_up(g->cout, CO_BLOCK) * g->cin * 9);
  pad_planes(x, xp, g->cin, g->h, g->w, 1, ws, g->reflect, threads);
  pack_weights(weight, g->cout, g->cin, 0, wp);
  FwdJob j = {xp, plane, ws, g->cin, wp, g->cout, g->h, g->w, y, g->h * g->w, g->w, bias, acc, 0};
  run_fwd(&j, threads);
}

void conv3x3_backward_data(const Conv3 *g, const float *dy, const float *weight, float *dx, int acc, float *scratch, int threads) {
  float *cur = scratch;
  if (!g->reflect) {
    const long ws = padded_stride(g->w), plane = (g->h + 2) * ws;
    float *dyp = take(&cur, g->cout * plane);
    float *wp = take(&cur, round_up(g->cin, CO_BLOCK) * g->cout * 9);
    pad_planes(dy, dyp, g->cout, g->h, g->w, 1, ws, 0, threads);
    pack_weights(weight, g->cout, g->cin, 1, wp);
    FwdJob j = {dyp, plane, ws, g->cout, wp, g->cin, g->h, g->w, dx, g->h * g->w, g->w, NULL, acc, 0};
    run_fwd(&j, threads);
    return;
  }
  /* Reflection: the gradient of the padded input (full correlation), then folded. */
  const long H = g->h + 2, W = g->w + 2, ws = padded_stride(W), plane = (g->h + 4) * ws;
  float *dyp = take(&cur, g->cout * plane);
  float *dxp = take(&cur, g->cin * H * W);
  float *wp = take(&cur, round_up(g->cin, CO_BLOCK) * g->cout * 9);
  pad_planes(dy, dyp, g->cout, g->h, g->w, 2, ws, 0, threads);
  pack_weights(weight, g->cout, g->cin, 1, wp);
  FwdJob j = {dyp, plane, ws, g->cout, wp, g->cin, H, W, dxp, H * W, W, NULL, 0, 0};
  run_fwd(&j, threads);
  conv3x3_fold_reflection(dxp, dx, g->cin, g->h, g->w, acc, threads);
}

void conv3x3_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads) {
  const long ws = padded_stride(g->w), plane = (g->h + 2) * ws, nw = g->cout * g->cin * 9;
  const long slices = dw_slices(g), stride = dw_partial_doubles(g), strip = dw_strip_rows(g->w);
  float *cur = scratch;
  float *xp = take(&cur, g->cin * plane);
  double *partial = (double *)take(&cur, 2 * slices * stride);
  pad_planes(x, xp, g->cin, g->h, g->w, 1, ws, g->reflect, threads);
  WJob j = {xp, ws, plane, dy, g->h, g->w, g->cin, g->cout, partial, stride, dbias != NULL, strip, (g->h + strip - 1) / strip, slices};
  run_slices(dw_slice, &j, slices, g->h > 1 && nw * g->h * g->w >= (1L << 16) ? threads : 1);
  /* the partials in slice order */
  const long n = dbias ? nw + g->cout : nw;
  for (long i = 0; i < n; i++) {
    double v = partial[i];
    for (long s = 1; s < slices; s++) v += partial[s * stride + i];
    if (i < nw) dweight[i] = (float)v;
    else dbias[i - nw] = (float)v;
  }
}
#else
void conv3x3_forward(const Conv3 *g, const float *x, const float *weight, const float *bias, float *y, int acc, float *scratch, int threads) {
  (void)g, (void)x, (void)weight, (void)bias, (void)y, (void)acc, (void)scratch, (void)threads;
}
void conv3x3_backward_data(const Conv3 *g, const float *dy, const float *weight, float *dx, int acc, float *scratch, int threads) {
  (void)g, (void)dy, (void)weight, (void)dx, (void)acc, (void)scratch, (void)threads;
}
void conv3x3_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads) {
  (void)g, (void)x, (void)dy, (void)dweight, (void)dbias, (void)scratch, (void)threads;
}
#endif
