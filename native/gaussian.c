/*
 * Gaussian measurement matrices: products with a stored float32 matrix, or with one whose
 * entries are regenerated from the seed's key on the fly (matrix-free), float64 accumulation.
 *
 * Entry Z(i, j) depends on (key, i, j) only. Philox4x32-10 (Salmon et al., SC 2011) on the
 * counter (16 (j / 64) + j % 16, i, 0, 0) gives four words; words (0, 1) and (2, 3) each give two
 * normals by Box-Muller (radius from the first word, angle from the second); word pair p, cosine
 * (h = 0) or sine (h = 1) lands in column 64 (j / 64) + 32 p + 16 h + j % 16. Sixteen consecutive
 * counters thus fill 64 consecutive columns, one AVX-512 vector per 16 columns with no
 * shuffling, and any row or block can be regenerated alone.
 *
 * The entries are bit-identical on every path (AVX-512, AVX2, generic C here, and
 * src/core/philox.ts in JavaScript): the transform uses only float32 +, -, *, sqrt and exact
 * conversions, in one fixed order (log and sin/cos are Cephes' float polynomials), so every
 * operation is correctly rounded everywhere; FMA contraction must stay off (ISO C mode, which
 * build.mjs uses, and the pragma below for clang).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gaussian.h"
#include "ucs_native.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Cephes logf on [sqrt(1/2), sqrt(2)) and sinf/cosf on [-pi/4, pi/4], as exact float values. */
#define LOG_C8 0x1.204376p-4f
#define LOG_C7 -0x1.d7a37p-4f
#define LOG_C6 0x1.de4a34p-4f
#define LOG_C5 -0x1.fcba9ep-4f
#define LOG_C4 0x1.23d37ep-3f
#define LOG_C3 -0x1.555cap-3f
#define LOG_C2 0x1.999d58p-3f
#define LOG_C1 -0x1.fffff8p-3f
#define LOG_C0 0x1.555554p-2f
#define LN2_LO -0x1.bd0106p-13f
#define LN2_HI 0x1.63p-1f
#define SQRT2F 0x1.6a09e6p+0f
#define SIN_C2 -0x1.9943f2p-13f
#define SIN_C1 0x1.11073cp-7f
#define SIN_C0 -0x1.555546p-3f
#define COS_C2 0x1.99eb9cp-16f
#define COS_C1 -0x1.6c0c34p-10f
#define COS_C0 0x1.55554ap-5f
#define PIO2F 0x1.921fb6p+0f
/* Angle fraction: ((w >> 7) & 0x7fffff) - ANGLE_MID is a half-integer in (-2^22, 2^22). */
#define ANGLE_MID 4194303.5f

/* ---------------------------------------------------------------- generic C (reference) */

static void philox_scalar(uint32_t c[4], uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
    const uint64_t p0 = (uint64_t)PHILOX_M0 * c[0], p1 = (uint64_t)PHILOX_M1 * c[2];
    const uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
    c[0] = n0;
    c[1] = (uint32_t)p1;
    c[2] = n2;
    c[3] = (uint32_t)p0;
  }
}

static inline float f_from_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}
static inline uint32_t bits_of(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return b;
}

