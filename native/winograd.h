/* Winograd F(4x4, 3x3) convolutions (winograd.c): forward and both gradients, zero or reflection padding. */
#ifndef UCS_WINOGRAD_H
#define UCS_WINOGRAD_H

#include "conv3x3.h"

/* Whether this build and CPU have the kernels (AVX-512). */
int winograd_available(void);

/* Floats of scratch the forward and input-gradient passes need (the larger), with alignment slack. */
long winograd_scratch_floats(const Conv3 *g);

/* y (+)= conv(x, weight) + bias (bias may be NULL). */
void winograd_forward(const Conv3 *g, const float *x, const float *weight, const float *bias, float *y, int acc, float *scratch, int threads);

/* dx (+)= the adjoint of the forward map applied to dy. */
void winograd_backward_data(const Conv3 *g, const float *dy, const float *weight, float *dx, int acc, float *scratch, int threads);

/* dweight = sum over pixels of dy x x-shifted (and dbias = sum of dy when not NULL); overwritten. */
void winograd_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads);

#endif
