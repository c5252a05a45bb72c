/* fft_fast.c: vectorised FFTs of many lines at once (2D, and 1D by four steps). */
#ifndef UCS_FFT_FAST_H
#define UCS_FFT_FAST_H

typedef struct FastPlan FastPlan;
const FastPlan *ucs_fast_plan(long n);
int ucs_fast_size(long n);
int ucs_fft2_fast(double *src, double *dst, long h, long w, int inverse, int transposed, const double *twist, double scale, int threads);
int ucs_fft1_fast(double *x, double *out, long n, int inverse, double scale, int threads);

#include <stddef.h>
#include <stdint.h>
double *ucs_fft_thread_buffer(int slot, size_t doubles);
void ucs_fft_release_thread_buffers(void);
int ucs_fft_mapped(double *buf, const long *shape, int ndim, int inverse, int threads, const double *in, const int32_t *inMap, long nin, int realIn, double *out,
                   const int32_t *outMap, long nout, int realOut, int zero_fill);
/* fft.c: a structured random operator's signs + DCT + sampling in one call */
int ucs_dct_mapped(double *buf, const long *shape, int ndim, int inverse, int threads, const double *in, long nin, const int32_t *inMap, const double *inWeight, double inScale,
                   double *out, long nout, const int32_t *outMap, const double *outWeight, double outScale, int zero_fill);
/* fft_fast.c: the DCT's passes around its half-length FFT (fft.c) */
void ucs_dct2_reorder(const double *x, double *zr, long n);
void ucs_dct2_post(const double *z, const double *wk, const double *rot, double *x, long n, double s);
void ucs_dct3_post(const double *zd, double *x, long n);
void ucs_dct3_pre(const double *x, const double *wk, const double *rot, double *z, long n, double u0, double u);

#endif
