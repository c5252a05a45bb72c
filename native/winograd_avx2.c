/*
 * Winograd F(4x4, 3x3) on AVX2 + FMA: the same algorithm, layouts and rounding as winograd.c's
 * AVX-512 kernels (read that file's overview first), with 8 tiles a vector instead of 16. On
 * AVX2 there is no direct 3x3 kernel, so these replace the implicit GEMM (im2col) where
 * conv3x3Choice.ts says so: 36 multiplies per 4x4 output tile and channel pair instead of 144.
 *
 * Differences from the AVX-512 kernels, all forced by 16 registers and 8-lane vectors:
 * - A tile row is deinterleaved by a 4x4 transpose within each 128-bit half, so the lanes hold
 *   tiles 0 2 4 6 1 3 5 7 of a group of 8; every transform uses that order, and the output
 *   transform's inverse transpose puts pixels back in order, so the order never shows.
 * - Windows that cross the plane's border (and reflection) are gathered into a small buffer
 *   first instead of masked loads.
 * - Products in 6 outputs x 16 tiles register tiles (12 accumulators), the AVX2 GEMM's shape.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "ucs_native.h"
#include "winograd.h"

#ifdef UCS_X86
#define A2 __attribute__((target("avx2,fma")))

enum {
  W2_LANES = 8,
  W2_GROUP_PX = 32,    /* output pixels of one group of 8 tiles */
  W2_UNIT_GROUPS = 4,  /* forward unit: a band of 4 rows x 128 pixels */
  W2_TB = W2_LANES * W2_UNIT_GROUPS,
  W2_KB = 6,           /* outputs per product block */
  W2_DW_GROUPS = 8,    /* weight-gradient unit: 64 tiles */
  W2_DW_TB = W2_LANES * W2_DW_GROUPS,
  W2_DW_KV = 16,       /* weight-gradient outputs per register tile */
  W2_XI = 36,
  W2_SKEW = 16,        /* one cache line more than the natural row stride (see winograd.c) */
  W2_YN = 64 + W2_SKEW /* row stride of the output-gradient transform's 8 x 8 blocks */
};

static long w2_round_up(long v, long m) { return (v + m - 1) / m * m; }

static float *w2_take(float **cursor, long floats) {
  float *p = (float *)(((uintptr_t)*cursor + 63) & ~(uintptr_t)63);
  *cursor = p + floats;
  return p;
}

static long w2_direction_floats(long nin, long nout) {
  return w2_round_up(nout, W2_KB) * W2_XI * nin + 2 * (W2_XI * (nin * W2_TB + W2_SKEW) + W2_XI * (W2_KB * W2_TB + W2_SKEW));
}

/* The weight gradient's units: bands of 4 rows x W2_DW_GROUPS groups of 8 tiles. */
static long w2_dw_units(long h, long w) {
  const long ng = ((w + 3) / 4 + W2_LANES - 1) / W2_LANES;
  return (h + 3) / 4 * ((ng + W2_DW_GROUPS - 1) / W2_DW_GROUPS);
}

/* Floats of one slice's S and bias sums (float64), before rounding to whole cache lines. */
static long w2_dw_slice_floats(long cin, long cout) { return W2_XI * (w2_round_up(cin, W2_KB) * w2_round_up(cout, W2_DW_KV) + W2_SKEW) + 2 * cout + 16; }

/* Per part V, the output-gradient transform and its transpose; per slice S and the bias sums. */
static long w2_dw_floats(long cin, long cout, long h, long w) {
  const long cp = w2_round_up(cin, W2_KB), kp = w2_round_up(cout, W2_DW_KV), sFloats = w2_dw_slice_floats(cin, cout);
  return 2 * (W2_XI * (cp * W2_DW_TB + W2_SKEW) + W2_XI * W2_YN + W2_XI * (W2_DW_TB * kp + W2_SKEW)) + winograd_dw_slices(w2_dw_units(h, w), sFloats) * sFloats;
}

