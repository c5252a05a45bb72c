/* The vector sigmoid of sigmoid.c, one copy per ISA (simd_instances.h; no include guard). */

static inline __attribute__((always_inline)) VF SIMD_FN(sigmoid_v)(VF x) {
  VF t = -x;
  /* t < -87 where t + 87 has its sign bit set, t > 88 where 88 - t has (a difference of
   * distinct floats is never zero; t is NaN only when x is, and then x is returned) */
  t = V_SELECT(V_SIGNBIT(t + 87.0f), V_SPLAT(-87.0f), t);
  t = V_SELECT(V_SIGNBIT(88.0f - t), V_SPLAT(88.0f), t);
  const VF magic = V_SPLAT(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
  const VF n = (t * 1.44269504088896341f + magic) - magic;
  const VF r = (t - n * 0.693359375f) - n * -2.12194440e-4f;
  VF p = V_SPLAT(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const VI scale = (__builtin_convertvector(n, VI) + 127) << 23;
  const VF e = p * (VF)scale;
  const VF y = 1.0f / (1.0f + e);
  return V_SELECT(V_ISNAN(x), x, y);
}

static void SIMD_FN(sigmoid_range)(const float *x, float *y, long n) {
  long i = 0;
  for (; i + VN <= n; i += VN) *(VF *)(y + i) = SIMD_FN(sigmoid_v)(V_LOAD(x + i));
  if (i < n) {
    float in[VN] = {0}, out[VN];
    for (long j = i; j < n; j++) in[j - i] = x[j];
    const VF v = SIMD_FN(sigmoid_v)(V_LOAD(in));
    __builtin_memcpy(out, &v, sizeof out);
    for (long j = i; j < n; j++) y[j] = out[j - i];
  }
}
