/*
 * Orthonormal complex FFTs of any size on interleaved float64 data, for the Fourier operators.
 * Mixed radix (4, 2, 3, 5 butterflies and a generic one for other primes <= 64), recursive
 * decimation in time with precomputed twiddles; sizes with a larger prime factor go through
 * Bluestein's chirp-z with a power-of-two transform. N-D transforms run axis by axis: lines
 * along the last axis in place, lines along other axes gathered eight at a time into a
 * contiguous buffer. Lines are shared between the caller and the helper thread.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ucs_native.h"

typedef struct {
  double re, im;
} cpx;

enum { MAX_FACTORS = 40, MAX_GENERIC_RADIX = 64 };

typedef struct FftPlan {
  long n;
  int nfactors;
  long factors[2 * MAX_FACTORS]; /* (radix, remaining length) pairs */
  cpx *tw;                       /* exp(-2 pi i k / n), k < n */
  /* Bluestein */
  int bluestein;
  long m2;
  struct FftPlan *sub;
  cpx *chirp;  /* exp(-pi i k^2 / n), k < n */
  cpx *kernel; /* FFT of the conjugate chirp, circularly extended to m2, divided by m2 */
} FftPlan;

static const double PI = 3.14159265358979323846;

static inline cpx cmul(cpx a, cpx b) { return (cpx){a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }

static int factorize(long n, long *factors) {
  int k = 0;
  long rest = n;
  while (rest % 4 == 0) factors[2 * k++] = 4, rest /= 4;
  while (rest % 2 == 0) factors[2 * k++] = 2, rest /= 2;
  for (long p = 3; p * p <= rest || (rest > 1 && p <= rest); p += 2) {
    while (rest % p == 0) {
      if (p > MAX_GENERIC_RADIX || k >= MAX_FACTORS) return -1;
      factors[2 * k++] = p;
      rest /= p;
    }
    if (rest == 1) break;
  }
  if (rest > 1) {
    if (rest > MAX_GENERIC_RADIX || k >= MAX_FACTORS) return -1;
    factors[2 * k++] = rest;
  }
  long m = n;
  for (int i = 0; i < k; i++) {
    m /= factors[2 * i];
    factors[2 * i + 1] = m;
  }
  return k;
}

static FftPlan *make_plan(long n);

static cpx *twiddles(long n) {
  cpx *tw = malloc(sizeof(cpx) * (size_t)n);
  if (!tw) return NULL;
  for (long k = 0; k < n; k++) {
    const double a = -2 * PI * (double)k / (double)n;
    tw[k] = (cpx){cos(a), sin(a)};
  }
  return tw;
}

static void transform(const FftPlan *p, cpx *data, cpx *scratch);

static FftPlan *make_plan(long n) {
  FftPlan *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->n = n;
  p->nfactors = factorize(n, p->factors);
  if (p->nfactors >= 0) {
    p->tw = twiddles(n);
    if (!p->tw) return free(p), NULL;
    return p;
  }
  p->bluestein = 1;
  long m2 = 1;
  while (m2 < 2 * n - 1) m2 <<= 1;
  p->m2 = m2;
  p->sub = make_plan(m2);
  p->chirp = malloc(sizeof(cpx) * (size_t)n);
  p->kernel = calloc((size_t)m2, sizeof(cpx));
  cpx *scratch = malloc(sizeof(cpx) * (size_t)m2);
  if (!p->sub || !p->chirp || !p->kernel || !scratch) {
    free(scratch);
    return NULL; /* a plan that failed to build is not cached; the caller reports it */
  }
  for (long k = 0; k < n; k++) {
    /* k^2 mod 2n keeps the angle small and exact for large k. */
    const long q = (long)(((unsigned long long)k * (unsigned long long)k) % (unsigned long long)(2 * n));
    const double a = -PI * (double)q / (double)n;
    p->chirp[k] = (cpx){cos(a), sin(a)};
  }
  p->kernel[0] = (cpx){p->chirp[0].re, -p->chirp[0].im};
  for (long k = 1; k < n; k++) p->kernel[k] = p->kernel[m2 - k] = (cpx){p->chirp[k].re, -p->chirp[k].im};
  transform(p->sub, p->kernel, scratch);
  for (long k = 0; k < m2; k++) p->kernel[k].re /= (double)m2, p->kernel[k].im /= (double)m2;
  free(scratch);
  return p;
}

/* Butterflies of one stage: `radix` sub-transforms of length m, already in out[q m + u]. */
static void butterfly(cpx *out, long fstride, const cpx *tw, long n, long m, long radix) {
  if (radix == 2) {
    for (long u = 0; u < m; u++) {
      const cpx t = cmul(out[u + m], tw[u * fstride]);
      out[u + m] = (cpx){out[u].re - t.re, out[u].im - t.im};
      out[u] = (cpx){out[u].re + t.re, out[u].im + t.im};
    }
  } else if (radix == 4) {
    for (long u = 0; u < m; u++) {
      const cpx a0 = out[u];
      const cpx a1 = cmul(out[u + m], tw[u * fstride]);
      const cpx a2 = cmul(out[u + 2 * m], tw[2 * u * fstride]);
      const cpx a3 = cmul(out[u + 3 * m], tw[3 * u * fstride]);
      const cpx s0 = {a0.re + a2.re, a0.im + a2.im}, d0 = {a0.re - a2.re, a0.im - a2.im};
      const cpx s1 = {a1.re + a3.re, a1.im + a3.im}, d1 = {a1.re - a3.re, a1.im - a3.im};
      /* -i d1 for the forward transform */
      out[u] = (cpx){s0.re + s1.re, s0.im + s1.im};
      out[u + m] = (cpx){d0.re + d1.im, d0.im - d1.re};
      out[u + 2 * m] = (cpx){s0.re - s1.re, s0.im - s1.im};
      out[u + 3 * m] = (cpx){d0.re - d1.im, d0.im + d1.re};
    }
  } else if (radix == 3) {
    const double c = -0.5, s = -sqrt(0.75); /* exp(-2 pi i / 3) */
    for (long u = 0; u < m; u++) {
      const cpx a0 = out[u];
      const cpx a1 = cmul(out[u + m], tw[u * fstride]);
      const cpx a2 = cmul(out[u + 2 * m], tw[2 * u * fstride]);
      const cpx t = {a1.re + a2.re, a1.im + a2.im}, d = {a1.re - a2.re, a1.im - a2.im};
      const cpx base = {a0.re + c * t.re, a0.im + c * t.im};
      out[u] = (cpx){a0.re + t.re, a0.im + t.im};
      out[u + m] = (cpx){base.re - s * d.im, base.im + s * d.re};
      out[u + 2 * m] = (cpx){base.re + s * d.im, base.im - s * d.re};
    }
  } else {
    /*
     * Generic odd prime radix (5 included): a direct DFT of size p per group, outputs r and
     * p - r together from the sums t = a_q + a_(p-q) and differences d = a_q - a_(p-q) (a
     * quarter of the multiplications of the plain DFT).
     */
    cpx a[MAX_GENERIC_RADIX], t[MAX_GENERIC_RADIX], d[MAX_GENERIC_RADIX];
    double cs[MAX_GENERIC_RADIX], sn[MAX_GENERIC_RADIX];
    const long step = n / radix; /* tw[k step] = exp(-2 pi i k / radix) = cos - i sin */
    for (long k = 0; k < radix; k++) {
      cs[k] = tw[k * step].re;
      sn[k] = -tw[k * step].im;
    }
    const long half = radix / 2;
    for (long u = 0; u < m; u++) {
      a[0] = out[u];
      for (long q = 1; q < radix; q++) a[q] = cmul(out[u + q * m], tw[q * u * fstride]);
      cpx dc = a[0];
      for (long q = 1; q <= half; q++) {
        t[q] = (cpx){a[q].re + a[radix - q].re, a[q].im + a[radix - q].im};
        d[q] = (cpx){a[q].re - a[radix - q].re, a[q].im - a[radix - q].im};
        dc.re += t[q].re;
        dc.im += t[q].im;
      }
      out[u] = dc;
      for (long r = 1; r <= half; r++) {
        double cre = a[0].re, cim = a[0].im, sre = 0, sim = 0;
        long idx = 0;
        for (long q = 1; q <= half; q++) {
          idx += r;
          if (idx >= radix) idx -= radix;
          cre += cs[idx] * t[q].re;
          cim += cs[idx] * t[q].im;
          sre += sn[idx] * d[q].im;
          sim += sn[idx] * d[q].re;
        }
        out[u + r * m] = (cpx){cre + sre, cim - sim};
        out[u + (radix - r) * m] = (cpx){cre - sre, cim + sim};
      }
    }
  }
}

/* out[0..n) = unnormalised forward DFT of in[0, fstride, 2 fstride, ...]. */
static void work(const FftPlan *p, cpx *out, const cpx *in, long fstride, const long *factors) {
  const long radix = factors[0], m = factors[1];
  if (m == 1) {
    for (long q = 0; q < radix; q++) out[q] = in[q * fstride];
  } else {
    for (long q = 0; q < radix; q++) work(p, out + q * m, in + q * fstride, fstride * radix, factors + 2);
  }
  butterfly(out, fstride, p->tw, p->n, m, radix);
}

/* Unnormalised forward DFT of data[0..n) in place; scratch holds max(n, m2) values. */
static void transform(const FftPlan *p, cpx *data, cpx *scratch) {
  const long n = p->n;
  if (n == 1) return;
  if (!p->bluestein) {
    memcpy(scratch, data, sizeof(cpx) * (size_t)n);
    work(p, data, scratch, 1, p->factors);
    return;
  }
  /* Bluestein: X_k = w_k sum_j (x_j w_j) conj(w_{k-j}), the sum a circular convolution. */
  cpx *a = scratch, *tmp = scratch + p->m2;
  for (long k = 0; k < n; k++) a[k] = cmul(data[k], p->chirp[k]);
  memset(a + n, 0, sizeof(cpx) * (size_t)(p->m2 - n));
  transform(p->sub, a, tmp);
  for (long k = 0; k < p->m2; k++) {
    const cpx v = cmul(a[k], p->kernel[k]);
    a[k] = (cpx){v.re, -v.im}; /* inverse via conjugation */
  }
  transform(p->sub, a, tmp);
  for (long k = 0; k < n; k++) data[k] = cmul((cpx){a[k].re, -a[k].im}, p->chirp[k]);
}

/* Scratch values transform() needs for plan p (Bluestein nests one power-of-two level). */
static long scratch_size(const FftPlan *p) { return p->bluestein ? 2 * p->m2 : p->n; }

/* ---- plan cache: plans are immutable once built and live for the process */

enum { MAX_PLANS = 64 };
static FftPlan *plans[MAX_PLANS];
static int nplans;
static pthread_mutex_t plans_lock = PTHREAD_MUTEX_INITIALIZER;

static const FftPlan *plan_for(long n) {
  pthread_mutex_lock(&plans_lock);
  for (int i = 0; i < nplans; i++)
    if (plans[i]->n == n) {
      pthread_mutex_unlock(&plans_lock);
      return plans[i];
    }
  FftPlan *p = make_plan(n);
  if (p && nplans < MAX_PLANS) plans[nplans++] = p;
  pthread_mutex_unlock(&plans_lock);
  return p; /* beyond MAX_PLANS distinct sizes the extra plans are not cached (a small leak) */
}

/* ---- N-D driver */

enum { GATHER = 8 };

typedef struct {
  cpx *data;
  long total, n, stride;
  int inverse;
  const FftPlan *plan;
  int failed;
} Axis;

static void line_forward(const FftPlan *p, cpx *line, cpx *scratch, int inverse) {
  if (inverse)
    for (long k = 0; k < p->n; k++) line[k].im = -line[k].im;
  transform(p, line, scratch);
  if (inverse)
    for (long k = 0; k < p->n; k++) line[k].im = -line[k].im;
}

static void axis_part(void *arg, int part, int parts) {
  Axis *ax = arg;
  const long n = ax->n, stride = ax->stride;
  const long lines = ax->total / n;
  cpx *scratch = malloc(sizeof(cpx) * (size_t)(scratch_size(ax->plan) + (stride == 1 ? 0 : GATHER * n)));
  if (!scratch) {
    ax->failed = 1;
    return;
  }
  if (stride == 1) {
    long lo, hi;
    part_range(lines, part, parts, 1, &lo, &hi);
    for (long l = lo; l < hi; l++) line_forward(ax->plan, ax->data + l * n, scratch, ax->inverse);
  } else {
    /* Lines along a strided axis: groups of GATHER neighbouring lines (consecutive in memory
     * at each position) are copied into contiguous buffers, transformed and copied back. */
    cpx *buf = scratch + scratch_size(ax->plan);
    const long groupsPerBlock = (stride + GATHER - 1) / GATHER;
    const long blocks = ax->total / (n * stride);
    long lo, hi;
    part_range(blocks * groupsPerBlock, part, parts, 1, &lo, &hi);
    for (long gi = lo; gi < hi; gi++) {
      const long block = gi / groupsPerBlock, inner0 = (gi % groupsPerBlock) * GATHER;
      const long width = stride - inner0 < GATHER ? stride - inner0 : GATHER;
      cpx *base = ax->data + block * n * stride + inner0;
      for (long j = 0; j < n; j++)
        for (long q = 0; q < width; q++) buf[q * n + j] = base[j * stride + q];
      for (long q = 0; q < width; q++) line_forward(ax->plan, buf + q * n, scratch, ax->inverse);
      for (long j = 0; j < n; j++)
        for (long q = 0; q < width; q++) base[j * stride + q] = buf[q * n + j];
    }
  }
  free(scratch);
}

/* Orthonormal transform over every axis of a row-major complex array; 0 when out of memory. */
int ucs_fft_nd(double *interleaved, const long *shape, int ndim, int inverse, int threads) {
  cpx *data = (cpx *)interleaved;
  long total = 1;
  for (int i = 0; i < ndim; i++) total *= shape[i];
  if (total == 0) return 1;
  long stride = 1;
  for (int axis = ndim - 1; axis >= 0; axis--) {
    const long n = shape[axis];
    if (n > 1) {
      Axis ax = {data, total, n, stride, inverse, plan_for(n), 0};
      if (!ax.plan) return 0;
      run_parts(axis_part, &ax, total >= 4096 ? threads : 1);
      if (ax.failed) return 0;
    }
    stride *= n;
  }
  const double scale = 1 / sqrt((double)total);
  for (long i = 0; i < 2 * total; i++) interleaved[i] *= scale;
  return 1;
}
