/* Winograd F(4x4, 3x3) convolutions (winograd.c): forward and both gradients, zero or reflection padding. */
#ifndef UCS_WINOGRAD_H
#define UCS_WINOGRAD_H

#include "conv3x3.h"

/* Whether this build and CPU have the kernels (AVX-512, or AVX2 + FMA: winograd_avx2.c). */
int winograd_available(void);

/* Floats of scratch the forward and input-gradient passes need (the larger), with alignment slack. */
long winograd_scratch_floats(const Conv3 *g);

/* y (+)= conv(x, weight) + bias (bias may be NULL). */
void winograd_forward(const Conv3 *g, const float *x, const float *weight, const float *bias, float *y, int acc, float *scratch, int threads);

/* dx (+)= the adjoint of the forward map applied to dy. */
void winograd_backward_data(const Conv3 *g, const float *dy, const float *weight, float *dx, int acc, float *scratch, int threads);

/* dweight = sum over pixels of dy x x-shifted (and dbias = sum of dy when not NULL); overwritten. */
void winograd_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads);

/* Shared by both ISAs' kernels (winograd.c). u = G g G^T, the 6 x 6 transform of a 3 x 3 filter. */
void winograd_transform_filter(const double g[3][3], double u[6][6]);

/* Slices of the weight gradient's units (run_slices), from the units and the floats of one
 * slice's partial: fixed by the problem's size alone. */
long winograd_dw_slices(long units, long sliceFloats);

/* The first n floats of slice 0's products (s) += those of slices 1, 2, ... (sliceFloats apart), in slice order. */
void winograd_fold_slices(float *s, long sliceFloats, long slices, long n, int threads);

/* dweight[k][c] = G^T S[.][c][k] G from the float32 products S[xi ss + c kp + k], in float64. */
void winograd_weight_from_products(const float *s, long ss, long kp, long cin, long cout, float *dweight, int threads);

/* The AVX2 kernels (winograd_avx2.c): scratch floats (without the alignment slack and the
 * reflection tail), one pass of the correlation (as winograd.c's wg_run), the weight gradient. */
long winograd_avx2_scratch_floats(long cin, long cout, long h, long w);
void winograd_avx2_run(long nin, long nout, long h, long w, long ho, long wo, long pad, int reflect, const float *in, const float *weight, long wcout, long wcin, int transposed, const float *bias, float *out,
                       int acc, float *scratch, int threads);
void winograd_avx2_backward_weight(const Conv3 *g, const float *x, const float *dy, float *dweight, float *dbias, float *scratch, int threads);

#endif
