/*
 * Bilinear x2 upsampling then batch norm (optionally of max(x, 0)): the Deep Decoder's
 * upsample -> ReLU -> norm of every block but the last. Unfused, the upsampled planes (16 MB at
 * k = 64, 256x256) are written and read back by the norm, and in backward the norm's input
 * gradient (as large) is written and read back by the upsampling's adjoint. Here each channel
 * goes through a cache-resident plane: forward upsamples it, takes the statistics and writes the
 * norm's output; backward upsamples it again (from the 4x smaller input, cheaper than storing
 * it), runs the norm's backward into a second plane and applies the upsampling's adjoint. The
 * arithmetic is the unfused layers' (the same functions), so the results are identical.
 */
#include "ucs_native.h"

long ucs_upnorm_part_floats(long h, long w, int vertical) {
  const long H = vertical ? 2 * h : h, W = 2 * w;
  return 2 * H * W + H * w;
}

static void upnorm_channels(UpNorm *u, long c0, long c1, float *buf) {
  const long h = u->h, w = u->w, H = u->vertical ? 2 * h : h, W = 2 * w, P = H * W;
  float *up = buf, *dup = buf + P, *tmp = buf + 2 * P;
  for (long c = c0; c < c1; c++) {
    const float *x = u->x + c * h * w;
    ucs_upsample_plane(x, up, h, w, u->vertical, tmp);
    if (!u->backward) {
      float a, b;
      ucs_bn_statistics(up, P, u->eps, u->relu, u->scale[c], u->shift[c], u->state + 2 * c, &a, &b);
      (u->channels * P >= UCS_STREAM_FLOATS ? ucs_bn_affine_stream : ucs_bn_affine)(up, u->y + c * P, P, a, b, u->relu);
    } else {
      ucs_bn_backward_plane(up, u->dy + c * P, u->dx ? dup : NULL, P, u->scale[c], u->state + 2 * c, u->scaleGrad + c, u->shiftGrad + c, 0, u->relu);
      if (u->dx) ucs_upsample_adjoint_plane(dup, u->dx + c * h * w, h, w, u->vertical, tmp, u->acc);
    }
  }
}

static void upnorm_part(void *arg, int part, int parts) {
  UpNorm *u = arg;
  long lo, hi;
  part_range(u->channels, part, parts, 1, &lo, &hi);
  if (lo < hi) upnorm_channels(u, lo, hi, u->scratch + part * ucs_upnorm_part_floats(u->h, u->w, u->vertical));
}

void ucs_upnorm(UpNorm *u, int threads) {
  const long H = u->vertical ? 2 * u->h : u->h;
  run_parts(upnorm_part, u, u->channels > 1 && u->channels * H * 2 * u->w >= (1L << 14) ? threads : 1);
}
