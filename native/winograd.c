/*
 * Winograd F(4x4, 3x3) (Lavin & Gray 2016) for 3x3 stride-1 zero-padded convolutions with many
 * channels (AVX-512; the AVX2 kernels are in winograd_avx2.c, with the same layouts and the
 * shared pieces below): 36 multiplies per 4x4 output tile and channel pair instead of 144, so the
 * batched products do 4x fewer FMAs than the direct kernels of conv3x3.c. The transforms are
 * what is left: at 64 -> 64 on 256x256 (a C harness, one thread) the products took 7.6 ms at
 * 82% of the FMA peak and the transforms 6.6 ms plus 1.3 ms for a padding copy, before the copy
 * was dropped and the planes prefetched (whole pass 12.4 -> 9.7 ms).
 *
 *   Y = A^T [ (G g G^T) . (B^T d B) ] A   per 6x6 input tile d (stride 4), 3x3 filter g.
 *
 * Layout: work units are one band of 4 output rows x up to 32 tiles (128 pixels): the unit's
 * input transform V[36][cin][32] (vector lanes = 16 horizontally adjacent tiles; a tile row is
 * deinterleaved from four masked loads of the unpadded plane by permutes, the borders being the
 * pixels the masks leave out), then per block of 8 outputs 36 products M[xi][8][32] =
 * U[xi][8][cin] V[xi][cin][32] (the 8 x 32 register tile of conv3x3.c's forward kernel), then the
 * output transform, interleaved back to pixel rows, bias and stores. V stays in L2 (36 cin 32
 * floats: 295 KB at 64 channels), M in L1. The planes of the next channels are prefetched in
 * software (a unit visits every channel's plane: too many streams for the hardware prefetchers;
 * 64 -> 64 at 256x256: 12.4 -> 9.7 ms), and the 36 rows of V and M are a cache line more than a
 * power of two apart.
 *
 * The input gradient is the same convolution of the output gradient with the weights
 * transposed and flipped. Units are claimed one at a time by the two threads (pool.c), each
 * with its own V and M. The weight gradient's units are summed in fixed slices of units instead,
 * each into its own partial (run_slices), so its bits do not depend on the threads.
 *
 * Rounding: the transforms' constants (1/4, 1/6, 1/24, 2, 4, 5, 8) change the float32 rounding;
 * measured errors against a float64 reference are in test/winograd.test.ts and conv3x3Choice.ts.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ucs_native.h"
#include "winograd.h"

enum { WG_KB = 8, WG_LANES = 16, WG_GROUP_PX = 64, WG_UNIT_GROUPS = 2, WG_TB = WG_LANES * WG_UNIT_GROUPS, WG_XI = 36 };

/* The 36 transform outputs of a tile are stored 36 rows apart: one cache line more than a power
 * of two between rows (WG_SKEW floats), or they all fall in one L1 set (8 KB strides: 2x slower
 * transforms). WG_YN: the row stride of the output-gradient transform's 16 x 16 blocks. */
enum { WG_SKEW = 16, WG_YN = 256 + WG_SKEW };

static long wg_round_up(long v, long m) { return (v + m - 1) / m * m; }

typedef struct {
  long th, tw, ng; /* tile rows, tile columns, groups of 16 tile columns */
} WgGeom;

static WgGeom wg_geom(long h, long w) {
  WgGeom q;
  q.th = (h + 3) / 4;
  q.tw = (w + 3) / 4;
  q.ng = (q.tw + WG_LANES - 1) / WG_LANES;
  return q;
}

static float *wg_take(float **cursor, long floats) {
  float *p = (float *)(((uintptr_t)*cursor + 63) & ~(uintptr_t)63);
  *cursor = p + floats;
  return p;
}

/* Floats of one direction: packed weights and their gather buffer, two parts' V and M. */
static long wg_direction_floats(long nin, long nout) {
  return wg_round_up(nout, WG_KB) * WG_XI * nin + 9 * WG_KB * nin + 2 * (WG_XI * (nin * WG_TB + WG_SKEW) + WG_XI * (WG_KB * WG_TB + WG_SKEW));
}

/* The weight gradient's units: bands of 4 rows x WG_DW_GROUPS groups of 16 tiles (see below). */
enum { WG_DW_GROUPS = 4, WG_DW_TB = WG_LANES * WG_DW_GROUPS, WG_DW_KV = 32 };

static long wg_dw_units(long h, long w) {
  const WgGeom q = wg_geom(h, w);
  return q.th * ((q.ng + WG_DW_GROUPS - 1) / WG_DW_GROUPS);
}

/*
 * Floats of the weight gradient: per part V, the output-gradient transform and its transpose;
 * per slice S and the bias sums (float64).
 */
/* Floats of one slice's S and bias sums (float64), before rounding down to a multiple of 16. */
static long wg_dw_slice_floats(long cin, long cout) { return WG_XI * (wg_round_up(cin, WG_KB) * wg_round_up(cout, WG_DW_KV) + WG_SKEW) + 2 * cout + 16; }

static long wg_dw_floats(long cin, long cout, long h, long w) {
  const long cp = wg_round_up(cin, WG_KB), kp = wg_round_up(cout, WG_DW_KV), sFloats = wg_dw_slice_floats(cin, cout);
  return 2 * (WG_XI * (cp * WG_DW_TB + WG_SKEW) + WG_XI * WG_YN + WG_XI * (WG_DW_TB * kp + WG_SKEW)) + winograd_dw_slices(wg_dw_units(h, w), sFloats) * sFloats;
}

#ifdef UCS_X86
static int wg_avx512(void);
#endif

/* With reflection the input gradient's padded-domain result (cin (h + 2) (w + 2)) sits at the end. */
long winograd_scratch_floats(const Conv3 *g) {
  const long H = g->reflect ? g->h + 2 : g->h, W = g->reflect ? g->w + 2 : g->w;
  long most = wg_direction_floats(g->cin, g->cout);
  const long b = wg_direction_floats(g->cout, g->cin), d = wg_dw_floats(g->cin, g->cout, g->h, g->w);
  if (b > most) most = b;
  if (d > most) most = d;
#ifdef UCS_X86
  if (!wg_avx512()) most = winograd_avx2_scratch_floats(g->cin, g->cout, g->h, g->w);
#endif
  return most + 16 * 16 + (g->reflect ? g->cin * H * W : 0);
}

