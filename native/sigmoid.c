/*
 * The logistic sigmoid and its backward in float32 vectors (the generators' output activation:
 * a scalar Math.exp per pixel in JavaScript cost ~1 ms of a 256x256 Deep Decoder step). exp is
 * Cephes' expf: n = round(t log2 e), r = t - n ln 2 (in two parts), a degree-6 polynomial, then
 * 2^n in the exponent bits; t = -x clamped to [-87, 88] so 2^n stays a normal float (outputs
 * there are within 1e-38 of 0 or 1). NaN passes through.
 */
#include "ucs_native.h"
#include "vec16.h"


/* lanes of a where m is set, else of b */
#define SELECT(m, a, b) ((vf16)(((vi16)(a) & (m)) | ((vi16)(b) & ~(m))))

static inline __attribute__((always_inline)) vf16 sigmoid16(vf16 x) {
  vf16 t = -x;
  /* t < -87 where t + 87 has its sign bit set, t > 88 where 88 - t has (a difference of
   * distinct floats is never zero; t is NaN only when x is, and then x is returned) */
  t = SELECT(vec16_signbit(t + 87.0f), (vf16){0} - 87.0f, t);
  t = SELECT(vec16_signbit(88.0f - t), (vf16){0} + 88.0f, t);
  const vf16 magic = (vf16){0} + 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
  const vf16 n = (t * 1.44269504088896341f + magic) - magic;
  const vf16 r = (t - n * 0.693359375f) - n * -2.12194440e-4f;
  vf16 p = (vf16){0} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const vi16 scale = (__builtin_convertvector(n, vi16) + 127) << 23;
  const vf16 e = p * (vf16)scale;
  const vf16 y = 1.0f / (1.0f + e);
  return SELECT(vec16_isnan(x), x, y);
}

UCS_CLONES static void sigmoid_range(const float *x, float *y, long n) {
  long i = 0;
  for (; i + 16 <= n; i += 16) *(vf16 *)(y + i) = sigmoid16(LOAD16(x + i));
  if (i < n) {
    float in[16] = {0}, out[16];
    for (long j = i; j < n; j++) in[j - i] = x[j];
    const vf16 v = sigmoid16(LOAD16(in));
    __builtin_memcpy(out, &v, sizeof out);
    for (long j = i; j < n; j++) y[j] = out[j - i];
  }
}

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
    sigmoid_range(j->x + lo, j->y + lo, hi - lo);
}

void ucs_sigmoid(const float *x, float *y, long n, int threads) {
  SigmoidJob j = {.x = x, .y = y, .n = n};
  run_parts(sigmoid_part, &j, n >= (1L << 15) ? threads : 1);
}

void ucs_sigmoid_backward(const float *y, const float *dy, float *dx, long n, int acc, int threads) {
  SigmoidJob j = {.x = y, .dy = dy, .y = dx, .n = n, .backward = 1, .acc = acc};
  run_parts(sigmoid_part, &j, n >= (1L << 16) ? threads : 1);
}
