/* Gaussian measurement matrices (gaussian.c): Philox4x32-10 entries, dense and matrix-free products. */
#ifndef UCS_GAUSSIAN_H
#define UCS_GAUSSIAN_H

#include <stdint.h>

/* out[r * ld + c] = Z(row0 + r, col0 + c) for r < rows, c < cols: the N(0, 1) entries of the seed's matrix. */
void gaussian_fill(uint32_t k0, uint32_t k1, long row0, long rows, long col0, long cols, float *out, long ld, int threads);

enum { GAUSS_FORWARD, GAUSS_ADJOINT, GAUSS_NORMAL };

/*
 * Products with scale * Z (m x n): forward out[m] = s Z x, adjoint out[n] = s Z^T x, normal
 * out[n] = s^2 Z^T Z x. `a` is the stored matrix (row-major float32) or NULL for matrix-free
 * (entries regenerated from the key). Float64 accumulation. Returns 0 when out of memory.
 */
int gaussian_product(const float *a, uint32_t k0, uint32_t k1, long m, long n, int op, double scale, const double *x, double *out, int threads);

#endif
