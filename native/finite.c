/*
 * Whether every entry of a float64 or float32 vector is finite: the operators' input/output
 * checks (src/operators/linearOperator.ts). A scalar JavaScript loop over a 256x256 complex
 * Fourier operator's four checked vectors cost ~0.5 ms of its ~1.4 ms forward+adjoint.
 * x * 0 is 0 for a finite x and NaN for NaN or +-Inf; NaN survives any sum, so one pass of
 * multiply-adds into independent vector accumulators decides, with no branch per element. The
 * caller locates the bad entry itself on failure (rare), so no early exit is needed.
 */
#include "ucs_native.h"

/* finite_f64, finite_f32: one copy per ISA */
#define SIMD_BODY "finite_simd.h"
#include "simd_instances.h"

int ucs_all_finite_f64(const double *x, long n) { return SIMD_CALL(finite_f64)(x, n); }
int ucs_all_finite_f32(const float *x, long n) { return SIMD_CALL(finite_f32)(x, n); }