/* ---------------------------------------------------------------- shared by both ISAs */

/* Rows of G (6 x 3): the filter transform of F(4x4, 3x3). */
static const double WG_G[6][3] = {{0.25, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

void winograd_transform_filter(const double g[3][3], double u[6][6]) {
  double t[6][3];
  for (int a = 0; a < 6; a++)
    for (int c = 0; c < 3; c++) t[a][c] = WG_G[a][0] * g[0][c] + WG_G[a][1] * g[1][c] + WG_G[a][2] * g[2][c];
  for (int a = 0; a < 6; a++)
    for (int b = 0; b < 6; b++) u[a][b] = t[a][0] * WG_G[b][0] + t[a][1] * WG_G[b][1] + t[a][2] * WG_G[b][2];
}

/*
 * One slice per 8 units, 2 to 8 of them (with 8 the two threads' shares stay within an eighth of
 * the work of each other when one is delayed), halved while the partials would pass 16 MB
 * (128 -> 128: 2.4 MB each, 4 slices). Every slice costs a cold S (written, then read by the
 * fold): one per 4 units measured 20% slower at 64 -> 64 on 128 x 128 (32 units), so at least 8.
 */
long winograd_dw_slices(long units, long sliceFloats) {
  long n = units / 8;
  if (n > 8) n = 8;
  if (n < 2) n = units < 2 ? 1 : 2;
  while (n > 2 && n * sliceFloats > (4L << 20)) n = n / 2 < 2 ? 2 : n / 2; /* never below 2 (3 / 2 = 1) */
  return n;
}

typedef struct {
  float *s;
  long sliceFloats, slices, n;
} SliceFold;

/* s[i] = ((s[i] + slice 1[i]) + slice 2[i]) + ... for the part's i, in blocks that stay in L1. */
UCS_CLONES static void wg_fold_part(void *arg, int part, int parts) {
  const SliceFold *f = arg;
  long lo, hi;
  part_range(f->n, part, parts, 16, &lo, &hi);
  float *restrict dst = f->s;
  for (long b = lo; b < hi; b += 2048) {
    const long e = hi - b < 2048 ? hi : b + 2048;
    for (long sl = 1; sl < f->slices; sl++) {
      const float *restrict src = f->s + sl * f->sliceFloats;
      for (long i = b; i < e; i++) dst[i] += src[i];
    }
  }
}

/*
 * The slices' float32 products summed into slice 0, in slice order, by streaming passes (the
 * transform below reads 36 rows per output: with every slice's rows it outran the prefetchers).
 * In float32: a slice adds its units in float32 anyway, and 8 partials sum with fewer roundings
 * than the 32 units a thread summed into one partial before.
 */
void winograd_fold_slices(float *s, long sliceFloats, long slices, long n, int threads) {
  if (slices < 2) return;
  SliceFold f = {s, sliceFloats, slices, n};
  run_parts(wg_fold_part, &f, n >= (1L << 15) ? threads : 1);
}

typedef struct {
  const float *s;
  long ss, kp, cin, cout;
  float *dweight;
} FromProducts;

/* Inputs [c0, c1): each dweight entry from its products alone, so any split gives the same bits. */
static void from_products_part(void *arg, int part, int parts) {
  const FromProducts *f = arg;
  long c0, c1;
  part_range(f->cin, part, parts, 1, &c0, &c1);
  for (long c = c0; c < c1; c++)
    for (long k = 0; k < f->cout; k++) {
      double m[6][6];
      for (int xi = 0; xi < 36; xi++) m[xi / 6][xi % 6] = f->s[xi * f->ss + c * f->kp + k];
      /* G^T m G */
      double t[3][6];
      for (int a = 0; a < 3; a++)
        for (int col = 0; col < 6; col++) {
          double v = 0;
          for (int i = 0; i < 6; i++) v += WG_G[i][a] * m[i][col];
          t[a][col] = v;
        }
      float *out = f->dweight + (k * f->cin + c) * 9;
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
          double v = 0;
          for (int i = 0; i < 6; i++) v += t[a][i] * WG_G[i][b];
          out[a * 3 + b] = (float)v;
        }
    }
}

void winograd_weight_from_products(const float *s, long ss, long kp, long cin, long cout, float *dweight, int threads) {
  FromProducts f = {s, ss, kp, cin, cout, dweight};
  run_parts(from_products_part, &f, cin > 1 && cin * cout >= 1024 ? threads : 1);
}

#ifdef UCS_X86
/* Whether the AVX-512 kernels of this file run (else the AVX2 ones of winograd_avx2.c). */
static int wg_avx512(void) { return conv3x3_available(); }
#endif


#ifdef UCS_X86
#define A512 __attribute__((target("avx512f")))

/* ---------------------------------------------------------------- transforms */

/* B^T d for one column of six vectors. */
#define WG_BT(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5)                    \
  do {                                                                            \
    const __m512 four = _mm512_set1_ps(4), five = _mm512_set1_ps(5), two = _mm512_set1_ps(2); \
    const __m512 t1 = _mm512_fnmadd_ps(four, d2, d4), t2 = _mm512_fnmadd_ps(four, d1, d3); \
    const __m512 t3 = _mm512_sub_ps(d4, d2), t4 = _mm512_mul_ps(two, _mm512_sub_ps(d3, d1)); \
    o0 = _mm512_fmadd_ps(four, d0, _mm512_fnmadd_ps(five, d2, d4));             \
    o1 = _mm512_add_ps(t1, t2);                                                   \
    o2 = _mm512_sub_ps(t1, t2);                                                   \
    o3 = _mm512_add_ps(t3, t4);                                                   \
    o4 = _mm512_sub_ps(t3, t4);                                                   \
    o5 = _mm512_fmadd_ps(four, d1, _mm512_fnmadd_ps(five, d3, d5));             \
  } while (0)

/* A^T m for one column of six vectors: four outputs. */
#define WG_AT(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3)                              \
  do {                                                                            \
    const __m512 a = _mm512_add_ps(m1, m2), b = _mm512_sub_ps(m1, m2);            \
    const __m512 c = _mm512_add_ps(m3, m4), d = _mm512_sub_ps(m3, m4);            \
    o0 = _mm512_add_ps(_mm512_add_ps(m0, a), c);                                  \
    o1 = _mm512_fmadd_ps(_mm512_set1_ps(2), d, b);                                \
    o2 = _mm512_fmadd_ps(_mm512_set1_ps(4), c, a);                                \
    o3 = _mm512_add_ps(_mm512_fmadd_ps(_mm512_set1_ps(8), d, b), m5);             \
  } while (0)

/*
 * U[b][xi][i][o] = (G g G^T)[xi] for output 8 b + o and input i, g the 3x3 filter: forward,
 * weight[out][in]; transposed (input gradient), weight[in][out] flipped. For one block b the
 * (i, o) pairs are contiguous, so the filters are first gathered into tmp[9][nin 8] and then
 * transformed 16 pairs a vector (float32 FMAs: one rounding more than float64, far below the
 * transform's own rounding).
 */
A512 static void wg_pack_weights(const float *wt, long cout, long cin, int transposed, float *dst, float *tmp) {
  const long nout = transposed ? cin : cout, nin = transposed ? cout : cin, nb = wg_round_up(nout, WG_KB) / WG_KB, n = nin * WG_KB;
  const __m512 q = _mm512_set1_ps(0.25f), s6 = _mm512_set1_ps(1.0f / 6), s12 = _mm512_set1_ps(1.0f / 12), s24 = _mm512_set1_ps(1.0f / 24);
  for (long b = 0; b < nb; b++) {
    for (long i = 0; i < nin; i++)
      for (int o = 0; o < WG_KB; o++) {
        const long out = b * WG_KB + o;
        for (int k = 0; k < 9; k++) tmp[k * n + i * WG_KB + o] = out >= nout ? 0.0f : transposed ? wt[(i * cin + out) * 9 + (8 - k)] : wt[(out * cin + i) * 9 + k];
      }
    float *u = dst + b * WG_XI * n;
    for (long p = 0; p < n; p += 16) {
      const __mmask16 k = n - p >= 16 ? 0xffff : (__mmask16)((1u << (n - p)) - 1);
      /* G g: rows r of t from the three filter rows, per column c; then t G^T the same way. */
      __m512 t[6][3];
#pragma GCC unroll 3
      for (int c = 0; c < 3; c++) {
        const __m512 g0 = _mm512_maskz_loadu_ps(k, tmp + c * n + p), g1 = _mm512_maskz_loadu_ps(k, tmp + (3 + c) * n + p), g2 = _mm512_maskz_loadu_ps(k, tmp + (6 + c) * n + p);
        const __m512 s02 = _mm512_add_ps(g0, g2);
        t[0][c] = _mm512_mul_ps(q, g0);
        t[1][c] = _mm512_mul_ps(_mm512_set1_ps(-1.0f / 6), _mm512_add_ps(s02, g1));
        t[2][c] = _mm512_mul_ps(_mm512_set1_ps(-1.0f / 6), _mm512_sub_ps(s02, g1));
        t[3][c] = _mm512_fmadd_ps(s24, g0, _mm512_fmadd_ps(s12, g1, _mm512_mul_ps(s6, g2)));
        t[4][c] = _mm512_fmadd_ps(s24, g0, _mm512_fnmadd_ps(s12, g1, _mm512_mul_ps(s6, g2)));
        t[5][c] = g2;
      }
#pragma GCC unroll 6
      for (int r = 0; r < 6; r++) {
        const __m512 g0 = t[r][0], g1 = t[r][1], g2 = t[r][2], s02 = _mm512_add_ps(g0, g2);
        float *ur = u + r * 6 * n + p;
        _mm512_mask_storeu_ps(ur, k, _mm512_mul_ps(q, g0));
        _mm512_mask_storeu_ps(ur + n, k, _mm512_mul_ps(_mm512_set1_ps(-1.0f / 6), _mm512_add_ps(s02, g1)));
        _mm512_mask_storeu_ps(ur + 2 * n, k, _mm512_mul_ps(_mm512_set1_ps(-1.0f / 6), _mm512_sub_ps(s02, g1)));
        _mm512_mask_storeu_ps(ur + 3 * n, k, _mm512_fmadd_ps(s24, g0, _mm512_fmadd_ps(s12, g1, _mm512_mul_ps(s6, g2))));
        _mm512_mask_storeu_ps(ur + 4 * n, k, _mm512_fmadd_ps(s24, g0, _mm512_fnmadd_ps(s12, g1, _mm512_mul_ps(s6, g2))));
        _mm512_mask_storeu_ps(ur + 5 * n, k, g2);
      }
    }
  }
}

/*
 * Input transform of 16 tiles of one channel, read from the unpadded plane (h x w): the tiles'
 * 6 x 68 pixel window starts at row y0, column x0 (-1 at the top and left borders); rows outside
 * the plane are zeros, and m[q] says which pixels of the window's q-th 16 columns lie inside it
 * (masked loads do not fault on the pixels left out). v receives the 36 vectors at stride vs.
 */
A512 static void wg_input_tile(const float *plane, long h, long w, long y0, long x0, const __mmask16 m[5], int reflect, float *v, long vs) {
  const __m512i lo = _mm512_set_epi32(29, 25, 21, 17, 13, 9, 5, 1, 28, 24, 20, 16, 12, 8, 4, 0);
  const __m512i hi = _mm512_set_epi32(31, 27, 23, 19, 15, 11, 7, 3, 30, 26, 22, 18, 14, 10, 6, 2);
  const __m512i sh0 = _mm512_set_epi32(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
  const __m512i sh1 = _mm512_set_epi32(17, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
  __m512 t[6][6];
#pragma GCC unroll 6
  for (int r = 0; r < 6; r++) {
    __m512 a = _mm512_setzero_ps(), b = a, c = a, d = a, e = a;
    long y = y0 + r;
    /* Reflection: row -1 is row 1, row h is row h - 2 (rows further out only reach outputs past the plane). */
    if (reflect) y = y == -1 ? 1 : y == h ? h - 2 : y;
    if (y >= 0 && y < h) {
      const float *row = plane + y * w + x0;
      __m512 q[5] = {_mm512_maskz_loadu_ps(m[0], row), _mm512_maskz_loadu_ps(m[1], row + 16), _mm512_maskz_loadu_ps(m[2], row + 32), _mm512_maskz_loadu_ps(m[3], row + 48),
                     _mm512_maskz_loadu_ps(m[4], row + 64)};
      if (reflect) {
        /* columns -1 and w of the window: pixels 1 and w - 2 */
        if (x0 == -1) q[0] = _mm512_mask_mov_ps(q[0], 1, _mm512_set1_ps(row[2]));
        const long p = w - x0;
        if (p >= 0 && p < 80) q[p / 16] = _mm512_mask_mov_ps(q[p / 16], (__mmask16)(1u << (p % 16)), _mm512_set1_ps(row[p - 2]));
      }
      a = q[0], b = q[1], c = q[2], d = q[3], e = q[4];
    }
    const __m512 l01 = _mm512_permutex2var_ps(a, lo, b), l23 = _mm512_permutex2var_ps(a, hi, b);
    const __m512 h01 = _mm512_permutex2var_ps(c, lo, d), h23 = _mm512_permutex2var_ps(c, hi, d);
    const __m512 p0 = _mm512_shuffle_f32x4(l01, h01, 0x44), p1 = _mm512_shuffle_f32x4(l01, h01, 0xEE);
    const __m512 p2 = _mm512_shuffle_f32x4(l23, h23, 0x44), p3 = _mm512_shuffle_f32x4(l23, h23, 0xEE);
    const __m512 p4 = _mm512_permutex2var_ps(p0, sh0, e), p5 = _mm512_permutex2var_ps(p1, sh1, e);
    WG_BT(p0, p1, p2, p3, p4, p5, t[r][0], t[r][1], t[r][2], t[r][3], t[r][4], t[r][5]);
  }
#pragma GCC unroll 6
  for (int j = 0; j < 6; j++) {
    __m512 o0, o1, o2, o3, o4, o5;
    WG_BT(t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j], o0, o1, o2, o3, o4, o5);
    _mm512_store_ps(v + (0 * 6 + j) * vs, o0);
    _mm512_store_ps(v + (1 * 6 + j) * vs, o1);
    _mm512_store_ps(v + (2 * 6 + j) * vs, o2);
    _mm512_store_ps(v + (3 * 6 + j) * vs, o3);
    _mm512_store_ps(v + (4 * 6 + j) * vs, o4);
    _mm512_store_ps(v + (5 * 6 + j) * vs, o5);
  }
}

/*
 * Output transform of 16 tiles of one output channel: m holds the 36 products at stride ms; the
 * 4x4 outputs go to out (rows of stride os), `rows` of them and the pixels under mask per
 * 16-pixel quarter; plus bias, plus what out holds when acc.
 */
A512 static void wg_output_tile(const float *m, long ms, float *out, long os, int rows, const __mmask16 mask[4], float bias, int acc) {
  const __m512i z01a = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i z01b = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  const __m512i q0 = _mm512_set_epi32(23, 22, 7, 6, 21, 20, 5, 4, 19, 18, 3, 2, 17, 16, 1, 0);
  const __m512i q1 = _mm512_set_epi32(31, 30, 15, 14, 29, 28, 13, 12, 27, 26, 11, 10, 25, 24, 9, 8);
  __m512 t[6][4];
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) {
    const float *mi = m + i * 6 * ms;
    WG_AT(_mm512_load_ps(mi), _mm512_load_ps(mi + ms), _mm512_load_ps(mi + 2 * ms), _mm512_load_ps(mi + 3 * ms), _mm512_load_ps(mi + 4 * ms), _mm512_load_ps(mi + 5 * ms), t[i][0], t[i][1], t[i][2],
          t[i][3]);
  }
  const __m512 bv = _mm512_set1_ps(bias);
#pragma GCC unroll 4
  for (int s = 0; s < 4; s++) {
    __m512 y[4];
    WG_AT(t[0][s], t[1][s], t[2][s], t[3][s], t[4][s], t[5][s], y[0], y[1], y[2], y[3]);
    /* y[r] lane k = output row r, column 4 k + s of the 16 tiles: kept for the interleave below */
    t[0][s] = y[0], t[1][s] = y[1], t[2][s] = y[2], t[3][s] = y[3];
  }
  for (int r = 0; r < rows; r++) {
    /* pixels 4k + s from the four column vectors t[r][s] */
    const __m512 a0 = _mm512_permutex2var_ps(t[r][0], z01a, t[r][1]), a1 = _mm512_permutex2var_ps(t[r][0], z01b, t[r][1]);
    const __m512 b0 = _mm512_permutex2var_ps(t[r][2], z01a, t[r][3]), b1 = _mm512_permutex2var_ps(t[r][2], z01b, t[r][3]);
    __m512 o[4] = {_mm512_permutex2var_ps(a0, q0, b0), _mm512_permutex2var_ps(a0, q1, b0), _mm512_permutex2var_ps(a1, q0, b1), _mm512_permutex2var_ps(a1, q1, b1)};
    float *orow = out + r * os;
#pragma GCC unroll 4
    for (int q = 0; q < 4; q++) {
      if (!mask[q]) break;
      __m512 v = _mm512_add_ps(o[q], bv);
      if (acc) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask[q], orow + 16 * q));
      _mm512_mask_storeu_ps(orow + 16 * q, mask[q], v);
    }
  }
}

