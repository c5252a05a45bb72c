/*
 * Whether every entry of a float64 or float32 vector is finite: the operators' input/output
 * checks (src/operators/linearOperator.ts). A scalar JavaScript loop over a 256x256 complex
 * Fourier operator's four checked vectors cost ~0.5 ms of its ~1.4 ms forward+adjoint.
 * x * 0 is 0 for a finite x and NaN for NaN or +-Inf; NaN survives any sum, so one pass of
 * multiply-adds into independent vector accumulators decides, with no branch per element. The
 * caller locates the bad entry itself on failure (rare), so no early exit is needed.
 */
#include "ucs_native.h"

typedef double vd8 __attribute__((vector_size(64), aligned(8), may_alias));
typedef float vf16 __attribute__((vector_size(64), aligned(4), may_alias));

UCS_CLONES static int finite_f64(const double *x, long n) {
  vd8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  long i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 += *(const vd8 *)(x + i) * 0.0;
    a1 += *(const vd8 *)(x + i + 8) * 0.0;
    a2 += *(const vd8 *)(x + i + 16) * 0.0;
    a3 += *(const vd8 *)(x + i + 24) * 0.0;
  }
  const vd8 a = (a0 + a1) + (a2 + a3);
  double s = 0;
  for (int k = 0; k < 8; k++) s += a[k];
  for (; i < n; i++) s += x[i] * 0.0;
  return s == s;
}

UCS_CLONES static int finite_f32(const float *x, long n) {
  vf16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  long i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 += *(const vf16 *)(x + i) * 0.0f;
    a1 += *(const vf16 *)(x + i + 16) * 0.0f;
    a2 += *(const vf16 *)(x + i + 32) * 0.0f;
    a3 += *(const vf16 *)(x + i + 48) * 0.0f;
  }
  const vf16 a = (a0 + a1) + (a2 + a3);
  float s = 0;
  for (int k = 0; k < 16; k++) s += a[k];
  for (; i < n; i++) s += x[i] * 0.0f;
  return s == s;
}

int ucs_all_finite_f64(const double *x, long n) { return finite_f64(x, n); }
int ucs_all_finite_f32(const float *x, long n) { return finite_f32(x, n); }