long winograd_avx2_scratch_floats(long cin, long cout, long h, long w) {
  long most = w2_direction_floats(cin, cout);
  const long b = w2_direction_floats(cout, cin), d = w2_dw_floats(cin, cout, h, w);
  if (b > most) most = b;
  if (d > most) most = d;
  return most;
}

/* ---------------------------------------------------------------- transforms */

#define W2_BT(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5)                                   \
  do {                                                                                           \
    const __m256 four = _mm256_set1_ps(4), five = _mm256_set1_ps(5), two = _mm256_set1_ps(2);    \
    const __m256 t1 = _mm256_fnmadd_ps(four, d2, d4), t2 = _mm256_fnmadd_ps(four, d1, d3);       \
    const __m256 t3 = _mm256_sub_ps(d4, d2), t4 = _mm256_mul_ps(two, _mm256_sub_ps(d3, d1));     \
    o0 = _mm256_fmadd_ps(four, d0, _mm256_fnmadd_ps(five, d2, d4));                              \
    o1 = _mm256_add_ps(t1, t2);                                                                  \
    o2 = _mm256_sub_ps(t1, t2);                                                                  \
    o3 = _mm256_add_ps(t3, t4);                                                                  \
    o4 = _mm256_sub_ps(t3, t4);                                                                  \
    o5 = _mm256_fmadd_ps(four, d1, _mm256_fnmadd_ps(five, d3, d5));                              \
  } while (0)

#define W2_AT(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3)                     \
  do {                                                                     \
    const __m256 a = _mm256_add_ps(m1, m2), b = _mm256_sub_ps(m1, m2);     \
    const __m256 c = _mm256_add_ps(m3, m4), d = _mm256_sub_ps(m3, m4);     \
    o0 = _mm256_add_ps(_mm256_add_ps(m0, a), c);                           \
    o1 = _mm256_fmadd_ps(_mm256_set1_ps(2), d, b);                         \
    o2 = _mm256_fmadd_ps(_mm256_set1_ps(4), c, a);                         \
    o3 = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8), d, b), m5);      \
  } while (0)

#define W2_A(d0, d1, d2, d3, e0, e1, e2, e3, e4, e5)                                    \
  do {                                                                                  \
    const __m256 p = _mm256_add_ps(d0, d2), q = _mm256_add_ps(d1, d3);                  \
    const __m256 p4 = _mm256_fmadd_ps(_mm256_set1_ps(4), d2, d0);                       \
    const __m256 q4 = _mm256_fmadd_ps(_mm256_set1_ps(8), d3, _mm256_add_ps(d1, d1));    \
    e0 = d0, e1 = _mm256_add_ps(p, q), e2 = _mm256_sub_ps(p, q);                        \
    e3 = _mm256_add_ps(p4, q4), e4 = _mm256_sub_ps(p4, q4), e5 = d3;                    \
  } while (0)

/* Columns c = 0..3 of 8 tiles from 32 pixels (a b c d, 8 each): lanes hold tiles 0 2 4 6 1 3 5 7. */
#define W2_DEINTERLEAVE(a, b, c, d, c0, c1, c2, c3)                                   \
  do {                                                                                \
    const __m256 u0 = _mm256_unpacklo_ps(a, b), u1 = _mm256_unpackhi_ps(a, b);        \
    const __m256 u2 = _mm256_unpacklo_ps(c, d), u3 = _mm256_unpackhi_ps(c, d);        \
    c0 = _mm256_shuffle_ps(u0, u2, 0x44), c1 = _mm256_shuffle_ps(u0, u2, 0xEE);       \
    c2 = _mm256_shuffle_ps(u1, u3, 0x44), c3 = _mm256_shuffle_ps(u1, u3, 0xEE);       \
  } while (0)

/* The lanes of n floats from p (0 <= n): the rest zeros, nothing read past p + n. */
A2 static inline __m256 w2_load_n(const float *p, long n) {
  static const int32_t ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  if (n >= 8) return _mm256_loadu_ps(p);
  if (n <= 0) return _mm256_setzero_ps();
  return _mm256_maskload_ps(p, _mm256_loadu_si256((const __m256i *)(ones + 8 - n)));
}

