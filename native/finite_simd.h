/* The finiteness checks of finite.c, one copy per ISA (simd_instances.h; no include guard). */

static int SIMD_FN(finite_f64)(const double *x, long n) {
  enum { L = VN / 2 }; /* doubles in a vector */
  VD a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  long i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    a0 += *(const VD *)(x + i) * 0.0;
    a1 += *(const VD *)(x + i + L) * 0.0;
    a2 += *(const VD *)(x + i + 2 * L) * 0.0;
    a3 += *(const VD *)(x + i + 3 * L) * 0.0;
  }
  const VD a = (a0 + a1) + (a2 + a3);
  double s = 0;
  for (int k = 0; k < L; k++) s += a[k];
  for (; i < n; i++) s += x[i] * 0.0;
  return s == s;
}

static int SIMD_FN(finite_f32)(const float *x, long n) {
  VF a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  long i = 0;
  for (; i + 4 * VN <= n; i += 4 * VN) {
    a0 += V_LOAD(x + i) * 0.0f;
    a1 += V_LOAD(x + i + VN) * 0.0f;
    a2 += V_LOAD(x + i + 2 * VN) * 0.0f;
    a3 += V_LOAD(x + i + 3 * VN) * 0.0f;
  }
  const VF a = (a0 + a1) + (a2 + a3);
  float s = 0;
  for (int k = 0; k < VN; k++) s += a[k];
  for (; i < n; i++) s += x[i] * 0.0f;
  return s == s;
}
