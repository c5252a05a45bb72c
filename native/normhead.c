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
#include "simd.h"

#define BLOCK 512

static inline float relu_if(float v, int relu) { return relu && v < 0 ? 0 : v; }

/* head_accumulate, head_sums, head_apply: one copy per ISA */
#define SIMD_BODY "normhead_simd.h"
#include "simd_instances.h"

#ifdef UCS_SIMD_COPIES
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
  if (i < n) head_apply_avx512(x + i, dout + i, ldd, w, outs, dx + i, n - i, mean, k, meanDy, c, 0, relu);
}
#endif

/* head_apply, with non-temporal stores for large outputs written once (`stream`). */
static void head_apply_to(const float *x, const float *dout, long ldd, const float *w, long outs, float *dx, long n, float mean, float k, float meanDy, float c, int acc, int relu, int stream) {
#ifdef UCS_SIMD_COPIES
  if (stream && !acc && !((uintptr_t)dx & 63) && ucs_simd_level() == 2) {
    head_apply_stream(x, dout, ldd, w, outs, dx, n, mean, k, meanDy, c, relu);
    return;
  }
#endif
  (void)stream;
  SIMD_CALL(head_apply)(x, dout, ldd, w, outs, dx, n, mean, k, meanDy, c, acc, relu);
}

static void forward_channels(NormHead *h, long c0, long c1, float *out) {
  const long P = h->plane;
  float w[NORM_HEAD_MAX_OUTS];
  for (long c = c0; c < c1; c++) {
    const float *x = h->x + c * P;
    float a, b;
    ucs_bn_statistics(x, P, h->eps, h->relu, h->scale[c], h->shift[c], h->state + 2 * c, &a, &b);
    for (long j = 0; j < h->outs; j++) w[j] = h->weight[j * h->channels + c];
    SIMD_CALL(head_accumulate)(x, P, a, b, w, h->outs, out, P, c == c0, h->relu);
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
    SIMD_CALL(head_sums)(x, P, mean, h->dout, h->outs, P, h->relu, u);
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
    SIMD_CALL(head_apply)(g->z + c * g->plane + p0, g->dout + p0, g->plane, w, g->outs, dst + c * ldd, n, q[0], q[1], q[2], q[3], 0, g->relu);
  }
}

/* Backward: channels are independent (disjoint outputs), so any split gives the same bits. */
static void norm_head_part(void *arg, int part, int parts) {
  NormHead *h = arg;
  long lo, hi;
  part_range(h->channels, part, parts, 1, &lo, &hi);
  if (lo >= hi) return;
  if (h->backward == 2) apply_channels(h, lo, hi);
  else backward_channels(h, lo, hi);
}

/*
 * Forward, a sum over channels: two fixed halves of the channels (slices, see run_slices), the
 * first summed into out, the second into the scratch plane, added to out at the end; one thread
 * sums the same halves in turn, so the bits do not depend on the threads.
 */
static void norm_head_slice(void *arg, long slice, int part) {
  NormHead *h = arg;
  long lo, hi;
  (void)part;
  part_range(h->channels, (int)slice, h->partial ? 2 : 1, 1, &lo, &hi);
  forward_channels(h, lo, hi, slice == 0 ? h->out : h->partial);
  if (slice == 1) h->partialWritten = 1;
}

UCS_CLONES static void add_planes(float *dst, const float *src, long n) {
  for (long i = 0; i < n; i++) dst[i] += src[i];
}

void ucs_norm_head(NormHead *h, int threads) {
  const long n = h->outs * h->plane;
  /* One thread on small layers. */
  const int small = h->channels < 2 || h->channels * h->plane < (1L << 14);
  if (small) threads = 1;
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
  /* Forward: two halves above the size the second thread pays off at, given the scratch plane
   * for the second half's sum (by the shape alone: the engine always passes one). */
  if (small) h->partial = NULL;
  run_slices(norm_head_slice, h, h->partial ? 2 : 1, threads);
  if (h->partialWritten) add_planes(h->out, h->partial, n);
}