/* Two normals from one radius word and one angle word. */
static void box_muller_scalar(uint32_t wr, uint32_t wa, float *zc, float *zs) {
  /* u = v 2^-24 with v odd in [1, 2^24): never 0 or 1, and exact in float. */
  const float fv = (float)((wr >> 8) | 1u);
  const uint32_t bits = bits_of(fv);
  float e = (float)((int32_t)(bits >> 23) - 151);
  float mm = f_from_bits((bits & 0x7fffffu) | 0x3f800000u);
  if (mm > SQRT2F) {
    mm = mm * 0.5f;
    e = e + 1.0f;
  }
  const float x = mm - 1.0f;
  const float z = x * x;
  float p = LOG_C8;
  p = p * x + LOG_C7;
  p = p * x + LOG_C6;
  p = p * x + LOG_C5;
  p = p * x + LOG_C4;
  p = p * x + LOG_C3;
  p = p * x + LOG_C2;
  p = p * x + LOG_C1;
  p = p * x + LOG_C0;
  float y = p * x;
  y = y * z;
  y = y + LN2_LO * e;
  y = y - 0.5f * z;
  float l = x + y;
  l = l + LN2_HI * e;
  const float r = sqrtf(l * -2.0f);

  const uint32_t q = wa >> 30;
  const float v = ((float)((wa >> 7) & 0x7fffffu) - ANGLE_MID) * 0x1p-23f;
  const float xa = v * PIO2F;
  const float z2 = xa * xa;
  float sn = SIN_C2 * z2 + SIN_C1;
  sn = sn * z2 + SIN_C0;
  sn = sn * z2;
  sn = sn * xa;
  sn = sn + xa;
  float cs = COS_C2 * z2 + COS_C1;
  cs = cs * z2 + COS_C0;
  cs = cs * z2;
  cs = cs * z2;
  cs = cs - 0.5f * z2;
  cs = cs + 1.0f;
  /* Quadrant q rotates (cos x, sin x) by q pi / 2. */
  const float a = (q & 1u) ? sn : cs, b = (q & 1u) ? cs : sn;
  const float ca = f_from_bits(bits_of(a) ^ (((q + 1u) & 2u) << 30));
  const float sb = f_from_bits(bits_of(b) ^ ((q & 2u) << 30));
  *zc = r * ca;
  *zs = r * sb;
}

/* The 64 entries of row `row`, columns [64 g, 64 g + 64). */
static void group_generic(uint32_t k0, uint32_t k1, uint32_t row, uint32_t g, float *out) {
  for (uint32_t l = 0; l < 16; l++) {
    uint32_t c[4] = {16u * g + l, row, 0, 0};
    philox_scalar(c, k0, k1);
    box_muller_scalar(c[0], c[1], out + l, out + 16 + l);
    box_muller_scalar(c[2], c[3], out + 32 + l, out + 48 + l);
  }
}

/* out[r] = sum_j a[r lda + j] x[j], r < R. */
static void dot_generic(const float *a, long lda, int R, long len, const double *x, double *out) {
  for (int r = 0; r < R; r++) {
    const float *ar = a + r * lda;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long j = 0;
    for (; j + 4 <= len; j += 4) {
      s0 += (double)ar[j] * x[j];
      s1 += (double)ar[j + 1] * x[j + 1];
      s2 += (double)ar[j + 2] * x[j + 2];
      s3 += (double)ar[j + 3] * x[j + 3];
    }
    for (; j < len; j++) s0 += (double)ar[j] * x[j];
    out[r] = (s0 + s1) + (s2 + s3);
  }
}

/* acc[j] += sum_r coef[r] a[r lda + j]. */
static void axpy_generic(const float *a, long lda, int R, long len, const double *coef, double *acc) {
  for (int r = 0; r < R; r++) {
    const float *ar = a + r * lda;
    const double c = coef[r];
    for (long j = 0; j < len; j++) acc[j] += c * (double)ar[j];
  }
}

#ifdef UCS_X86
/* ---------------------------------------------------------------- AVX-512: 16 counters at once */

#define A512 __attribute__((target("avx512f")))

A512 static inline void mulhilo16(__m512i a, __m512i m, __m512i *hi, __m512i *lo) {
  const __m512i even = _mm512_mul_epu32(a, m);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}