/* Prefetches the input window of ng groups (6 rows from y0, columns from x0) of one plane: the
 * transforms visit every channel's plane in turn, too many streams for the hardware prefetchers. */
static void wg_prefetch_window(const float *plane, long h, long w, long y0, long x0, int ng) {
  const long c0 = x0 < 0 ? 0 : x0, c1 = x0 + ng * WG_GROUP_PX + 2 < w ? x0 + ng * WG_GROUP_PX + 2 : w;
  for (long r = y0 < 0 ? 0 : y0; r < y0 + 6 && r < h; r++)
    for (long c = c0; c < c1; c += 16) __builtin_prefetch(plane + r * w + c);
}

/* Prefetches `rows` rows of `cols` pixels (at most `left`) from p (rows of stride w), for writing when `write`. */
static void wg_prefetch_rows(const float *p, long w, int rows, long cols, long left, int write) {
  if (cols > left) cols = left;
  for (int r = 0; r < rows; r++)
    for (long c = 0; c < cols; c += 16) {
      if (write) __builtin_prefetch(p + r * w + c, 1);
      else __builtin_prefetch(p + r * w + c, 0);
    }
}

/* Which pixels of a group's input window (columns x0 .. x0 + 79, 16 a vector) lie in 0 .. w - 1. */
static void wg_window_masks(long x0, long w, __mmask16 m[5]) {
  for (int q = 0; q < 5; q++) {
    const long start = x0 + 16 * q, lo = start < 0 ? -start : 0, hi = w - start >= 16 ? 16 : w - start;
    m[q] = hi <= lo ? 0 : (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1));
  }
}

