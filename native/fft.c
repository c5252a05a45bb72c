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
#include "fft_fast.h"

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

/*
 * Calls axis_fn(ctx, total, n, stride) for every axis of length > 1 of a row-major array, last
 * axis first (stride: distance between neighbours along the axis); 0 as soon as one fails.
 */
typedef int (*axis_fn)(void *ctx, long total, long n, long stride);
static int each_axis(const long *shape, int ndim, axis_fn fn, void *ctx, long *total_out) {
  long total = 1;
  for (int i = 0; i < ndim; i++) total *= shape[i];
  *total_out = total;
  long stride = 1;
  for (int axis = ndim - 1; axis >= 0 && total > 0; axis--) {
    const long n = shape[axis];
    if (n > 1 && !fn(ctx, total, n, stride)) return 0;
    stride *= n;
  }
  return 1;
}

typedef struct {
  cpx *data;
  int inverse, threads;
} FftJob;

static int fft_axis(void *ctx, long total, long n, long stride) {
  const FftJob *job = ctx;
  Axis ax = {job->data, total, n, stride, job->inverse, plan_for(n), 0};
  if (!ax.plan) return 0;
  run_parts(axis_part, &ax, total >= 4096 ? job->threads : 1);
  return !ax.failed;
}

/* Orthonormal transform over every axis of a row-major complex array; 0 when out of memory. */
int ucs_fft_nd(double *interleaved, const long *shape, int ndim, int inverse, int threads) {
  /* 1D and 2D arrays of sizes without large prime factors: the vectorised kernel (fft_fast.c). */
  long axes[16], count = 1;
  int nd = 0;
  for (int i = 0; i < ndim; i++) {
    count *= shape[i];
    if (shape[i] > 1) axes[nd++] = shape[i];
  }
  if (count >= 256 && nd == 2 && ucs_fast_size(axes[0]) && ucs_fast_size(axes[1]))
    return ucs_fft2_fast(interleaved, NULL, axes[0], axes[1], inverse, 0, NULL, 1 / sqrt((double)count), threads);
  if (nd == 1 && count >= 256) {
    double *out = ucs_fft_thread_buffer(1, 2 * (size_t)count);
    if (out && ucs_fft1_fast(interleaved, out, count, inverse, 1 / sqrt((double)count), threads)) {
      memcpy(interleaved, out, sizeof(double) * 2 * (size_t)count);
      return 1;
    }
  }
  FftJob job = {(cpx *)interleaved, inverse, threads};
  long total;
  if (!each_axis(shape, ndim, fft_axis, &job, &total)) return 0;
  const double scale = 1 / sqrt((double)total);
  for (long i = 0; i < 2 * total; i++) interleaved[i] *= scale;
  return 1;
}

/* ---- orthonormal DCT-II / DCT-III of real lines (structuredRandom, the DCT Lasso basis) */

/*
 * Makhoul (1980) with the real-input trick: for even n, the DCT-II of x is read off the DFT of
 * the reordered v (v_k = x_2k, v_(n-1-k) = x_(2k+1)), and that real DFT of length n comes from
 * one complex DFT of length h = n/2 of z_j = v_2j + i v_(2j+1). Half the work of the n-point
 * complex transform the JavaScript path runs, and no round trip through JavaScript per line.
 * Odd n: the n-point complex DFT of v. Scaling as scipy.fft.dct(norm='ortho').
 */
typedef struct {
  long n;
  const FftPlan *plan; /* length h (even n) or n (odd n) */
  cpx *rot;            /* exp(-i pi k / 2n), k <= n/2 */
  cpx *wk;             /* exp(-2 pi i k / n), k < h (even n) */
} DctPlan;

enum { MAX_DCT_PLANS = 32 };
static DctPlan *dct_plans[MAX_DCT_PLANS];
static int ndct_plans;

static const DctPlan *dct_plan_for(long n) {
  pthread_mutex_lock(&plans_lock);
  for (int i = 0; i < ndct_plans; i++)
    if (dct_plans[i]->n == n) {
      pthread_mutex_unlock(&plans_lock);
      return dct_plans[i];
    }
  pthread_mutex_unlock(&plans_lock);
  const long h = n / 2;
  const FftPlan *fp = plan_for(n % 2 == 0 ? h : n);
  DctPlan *p = calloc(1, sizeof *p);
  if (!fp || !p) return free(p), NULL;
  p->n = n;
  p->plan = fp;
  p->rot = malloc(sizeof(cpx) * (size_t)(h + 1));
  p->wk = malloc(sizeof(cpx) * (size_t)(h + 1));
  if (!p->rot || !p->wk) return free(p->rot), free(p->wk), free(p), NULL;
  for (long k = 0; k <= h; k++) {
    const double a = -PI * (double)k / (double)(2 * n), b = -2 * PI * (double)k / (double)n;
    p->rot[k] = (cpx){cos(a), sin(a)};
    p->wk[k] = (cpx){cos(b), sin(b)};
  }
  pthread_mutex_lock(&plans_lock);
  if (ndct_plans < MAX_DCT_PLANS) dct_plans[ndct_plans++] = p;
  pthread_mutex_unlock(&plans_lock);
  return p; /* two threads racing on a new size may each build one; both are correct */
}