A512 static inline void box_muller16(__m512i wr, __m512i wa, __m512 *zc, __m512 *zs) {
  const __m512 fv = _mm512_cvtepi32_ps(_mm512_or_si512(_mm512_srli_epi32(wr, 8), _mm512_set1_epi32(1)));
  const __m512i bits = _mm512_castps_si512(fv);
  __m512 e = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(151)));
  __m512 mm = _mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi32(0x7fffff)), _mm512_set1_epi32(0x3f800000)));
  const __mmask16 big = _mm512_cmp_ps_mask(mm, _mm512_set1_ps(SQRT2F), _CMP_GT_OQ);
  mm = _mm512_mask_mul_ps(mm, big, mm, _mm512_set1_ps(0.5f));
  e = _mm512_mask_add_ps(e, big, e, _mm512_set1_ps(1.0f));
  const __m512 x = _mm512_sub_ps(mm, _mm512_set1_ps(1.0f));
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(LOG_C8);
  p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(LOG_C7));
  p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(LOG_C6));
  p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(LOG_C5));
  p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(LOG_C4));
  p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(LOG_C3));
  p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(LOG_C2));
  p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(LOG_C1));
  p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(LOG_C0));
  __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, x), z);
  y = _mm512_add_ps(y, _mm512_mul_ps(_mm512_set1_ps(LN2_LO), e));
  y = _mm512_sub_ps(y, _mm512_mul_ps(_mm512_set1_ps(0.5f), z));
  __m512 l = _mm512_add_ps(x, y);
  l = _mm512_add_ps(l, _mm512_mul_ps(_mm512_set1_ps(LN2_HI), e));
  const __m512 r = _mm512_sqrt_ps(_mm512_mul_ps(l, _mm512_set1_ps(-2.0f)));

  const __m512i q = _mm512_srli_epi32(wa, 30);
  const __m512i s = _mm512_and_si512(_mm512_srli_epi32(wa, 7), _mm512_set1_epi32(0x7fffff));
  const __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(s), _mm512_set1_ps(ANGLE_MID)), _mm512_set1_ps(0x1p-23f));
  const __m512 xa = _mm512_mul_ps(v, _mm512_set1_ps(PIO2F));
  const __m512 z2 = _mm512_mul_ps(xa, xa);
  __m512 sn = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(SIN_C2), z2), _mm512_set1_ps(SIN_C1));
  sn = _mm512_add_ps(_mm512_mul_ps(sn, z2), _mm512_set1_ps(SIN_C0));
  sn = _mm512_mul_ps(sn, z2);
  sn = _mm512_mul_ps(sn, xa);
  sn = _mm512_add_ps(sn, xa);
  __m512 cs = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(COS_C2), z2), _mm512_set1_ps(COS_C1));
  cs = _mm512_add_ps(_mm512_mul_ps(cs, z2), _mm512_set1_ps(COS_C0));
  cs = _mm512_mul_ps(cs, z2);
  cs = _mm512_mul_ps(cs, z2);
  cs = _mm512_sub_ps(cs, _mm512_mul_ps(_mm512_set1_ps(0.5f), z2));
  cs = _mm512_add_ps(cs, _mm512_set1_ps(1.0f));
  const __mmask16 odd = _mm512_test_epi32_mask(q, _mm512_set1_epi32(1));
  const __m512 a = _mm512_mask_blend_ps(odd, cs, sn), b = _mm512_mask_blend_ps(odd, sn, cs);
  const __m512i signA = _mm512_slli_epi32(_mm512_and_si512(_mm512_add_epi32(q, _mm512_set1_epi32(1)), _mm512_set1_epi32(2)), 30);
  const __m512i signB = _mm512_slli_epi32(_mm512_and_si512(q, _mm512_set1_epi32(2)), 30);
  *zc = _mm512_mul_ps(r, _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), signA)));
  *zs = _mm512_mul_ps(r, _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(b), signB)));
}

A512 static void group_avx512(uint32_t k0, uint32_t k1, uint32_t row, uint32_t g, float *out) {
  const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m512i c0 = _mm512_add_epi32(_mm512_set1_epi32((int)(16u * g)), lanes);
  __m512i c1 = _mm512_set1_epi32((int)row), c2 = _mm512_setzero_si512(), c3 = _mm512_setzero_si512();
  const __m512i m0 = _mm512_set1_epi32((int)PHILOX_M0), m1 = _mm512_set1_epi32((int)PHILOX_M1);
  for (int r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
    __m512i hi0, lo0, hi1, lo1;
    mulhilo16(c0, m0, &hi0, &lo0);
    mulhilo16(c2, m1, &hi1, &lo1);
    c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi32((int)k0));
    c1 = lo1;
    c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi32((int)k1));
    c3 = lo0;
  }
  __m512 a, b;
  box_muller16(c0, c1, &a, &b);
  _mm512_storeu_ps(out, a);
  _mm512_storeu_ps(out + 16, b);
  box_muller16(c2, c3, &a, &b);
  _mm512_storeu_ps(out + 32, a);
  _mm512_storeu_ps(out + 48, b);
}

