/* Memory-bound passes: batch-norm sums and affine maps, activations, bilinear x2, im2col, resize. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ucs_native.h"
#include "simd.h"

/* ---------------------------------------------------------------- elementwise passes */

#define BLOCK 512

static inline float relu_if(float v, int relu) { return relu && v < 0 ? 0 : v; }

/* sum_range, centered_range, bn_sums_range, affine_range, bn_apply_range: one copy per ISA */
#define SIMD_BODY "passes_simd.h"
#include "simd_instances.h"

#ifdef UCS_X86
/*
 * affine_range's AVX-512 loop with non-temporal stores (y 64-byte aligned): for outputs too
 * large to stay in cache for their reader, where ordinary stores first read every line of y
 * from memory. The same arithmetic as affine_range's avx512f clone.
 */
__attribute__((target("avx512f"))) static void affine_range_stream(const float *x, float *y, long n, float a, float b, int relu) {
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    vf16 v = LOAD16(x + i);
    if (relu) v = RELU16(v);
    _mm512_stream_ps(y + i, (__m512)(v * a + b));
  }
  for (; i < n; i++) y[i] = relu_if(x[i], relu) * a + b;
  _mm_sfence();
}
#endif

UCS_CLONES static void leaky_range(const float *x, float *y, long n, float slope) {
  for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i];
}