/* m[o][tb] = sum_i u[i][o] v[i][tb] for 8 outputs and NV (1 or 2) vectors of 16 tiles. */
A512 __attribute__((always_inline)) static inline void wg_gemm_tile(const float *u, const float *v, long nin, float *m, const int nv) {
  __m512 s[WG_KB][2];
#pragma GCC unroll 8
  for (int o = 0; o < WG_KB; o++) s[o][0] = s[o][1] = _mm512_setzero_ps();
  for (long i = 0; i < nin; i++, u += WG_KB, v += WG_TB) {
    const __m512 b0 = _mm512_load_ps(v), b1 = nv == 2 ? _mm512_load_ps(v + 16) : _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int o = 0; o < WG_KB; o++) {
      const __m512 a = _mm512_set1_ps(u[o]);
      s[o][0] = _mm512_fmadd_ps(a, b0, s[o][0]);
      if (nv == 2) s[o][1] = _mm512_fmadd_ps(a, b1, s[o][1]);
    }
  }
#pragma GCC unroll 8
  for (int o = 0; o < WG_KB; o++) {
    _mm512_store_ps(m + o * WG_TB, s[o][0]);
    if (nv == 2) _mm512_store_ps(m + o * WG_TB + 16, s[o][1]);
  }
}
A512 static void wg_gemm2(const float *u, const float *v, long nin, float *m) { wg_gemm_tile(u, v, nin, m, 2); }
A512 static void wg_gemm1(const float *u, const float *v, long nin, float *m) { wg_gemm_tile(u, v, nin, m, 1); }