A2 static inline void w2_store_n(float *p, long n, __m256 v) {
  static const int32_t ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  if (n >= 8) _mm256_storeu_ps(p, v);
  else if (n > 0) _mm256_maskstore_ps(p, _mm256_loadu_si256((const __m256i *)(ones + 8 - n)), v);
}

/*
 * Input transform of 8 tiles of one channel: the 6 x 34 window at (y0, x0) of the h x w plane
 * (zeros outside, or the border pixels mirrored when `reflect`: row/column -1 is 1, h/w is h-2/w-2).
 * v receives the 36 vectors at stride vs.
 */
A2 static void w2_input_tile(const float *plane, long h, long w, long y0, long x0, int reflect, float *v, long vs) {
  __m256 t[6][6];
  const int inside = x0 >= 0 && x0 + 34 <= w;
#pragma GCC unroll 6
  for (int r = 0; r < 6; r++) {
    long y = y0 + r;
    if (reflect) y = y == -1 ? 1 : y == h ? h - 2 : y;
    if (y < 0 || y >= h) {
      for (int j = 0; j < 6; j++) t[r][j] = _mm256_setzero_ps();
      continue;
    }
    const float *row = plane + y * w;
    float buf[40] __attribute__((aligned(32)));
    const float *src;
    if (inside)
      src = row + x0;
    else {
      for (int k = 0; k < 34; k++) {
        long x = x0 + k;
        if (reflect) x = x == -1 ? 1 : x == w ? w - 2 : x;
        buf[k] = x >= 0 && x < w ? row[x] : 0.0f;
      }
      src = buf;
    }
    __m256 c0, c1, c2, c3;
    W2_DEINTERLEAVE(_mm256_loadu_ps(src), _mm256_loadu_ps(src + 8), _mm256_loadu_ps(src + 16), _mm256_loadu_ps(src + 24), c0, c1, c2, c3);
    /* columns 4 and 5 are columns 0 and 1 of the next tile: lanes 4..7, 1..3, then pixel 32 / 33 */
    const __m256i next = _mm256_set_epi32(0, 3, 2, 1, 7, 6, 5, 4);
    const __m256 c4 = _mm256_blend_ps(_mm256_permutevar8x32_ps(c0, next), _mm256_set1_ps(src[32]), 0x80);
    const __m256 c5 = _mm256_blend_ps(_mm256_permutevar8x32_ps(c1, next), _mm256_set1_ps(src[33]), 0x80);
    W2_BT(c0, c1, c2, c3, c4, c5, t[r][0], t[r][1], t[r][2], t[r][3], t[r][4], t[r][5]);
  }
#pragma GCC unroll 6
  for (int j = 0; j < 6; j++) {
    __m256 o0, o1, o2, o3, o4, o5;
    W2_BT(t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j], o0, o1, o2, o3, o4, o5);
    _mm256_store_ps(v + (0 * 6 + j) * vs, o0);
    _mm256_store_ps(v + (1 * 6 + j) * vs, o1);
    _mm256_store_ps(v + (2 * 6 + j) * vs, o2);
    _mm256_store_ps(v + (3 * 6 + j) * vs, o3);
    _mm256_store_ps(v + (4 * 6 + j) * vs, o4);
    _mm256_store_ps(v + (5 * 6 + j) * vs, o5);
  }
}

/* Output transform of 8 tiles of one output channel: `rows` rows of `left` pixels (at most 32)
 * to out (rows of stride os), plus bias, plus what out holds when acc. */
A2 static void w2_output_tile(const float *m, long ms, float *out, long os, int rows, long left, float bias, int acc) {
  __m256 t[6][4];
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) {
    const float *mi = m + i * 6 * ms;
    W2_AT(_mm256_load_ps(mi), _mm256_load_ps(mi + ms), _mm256_load_ps(mi + 2 * ms), _mm256_load_ps(mi + 3 * ms), _mm256_load_ps(mi + 4 * ms), _mm256_load_ps(mi + 5 * ms), t[i][0], t[i][1], t[i][2],
          t[i][3]);
  }