/* The float32 -> float64 halves of 16 floats. */
A512 static inline __m512d lo8(__m512 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
A512 static inline __m512d hi8(__m512 v) { return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))); }

A512 __attribute__((always_inline)) static inline void dot_avx512_r(const float *a, long lda, const int R, long len, const double *x, double *out) {
  __m512d s[4][2];
  for (int r = 0; r < R; r++) s[r][0] = s[r][1] = _mm512_setzero_pd();
  long j = 0;
  for (; j + 16 <= len; j += 16) {
    const __m512d x0 = _mm512_loadu_pd(x + j), x1 = _mm512_loadu_pd(x + j + 8);
    for (int r = 0; r < R; r++) {
      const __m512 v = _mm512_loadu_ps(a + r * lda + j);
      s[r][0] = _mm512_fmadd_pd(lo8(v), x0, s[r][0]);
      s[r][1] = _mm512_fmadd_pd(hi8(v), x1, s[r][1]);
    }
  }
  for (int r = 0; r < R; r++) {
    double t = _mm512_reduce_add_pd(_mm512_add_pd(s[r][0], s[r][1]));
    for (long k = j; k < len; k++) t += (double)a[r * lda + k] * x[k];
    out[r] = t;
  }
}

A512 static void dot_avx512(const float *a, long lda, int R, long len, const double *x, double *out) {
  if (R == 4) return dot_avx512_r(a, lda, 4, len, x, out);
  for (int r = 0; r < R; r++) dot_avx512_r(a + r * lda, lda, 1, len, x, out + r);
}

A512 __attribute__((always_inline)) static inline void axpy_avx512_r(const float *a, long lda, const int R, long len, const double *coef, double *acc) {
  __m512d c[4];
  for (int r = 0; r < R; r++) c[r] = _mm512_set1_pd(coef[r]);
  long j = 0;
  for (; j + 16 <= len; j += 16) {
    __m512d s0 = _mm512_loadu_pd(acc + j), s1 = _mm512_loadu_pd(acc + j + 8);
    for (int r = 0; r < R; r++) {
      const __m512 v = _mm512_loadu_ps(a + r * lda + j);
      s0 = _mm512_fmadd_pd(lo8(v), c[r], s0);
      s1 = _mm512_fmadd_pd(hi8(v), c[r], s1);
    }
    _mm512_storeu_pd(acc + j, s0);
    _mm512_storeu_pd(acc + j + 8, s1);
  }
  for (; j < len; j++)
    for (int r = 0; r < R; r++) acc[j] += coef[r] * (double)a[r * lda + j];
}

A512 static void axpy_avx512(const float *a, long lda, int R, long len, const double *coef, double *acc) {
  if (R == 4) return axpy_avx512_r(a, lda, 4, len, coef, acc);
  for (int r = 0; r < R; r++) axpy_avx512_r(a + r * lda, lda, 1, len, coef + r, acc);
}

/* ---------------------------------------------------------------- AVX2: 8 counters at once */

#define A256 __attribute__((target("avx2,fma")))