UCS_CLONES static void leaky_back_range(const float *x, const float *dy, float *dx, long n, float slope, int acc) {
  if (acc)
    for (long i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : slope * dy[i];
  else
    for (long i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : slope * dy[i];
}

/*
 * Bilinear x2 (align_corners = false) of one row: w samples -> 2w. Interior in vectors: even
 * outputs .75 x[i] + .25 x[i-1], odd .75 x[i] + .25 x[i+1], interleaved. Two versions of the
 * vector loops, the same arithmetic: 16-sample vectors for AVX-512, 8-sample ones for the rest
 * (GCC 12 lowers a 64-byte shuffle to scalar moves without 512-bit registers: perf, 2026-12-01,
 * expand_row.avx2 was 10% of a 256x256 Deep Decoder step; an 8-lane shuffle is two unpacks and
 * two lane permutes on AVX2).
 */
typedef int vmask16 __attribute__((vector_size(64)));
typedef float vf8 __attribute__((vector_size(32), aligned(4), may_alias));
typedef int vmask8 __attribute__((vector_size(32)));
#define LOAD8(p) (*(const vf8 *)(p))

/* The scalar ends of expand_row from sample i on (and its first pair). */
static inline void expand_row_ends(const float *src, float *dst, long w, long i) {
  dst[0] = src[0];
  dst[2 * w - 1] = src[w - 1];
  for (; i < w; i++) {
    dst[2 * i] = 0.75f * src[i] + 0.25f * src[i - 1];
    if (i + 1 < w) dst[2 * i + 1] = 0.75f * src[i] + 0.25f * src[i + 1];
  }
  if (w > 1) dst[1] = 0.75f * src[0] + 0.25f * src[1];
}

#ifdef UCS_X86
__attribute__((target("avx512f"))) static void expand_row_512(const float *src, float *dst, long w) {
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
  expand_row_ends(src, dst, w, i);
}
#endif

UCS_CLONES static void expand_row_8(const float *src, float *dst, long w) {
  long i = 1;
  const vmask8 lo = {0, 8, 1, 9, 2, 10, 3, 11}, hi = {4, 12, 5, 13, 6, 14, 7, 15};
  for (; i + 9 <= w; i += 8) {
    const vf8 c = LOAD8(src + i) * 0.75f;
    const vf8 e = c + LOAD8(src + i - 1) * 0.25f;
    const vf8 o = c + LOAD8(src + i + 1) * 0.25f;
    *(vf8 *)(dst + 2 * i) = __builtin_shuffle(e, o, lo);
    *(vf8 *)(dst + 2 * i + 8) = __builtin_shuffle(e, o, hi);
  }
  expand_row_ends(src, dst, w, i);
}

static void expand_row(const float *src, float *dst, long w) {
#ifdef UCS_X86
  if (ucs_simd_level() == 2) {
    expand_row_512(src, dst, w);
    return;
  }
#endif
  expand_row_8(src, dst, w);
}

UCS_CLONES static void blend(const float *a, const float *b, float *out, long n) {
  for (long i = 0; i < n; i++) out[i] = 0.75f * a[i] + 0.25f * b[i];
}

/* The adjoint of expand_row at sample i (its scalar ends). */
static inline float shrink_at(const float *src, long w, long i) {
  const float e = src[2 * i], o = src[2 * i + 1];
  const float before = i > 0 ? src[2 * i - 1] : e;
  const float after = i + 1 < w ? src[2 * i + 2] : o;
  return 0.75f * (e + o) + 0.25f * (before + after);
}

static inline void shrink_set(float *dst, long i, float v, int acc) { dst[i] = acc ? dst[i] + v : v; }

/* Adjoint of expand_row: 2w samples -> w (added to dst when acc); interior in vectors (the two
 * versions as expand_row's). */
#ifdef UCS_X86
__attribute__((target("avx512f"))) static void shrink_row_512(const float *src, float *dst, long w, int acc) {
  const vmask16 even = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};
  const vmask16 odd = even + 1;
  if (w > 0) shrink_set(dst, 0, shrink_at(src, w, 0), acc);
  long i = 1;
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
  for (; i < w; i++) shrink_set(dst, i, shrink_at(src, w, i), acc);
}
#endif

UCS_CLONES static void shrink_row_8(const float *src, float *dst, long w, int acc) {
  const vmask8 even = {0, 2, 4, 6, 8, 10, 12, 14}, odd = even + 1;
  if (w > 0) shrink_set(dst, 0, shrink_at(src, w, 0), acc);
  long i = 1;
  for (; i + 9 <= w; i += 8) {
    const float *p = src + 2 * i;
    const vf8 a0 = LOAD8(p), a1 = LOAD8(p + 8);
    const vf8 b0 = LOAD8(p - 2), b1 = LOAD8(p + 6);
    const vf8 c0 = LOAD8(p + 2), c1 = LOAD8(p + 10);
    const vf8 e = __builtin_shuffle(a0, a1, even), o = __builtin_shuffle(a0, a1, odd);
    const vf8 before = __builtin_shuffle(b0, b1, odd), after = __builtin_shuffle(c0, c1, even);
    vf8 v = (e + o) * 0.75f + (before + after) * 0.25f;
    if (acc) v += LOAD8(dst + i);
    *(vf8 *)(dst + i) = v;
  }
  for (; i < w; i++) shrink_set(dst, i, shrink_at(src, w, i), acc);
}

static void shrink_row(const float *src, float *dst, long w, int acc) {
#ifdef UCS_X86
  if (ucs_simd_level() == 2) {
    shrink_row_512(src, dst, w, acc);
    return;
  }
#endif
  shrink_row_8(src, dst, w, acc);
}

/* ---------------------------------------------------------------- im2col and its adjoint */




void conv_fill_row(const ConvSrc *s, long r, long p0, long count, float *dst) {
  const long taps = s->kh * s->kw, ci = r / taps, t = r % taps, dy = t / s->kw, dx = t % s->kw;
  const long ph = (s->kh - 1) / 2, pw = (s->kw - 1) / 2;
  const float *plane = s->x + ci * s->h * s->w;
  /* Stride 1: output columns [lo, hi) read inside the input, one contiguous copy. */
  long lo = pw - dx > 0 ? pw - dx : 0;
  long hi = s->w - dx + pw < s->wo ? s->w - dx + pw : s->wo;
  if (hi < lo) hi = lo;
  long p = p0;
  const long end = p0 + count;
  while (p < end) {
    const long oyRel = p / s->wo, ox0 = p % s->wo;
    const long ox1 = s->wo < ox0 + (end - p) ? s->wo : ox0 + (end - p);
    const long sy = pad_source((s->row0 + oyRel) * s->stride + dy - ph, s->h, s->reflect);
    float *d = dst + (p - p0) - ox0;
    if (sy < 0) {
      memset(d + ox0, 0, sizeof(float) * (ox1 - ox0));
    } else {
      const float *src = plane + sy * s->w;
      if (s->stride == 1) {
        const long a = ox0 > lo ? ox0 : lo, b = ox1 < hi ? ox1 : hi;
        for (long ox = ox0; ox < ox1 && ox < a; ox++) {
          const long sx = pad_source(ox + dx - pw, s->w, s->reflect);
          d[ox] = sx < 0 ? 0 : src[sx];
        }
        if (a < b) memcpy(d + a, src + a + dx - pw, sizeof(float) * (b - a));
        for (long ox = b > ox0 ? b : ox0; ox < ox1; ox++) {
          const long sx = pad_source(ox + dx - pw, s->w, s->reflect);
          d[ox] = sx < 0 ? 0 : src[sx];
        }
      } else {
        for (long ox = ox0; ox < ox1; ox++) {
          const long sx = pad_source(ox * s->stride + dx - pw, s->w, s->reflect);
          d[ox] = sx < 0 ? 0 : src[sx];
        }
      }
    }
    p += ox1 - ox0;
  }
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

void im2col_part(void *arg, int part, int parts) {
  const Im2col *g = arg;
  long lo, hi;
  part_range(g->c, part, parts, 1, &lo, &hi);
  if (g->dx)
    col2im_channels(g, lo, hi);
  else
    im2col_channels(g, lo, hi);
}

/* ---------------------------------------------------------------- separable resize and its adjoint */



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

void resize_part(void *arg, int part, int parts) {
  const Resize *r = arg;
  long lo, hi;
  part_range(r->c, part, parts, 1, &lo, &hi);
  resize_channels(r, lo, hi);
}

/* ---------------------------------------------------------------- range jobs split over threads */



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

/* out (+)= .75 (e + o) + .25 (before + after): one input row of the vertical adjoint. */
UCS_CLONES static void combine_rows(const float *e, const float *o, const float *before, const float *after, float *out, long w, int acc) {
  if (acc)
    for (long i = 0; i < w; i++) out[i] += 0.75f * (e[i] + o[i]) + 0.25f * (before[i] + after[i]);
  else
    for (long i = 0; i < w; i++) out[i] = 0.75f * (e[i] + o[i]) + 0.25f * (before[i] + after[i]);
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
   * into tmp and the two rows just outside them into its own edge buffer, so parts never share
   * a write; then every input row is one vector blend of four shrunk rows (a per-sample
   * branch on the part's edges measured 2.4 ms against ~1 for the forward at 64 x 128 x 128).
   */
  for (long q = 2 * r0; q < 2 * r1; q++) shrink_row(p->dy + q * 2 * w, p->tmp + q * w, w, 0);
  enum { EDGE = 1024 };
  float stack[2 * EDGE];
  float *edge = w <= EDGE ? stack : malloc(sizeof(float) * 2 * (size_t)w);
  if (!edge) {
    /* No memory for two rows: the shrunk edge rows sample by sample. */
    for (long r = r0; r < r1; r++) {
      const float *e = p->tmp + 2 * r * w, *o = e + w;
      float *out = p->y + r * w;
      for (long i = 0; i < w; i++) {
        const float bv = r == 0 ? e[i] : r == r0 ? shrink_at(p->dy + (2 * r - 1) * 2 * w, w, i) : e[i - w];
        const float av = r + 1 == p->h ? o[i] : r + 1 == r1 ? shrink_at(p->dy + (2 * r + 2) * 2 * w, w, i) : o[i + w];
        const float v = 0.75f * (e[i] + o[i]) + 0.25f * (bv + av);
        out[i] = p->acc ? out[i] + v : v;
      }
    }
    return;
  }
  if (r0 > 0) shrink_row(p->dy + (2 * r0 - 1) * 2 * w, edge, w, 0);
  if (r1 < p->h) shrink_row(p->dy + (2 * r1) * 2 * w, edge + w, w, 0);
  for (long r = r0; r < r1; r++) {
    const float *e = p->tmp + 2 * r * w, *o = e + w;
    const float *before = r == 0 ? e : r == r0 ? edge : e - w;
    const float *after = r + 1 == p->h ? o : r + 1 == r1 ? edge + w : o + w;
    combine_rows(e, o, before, after, p->y + r * w, w, p->acc);
  }
  if (edge != stack) free(edge);
}

void ucs_upsample_plane(const float *x, float *y, long h, long w, int vertical, float *tmp) {
  Pass p = {.x = x, .y = y, .h = h, .w = w, .vertical = vertical, .tmp = tmp};
  upsample_rows(&p, 0, vertical ? 2 * h : h);
}

void ucs_upsample_adjoint_plane(const float *dy, float *dx, long h, long w, int vertical, float *tmp, int acc) {
  Pass p = {.dy = dy, .y = dx, .h = h, .w = w, .vertical = vertical, .tmp = tmp, .acc = acc};
  upsample_back_rows(&p, 0, h);
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
    case OP_AFFINE: SIMD_CALL(affine_range)(p->x + lo, p->y + lo, n, p->a, p->b, p->relu); break;
    case OP_LEAKY: leaky_range(p->x + lo, p->y + lo, n, p->a); break;
    case OP_LEAKYB: leaky_back_range(p->x + lo, p->dy + lo, p->y + lo, n, p->a, p->acc); break;
    case OP_BNAPPLY: SIMD_CALL(bn_apply_range)(p->x + lo, p->dy + lo, p->y + lo, n, p->a, p->b, p->c, p->d, p->acc, p->relu); break;
  }
}

/* The sums: slice `slice` of p->slices fixed halves (see run_pass) into out[slice]. */
static void sum_slice(void *arg, long slice, int part) {
  Pass *p = arg;
  long lo, hi;
  (void)part;
  part_range(p->n, (int)slice, p->slices, 16, &lo, &hi);
  const long n = hi - lo;
  switch (p->op) {
    case OP_SUM: p->out[slice][0] = SIMD_CALL(sum_range)(p->x + lo, n, p->relu); break;
    case OP_CSUM: p->out[slice][0] = SIMD_CALL(centered_range)(p->x + lo, n, p->a, p->relu); break;
    default: SIMD_CALL(bn_sums_range)(p->x + lo, p->dy + lo, n, p->a, p->relu, p->out[slice]); break;
  }
}

/*
 * Memory-bound passes: a second thread pays off above ~64 K floats. The sums (out[0] + out[1])
 * are cut there into two halves by the size alone, summed in turn on one thread: the same bits.
 */
void run_pass(Pass *p, long work, int threads) {
  p->out[1][0] = p->out[1][1] = 0;
  const int large = work >= (1L << 16);
  if (p->op == OP_SUM || p->op == OP_CSUM || p->op == OP_BNSUMS) {
    p->slices = large ? 2 : 1;
    run_slices(sum_slice, p, p->slices, threads);
    return;
  }
  run_parts(pass_part, p, large ? threads : 1);
}


/* ---------------------------------------------------------------- whole-layer passes */

double ucs_sum_range(const float *x, long n, int relu) { return SIMD_CALL(sum_range)(x, n, relu); }

void ucs_bn_statistics(const float *x, long P, double eps, int relu, float scale, float shift, float *state, float *a, float *b) {
  /* Two passes (mean, then centred squares) in float64; the plane is in cache for the second. */
  const double mean = SIMD_CALL(sum_range)(x, P, relu) / (double)P;
  const double invStd = 1 / sqrt(SIMD_CALL(centered_range)(x, P, (float)mean, relu) / (double)P + eps);
  state[0] = (float)mean;
  state[1] = (float)invStd;
  const double m = state[0]; /* the saved (rounded) mean is used throughout */
  const double g = scale * invStd;
  *a = (float)g;
  *b = (float)(shift - m * g);
}

static void bn_forward_channel(const LayerJob *j, long c) {
  const long P = j->plane;
  const float *x = j->x + c * P;
  float a, b;
  ucs_bn_statistics(x, P, j->eps, j->relu, j->scale[c], j->shift[c], j->state + 2 * c, &a, &b);
  SIMD_CALL(affine_range)(x, j->y + c * P, P, a, b, j->relu);
}

void ucs_bn_backward_plane(const float *x, const float *dy, float *dx, long P, float scale, const float *state, float *scaleGrad, float *shiftGrad, int acc, int relu) {
  const float mean = state[0], invStd = state[1];
  double sums[2];
  SIMD_CALL(bn_sums_range)(x, dy, P, mean, relu, sums);
  const double sumDy = sums[0], sumDyXhat = sums[1] * invStd;
  *scaleGrad = (float)sumDyXhat;
  *shiftGrad = (float)sumDy;
  if (!dx) return;
  /* dx = gamma invStd / P (P dy - sum dy - xhat sum(dy xhat)) */
  const double k = scale * (double)invStd;
  SIMD_CALL(bn_apply_range)(x, dy, dx, P, mean, (float)k, (float)(sumDy / P), (float)(invStd * sumDyXhat / P), acc, relu);
}

void ucs_bn_affine(const float *x, float *y, long n, float a, float b, int relu) { SIMD_CALL(affine_range)(x, y, n, a, b, relu); }

void ucs_bn_affine_stream(const float *x, float *y, long n, float a, float b, int relu) {
#ifdef UCS_X86
  if (!((uintptr_t)y & 63) && ucs_simd_level() == 2) {
    affine_range_stream(x, y, n, a, b, relu);
    return;
  }
#endif
  SIMD_CALL(affine_range)(x, y, n, a, b, relu);
}

static void bn_backward_channel(const LayerJob *j, long c) {
  const long P = j->plane;
  ucs_bn_backward_plane(j->x + c * P, j->dy + c * P, j->dx ? j->dx + c * P : NULL, P, j->scale[c], j->state + 2 * c, j->scaleGrad + c, j->shiftGrad + c, j->acc, j->relu);
}

void layer_part(void *arg, int part, int parts) {
  LayerJob *j = arg;
  long lo, hi;
  part_range(j->channels, part, parts, 1, &lo, &hi);
  if (j->op == LAYER_BN_FWD) {
    for (long c = lo; c < hi; c++) bn_forward_channel(j, c);
  } else if (j->op == LAYER_BN_BWD) {
    for (long c = lo; c < hi; c++) bn_backward_channel(j, c);
  } else {
    const long rows = j->vertical ? 2 * j->h : j->h;
    float *tmp = malloc(sizeof(float) * (size_t)(rows * j->w));
    if (!tmp) {
      j->failed = 1;
      return;
    }
    const long in = j->h * j->w, out = rows * 2 * j->w;
    for (long c = lo; c < hi; c++) {
      Pass p = {.h = j->h, .w = j->w, .vertical = j->vertical, .tmp = tmp, .acc = j->acc};
      if (j->op == LAYER_UP) {
        p.x = j->x + c * in;
        p.y = j->y + c * out;
        upsample_rows(&p, 0, rows);
      } else {
        p.dy = j->dy + c * out;
        p.y = j->dx + c * in;
        upsample_back_rows(&p, 0, j->h);
      }
    }
    free(tmp);
  }
}