/* ---------------------------------------------------------------- the pass */

typedef struct {
  const float *in; /* nin planes of h x w */
  long nin, nout, h, w;
  long ho, wo, pad; /* outputs ho x wo; the input window of output (0, 0) starts at (-pad, -pad) */
  int reflect;
  WgGeom q;
  const float *u; /* packed transformed weights */
  const float *bias;
  float *out;
  int acc;
  float *v[2], *m[2]; /* per part */
  long unitsPerBand, units;
  atomic_long next;
} WgJob;

static void wg_part(void *arg, int part, int parts) {
  WgJob *j = arg;
  (void)parts;
  float *V = j->v[part], *M = j->m[part];
  const long plane = j->h * j->w, vs = j->nin * WG_TB + WG_SKEW, ms = WG_KB * WG_TB + WG_SKEW, outPlane = j->ho * j->wo, wo = j->wo;
  for (long unit; (unit = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->units;) {
    const long ty = unit / j->unitsPerBand, g0 = (unit % j->unitsPerBand) * WG_UNIT_GROUPS;
    const int ng = j->q.ng - g0 < WG_UNIT_GROUPS ? (int)(j->q.ng - g0) : WG_UNIT_GROUPS;
    const int rows = j->ho - 4 * ty < 4 ? (int)(j->ho - 4 * ty) : 4;
    /* V[xi][i][16 g + lane] */
    __mmask16 win[WG_UNIT_GROUPS][5];
    for (int g = 0; g < ng; g++) wg_window_masks((g0 + g) * WG_GROUP_PX - j->pad, j->w, win[g]);
    for (long i = 0; i < j->nin; i++) {
      if (i + 2 < j->nin) wg_prefetch_window(j->in + (i + 2) * plane, j->h, j->w, 4 * ty - j->pad, g0 * WG_GROUP_PX - j->pad, ng);
      for (int g = 0; g < ng; g++) wg_input_tile(j->in + i * plane, j->h, j->w, 4 * ty - j->pad, (g0 + g) * WG_GROUP_PX - j->pad, win[g], j->reflect, V + i * WG_TB + 16 * g, vs);
    }
    __mmask16 mask[WG_UNIT_GROUPS][4];
    for (int g = 0; g < ng; g++)
      for (int k = 0; k < 4; k++) {
        const long x = (g0 + g) * WG_GROUP_PX + 16 * k, left = wo - x;
        mask[g][k] = left >= 16 ? 0xffff : left > 0 ? (__mmask16)((1u << left) - 1) : 0;
      }
    for (long b = 0; b < j->nout; b += WG_KB) {
      const float *ub = j->u + (b / WG_KB) * WG_XI * j->nin * WG_KB;
      for (int xi = 0; xi < WG_XI; xi++) {
        if (ng == 2) wg_gemm2(ub + xi * j->nin * WG_KB, V + xi * vs, j->nin, M + xi * ms);
        else wg_gemm1(ub + xi * j->nin * WG_KB, V + xi * vs, j->nin, M + xi * ms);
      }
      const int nco = j->nout - b < WG_KB ? (int)(j->nout - b) : WG_KB;
      for (int o = 0; o < nco; o++) {
        if (b + o + 2 < j->nout) wg_prefetch_rows(j->out + (b + o + 2) * outPlane + 4 * ty * wo + g0 * WG_GROUP_PX, wo, rows, ng * WG_GROUP_PX, wo - g0 * WG_GROUP_PX, 1);
        for (int g = 0; g < ng; g++)
          wg_output_tile(M + o * WG_TB + 16 * g, ms, j->out + (b + o) * outPlane + 4 * ty * wo + (g0 + g) * WG_GROUP_PX, wo, rows, mask[g], j->bias ? j->bias[b + o] : 0.0f, j->acc);
      }
    }
  }
}

/* out (ho x wo, += when acc) = the correlation of `in` (h x w, read from (-pad, -pad), reflected
 * at the border when `reflect`, else zeros) with the packed weights. */
static void wg_run(long nin, long nout, long h, long w, long ho, long wo, long pad, int reflect, const float *in, const float *weight, long wcout, long wcin, int transposed, const float *bias, float *out, int acc,
                   float *scratch, int threads) {
  const WgGeom q = wg_geom(ho, wo);
  float *cur = scratch;
  float *u = wg_take(&cur, wg_round_up(nout, WG_KB) * WG_XI * nin);
  float *wtmp = wg_take(&cur, 9 * WG_KB * nin);
  float *v0 = wg_take(&cur, WG_XI * (nin * WG_TB + WG_SKEW)), *v1 = wg_take(&cur, WG_XI * (nin * WG_TB + WG_SKEW));
  float *m0 = wg_take(&cur, WG_XI * (WG_KB * WG_TB + WG_SKEW)), *m1 = wg_take(&cur, WG_XI * (WG_KB * WG_TB + WG_SKEW));
  wg_pack_weights(weight, wcout, wcin, transposed, u, wtmp);
  WgJob j;
  j.in = in, j.nin = nin, j.nout = nout, j.h = h, j.w = w, j.ho = ho, j.wo = wo, j.pad = pad, j.reflect = reflect, j.q = q, j.u = u, j.bias = bias, j.out = out, j.acc = acc;
  j.v[0] = v0, j.v[1] = v1, j.m[0] = m0, j.m[1] = m1;
  j.unitsPerBand = (q.ng + WG_UNIT_GROUPS - 1) / WG_UNIT_GROUPS;
  j.units = q.th * j.unitsPerBand;
  atomic_init(&j.next, 0);
  run_parts(wg_part, &j, j.units > 1 ? threads : 1);
}


/* ---------------------------------------------------------------- weight gradient */

/*
 * dL/dU[xi] = sum over tiles of (A dy A^T)[xi] (B^T d B)[xi], and dweight = G^T (dL/dU) G: per
 * xi a product S[xi][c][k] = sum_t V[xi][c][t] Y[xi][t][k] over the tiles. V is the forward's
 * input transform (tile lanes); the output-gradient transform is transposed to Y[xi][t][k] (k
 * lanes, 16x16 transposes) so the product broadcasts V and keeps 8 inputs x 32 outputs in 16
 * accumulators over a unit's 64 tiles, then adds them into its slice's float32 S.
 */

/* A d for one column of four vectors: six outputs. */
#define WG_A(d0, d1, d2, d3, e0, e1, e2, e3, e4, e5)                                        \
  do {                                                                                      \
    const __m512 p = _mm512_add_ps(d0, d2), q = _mm512_add_ps(d1, d3);                      \
    const __m512 p4 = _mm512_fmadd_ps(_mm512_set1_ps(4), d2, d0);                           \
    const __m512 q4 = _mm512_fmadd_ps(_mm512_set1_ps(8), d3, _mm512_add_ps(d1, d1));        \
    e0 = d0, e1 = _mm512_add_ps(p, q), e2 = _mm512_sub_ps(p, q);                            \
    e3 = _mm512_add_ps(p4, q4), e4 = _mm512_sub_ps(p4, q4), e5 = d3;                        \
  } while (0)

/*
 * Output-gradient transform of 16 tiles of one channel: dy at the tiles' top-left pixel (rows of
 * stride w, `rows` of them real, pixels under mask per 16-pixel quarter, zeros elsewhere);
 * y[xi 16 .. + 16] receives the 36 vectors. Adds the pixels into sum (the bias gradient, float64 lanes) unless it is NULL.
 */
A512 static void wg_dy_tile(const float *dy, long w, int rows, const __mmask16 mask[4], float *y, __m512d sum[2]) {
  const __m512i lo = _mm512_set_epi32(29, 25, 21, 17, 13, 9, 5, 1, 28, 24, 20, 16, 12, 8, 4, 0);
  const __m512i hi = _mm512_set_epi32(31, 27, 23, 19, 15, 11, 7, 3, 30, 26, 22, 18, 14, 10, 6, 2);
  __m512 e[4][6];
#pragma GCC unroll 4
  for (int r = 0; r < 4; r++) {
    __m512 a = _mm512_setzero_ps(), b = a, c = a, d = a;
    if (r < rows) {
      const float *row = dy + r * w;
      a = _mm512_maskz_loadu_ps(mask[0], row);
      b = _mm512_maskz_loadu_ps(mask[1], row + 16);
      c = _mm512_maskz_loadu_ps(mask[2], row + 32);
      d = _mm512_maskz_loadu_ps(mask[3], row + 48);
      /* in float64, as the direct kernel sums it (the bias gradient often cancels) */
      const __m512 v4[4] = {a, b, c, d};
#pragma GCC unroll 4
      for (int q = 0; q < 4 && sum; q++) {
        sum[0] = _mm512_add_pd(sum[0], _mm512_cvtps_pd(_mm512_castps512_ps256(v4[q])));
        sum[1] = _mm512_add_pd(sum[1], _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v4[q]), 1))));
      }
    }
    const __m512 l01 = _mm512_permutex2var_ps(a, lo, b), l23 = _mm512_permutex2var_ps(a, hi, b);
    const __m512 h01 = _mm512_permutex2var_ps(c, lo, d), h23 = _mm512_permutex2var_ps(c, hi, d);
    const __m512 p0 = _mm512_shuffle_f32x4(l01, h01, 0x44), p1 = _mm512_shuffle_f32x4(l01, h01, 0xEE);
    const __m512 p2 = _mm512_shuffle_f32x4(l23, h23, 0x44), p3 = _mm512_shuffle_f32x4(l23, h23, 0xEE);
    WG_A(p0, p1, p2, p3, e[r][0], e[r][1], e[r][2], e[r][3], e[r][4], e[r][5]);
  }
