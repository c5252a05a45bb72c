/*
 * Channel normalisation (optionally of max(x, 0)) fused with the 1x1 convolution to a few
 * channels that reads it: the Deep Decoder's last two layers. Unfused, the normalised
 * activations (k planes, 16 MB at k = 64 on 256x256) are written, read back by the 1x1
 * convolution, and in backward its input gradient (another k planes) is written and read twice
 * by the norm's backward. Fused, each input plane is read once from memory and then from cache:
 *
 *   forward   out_j = sum_c W[j, c] (a_c r_c + b_c),  r_c = relu(x_c), a_c = scale_c invStd_c,
 *             b_c = shift_c - mean_c a_c (a_c, b_c rounded to float as the norm's own affine map)
 *   backward  with S_j = sum dout_j and U_jc = sum dout_j (r_c - mean_c):
 *             dW[j, c] = a_c U_jc + (b_c + mean_c a_c) S_j
 *             dy_c = sum_j W[j, c] dout_j (never stored), sum dy_c = sum_j W[j, c] S_j,
 *             sum dy_c (r_c - mean_c) = sum_j W[j, c] U_jc, then the norm's input gradient as
 *             in passes.c (bn_backward_channel).
 * The statistics are the norm's own (ucs_bn_statistics), so the saved state is identical.
 */
#include <math.h>
#include <string.h>

#include "ucs_native.h"
#include "vec16.h"

#define BLOCK 512

static inline float relu_if(float v, int relu) { return relu && v < 0 ? 0 : v; }

static inline double hsum16(vf16 v) {
  float t[16];
  memcpy(t, &v, sizeof t);
  double s = 0;
  for (int l = 0; l < 16; l++) s += (double)t[l];
  return s;
}

/* o_j (+)= w_j (relu(x) a + b) for j < outs over n values; `first`: o_j = instead of +=. */
UCS_CLONES static void head_accumulate(const float *x, long n, float a, float b, const float *w, long outs, float *o, long ldo, int first, int relu) {
  for (long j = 0; j < outs; j++) {
    float *oj = o + j * ldo;
    const float wj = w[j];
    long i = 0;
    for (; i + 16 <= n; i += 16) {
      vf16 v = LOAD16(x + i);
      if (relu) v = RELU16(v);
      const vf16 y = v * a + b;
      *(vf16 *)(oj + i) = first ? y * wj : LOAD16(oj + i) + y * wj;
    }
    for (; i < n; i++) {
      const float y = relu_if(x[i], relu) * a + b;
      oj[i] = first ? wj * y : oj[i] + wj * y;
    }
  }
}

/* u[j] = sum over n values of dout_j (relu(x) - mean), float32 blocks added in float64. */
UCS_CLONES static void head_sums(const float *x, long n, float mean, const float *dout, long outs, long ldd, int relu, double *u) {
  for (long j = 0; j < outs; j++) u[j] = 0;
  const vf16 m = (vf16){0} + mean;
  long i = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    vf16 acc[4] = {{0}, {0}, {0}, {0}};
    for (long q = 0; q < BLOCK; q += 16) {
      vf16 v = LOAD16(x + i + q);
      if (relu) v = RELU16(v);
      v -= m;
      for (long j = 0; j < outs; j++) acc[j] += LOAD16(dout + j * ldd + i + q) * v;
    }
    for (long j = 0; j < outs; j++) u[j] += hsum16(acc[j]);
  }
  for (; i < n; i++) {
    const float v = relu_if(x[i], relu) - mean;
    for (long j = 0; j < outs; j++) u[j] += dout[j * ldd + i] * v;
  }
}