#pragma GCC unroll 4
  for (int s = 0; s < 4; s++) {
    __m256 y0, y1, y2, y3;
    W2_AT(t[0][s], t[1][s], t[2][s], t[3][s], t[4][s], t[5][s], y0, y1, y2, y3);
    t[0][s] = y0, t[1][s] = y1, t[2][s] = y2, t[3][s] = y3;
  }
  const __m256 bv = _mm256_set1_ps(bias);
  for (int r = 0; r < rows; r++) {
    /* the inverse of W2_DEINTERLEAVE: pixels 8q .. 8q + 7 from the four column vectors */
    __m256 o[4];
    W2_DEINTERLEAVE(t[r][0], t[r][1], t[r][2], t[r][3], o[0], o[1], o[2], o[3]);
    float *orow = out + r * os;
#pragma GCC unroll 4
    for (int q = 0; q < 4; q++) {
      const long n = left - 8 * q;
      if (n <= 0) break;
      __m256 v = _mm256_add_ps(o[q], bv);
      if (acc) v = _mm256_add_ps(v, w2_load_n(orow + 8 * q, n));
      w2_store_n(orow + 8 * q, n, v);
    }
  }
}

/* m[o][tb] = sum_i u[i][o] v[i][tb] for 6 outputs and 16 tiles (v and m rows of stride W2_TB). */
A2 static void w2_gemm(const float *u, const float *v, long nin, float *m) {
  __m256 s[W2_KB][2];
#pragma GCC unroll 6
  for (int o = 0; o < W2_KB; o++) s[o][0] = s[o][1] = _mm256_setzero_ps();
  for (long i = 0; i < nin; i++, u += W2_KB, v += W2_TB) {
    const __m256 b0 = _mm256_load_ps(v), b1 = _mm256_load_ps(v + 8);
#pragma GCC unroll 6
    for (int o = 0; o < W2_KB; o++) {
      const __m256 a = _mm256_broadcast_ss(u + o);
      s[o][0] = _mm256_fmadd_ps(a, b0, s[o][0]);
      s[o][1] = _mm256_fmadd_ps(a, b1, s[o][1]);
    }
  }
#pragma GCC unroll 6
  for (int o = 0; o < W2_KB; o++) {
    _mm256_store_ps(m + o * W2_TB, s[o][0]);
    _mm256_store_ps(m + o * W2_TB + 8, s[o][1]);
  }
}

/* ---------------------------------------------------------------- forward and input gradient */

/* Prefetches the input window of ng groups (6 rows from y0, columns from x0) of one plane: a unit
 * visits every channel's plane in turn, too many streams for the hardware prefetchers. */
static void w2_prefetch_window(const float *plane, long h, long w, long y0, long x0, int ng) {
  const long c0 = x0 < 0 ? 0 : x0, c1 = x0 + ng * W2_GROUP_PX + 2 < w ? x0 + ng * W2_GROUP_PX + 2 : w;
  for (long r = y0 < 0 ? 0 : y0; r < y0 + 6 && r < h; r++)
    for (long c = c0; c < c1; c += 16) __builtin_prefetch(plane + r * w + c);
}

typedef struct {
  const float *in;
  long nin, nout, h, w, ho, wo, pad;
  int reflect;
  long ng; /* groups of 8 tile columns */
  const float *u, *bias;
  float *out;
  int acc;
  float *v[2], *m[2];
  long unitsPerBand, units;
  atomic_long next;
} W2Job;