#pragma GCC unroll 6
  for (int j = 0; j < 6; j++) {
    __m512 o0, o1, o2, o3, o4, o5;
    WG_A(e[0][j], e[1][j], e[2][j], e[3][j], o0, o1, o2, o3, o4, o5);
    _mm512_store_ps(y + (0 * 6 + j) * WG_YN, o0);
    _mm512_store_ps(y + (1 * 6 + j) * WG_YN, o1);
    _mm512_store_ps(y + (2 * 6 + j) * WG_YN, o2);
    _mm512_store_ps(y + (3 * 6 + j) * WG_YN, o3);
    _mm512_store_ps(y + (4 * 6 + j) * WG_YN, o4);
    _mm512_store_ps(y + (5 * 6 + j) * WG_YN, o5);
  }
}

/* dst[j stride + i] = src[i 16 + j] for a 16 x 16 block. */
A512 static void wg_transpose16(const float *src, float *dst, long stride) {
  __m512 r[16], t[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; i++) r[i] = _mm512_load_ps(src + 16 * i);
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
  }
  /* r[4 i + m], 128-bit block L: rows 4 i .. 4 i + 3 of column 4 L + m; a 4 x 4 transpose of blocks per m. */
#pragma GCC unroll 4
  for (int m = 0; m < 4; m++) {
    const __m512 t0 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0x44), t1 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0xEE);
    const __m512 t2 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0x44), t3 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0xEE);
    _mm512_store_ps(dst + m * stride, _mm512_shuffle_f32x4(t0, t2, 0x88));
    _mm512_store_ps(dst + (4 + m) * stride, _mm512_shuffle_f32x4(t0, t2, 0xDD));
    _mm512_store_ps(dst + (8 + m) * stride, _mm512_shuffle_f32x4(t1, t3, 0x88));
    _mm512_store_ps(dst + (12 + m) * stride, _mm512_shuffle_f32x4(t1, t3, 0xDD));
  }
}