A256 static inline void mulhilo8(__m256i a, __m256i m, __m256i *hi, __m256i *lo) {
  const __m256i even = _mm256_mul_epu32(a, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

A256 static inline __m256 fset(float v) { return _mm256_set1_ps(v); }

A256 static inline void box_muller8(__m256i wr, __m256i wa, __m256 *zc, __m256 *zs) {
  const __m256 fv = _mm256_cvtepi32_ps(_mm256_or_si256(_mm256_srli_epi32(wr, 8), _mm256_set1_epi32(1)));
  const __m256i bits = _mm256_castps_si256(fv);
  __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(151)));
  __m256 mm = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x3f800000)));
  const __m256 big = _mm256_cmp_ps(mm, fset(SQRT2F), _CMP_GT_OQ);
  mm = _mm256_blendv_ps(mm, _mm256_mul_ps(mm, fset(0.5f)), big);
  e = _mm256_blendv_ps(e, _mm256_add_ps(e, fset(1.0f)), big);
  const __m256 x = _mm256_sub_ps(mm, fset(1.0f));
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = fset(LOG_C8);
  p = _mm256_add_ps(_mm256_mul_ps(p, x), fset(LOG_C7));
  p = _mm256_add_ps(_mm256_mul_ps(p, x), fset(LOG_C6));
  p = _mm256_add_ps(_mm256_mul_ps(p, x), fset(LOG_C5));
  p = _mm256_add_ps(_mm256_mul_ps(p, x), fset(LOG_C4));
  p = _mm256_add_ps(_mm256_mul_ps(p, x), fset(LOG_C3));
  p = _mm256_add_ps(_mm256_mul_ps(p, x), fset(LOG_C2));
  p = _mm256_add_ps(_mm256_mul_ps(p, x), fset(LOG_C1));
  p = _mm256_add_ps(_mm256_mul_ps(p, x), fset(LOG_C0));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, x), z);
  y = _mm256_add_ps(y, _mm256_mul_ps(fset(LN2_LO), e));
  y = _mm256_sub_ps(y, _mm256_mul_ps(fset(0.5f), z));
  __m256 l = _mm256_add_ps(x, y);
  l = _mm256_add_ps(l, _mm256_mul_ps(fset(LN2_HI), e));
  const __m256 r = _mm256_sqrt_ps(_mm256_mul_ps(l, fset(-2.0f)));

  const __m256i q = _mm256_srli_epi32(wa, 30);
  const __m256i s = _mm256_and_si256(_mm256_srli_epi32(wa, 7), _mm256_set1_epi32(0x7fffff));
  const __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(s), fset(ANGLE_MID)), fset(0x1p-23f));
  const __m256 xa = _mm256_mul_ps(v, fset(PIO2F));
  const __m256 z2 = _mm256_mul_ps(xa, xa);
  __m256 sn = _mm256_add_ps(_mm256_mul_ps(fset(SIN_C2), z2), fset(SIN_C1));
  sn = _mm256_add_ps(_mm256_mul_ps(sn, z2), fset(SIN_C0));
  sn = _mm256_mul_ps(sn, z2);
  sn = _mm256_mul_ps(sn, xa);
  sn = _mm256_add_ps(sn, xa);
  __m256 cs = _mm256_add_ps(_mm256_mul_ps(fset(COS_C2), z2), fset(COS_C1));
  cs = _mm256_add_ps(_mm256_mul_ps(cs, z2), fset(COS_C0));
  cs = _mm256_mul_ps(cs, z2);
  cs = _mm256_mul_ps(cs, z2);
  cs = _mm256_sub_ps(cs, _mm256_mul_ps(fset(0.5f), z2));
  cs = _mm256_add_ps(cs, fset(1.0f));
  const __m256 odd = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(q, _mm256_set1_epi32(1)), _mm256_set1_epi32(1)));
  const __m256 a = _mm256_blendv_ps(cs, sn, odd), b = _mm256_blendv_ps(sn, cs, odd);
  const __m256i signA = _mm256_slli_epi32(_mm256_and_si256(_mm256_add_epi32(q, _mm256_set1_epi32(1)), _mm256_set1_epi32(2)), 30);
  const __m256i signB = _mm256_slli_epi32(_mm256_and_si256(q, _mm256_set1_epi32(2)), 30);
  *zc = _mm256_mul_ps(r, _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(a), signA)));
  *zs = _mm256_mul_ps(r, _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(b), signB)));
}

A256 static void group_avx2(uint32_t k0in, uint32_t k1in, uint32_t row, uint32_t g, float *out) {
  const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M0), m1 = _mm256_set1_epi32((int)PHILOX_M1);
  for (int half = 0; half < 2; half++) {
    uint32_t k0 = k0in, k1 = k1in;
    __m256i c0 = _mm256_add_epi32(_mm256_set1_epi32((int)(16u * g + 8u * (uint32_t)half)), _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0));
    __m256i c1 = _mm256_set1_epi32((int)row), c2 = _mm256_setzero_si256(), c3 = _mm256_setzero_si256();
    for (int r = 0; r < 10; r++) {
      if (r > 0) {
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
      }
      __m256i hi0, lo0, hi1, lo1;
      mulhilo8(c0, m0, &hi0, &lo0);
      mulhilo8(c2, m1, &hi1, &lo1);
      c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32((int)k0));
      c1 = lo1;
      c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32((int)k1));
      c3 = lo0;
    }
    __m256 a, b;
    float *o = out + 8 * half;
    box_muller8(c0, c1, &a, &b);
    _mm256_storeu_ps(o, a);
    _mm256_storeu_ps(o + 16, b);
    box_muller8(c2, c3, &a, &b);
    _mm256_storeu_ps(o + 32, a);
    _mm256_storeu_ps(o + 48, b);
  }
}