A2 static void w2_part(void *arg, int part, int parts) {
  W2Job *j = arg;
  (void)parts;
  float *V = j->v[part], *M = j->m[part];
  const long plane = j->h * j->w, vs = j->nin * W2_TB + W2_SKEW, ms = W2_KB * W2_TB + W2_SKEW, outPlane = j->ho * j->wo, wo = j->wo;
  for (long unit; (unit = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->units;) {
    const long ty = unit / j->unitsPerBand, g0 = (unit % j->unitsPerBand) * W2_UNIT_GROUPS;
    const int ng = j->ng - g0 < W2_UNIT_GROUPS ? (int)(j->ng - g0) : W2_UNIT_GROUPS;
    const int rows = j->ho - 4 * ty < 4 ? (int)(j->ho - 4 * ty) : 4;
    /* an odd last group computes a second group of zeros: the products run on pairs */
    const int pairs = (ng + 1) / 2;
    for (long i = 0; i < j->nin; i++) {
      const float *p = j->in + i * plane;
      if (i + 2 < j->nin) w2_prefetch_window(j->in + (i + 2) * plane, j->h, j->w, 4 * ty - j->pad, g0 * W2_GROUP_PX - j->pad, ng);
      for (int g = 0; g < ng; g++) w2_input_tile(p, j->h, j->w, 4 * ty - j->pad, (g0 + g) * W2_GROUP_PX - j->pad, j->reflect, V + i * W2_TB + 8 * g, vs);
      if (ng & 1)
        for (int xi = 0; xi < W2_XI; xi++) _mm256_store_ps(V + xi * vs + i * W2_TB + 8 * ng, _mm256_setzero_ps());
    }
    for (long b = 0; b < j->nout; b += W2_KB) {
      const float *ub = j->u + (b / W2_KB) * W2_XI * j->nin * W2_KB;
      for (int xi = 0; xi < W2_XI; xi++)
        for (int p = 0; p < pairs; p++) w2_gemm(ub + xi * j->nin * W2_KB, V + xi * vs + 16 * p, j->nin, M + xi * ms + 16 * p);
      const int nco = j->nout - b < W2_KB ? (int)(j->nout - b) : W2_KB;
      for (int o = 0; o < nco; o++)
        for (int g = 0; g < ng; g++) {
          const long x = (g0 + g) * W2_GROUP_PX;
          w2_output_tile(M + o * W2_TB + 8 * g, ms, j->out + (b + o) * outPlane + 4 * ty * wo + x, wo, rows, wo - x, j->bias ? j->bias[b + o] : 0.0f, j->acc);
        }
    }
  }
}

/*
 * U[b][xi][i][o] = (G g G^T)[xi] for output W2_KB b + o and input i, in float64 (once per call:
 * 36 nin nout entries against 36 nin nout tiles of products).
 */
static void w2_pack_weights(const float *wt, long cout, long cin, int transposed, float *dst) {
  const long nout = transposed ? cin : cout, nin = transposed ? cout : cin, nb = w2_round_up(nout, W2_KB) / W2_KB;
  for (long b = 0; b < nb; b++)
    for (long i = 0; i < nin; i++)
      for (int o = 0; o < W2_KB; o++) {
        const long out = b * W2_KB + o;
        double u[6][6];
        if (out >= nout)
          memset(u, 0, sizeof u);
        else {
          double g[3][3];
          for (int k = 0; k < 9; k++) g[k / 3][k % 3] = transposed ? wt[(i * cin + out) * 9 + (8 - k)] : wt[(out * cin + i) * 9 + k];
          winograd_transform_filter(g, u);
        }
        for (int xi = 0; xi < W2_XI; xi++) dst[((b * W2_XI + xi) * nin + i) * W2_KB + o] = (float)u[xi / 6][xi % 6];
      }
}

void winograd_avx2_run(long nin, long nout, long h, long w, long ho, long wo, long pad, int reflect, const float *in, const float *weight, long wcout, long wcin, int transposed, const float *bias, float *out,
                       int acc, float *scratch, int threads) {
  float *cur = scratch;
  float *u = w2_take(&cur, w2_round_up(nout, W2_KB) * W2_XI * nin);
  W2Job j;
  for (int p = 0; p < 2; p++) j.v[p] = w2_take(&cur, W2_XI * (nin * W2_TB + W2_SKEW));
  for (int p = 0; p < 2; p++) j.m[p] = w2_take(&cur, W2_XI * (W2_KB * W2_TB + W2_SKEW));
  w2_pack_weights(weight, wcout, wcin, transposed, u);
  j.in = in, j.nin = nin, j.nout = nout, j.h = h, j.w = w, j.ho = ho, j.wo = wo, j.pad = pad, j.reflect = reflect, j.u = u, j.bias = bias, j.out = out, j.acc = acc;
  j.ng = ((wo + 3) / 4 + W2_LANES - 1) / W2_LANES;
  j.unitsPerBand = (j.ng + W2_UNIT_GROUPS - 1) / W2_UNIT_GROUPS;
  j.units = (ho + 3) / 4 * j.unitsPerBand;
  atomic_init(&j.next, 0);
  run_parts(w2_part, &j, j.units > 1 ? threads : 1);
}

/* ---------------------------------------------------------------- weight gradient */

/* Output-gradient transform of 8 tiles of one channel (A dy A^T): `rows` rows of `left` pixels of
 * dy (rows of stride w), zeros elsewhere; y[xi W2_YN] receives the 36 vectors; the pixels are
 * added to sum (float64) unless it is NULL. */
A2 static void w2_dy_tile(const float *dy, long w, int rows, long left, float *y, __m256d *sum) {
  __m256 e[4][6];
#pragma GCC unroll 4
  for (int r = 0; r < 4; r++) {
    __m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
    if (r < rows) {
      const float *row = dy + r * w;
      a = w2_load_n(row, left), b = w2_load_n(row + 8, left - 8), c = w2_load_n(row + 16, left - 16), d = w2_load_n(row + 24, left - 24);
      if (sum) {
        /* in float64, as the direct kernel sums it (the bias gradient often cancels) */
        const __m256 q[4] = {a, b, c, d};
        for (int k = 0; k < 4; k++) *sum = _mm256_add_pd(*sum, _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(q[k])), _mm256_cvtps_pd(_mm256_extractf128_ps(q[k], 1))));
      }
    }
    __m256 c0, c1, c2, c3;
    W2_DEINTERLEAVE(a, b, c, d, c0, c1, c2, c3);
    W2_A(c0, c1, c2, c3, e[r][0], e[r][1], e[r][2], e[r][3], e[r][4], e[r][5]);
  }
