/*
 * The logistic sigmoid and its backward in float32 vectors (the generators' output activation:
 * a scalar Math.exp per pixel in JavaScript cost ~1 ms of a 256x256 Deep Decoder step). exp is
 * Cephes' expf: n = round(t log2 e), r = t - n ln 2 (in two parts), a degree-6 polynomial, then
 * 2^n in the exponent bits; t = -x clamped to [-87, 88] so 2^n stays a normal float (outputs
 * there are within 1e-38 of 0 or 1). NaN passes through.
 */
#include "ucs_native.h"
#include "simd.h"


/* sigmoid_range: one copy per ISA */
#define SIMD_BODY "sigmoid_simd.h"
#include "simd_instances.h"

/* dx (+)= dy y (1 - y) from the output y. */
UCS_CLONES static void sigmoid_back_range(const float *y, const float *dy, float *dx, long n, int acc) {
  if (acc)
    for (long i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
  else
    for (long i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
}

typedef struct {
  const float *x, *dy;
  float *y;
  long n;
  int backward, acc;
} SigmoidJob;

static void sigmoid_part(void *arg, int part, int parts) {
  SigmoidJob *j = arg;
  long lo, hi;
  part_range(j->n, part, parts, 16, &lo, &hi);
  if (j->backward)
    sigmoid_back_range(j->x + lo, j->dy + lo, j->y + lo, hi - lo, j->acc);
  else
    SIMD_CALL(sigmoid_range)(j->x + lo, j->y + lo, hi - lo);
}

void ucs_sigmoid(const float *x, float *y, long n, int threads) {
  SigmoidJob j = {.x = x, .y = y, .n = n};
  run_parts(sigmoid_part, &j, n >= (1L << 15) ? threads : 1);
}

void ucs_sigmoid_backward(const float *y, const float *dy, float *dx, long n, int acc, int threads) {
  SigmoidJob j = {.x = y, .dy = dy, .y = dx, .n = n, .backward = 1, .acc = acc};
  run_parts(sigmoid_part, &j, n >= (1L << 16) ? threads : 1);
}