A256 __attribute__((always_inline)) static inline void dot_avx2_r(const float *a, long lda, const int R, long len, const double *x, double *out) {
  __m256d s[4][2];
  for (int r = 0; r < R; r++) s[r][0] = s[r][1] = _mm256_setzero_pd();
  long j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256d x0 = _mm256_loadu_pd(x + j), x1 = _mm256_loadu_pd(x + j + 4);
    for (int r = 0; r < R; r++) {
      const float *p = a + r * lda + j;
      s[r][0] = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(p)), x0, s[r][0]);
      s[r][1] = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(p + 4)), x1, s[r][1]);
    }
  }
  for (int r = 0; r < R; r++) {
    double t4[4];
    _mm256_storeu_pd(t4, _mm256_add_pd(s[r][0], s[r][1]));
    double t = (t4[0] + t4[1]) + (t4[2] + t4[3]);
    for (long k = j; k < len; k++) t += (double)a[r * lda + k] * x[k];
    out[r] = t;
  }
}

A256 static void dot_avx2(const float *a, long lda, int R, long len, const double *x, double *out) {
  if (R == 4) return dot_avx2_r(a, lda, 4, len, x, out);
  for (int r = 0; r < R; r++) dot_avx2_r(a + r * lda, lda, 1, len, x, out + r);
}

A256 __attribute__((always_inline)) static inline void axpy_avx2_r(const float *a, long lda, const int R, long len, const double *coef, double *acc) {
  __m256d c[4];
  for (int r = 0; r < R; r++) c[r] = _mm256_set1_pd(coef[r]);
  long j = 0;
  for (; j + 8 <= len; j += 8) {
    __m256d s0 = _mm256_loadu_pd(acc + j), s1 = _mm256_loadu_pd(acc + j + 4);
    for (int r = 0; r < R; r++) {
      const float *p = a + r * lda + j;
      s0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(p)), c[r], s0);
      s1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(p + 4)), c[r], s1);
    }
    _mm256_storeu_pd(acc + j, s0);
    _mm256_storeu_pd(acc + j + 4, s1);
  }
  for (; j < len; j++)
    for (int r = 0; r < R; r++) acc[j] += coef[r] * (double)a[r * lda + j];
}

A256 static void axpy_avx2(const float *a, long lda, int R, long len, const double *coef, double *acc) {
  if (R == 4) return axpy_avx2_r(a, lda, 4, len, coef, acc);
  for (int r = 0; r < R; r++) axpy_avx2_r(a + r * lda, lda, 1, len, coef + r, acc);
}
#endif

/* ---------------------------------------------------------------- dispatch and drivers */

typedef struct {
  void (*group)(uint32_t k0, uint32_t k1, uint32_t row, uint32_t g, float *out);
  void (*dot)(const float *a, long lda, int R, long len, const double *x, double *out);
  void (*axpy)(const float *a, long lda, int R, long len, const double *coef, double *acc);
} Kern;

/* The same ISA as the GEMM micro-kernel (chosen at load time, UNTRAINED_CS_NATIVE_ISA forces it). */
static Kern kern(void) {
#ifdef UCS_X86
  const char *isa = ucs_isa_name();
  if (strcmp(isa, "avx512") == 0) return (Kern){group_avx512, dot_avx512, axpy_avx512};
  if (strcmp(isa, "avx2") == 0) return (Kern){group_avx2, dot_avx2, axpy_avx2};
#endif
  return (Kern){group_generic, dot_generic, axpy_generic};
}

/* Column chunk of the matrix-free products (a multiple of 64): 4 rows of it fill 16 KB. */
enum { CHUNK = 1024, ROWS = 4, DENSE_CHUNK = 32768 };