#pragma GCC unroll 6
  for (int j = 0; j < 6; j++) {
    __m256 o0, o1, o2, o3, o4, o5;
    W2_A(e[0][j], e[1][j], e[2][j], e[3][j], o0, o1, o2, o3, o4, o5);
    _mm256_store_ps(y + (0 * 6 + j) * W2_YN, o0);
    _mm256_store_ps(y + (1 * 6 + j) * W2_YN, o1);
    _mm256_store_ps(y + (2 * 6 + j) * W2_YN, o2);
    _mm256_store_ps(y + (3 * 6 + j) * W2_YN, o3);
    _mm256_store_ps(y + (4 * 6 + j) * W2_YN, o4);
    _mm256_store_ps(y + (5 * 6 + j) * W2_YN, o5);
  }
}

/* dst[j stride + i] = src[8 i + j] for an 8 x 8 block. */
A2 static void w2_transpose8(const float *src, float *dst, long stride) {
  __m256 r[8], t[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; i++) r[i] = _mm256_load_ps(src + 8 * i);
#pragma GCC unroll 4
  for (int i = 0; i < 8; i += 2) t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]), t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
#pragma GCC unroll 2
  for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  /* r[4 h + m]: rows 4 h .. 4 h + 3 of columns m (low half) and 4 + m (high half) */
#pragma GCC unroll 4
  for (int m = 0; m < 4; m++) {
    _mm256_storeu_ps(dst + m * stride, _mm256_permute2f128_ps(r[m], r[4 + m], 0x20));
    _mm256_storeu_ps(dst + (4 + m) * stride, _mm256_permute2f128_ps(r[m], r[4 + m], 0x31));
  }
}