/* dx (+)= k (sum_j w_j dout_j - meanDy - (relu(x) - mean) c), zero where x <= 0 with relu. */
UCS_CLONES static void head_apply(const float *x, const float *dout, long ldd, const float *w, long outs, float *dx, long n, float mean, float k, float meanDy, float c, int acc, int relu) {
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    const vf16 xv = LOAD16(x + i);
    vf16 dy = LOAD16(dout + i) * w[0];
    for (long j = 1; j < outs; j++) dy += LOAD16(dout + j * ldd + i) * w[j];
    vf16 d = (dy - meanDy - ((relu ? RELU16(xv) : xv) - mean) * c) * k;
    if (relu) d = (vf16)((vi16)d & POSITIVE16(xv));
    if (acc) d += LOAD16(dx + i);
    *(vf16 *)(dx + i) = d;
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

#ifdef UCS_X86
/* head_apply's AVX-512 loop (acc = 0) with non-temporal stores, dx 64-byte aligned (see passes.c). */
__attribute__((target("avx512f"))) static void head_apply_stream(const float *x, const float *dout, long ldd, const float *w, long outs, float *dx, long n, float mean, float k, float meanDy, float c, int relu) {
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    const vf16 xv = LOAD16(x + i);
    vf16 dy = LOAD16(dout + i) * w[0];
    for (long j = 1; j < outs; j++) dy += LOAD16(dout + j * ldd + i) * w[j];
    vf16 d = (dy - meanDy - ((relu ? RELU16(xv) : xv) - mean) * c) * k;
    if (relu) d = (vf16)((vi16)d & POSITIVE16(xv));
    _mm512_stream_ps(dx + i, (__m512)d);
  }
  _mm_sfence();
  if (i < n) head_apply(x + i, dout + i, ldd, w, outs, dx + i, n - i, mean, k, meanDy, c, 0, relu);
}
#endif

/* head_apply, with non-temporal stores for large outputs written once (`stream`). */
static void head_apply_to(const float *x, const float *dout, long ldd, const float *w, long outs, float *dx, long n, float mean, float k, float meanDy, float c, int acc, int relu, int stream) {
#ifdef UCS_X86
  if (stream && !acc && !((uintptr_t)dx & 63) && __builtin_cpu_supports("avx512f")) {
    head_apply_stream(x, dout, ldd, w, outs, dx, n, mean, k, meanDy, c, relu);
    return;
  }
#endif
  (void)stream;
  head_apply(x, dout, ldd, w, outs, dx, n, mean, k, meanDy, c, acc, relu);
}

static void forward_channels(NormHead *h, long c0, long c1, float *out) {
  const long P = h->plane;
  float w[NORM_HEAD_MAX_OUTS];
  for (long c = c0; c < c1; c++) {
    const float *x = h->x + c * P;
    float a, b;
    ucs_bn_statistics(x, P, h->eps, h->relu, h->scale[c], h->shift[c], h->state + 2 * c, &a, &b);
    for (long j = 0; j < h->outs; j++) w[j] = h->weight[j * h->channels + c];
    head_accumulate(x, P, a, b, w, h->outs, out, P, c == c0, h->relu);
  }
}

static void backward_channels(NormHead *h, long c0, long c1) {
  const long P = h->plane;
  float w[NORM_HEAD_MAX_OUTS];
  double u[NORM_HEAD_MAX_OUTS];
  for (long c = c0; c < c1; c++) {
    const float *x = h->x + c * P;
    const float mean = h->state[2 * c], invStd = h->state[2 * c + 1];
    /* the norm's affine map as its forward rounded it */
    const double g = h->scale[c] * (double)invStd;
    const float a = (float)g, b = (float)(h->shift[c] - (double)mean * g);
    head_sums(x, P, mean, h->dout, h->outs, P, h->relu, u);
    double sumDy = 0, sumDyCentred = 0;
    for (long j = 0; j < h->outs; j++) {
      w[j] = h->weight[j * h->channels + c];
      h->weightGrad[j * h->channels + c] = (float)(a * u[j] + (b + (double)mean * a) * h->dsum[j]);
      sumDy += w[j] * h->dsum[j];
      sumDyCentred += w[j] * u[j];
    }
    const double sumDyXhat = sumDyCentred * invStd;
    h->scaleGrad[c] = (float)sumDyXhat;
    h->shiftGrad[c] = (float)sumDy;
    if (!h->dx && !h->coef) continue;
    const double k = h->scale[c] * (double)invStd;
    const float q[4] = {mean, (float)k, (float)(sumDy / P), (float)(invStd * sumDyXhat / P)};
    if (h->coef)
      memcpy(h->coef + 4 * c, q, sizeof q);
    else
      head_apply_to(x, h->dout, P, w, h->outs, h->dx + c * P, P, q[0], q[1], q[2], q[3], h->acc, h->relu, h->channels * P >= UCS_STREAM_FLOATS);
  }
}