/* buf[r * ld + c] = Z(row0 + r, col0 + c), r < R, c < roundup64(len); col0 a multiple of 64. */
static void gen_tile(const Kern *k, uint32_t k0, uint32_t k1, long row0, int R, long col0, long len, float *buf, long ld) {
  for (int r = 0; r < R; r++)
    for (long c = 0; c < len; c += 64) k->group(k0, k1, (uint32_t)(row0 + r), (uint32_t)((col0 + c) / 64), buf + r * ld + c);
}

typedef struct {
  Kern k;
  uint32_t k0, k1;
  long row0, rows, col0, cols, ld;
  float *out;
} FillJob;

static void fill_part(void *arg, int part, int parts) {
  FillJob *f = arg;
  long lo, hi;
  part_range(f->rows, part, parts, 1, &lo, &hi);
  float tmp[64];
  const long g0 = f->col0 / 64, g1 = (f->col0 + f->cols + 63) / 64;
  for (long r = lo; r < hi; r++) {
    float *dst = f->out + r * f->ld;
    for (long g = g0; g < g1; g++) {
      const long c0 = g * 64, a = c0 > f->col0 ? c0 : f->col0, b = c0 + 64 < f->col0 + f->cols ? c0 + 64 : f->col0 + f->cols;
      if (a == c0 && b == c0 + 64) {
        f->k.group(f->k0, f->k1, (uint32_t)(f->row0 + r), (uint32_t)g, dst + (c0 - f->col0));
      } else {
        f->k.group(f->k0, f->k1, (uint32_t)(f->row0 + r), (uint32_t)g, tmp);
        memcpy(dst + (a - f->col0), tmp + (a - c0), (size_t)(b - a) * sizeof(float));
      }
    }
  }
}

void gaussian_fill(uint32_t k0, uint32_t k1, long row0, long rows, long col0, long cols, float *out, long ld, int threads) {
  FillJob f = {kern(), k0, k1, row0, rows, col0, cols, ld, out};
  run_parts(fill_part, &f, rows >= 2 && rows * cols >= (1L << 14) ? threads : 1);
}

typedef struct {
  Kern k;
  const float *a;
  uint32_t k0, k1;
  long m, n;
  int op;
  const double *x;
  double *out, *priv;
  int failed;
} ProdJob;

static float *tile_buffer(long floats) {
  return aligned_alloc(64, (size_t)((floats * (long)sizeof(float) + 63) / 64 * 64));
}

/* out[i] = sum_j Z(i, j) x[j] for the part's rows. */
static void forward_part(ProdJob *p, int part, int parts) {
  long lo, hi;
  part_range(p->m, part, parts, ROWS, &lo, &hi);
  double t[ROWS];
  if (p->a) {
    for (long i = lo; i < hi; i += ROWS) {
      const int R = hi - i < ROWS ? (int)(hi - i) : ROWS;
      p->k.dot(p->a + i * p->n, p->n, R, p->n, p->x, p->out + i);
    }
    return;
  }
  float *buf = tile_buffer(ROWS * CHUNK);
  if (!buf) {
    p->failed = 1;
    return;
  }
  for (long i = lo; i < hi; i += ROWS) {
    const int R = hi - i < ROWS ? (int)(hi - i) : ROWS;
    double s[ROWS] = {0};
    for (long c = 0; c < p->n; c += CHUNK) {
      const long len = p->n - c < CHUNK ? p->n - c : CHUNK;
      gen_tile(&p->k, p->k0, p->k1, i, R, c, len, buf, CHUNK);
      p->k.dot(buf, CHUNK, R, len, p->x + c, t);
      for (int r = 0; r < R; r++) s[r] += t[r];
    }
    for (int r = 0; r < R; r++) p->out[i + r] = s[r];
  }
  free(buf);
}