/* s[o][k] (+)= sum_t v[o][t] y[t][k] for 6 inputs (v rows of stride vt) and 16 outputs (y rows
 * of stride kp), nt tiles; `first`: overwritten (the first unit of a slice). */
A2 static void w2_dw_gemm(const float *v, long vt, const float *y, long kp, long nt, float *s, int first) {
  __m256 acc[W2_KB][2];
#pragma GCC unroll 6
  for (int o = 0; o < W2_KB; o++) acc[o][0] = acc[o][1] = _mm256_setzero_ps();
  for (long t = 0; t < nt; t++, y += kp) {
    const __m256 y0 = _mm256_load_ps(y), y1 = _mm256_load_ps(y + 8);
#pragma GCC unroll 6
    for (int o = 0; o < W2_KB; o++) {
      const __m256 a = _mm256_broadcast_ss(v + o * vt + t);
      acc[o][0] = _mm256_fmadd_ps(a, y0, acc[o][0]);
      acc[o][1] = _mm256_fmadd_ps(a, y1, acc[o][1]);
    }
  }
  if (first) {
#pragma GCC unroll 6
    for (int o = 0; o < W2_KB; o++) {
      _mm256_store_ps(s + o * kp, acc[o][0]);
      _mm256_store_ps(s + o * kp + 8, acc[o][1]);
    }
    return;
  }
#pragma GCC unroll 6
  for (int o = 0; o < W2_KB; o++) {
    _mm256_store_ps(s + o * kp, _mm256_add_ps(_mm256_load_ps(s + o * kp), acc[o][0]));
    _mm256_store_ps(s + o * kp + 8, _mm256_add_ps(_mm256_load_ps(s + o * kp + 8), acc[o][1]));
  }
}

typedef struct {
  const float *x, *dy;
  long h, w, cin, cout, cp, kp, ng;
  int reflect, wantBias;
  float *v[2], *yn[2], *yt[2]; /* per part */
  float *s; /* per slice, sliceFloats apart: S, then the bias sums (float64) */
  long sliceFloats, slices;
  int ready[2];
  long unitsPerBand, units;
} W2DwJob;