/* s[o][k] (+)= sum_t v[o][t] y[t][k] for 8 inputs (v rows of stride vt) and 32 outputs (y rows
 * of stride kp), nt tiles; `first`: overwritten (the first unit of a slice). */
A512 static void wg_dw_gemm(const float *v, long vt, const float *y, long kp, long nt, float *s, int first) {
  __m512 acc[WG_KB][2];
#pragma GCC unroll 8
  for (int o = 0; o < WG_KB; o++) acc[o][0] = acc[o][1] = _mm512_setzero_ps();
  for (long t = 0; t < nt; t++, y += kp) {
    const __m512 y0 = _mm512_load_ps(y), y1 = _mm512_load_ps(y + 16);
#pragma GCC unroll 8
    for (int o = 0; o < WG_KB; o++) {
      const __m512 a = _mm512_set1_ps(v[o * vt + t]);
      acc[o][0] = _mm512_fmadd_ps(a, y0, acc[o][0]);
      acc[o][1] = _mm512_fmadd_ps(a, y1, acc[o][1]);
    }
  }
  if (first) {
#pragma GCC unroll 8
    for (int o = 0; o < WG_KB; o++) {
      _mm512_store_ps(s + o * kp, acc[o][0]);
      _mm512_store_ps(s + o * kp + 16, acc[o][1]);
    }
    return;
  }
#pragma GCC unroll 8
  for (int o = 0; o < WG_KB; o++) {
    _mm512_store_ps(s + o * kp, _mm512_add_ps(_mm512_load_ps(s + o * kp), acc[o][0]));
    _mm512_store_ps(s + o * kp + 16, _mm512_add_ps(_mm512_load_ps(s + o * kp + 16), acc[o][1]));
  }
}

typedef struct {
  const float *x;
  WgGeom q;
  const float *dy;
  long h, w, cin, cout, cp, kp;
  float *v[2], *yn[2], *yt[2]; /* per part */
  float *s; /* per slice, sliceFloats apart: S, then the bias sums (float64) */
  long sliceFloats, slices;
  int ready[2], wantBias, reflect;
  long unitsPerBand, units;
} WgDwJob;

/* One slice of units, in order, into its own S and bias sums (run_slices). */
A512 static void wg_dw_slice(void *arg, long slice, int part) {
  WgDwJob *j = arg;
  float *V = j->v[part], *YN = j->yn[part], *YT = j->yt[part], *S = j->s + slice * j->sliceFloats;
  const long plane = j->h * j->w, vs = j->cp * WG_DW_TB + WG_SKEW, ys = WG_DW_TB * j->kp + WG_SKEW, ss = j->cp * j->kp + WG_SKEW, dyPlane = j->h * j->w;
  double *bsum = (double *)(S + WG_XI * ss);
  memset(bsum, 0, sizeof(double) * (size_t)j->cout);
  /* The part's V on its first slice: a part that finds the work done costs nothing. */
  if (!j->ready[part]) {
    /* input rows past cin stay zero */
    for (int xi = 0; xi < WG_XI; xi++) memset(V + xi * vs + j->cin * WG_DW_TB, 0, sizeof(float) * (size_t)((j->cp - j->cin) * WG_DW_TB));
    j->ready[part] = 1;
  }
  long u0, u1;
  slice_range(j->units, slice, j->slices, &u0, &u1);
  for (long unit = u0; unit < u1; unit++) {
    const long ty = unit / j->unitsPerBand, g0 = (unit % j->unitsPerBand) * WG_DW_GROUPS;
    const int ng = j->q.ng - g0 < WG_DW_GROUPS ? (int)(j->q.ng - g0) : WG_DW_GROUPS;
    const int rows = j->h - 4 * ty < 4 ? (int)(j->h - 4 * ty) : 4;
    __mmask16 win[WG_DW_GROUPS][5];
    for (int g = 0; g < ng; g++) wg_window_masks((g0 + g) * WG_GROUP_PX - 1, j->w, win[g]);
    for (long i = 0; i < j->cin; i++) {
      if (i + 2 < j->cin) wg_prefetch_window(j->x + (i + 2) * plane, j->h, j->w, 4 * ty - 1, g0 * WG_GROUP_PX - 1, ng);
      for (int g = 0; g < ng; g++) wg_input_tile(j->x + i * plane, j->h, j->w, 4 * ty - 1, (g0 + g) * WG_GROUP_PX - 1, win[g], j->reflect, V + i * WG_DW_TB + 16 * g, vs);
    }
    __mmask16 mask[WG_DW_GROUPS][4];
    for (int g = 0; g < ng; g++)
      for (int k = 0; k < 4; k++) {
        const long x = (g0 + g) * WG_GROUP_PX + 16 * k, left = j->w - x;
        mask[g][k] = left >= 16 ? 0xffff : left > 0 ? (__mmask16)((1u << left) - 1) : 0;
      }
    /* Y[xi][t][k]: 16 outputs at a time, transformed into YN[xi][k 16][16 tiles], then transposed. */
    for (long k0 = 0; k0 < j->kp; k0 += 16)
      for (int g = 0; g < ng; g++) {
        for (int kk = 0; kk < 16; kk++) {
          const long k = k0 + kk;
          if (k + 2 < j->cout) wg_prefetch_rows(j->dy + (k + 2) * dyPlane + 4 * ty * j->w + (g0 + g) * WG_GROUP_PX, j->w, rows, WG_GROUP_PX, j->w - (g0 + g) * WG_GROUP_PX, 0);
          if (k < j->cout) {
            __m512d sum[2] = {_mm512_setzero_pd(), _mm512_setzero_pd()};
            wg_dy_tile(j->dy + k * dyPlane + 4 * ty * j->w + (g0 + g) * WG_GROUP_PX, j->w, rows, mask[g], YN + kk * 16, j->wantBias ? sum : NULL);
            bsum[k] += _mm512_reduce_add_pd(_mm512_add_pd(sum[0], sum[1]));
          } else
            for (int xi = 0; xi < WG_XI; xi++) memset(YN + xi * WG_YN + kk * 16, 0, sizeof(float) * 16);
        }
        for (int xi = 0; xi < WG_XI; xi++) wg_transpose16(YN + xi * WG_YN, YT + xi * ys + 16 * g * j->kp + k0, j->kp);
      }
    const long nt = 16L * ng;
    for (int xi = 0; xi < WG_XI; xi++)
      for (long c0 = 0; c0 < j->cp; c0 += WG_KB)
        for (long k0 = 0; k0 < j->kp; k0 += WG_DW_KV) wg_dw_gemm(V + xi * vs + c0 * WG_DW_TB, WG_DW_TB, YT + xi * ys + k0, j->kp, nt, S + xi * ss + c0 * j->kp + k0, unit == u0);
  }
}