/* out[j] = sum_i Z(i, j) x[i] for the part's columns. */
static void adjoint_part(ProdJob *p, int part, int parts) {
  long lo, hi;
  part_range(p->n, part, parts, 64, &lo, &hi);
  if (hi <= lo) return;
  memset(p->out + lo, 0, (size_t)(hi - lo) * sizeof(double));
  float *buf = p->a ? NULL : tile_buffer(ROWS * CHUNK);
  if (!p->a && !buf) {
    p->failed = 1;
    return;
  }
  /*
   * Column blocks keep the float64 sums in cache while the rows stream past: L1 for generated
   * tiles; L2 for a stored matrix, whose rows are best read in long runs (4096 x 16384 adjoint:
   * 11.4 ms with 32 K-column blocks against 18.4 ms with 1 K).
   */
  const long step = p->a ? DENSE_CHUNK : CHUNK;
  for (long c = lo; c < hi; c += step) {
    const long len = hi - c < step ? hi - c : step;
    for (long i = 0; i < p->m; i += ROWS) {
      const int R = p->m - i < ROWS ? (int)(p->m - i) : ROWS;
      if (p->a) {
        p->k.axpy(p->a + i * p->n + c, p->n, R, len, p->x + i, p->out + c);
      } else {
        gen_tile(&p->k, p->k0, p->k1, i, R, c, len, buf, CHUNK);
        p->k.axpy(buf, CHUNK, R, len, p->x + i, p->out + c);
      }
    }
  }
  free(buf);
}

/*
 * acc = Z_s^T Z_s x over the rows of slice s (two fixed halves of the rows when p->priv is set,
 * else one: see gaussian_product); each row block is read (or generated) once.
 */
static void normal_slice(void *arg, long slice, int part) {
  ProdJob *p = arg;
  long lo, hi;
  (void)part;
  part_range(p->m, (int)slice, p->priv ? 2 : 1, ROWS, &lo, &hi);
  double *acc = slice == 0 ? p->out : p->priv;
  memset(acc, 0, (size_t)p->n * sizeof(double));
  const long ld = (p->n + 63) / 64 * 64;
  /* Matrix-free: generated rows, 4 at a time while they fit in L2 (16 K columns). */
  const int rowsPer = p->a ? ROWS : (ld <= 16384 ? ROWS : 1);
  float *buf = p->a ? NULL : tile_buffer(rowsPer * ld);
  if (!p->a && !buf) {
    p->failed = 1;
    return;
  }
  double t[ROWS];
  for (long i = lo; i < hi; i += rowsPer) {
    const int R = hi - i < rowsPer ? (int)(hi - i) : rowsPer;
    const float *rows = p->a ? p->a + i * p->n : buf;
    const long lda = p->a ? p->n : ld;
    if (!p->a) gen_tile(&p->k, p->k0, p->k1, i, R, 0, p->n, buf, ld);
    p->k.dot(rows, lda, R, p->n, p->x, t);
    p->k.axpy(rows, lda, R, p->n, t, acc);
  }
  free(buf);
}

/* Forward and adjoint: disjoint outputs, each summed whole, so any split gives the same bits. */
static void product_part(void *arg, int part, int parts) {
  ProdJob *p = arg;
  if (p->op == GAUSS_FORWARD) forward_part(p, part, parts);
  else adjoint_part(p, part, parts);
}

int gaussian_product(const float *a, uint32_t k0, uint32_t k1, long m, long n, int op, double scale, const double *x, double *out, int threads) {
  ProdJob p = {kern(), a, k0, k1, m, n, op, x, out, NULL, 0};
  const long outLen = op == GAUSS_FORWARD ? m : n;
  /* Below ~32 K entries a second thread costs more than it saves. */
  int t = m * n >= (1L << 15) ? threads : 1;
  if (op == GAUSS_NORMAL) {
    /* Z^T Z x sums over rows: two fixed halves of them where a second thread pays off (by the
     * size alone, so one thread sums the same halves: the same bits), the second into priv
     * (out of memory: one, other bits than two; this only). */
    if (m * n >= (1L << 15) && m >= 2 * ROWS) p.priv = malloc((size_t)n * sizeof(double));
    run_slices(normal_slice, &p, p.priv ? 2 : 1, t);
  } else {
    run_parts(product_part, &p, t);
  }
  if (p.priv) {
    for (long j = 0; j < n; j++) out[j] += p.priv[j];
    free(p.priv);
  }
  if (p.failed) return 0;
  const double s = op == GAUSS_NORMAL ? scale * scale : scale;
  for (long i = 0; i < outLen; i++) out[i] *= s;
  return 1;
}
