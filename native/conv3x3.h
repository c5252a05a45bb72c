/* Direct 3x3 stride-1 "same" convolutions (conv3x3.c): forward and both backward passes. */
#ifndef UCS_CONV3X3_H
#define UCS_CONV3X3_H

/* One image: cin x h x w in, cout x h x w out; weights [cout, cin, 3, 3] as PyTorch stores them. */
typedef struct {
  long cin, cout, h, w;
  int reflect; /* reflection padding (ReflectionPad2d(1) then Conv2d) instead of zeros */
} Conv3;

/* Whether this build and CPU have the direct kernels (AVX-512). */
int conv3x3_available(void);

/* Floats of scratch the three passes need (the largest of them), plus alignment slack. */
long conv3x3_scratch_floats(const Conv3 *g);

/* y (+)= conv(x, weight) + bias (bias may be NULL). */
void conv3x3_forward(const Conv3 *g, const float *x, const float *weight, const float *bias, float *y, int acc, float *scratch, int threads);

/* dx (+)= the adjoint of the forward map applied to dy. */
void conv3x3_backward_data(const Conv3 *g, const float *dy, const float *weight, float *dx, int acc, float *scratch, int threads);

/* dweight = sum over pixels of dy x x-shifted (and dbias = sum of dy when not NULL); overwritten. */
void conv3x3_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads);

/*
 * The input gradient of a reflection-padded convolution, computed on the padded planes dxp (c x
 * (h + 2) x (w + 2)): dx (+)= their interior plus the border added onto the pixels it reflected.
 * dxp is modified. x86 builds (where both 3x3 families run).
 */
void conv3x3_fold_reflection(float *dxp, float *dx, long c, long h, long w, int acc, int threads);

#endif
