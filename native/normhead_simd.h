/* The fused norm + 1x1 head loops of normhead.c, one copy per ISA (simd_instances.h; no include guard). */

/* o_j (+)= w_j (relu(x) a + b) for j < outs over n values; `first`: o_j = instead of +=. */
static void SIMD_FN(head_accumulate)(const float *x, long n, float a, float b, const float *w, long outs, float *o, long ldo, int first, int relu) {
  for (long j = 0; j < outs; j++) {
    float *oj = o + j * ldo;
    const float wj = w[j];
    long i = 0;
    for (; i + VN <= n; i += VN) {
      VF v = V_LOAD(x + i);
      if (relu) v = V_RELU(v);
      const VF y = v * a + b;
      *(VF *)(oj + i) = first ? y * wj : V_LOAD(oj + i) + y * wj;
    }
    for (; i < n; i++) {
      const float y = relu_if(x[i], relu) * a + b;
      oj[i] = first ? wj * y : oj[i] + wj * y;
    }
  }
}

/*
 * u[j] = sum over n values of dout_j (relu(x) - mean), float32 blocks added in float64. One
 * output at a time within a block (the block of x is re-read from L1), so the accumulator stays
 * in a register: an array of accumulators indexed by j lived on the stack.
 */
static void SIMD_FN(head_sums)(const float *x, long n, float mean, const float *dout, long outs, long ldd, int relu, double *u) {
  for (long j = 0; j < outs; j++) u[j] = 0;
  const VF m = V_SPLAT(mean);
  long i = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    for (long j = 0; j < outs; j++) {
      const float *d = dout + j * ldd + i;
      VF acc = {0};
      for (long q = 0; q < BLOCK; q += VN) {
        VF v = V_LOAD(x + i + q);
        if (relu) v = V_RELU(v);
        v -= m;
        acc += V_LOAD(d + q) * v;
      }
      double s = 0;
      V_HSUM(s, acc);
      u[j] += s;
    }
  }
  for (; i < n; i++) {
    const float v = relu_if(x[i], relu) - mean;
    for (long j = 0; j < outs; j++) u[j] += dout[j * ldd + i] * v;
  }
}

/* dx (+)= k (sum_j w_j dout_j - meanDy - (relu(x) - mean) c), zero where x <= 0 with relu. */
static void SIMD_FN(head_apply)(const float *x, const float *dout, long ldd, const float *w, long outs, float *dx, long n, float mean, float k, float meanDy, float c, int acc, int relu) {
  long i = 0;
  for (; i + VN <= n; i += VN) {
    const VF xv = V_LOAD(x + i);
    VF dy = V_LOAD(dout + i) * w[0];
    for (long j = 1; j < outs; j++) dy += V_LOAD(dout + j * ldd + i) * w[j];
    VF d = (dy - meanDy - ((relu ? V_RELU(xv) : xv) - mean) * c) * k;
    if (relu) d = (VF)((VI)d & V_POSITIVE(xv));
    if (acc) d += V_LOAD(dx + i);
    *(VF *)(dx + i) = d;
  }
  for (; i < n; i++) {
    const float xv = x[i];
    float dy = dout[i] * w[0];
    for (long j = 1; j < outs; j++) dy += dout[j * ldd + i] * w[j];
    float d = k * (dy - meanDy - (relu_if(xv, relu) - mean) * c);
    if (relu && !(xv > 0)) d = 0;
    dx[i] = acc ? dx[i] + d : d;
  }
}