/* DCT-II (orthonormal) of x[0..n) in place; work holds 2 n complex values. */
static void dct2_line(const DctPlan *p, double *x, cpx *work) {
  const long n = p->n;
  const double s0 = sqrt(1.0 / (double)n), s = sqrt(2.0 / (double)n);
  if (n % 2) {
    cpx *v = work, *scratch = work + n;
    for (long k = 0; 2 * k < n; k++) v[k] = (cpx){x[2 * k], 0};
    for (long k = 0; 2 * k + 1 < n; k++) v[n - 1 - k] = (cpx){x[2 * k + 1], 0};
    transform(p->plan, v, scratch);
    x[0] = s0 * v[0].re;
    for (long k = 1; k <= n / 2; k++) {
      const cpx q = cmul(p->rot[k], v[k]);
      x[k] = s * q.re;
      x[n - k] = -s * q.im;
    }
    return;
  }
  const long h = n / 2;
  cpx *z = work, *scratch = work + h + 1;
  /* z_j = v_2j + i v_(2j+1): v_2j = x_4j (2j < h) or x_(2(n-1-2j)+1) ..., written per source. */
  /* v_k = x_2k, v_(n-1-k) = x_(2k+1), k < h (fft_fast.c, vectorised) */
  ucs_dct2_reorder(x, (double *)z, n);
  /* long lines: the vectorised four-step FFT (fft_fast.c), result in the scratch */
  if (ucs_fft1_fast((double *)z, (double *)scratch, h, 0, 1.0, 1)) z = scratch;
  else transform(p->plan, z, scratch);
  z[h] = z[0];
  /* V_k = E_k + W^k O_k, E_k = (Z_k + conj Z_(h-k)) / 2, O_k = (Z_k - conj Z_(h-k)) / 2i. */
  x[0] = s0 * (z[0].re + z[0].im);
  ucs_dct2_post((const double *)z, (const double *)p->wk, (const double *)p->rot, x, n, s);
  /* V_h = Re Z_0 - Im Z_0 (real); C_h = Re(exp(-i pi / 4) V_h). */
  x[h] = s * p->rot[h].re * (z[0].re - z[0].im);
}

/* DCT-III (the orthonormal inverse) of x[0..n) in place; work holds 2 n complex values. */
static void dct3_line(const DctPlan *p, double *x, cpx *work) {
  const long n = p->n;
  const double u0 = sqrt((double)n), u = sqrt((double)n / 2.0);
  /* Undo the scaling, then V_k = conj(rot_k) (C_k - i C_(n-k)), C_n taken as 0. */
  if (n % 2) {
    cpx *v = work, *scratch = work + n;
    v[0] = (cpx){u0 * x[0], 0};
    for (long k = 1; k <= n / 2; k++) {
      const cpx r = {p->rot[k].re, -p->rot[k].im};
      const cpx vk = cmul(r, (cpx){u * x[k], -u * x[n - k]});
      v[k] = vk;
      v[n - k] = (cpx){vk.re, -vk.im};
    }
    for (long k = 0; k < n; k++) v[k].im = -v[k].im; /* inverse DFT by conjugation */
    transform(p->plan, v, scratch);
    const double inv = 1.0 / (double)n;
    for (long k = 0; 2 * k < n; k++) x[2 * k] = inv * v[k].re;
    for (long k = 0; 2 * k + 1 < n; k++) x[2 * k + 1] = inv * v[n - 1 - k].re;
    return;
  }
  const long h = n / 2;
  cpx *z = work + h + 1, *scratch = work + 2 * h + 2;
  /* V_k = conj(rot_k) (u C_k - i u C_(n-k)) (V_0 = u0 C_0); Z_k = E_k + i O_k with
   * E_k = (V_k + conj V_(h-k)) / 2, O_k = conj(W^k) (V_k - conj V_(h-k)) / 2, stored conjugated
   * so that the forward transform below is the inverse DFT (fft_fast.c, vectorised). */
  ucs_dct3_pre(x, (const double *)p->wk, (const double *)p->rot, (double *)z, n, u0, u);
  const double inv = 1.0 / (double)h;
  if (ucs_fft1_fast((double *)z, (double *)scratch, h, 0, inv, 1)) {
    /* scaled in the transform's last stage; conjugation and reorder in one pass */
    ucs_dct3_post((const double *)scratch, x, n);
    return;
  }
  transform(p->plan, z, scratch);
  /* z_j = conj(result) / h = v_2j + i v_(2j+1) */
  for (long k = 0; k < h; k++) {
    z[k].re *= inv;
    z[k].im *= -inv;
  }
  const double *vr = (const double *)z;
  for (long k = 0; k < h; k++) x[2 * k] = vr[k];
  for (long k = 0; k < h; k++) x[2 * k + 1] = vr[n - 1 - k];
}