/* backward = 2: dx of channels [c0, c1) from the deferred coefficients. */
static void apply_channels(NormHead *h, long c0, long c1) {
  const long P = h->plane;
  float w[NORM_HEAD_MAX_OUTS];
  for (long c = c0; c < c1; c++) {
    for (long j = 0; j < h->outs; j++) w[j] = h->weight[j * h->channels + c];
    const float *q = h->coef + 4 * c;
    head_apply_to(h->x + c * P, h->dout, P, w, h->outs, h->dx + c * P, P, q[0], q[1], q[2], q[3], h->acc, h->relu, h->channels * P >= UCS_STREAM_FLOATS);
  }
}

void ucs_head_grad_rows(const HeadGrad *g, long p0, long n, float *dst, long ldd) {
  float w[NORM_HEAD_MAX_OUTS];
  /* the next block's rows into L2 meanwhile: 64 rows 256 KB apart defeat the prefetchers */
  const long ahead = p0 + n + n <= g->plane ? n : g->plane - p0 - n;
  for (long c = 0; c < g->channels; c++) {
    const char *next = (const char *)(g->z + c * g->plane + p0 + n);
    for (long o = 0; o < 4 * ahead; o += 64) __builtin_prefetch(next + o, 0, 2);
    for (long j = 0; j < g->outs; j++) w[j] = g->weight[j * g->channels + c];
    const float *q = g->coef + 4 * c;
    head_apply(g->z + c * g->plane + p0, g->dout + p0, g->plane, w, g->outs, dst + c * ldd, n, q[0], q[1], q[2], q[3], 0, g->relu);
  }
}

static void norm_head_part(void *arg, int part, int parts) {
  NormHead *h = arg;
  long lo, hi;
  part_range(h->channels, part, parts, 1, &lo, &hi);
  if (lo >= hi) return;
  if (h->backward == 2) {
    apply_channels(h, lo, hi);
  } else if (h->backward) {
    backward_channels(h, lo, hi);
  } else {
    /* The second part sums its channels into the scratch plane, added to out at the end. */
    forward_channels(h, lo, hi, part == 0 ? h->out : h->partial);
    if (part == 1) h->partialWritten = 1;
  }
}

UCS_CLONES static void add_planes(float *dst, const float *src, long n) {
  for (long i = 0; i < n; i++) dst[i] += src[i];
}

void ucs_norm_head(NormHead *h, int threads) {
  const long n = h->outs * h->plane;
  /* One thread on small layers, or without a scratch plane for the second part's sum. */
  if (h->channels < 2 || h->channels * h->plane < (1L << 14) || (!h->backward && !h->partial)) threads = 1;
  h->partialWritten = 0;
  if (h->backward == 2) {
    run_parts(norm_head_part, h, threads);
    return;
  }
  if (h->backward) {
    for (long j = 0; j < h->outs; j++) h->dsum[j] = ucs_sum_range(h->dout + j * h->plane, h->plane, 0);
    run_parts(norm_head_part, h, threads);
    return;
  }
  run_parts(norm_head_part, h, threads);
  if (h->partialWritten) add_planes(h->out, h->partial, n);
}