/* One slice of units, in order, into its own S and bias sums (run_slices; see winograd.c). */
A2 static void w2_dw_slice(void *arg, long slice, int part) {
  W2DwJob *j = arg;
  float *V = j->v[part], *YN = j->yn[part], *YT = j->yt[part], *S = j->s + slice * j->sliceFloats;
  const long plane = j->h * j->w, vs = j->cp * W2_DW_TB + W2_SKEW, ys = W2_DW_TB * j->kp + W2_SKEW, ss = j->cp * j->kp + W2_SKEW;
  double *bsum = (double *)(S + W2_XI * ss);
  memset(bsum, 0, sizeof(double) * (size_t)j->cout);
  if (!j->ready[part]) {
    /* the part's V on its first slice: input rows past cin stay zero */
    for (int xi = 0; xi < W2_XI; xi++) memset(V + xi * vs + j->cin * W2_DW_TB, 0, sizeof(float) * (size_t)((j->cp - j->cin) * W2_DW_TB));
    j->ready[part] = 1;
  }
  long u0, u1;
  slice_range(j->units, slice, j->slices, &u0, &u1);
  for (long unit = u0; unit < u1; unit++) {
    const long ty = unit / j->unitsPerBand, g0 = (unit % j->unitsPerBand) * W2_DW_GROUPS;
    const int ng = j->ng - g0 < W2_DW_GROUPS ? (int)(j->ng - g0) : W2_DW_GROUPS;
    const int rows = j->h - 4 * ty < 4 ? (int)(j->h - 4 * ty) : 4;
    for (long i = 0; i < j->cin; i++)
      for (int g = 0; g < ng; g++) w2_input_tile(j->x + i * plane, j->h, j->w, 4 * ty - 1, (g0 + g) * W2_GROUP_PX - 1, j->reflect, V + i * W2_DW_TB + 8 * g, vs);
    /* Y[xi][t][k]: 8 outputs at a time, transformed into YN[xi][k 8][8 tiles], then transposed */
    for (long k0 = 0; k0 < j->kp; k0 += 8)
      for (int g = 0; g < ng; g++) {
        const long x = (g0 + g) * W2_GROUP_PX;
        for (int kk = 0; kk < 8; kk++) {
          const long k = k0 + kk;
          if (k < j->cout) {
            __m256d sum = _mm256_setzero_pd();
            w2_dy_tile(j->dy + k * plane + 4 * ty * j->w + x, j->w, rows, j->w - x, YN + kk * 8, j->wantBias ? &sum : NULL);
            double l[4];
            _mm256_storeu_pd(l, sum);
            bsum[k] += (l[0] + l[1]) + (l[2] + l[3]);
          } else
            for (int xi = 0; xi < W2_XI; xi++) _mm256_store_ps(YN + xi * W2_YN + kk * 8, _mm256_setzero_ps());
        }
        for (int xi = 0; xi < W2_XI; xi++) w2_transpose8(YN + xi * W2_YN, YT + xi * ys + 8 * g * j->kp + k0, j->kp);
      }
    const long nt = 8L * ng;
    for (int xi = 0; xi < W2_XI; xi++)
      for (long c0 = 0; c0 < j->cp; c0 += W2_KB)
        for (long k0 = 0; k0 < j->kp; k0 += W2_DW_KV) w2_dw_gemm(V + xi * vs + c0 * W2_DW_TB, W2_DW_TB, YT + xi * ys + k0, j->kp, nt, S + xi * ss + c0 * j->kp + k0, unit == u0);
  }
}

void winograd_avx2_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads) {
  const long cp = w2_round_up(g->cin, W2_KB), kp = w2_round_up(g->cout, W2_DW_KV);
  float *cur = scratch;
  W2DwJob j;
  for (int p = 0; p < 2; p++) {
    j.v[p] = w2_take(&cur, W2_XI * (cp * W2_DW_TB + W2_SKEW));
    j.yn[p] = w2_take(&cur, W2_XI * W2_YN);
    j.yt[p] = w2_take(&cur, W2_XI * (W2_DW_TB * kp + W2_SKEW));
    j.ready[p] = 0;
  }
  j.x = x, j.dy = dy, j.h = g->h, j.w = g->w, j.cin = g->cin, j.cout = g->cout, j.cp = cp, j.kp = kp, j.reflect = g->reflect, j.wantBias = dbias != NULL;
  j.ng = ((g->w + 3) / 4 + W2_LANES - 1) / W2_LANES;
  j.unitsPerBand = (j.ng + W2_DW_GROUPS - 1) / W2_DW_GROUPS;
  j.units = (g->h + 3) / 4 * j.unitsPerBand;
  /* a multiple of 16 floats, so every slice stays aligned */
  const long ss = cp * kp + W2_SKEW, sliceFloats = w2_dw_slice_floats(g->cin, g->cout);
  j.sliceFloats = sliceFloats - sliceFloats % 16;
  j.slices = winograd_dw_slices(j.units, sliceFloats);
  j.s = w2_take(&cur, j.slices * j.sliceFloats);
  run_slices(w2_dw_slice, &j, j.slices, threads);
  winograd_fold_slices(j.s, j.sliceFloats, j.slices, W2_XI * ss, threads);
  winograd_weight_from_products(j.s, ss, kp, g->cin, g->cout, dweight, threads);
  if (dbias)
    for (long k = 0; k < g->cout; k++) {
      double v = 0;
      for (long sl = 0; sl < j.slices; sl++) v += ((const double *)(j.s + sl * j.sliceFloats + W2_XI * ss))[k];
      dbias[k] = (float)v;
    }
}
#endif