typedef struct {
  double *data;
  long total, n, stride;
  int inverse;
  const DctPlan *plan;
  int failed;
} DctAxis;

static void dct_axis_part(void *arg, int part, int parts) {
  DctAxis *ax = arg;
  const long n = ax->n, stride = ax->stride, lines = ax->total / n;
  /* work: 2n + 4 complex values (z, V and the FFT's scratch), plus a gathered line */
  cpx *work = (cpx *)ucs_fft_thread_buffer(1, 2 * (size_t)(2 * n + 4 + scratch_size(ax->plan->plan)) + (size_t)n);
  if (!work) {
    ax->failed = 1;
    return;
  }
  double *line = (double *)(work + 2 * n + 4 + scratch_size(ax->plan->plan));
  long lo, hi;
  part_range(lines, part, parts, 1, &lo, &hi);
  for (long l = lo; l < hi; l++) {
    const long block = l / stride, inner = l % stride;
    double *base = ax->data + block * n * stride + inner;
    double *x = stride == 1 ? base : line;
    if (stride != 1)
      for (long j = 0; j < n; j++) line[j] = base[j * stride];
    if (ax->inverse)
      dct3_line(ax->plan, x, work);
    else
      dct2_line(ax->plan, x, work);
    if (stride != 1)
      for (long j = 0; j < n; j++) base[j * stride] = line[j];
  }
}

typedef struct {
  double *data;
  int inverse, threads;
} DctJob;

static int dct_axis(void *ctx, long total, long n, long stride) {
  const DctJob *job = ctx;
  DctAxis ax = {job->data, total, n, stride, job->inverse, dct_plan_for(n), 0};
  if (!ax.plan) return 0;
  /* One line runs on one thread; several lines are shared when there is enough work. */
  run_parts(dct_axis_part, &ax, total / n >= 2 && total >= 8192 ? job->threads : 1);
  return !ax.failed;
}

/* Orthonormal DCT-II (or its inverse) over every axis of a row-major real array; 0 when out of memory. */
int ucs_dct_nd(double *data, const long *shape, int ndim, int inverse, int threads) {
  DctJob job = {data, inverse, threads};
  long total;
  return each_axis(shape, ndim, dct_axis, &job, &total);
}

/*
 * The structured random operators' whole apply: buf[inMap[i]] = inScale inWeight[i] in[i]
 * (identity map and unit weights when NULL; buf zeroed first when zero_fill), the orthonormal
 * DCT (or inverse) of buf, then out[k] = outScale outWeight[k] buf[outMap[k]]. Returns 0 when
 * out of memory, -1 when a map entry is outside [0, total).
 */
int ucs_dct_mapped(double *buf, const long *shape, int ndim, int inverse, int threads, const double *in, long nin, const int32_t *inMap, const double *inWeight, double inScale,
                   double *out, long nout, const int32_t *outMap, const double *outWeight, double outScale, int zero_fill) {
  long total = 1;
  for (int i = 0; i < ndim; i++) total *= shape[i];
  if (!inMap && nin > total) return -1;
  if (!outMap && nout > total) return -1;
  for (long i = 0; inMap && i < nin; i++)
    if (inMap[i] < 0 || inMap[i] >= total) return -1;
  for (long k = 0; outMap && k < nout; k++)
    if (outMap[k] < 0 || outMap[k] >= total) return -1;
  if (zero_fill) memset(buf, 0, sizeof(double) * (size_t)total);
  if (inMap) {
    for (long i = 0; i < nin; i++) buf[inMap[i]] = inScale * (inWeight ? inWeight[i] : 1) * in[i];
  } else if (inWeight) {
    for (long i = 0; i < nin; i++) buf[i] = inScale * inWeight[i] * in[i];
  } else {
    for (long i = 0; i < nin; i++) buf[i] = inScale * in[i];
  }
  if (!ucs_dct_nd(buf, shape, ndim, inverse, threads)) return 0;
  if (outMap) {
    for (long k = 0; k < nout; k++) out[k] = outScale * (outWeight ? outWeight[k] : 1) * buf[outMap[k]];
  } else if (outWeight) {
    for (long k = 0; k < nout; k++) out[k] = outScale * outWeight[k] * buf[k];
  } else {
    for (long k = 0; k < nout; k++) out[k] = outScale * buf[k];
  }
  return 1;
}