static void wg_run_dw(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads) {
  const WgGeom q = wg_geom(g->h, g->w);
  const long cp = wg_round_up(g->cin, WG_KB), kp = wg_round_up(g->cout, WG_DW_KV);
  float *cur = scratch;
  WgDwJob j;
  for (int p = 0; p < 2; p++) {
    j.v[p] = wg_take(&cur, WG_XI * (cp * WG_DW_TB + WG_SKEW));
    j.yn[p] = wg_take(&cur, WG_XI * WG_YN);
    j.yt[p] = wg_take(&cur, WG_XI * (WG_DW_TB * kp + WG_SKEW));
    j.ready[p] = 0;
  }
  /* S and the bias sums of a slice; a multiple of 16 floats, so every slice stays aligned */
  const long ss = cp * kp + WG_SKEW, sliceFloats = wg_dw_slice_floats(g->cin, g->cout);
  j.sliceFloats = sliceFloats - sliceFloats % 16;
  j.unitsPerBand = (q.ng + WG_DW_GROUPS - 1) / WG_DW_GROUPS;
  j.units = q.th * j.unitsPerBand;
  j.slices = winograd_dw_slices(j.units, sliceFloats);
  j.s = wg_take(&cur, j.slices * j.sliceFloats);
  j.wantBias = dbias != NULL, j.reflect = g->reflect, j.x = x, j.q = q, j.dy = dy, j.h = g->h, j.w = g->w, j.cin = g->cin, j.cout = g->cout, j.cp = cp, j.kp = kp;
  run_slices(wg_dw_slice, &j, j.slices, threads);
  winograd_fold_slices(j.s, j.sliceFloats, j.slices, WG_XI * ss, threads);
  winograd_weight_from_products(j.s, ss, kp, g->cin, g->cout, dweight, threads);
  if (dbias)
    for (long k = 0; k < g->cout; k++) {
      double v = 0;
      for (long sl = 0; sl < j.slices; sl++) v += ((const double *)(j.s + sl * j.sliceFloats + WG_XI * ss))[k];
      dbias[k] = (float)v;
    }
}
#endif

/* An x86 build on a CPU with AVX-512 (the kernels above) or AVX2 + FMA (winograd_avx2.c). */
int winograd_available(void) {
#ifdef UCS_X86
  return wg_avx512() || strcmp(ucs_isa_name(), "avx2") == 0;
#else
  return 0;
#endif
}

#ifdef UCS_X86
/* One pass on this CPU's kernels. */
static void wg_pass(long nin, long nout, long h, long w, long ho, long wo, long pad, int reflect, const float *in, const float *weight, long wcout, long wcin, int transposed, const float *bias, float *out, int acc,
                    float *scratch, int threads) {
  if (wg_avx512()) wg_run(nin, nout, h, w, ho, wo, pad, reflect, in, weight, wcout, wcin, transposed, bias, out, acc, scratch, threads);
  else winograd_avx2_run(nin, nout, h, w, ho, wo, pad, reflect, in, weight, wcout, wcin, transposed, bias, out, acc, scratch, threads);
}

void winograd_forward(const Conv3 *g, const float *x, const float *weight, const float *bias, float *y, int acc, float *scratch, int threads) {
  wg_pass(g->cin, g->cout, g->h, g->w, g->h, g->w, 1, g->reflect, x, weight, g->cout, g->cin, 0, bias, y, acc, scratch, threads);
}

void winograd_backward_data(const Conv3 *g, const float *dy, const float *weight, float *dx, int acc, float *scratch, int threads) {
  if (!g->reflect) {
    wg_pass(g->cout, g->cin, g->h, g->w, g->h, g->w, 1, 0, dy, weight, g->cout, g->cin, 1, NULL, dx, acc, scratch, threads);
    return;
  }
  /* Reflection: the gradient of the padded input (the full correlation, read from (-2, -2)) into
   * the end of the scratch, then its border folded onto the pixels it reflected. */
  const long H = g->h + 2, W = g->w + 2;
  float *dxp = scratch + winograd_scratch_floats(g) - g->cin * H * W;
  wg_pass(g->cout, g->cin, g->h, g->w, H, W, 2, 0, dy, weight, g->cout, g->cin, 1, NULL, dxp, 0, scratch, threads);
  conv3x3_fold_reflection(dxp, dx, g->cin, g->h, g->w, acc, threads);
}

void winograd_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads) {
  if (wg_avx512()) wg_run_dw(g, x, dy, dweight, dbias, scratch, threads);
  else winograd_avx2_backward_weight(g, x, dy, dweight, dbias, scratch, threads);
}
#else
void winograd_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads) {
  (void)g, (void)x, (void)dy, (void)dweight, (void)dbias, (void)scratch, (void)threads;
}
void winograd_forward(const Conv3 *g, const float *x, const float *weight, const float *bias, float *y, int acc, float *scratch, int threads) {
  (void)g, (void)x, (void)weight, (void)bias, (void)y, (void)acc, (void)scratch, (void)threads;
}
void winograd_backward_data(const Conv3 *g, const float *dy, const float *weight, float *dx, int acc, float *scratch, int threads) {
  (void)g, (void)dy, (void)weight, (void)dx, (void)acc, (void)scratch, (void)threads;
}
#endif
