/*
 * The batch-norm passes of passes.c, one copy per ISA (simd_instances.h; no include guard).
 * Reductions: float32 vector partial sums over blocks of BLOCK values, each block's lanes then
 * added in float64: stable for planes of millions of values at the speed of a float32 pass (the
 * compiler does not vectorise the float64 reductions by itself without reassociation: 10 GB/s
 * against 50 GB/s in cache).
 */

static double SIMD_FN(sum_range)(const float *x, long n, int relu) {
  double s = 0;
  long i = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    VF a0 = {0}, a1 = {0};
    for (long q = 0; q < BLOCK; q += 2 * VN) {
      VF v0 = V_LOAD(x + i + q), v1 = V_LOAD(x + i + q + VN);
      if (relu) {
        v0 = V_RELU(v0);
        v1 = V_RELU(v1);
      }
      a0 += v0;
      a1 += v1;
    }
    a0 += a1;
    V_HSUM(s, a0);
  }
  for (; i < n; i++) s += relu_if(x[i], relu);
  return s;
}

static double SIMD_FN(centered_range)(const float *x, long n, float mean, int relu) {
  double s = 0;
  long i = 0;
  const VF m = V_SPLAT(mean);
  for (; i + BLOCK <= n; i += BLOCK) {
    VF a0 = {0}, a1 = {0};
    for (long q = 0; q < BLOCK; q += 2 * VN) {
      VF v0 = V_LOAD(x + i + q), v1 = V_LOAD(x + i + q + VN);
      if (relu) {
        v0 = V_RELU(v0);
        v1 = V_RELU(v1);
      }
      v0 -= m;
      v1 -= m;
      a0 += v0 * v0;
      a1 += v1 * v1;
    }
    a0 += a1;
    V_HSUM(s, a0);
  }
  for (; i < n; i++) {
    const float d = relu_if(x[i], relu) - mean;
    s += d * d;
  }
  return s;
}

static void SIMD_FN(bn_sums_range)(const float *x, const float *dy, long n, float mean, int relu, double out[2]) {
  double a = 0, b = 0;
  long i = 0;
  const VF m = V_SPLAT(mean);
  for (; i + BLOCK <= n; i += BLOCK) {
    VF sd0 = {0}, sd1 = {0}, sp0 = {0}, sp1 = {0};
    for (long q = 0; q < BLOCK; q += 2 * VN) {
      const VF g0 = V_LOAD(dy + i + q), g1 = V_LOAD(dy + i + q + VN);
      VF v0 = V_LOAD(x + i + q), v1 = V_LOAD(x + i + q + VN);
      if (relu) {
        v0 = V_RELU(v0);
        v1 = V_RELU(v1);
      }
      sd0 += g0;
      sd1 += g1;
      sp0 += g0 * (v0 - m);
      sp1 += g1 * (v1 - m);
    }
    sd0 += sd1;
    sp0 += sp1;
    V_HSUM(a, sd0);
    V_HSUM(b, sp0);
  }
  for (; i < n; i++) {
    a += dy[i];
    b += dy[i] * (relu_if(x[i], relu) - mean);
  }
  out[0] = a;
  out[1] = b;
}

static void SIMD_FN(affine_range)(const float *x, float *y, long n, float a, float b, int relu) {
  long i = 0;
  for (; i + VN <= n; i += VN) {
    VF v = V_LOAD(x + i);
    if (relu) v = V_RELU(v);
    *(VF *)(y + i) = v * a + b;
  }
  for (; i < n; i++) y[i] = relu_if(x[i], relu) * a + b;
}

/* dx (+)= k (dy - meanDy - (r - mean) c), zero where x <= 0 when relu (the ReLU derivative). */
static void SIMD_FN(bn_apply_range)(const float *x, const float *dy, float *dx, long n, float mean, float k, float meanDy, float c, int acc, int relu) {
  long i = 0;
  for (; i + VN <= n; i += VN) {
    const VF xv = V_LOAD(x + i);
    VF d = (V_LOAD(dy + i) - meanDy - ((relu ? V_RELU(xv) : xv) - mean) * c) * k;
    if (relu) d = (VF)((VI)d & V_POSITIVE(xv));
    if (acc) d += V_LOAD(dx + i);
    *(VF *)(dx + i) = d;
  }
  for (; i < n; i++) {
    const float xv = x[i];
    float d = k * (dy[i] - meanDy - (relu_if(xv, relu) - mean) * c);
    if (relu && !(xv > 0)) d = 0;
    dx[i] = acc ? dx[i] + d : d;
  }
}
