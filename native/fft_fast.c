/*
 * Fast complex FFTs for arrays of many lines (2D images, and 1D transforms split in two by the
 * four-step algorithm), on interleaved float64 data.
 *
 * The kernel transforms V neighbouring lines at once ("lanes"): element e of every lane sits in
 * V contiguous complex values, so a butterfly works on whole vectors and every twiddle factor
 * is a scalar shared by the lanes (a broadcast, no shuffles). Stockham autosort, decimation in
 * frequency, radix 8/4/2 and any odd radix (direct DFT with the symmetric sums), ping-ponging
 * between two small buffers that stay in L1/L2; the first stage reads the caller's array and
 * the last writes it, so there is no separate gather or scatter pass.
 *
 * A 2D transform of src [H][W] runs two passes:
 *  1. along H: strips of V columns of src are already lanes (columns are contiguous within a
 *     row); transformed in place.
 *  2. along W: blocks of V rows are transposed into lanes (4x4 blocks of complex values in
 *     registers), transformed, and written either back into the rows (natural layout) or to
 *     dst [W][H] (transposed layout, where each element's V lanes are contiguous again).
 * A 1D transform of length n = n1 n2 is the same two passes on the n1 x n2 view with the
 * twiddles w_n^(k1 j2) between them, writing the transposed layout, which is the natural
 * order of the 1D result (Bailey's four-step).
 *
 * GCC vector types, cloned per ISA (AVX-512, AVX2, generic) by UCS_CLONES.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ucs_native.h"
#include "fft_fast.h"

/* Always-inlined helpers: the vector ABI note for non-AVX-512 callers does not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double v8d __attribute__((vector_size(64)));
typedef double v8du __attribute__((vector_size(64), aligned(8), may_alias));
typedef long long v8i __attribute__((vector_size(64)));

#define INL static inline __attribute__((always_inline))

INL v8d ld(const double *p) { return *(const v8du *)p; }
/* Macros rather than functions for what takes vectors by value: GCC notes a vector ABI change
 * for every such function compiled without AVX-512, although these are always inlined. */
#define st(p, v) (*(v8du *)(p) = (v))
/* (a broadcast; a vector literal of eight copies compiles to stack stores and a reload) */
INL v8d splat(double a) { return a + (v8d){0, 0, 0, 0, 0, 0, 0, 0}; }
#define swp(v) __builtin_shuffle((v), (v8i){1, 0, 3, 2, 5, 4, 7, 6})
/* v (wr + i wi) for broadcast wr and wis = (-wi, wi, ...) (sign folded in per direction) */
#define cmul(v, wr, wis) __extension__({ const v8d v_ = (v); v_ * (wr) + swp(v_) * (wis); })

static const double PI = 3.14159265358979323846;

enum { MAX_STAGES = 40, MAX_ODD = 64 };

typedef struct {
  int p;             /* radix */
  long m, s;         /* m = n_cur / p sub-transform length; s = lines interleaved so far */
  const double *tw;  /* (wr, wi) of w_ncur^(j k), j < m, 1 <= k < p: 2 (p - 1) m values */
  const double *cs;  /* odd p: cos(2 pi t / p), sin(2 pi t / p), t < p */
} Stage;

struct FastPlan {
  long n;
  int nstages;
  Stage st[MAX_STAGES];
  double *mem;
};

/* Radix order: 8s, then a 4 or 2 for the rest of the power of two, then odd factors. 0 when a
 * prime factor exceeds MAX_ODD (those sizes stay on Bluestein in fft.c). */
static int fast_factor(long n, int *radix) {
  int k = 0;
  long rest = n;
  while (rest % 8 == 0) radix[k++] = 8, rest /= 8;
  if (rest % 4 == 0) radix[k++] = 4, rest /= 4;
  if (rest % 2 == 0) radix[k++] = 2, rest /= 2;
  for (long p = 3; rest > 1; p += 2) {
    while (rest % p == 0) {
      if (p > MAX_ODD || k >= MAX_STAGES) return 0;
      radix[k++] = (int)p;
      rest /= p;
    }
    if (p > MAX_ODD) return 0;
  }
  return k;
}

static FastPlan *build_plan(long n) {
  int radix[MAX_STAGES];
  const int k = n == 1 ? 0 : fast_factor(n, radix);
  if (n > 1 && k == 0) return NULL;
  FastPlan *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->n = n;
  p->nstages = k;
  size_t total = 0;
  long ncur = n;
  for (int i = 0; i < k; i++) {
    total += 2 * (size_t)(radix[i] - 1) * (size_t)(ncur / radix[i]) + (radix[i] % 2 ? 2 * (size_t)radix[i] : 0);
    ncur /= radix[i];
  }
  p->mem = malloc(sizeof(double) * (total + 1));
  if (!p->mem) return free(p), NULL;
  double *w = p->mem;
  ncur = n;
  long s = 1;
  for (int i = 0; i < k; i++) {
    Stage *g = &p->st[i];
    g->p = radix[i];
    g->m = ncur / g->p;
    g->s = s;
    g->tw = w;
    for (long j = 0; j < g->m; j++)
      for (int q = 1; q < g->p; q++) {
        /* (j q) mod ncur keeps the angle small and exact */
        const double a = -2 * PI * (double)((j * q) % ncur) / (double)ncur;
        *w++ = cos(a);
        *w++ = sin(a);
      }
    g->cs = NULL;
    if (g->p % 2) {
      g->cs = w;
      for (int t = 0; t < g->p; t++) {
        const double a = 2 * PI * (double)t / (double)g->p;
        *w++ = cos(a);
        *w++ = sin(a);
      }
    }
    s *= g->p;
    ncur /= g->p;
  }
  return p;
}

enum { MAX_FAST_PLANS = 64 };
static FastPlan *fast_plans[MAX_FAST_PLANS];
static int nfast;
static pthread_mutex_t fast_lock = PTHREAD_MUTEX_INITIALIZER;

const FastPlan *ucs_fast_plan(long n) {
  pthread_mutex_lock(&fast_lock);
  for (int i = 0; i < nfast; i++)
    if (fast_plans[i]->n == n) {
      pthread_mutex_unlock(&fast_lock);
      return fast_plans[i];
    }
  FastPlan *p = build_plan(n);
  if (p && nfast < MAX_FAST_PLANS) fast_plans[nfast++] = p;
  pthread_mutex_unlock(&fast_lock);
  return p;
}

/*
 * One Stockham DIF stage on nv vectors (4 complex lanes each) per element:
 *   y[q + s (p j + k)] = w^(j k) sum_r x[q + s (j + r m)] w_p^(r k),  j < m, q < s,
 * element e of x at x + e xs (doubles), of y at y + e ys. R = (1, -1, ...) forward, (-1, 1, ...)
 * inverse: swp(v) R is -i v (forward) or +i v (inverse). Outputs are multiplied by `scale`
 * when it is not 1 (the orthonormal factor, in the last stage).
 */
typedef struct {
  const double *x;
  double *y;
  long xs, ys, nv;
  int inverse;
  double scale;
} StageIo;

#define RADIX_LOOP(PRE, ...)                                                   \
  for (long j = 0; j < m; j++) {                                               \
    const double *tw = g->tw + 2 * (p - 1) * j;                                \
    PRE                                                                        \
    for (long q = 0; q < s; q++) {                                             \
      const double *xb = io->x + (q + s * j) * io->xs;                         \
      double *yb = io->y + (q + s * p * j) * io->ys;                           \
      for (long v = 0; v < nv; v++) {                                          \
        __VA_ARGS__                                                            \
      }                                                                        \
    }                                                                          \
  }

/*
 * One odd-radix butterfly on one vector: y_k = A_k + rot(B_k), y_(p-k) = A_k - rot(B_k), with
 * A_k = a0 + sum_q cos(2 pi qk/p) t_q, B_k = sum_q sin(2 pi qk/p) d_q, t_q = a_q + a_(p-q),
 * d_q = a_q - a_(p-q), rot = -i (forward); then the twiddles. Inlined with a constant p for
 * 3, 5 and 7 (unrolled, t and d in registers), with the stage's p otherwise.
 */
INL void odd_bfly(const int p, const double *xb, long xm, double *yb, long ys, const double *cs, const double *tw, const v8d *pR, const v8d *pnR, const v8d *psc, int scaled) {
  const v8d R = *pR, nR = *pnR, sc = *psc;
  const int half = p / 2;
  const v8d a0 = ld(xb);
  v8d t[half + 1], d[half + 1]; /* sized by p: with a constant p they stay in registers */
  v8d dc = a0;
  for (int r = 1; r <= half; r++) {
    const v8d u = ld(xb + r * xm), w = ld(xb + (p - r) * xm);
    t[r] = u + w;
    d[r] = u - w;
    dc += t[r];
  }
  st(yb, scaled ? dc * sc : dc);
  for (int k = 1; k <= half; k++) {
    v8d A = a0, B = splat(0);
    int idx = 0;
    for (int r = 1; r <= half; r++) {
      idx += k;
      if (idx >= p) idx -= p;
      A += splat(cs[2 * idx]) * t[r];
      B += splat(cs[2 * idx + 1]) * d[r];
    }
    const v8d rb = swp(B) * R;
    const double *wk = tw + 2 * (k - 1), *wpk = tw + 2 * (p - k - 1);
    st(yb + k * ys, cmul(A + rb, splat(wk[0]) * sc, nR * splat(wk[1]) * sc));
    st(yb + (p - k) * ys, cmul(A - rb, splat(wpk[0]) * sc, nR * splat(wpk[1]) * sc));
  }
}

UCS_CLONES static void stage_run(const Stage *g, const StageIo *io) {
  const int p = g->p;
  const long m = g->m, s = g->s, nv = io->nv;
  const long xm = m * s * io->xs; /* distance between inputs r and r + 1 */
  const long ys = s * io->ys;     /* distance between outputs k and k + 1 */
  const v8d R = io->inverse ? (v8d){-1, 1, -1, 1, -1, 1, -1, 1} : (v8d){1, -1, 1, -1, 1, -1, 1, -1};
  const v8d nR = -R;
  const int scaled = io->scale != 1.0;
  const v8d sc = splat(io->scale);
#define TW(k) const v8d wr##k = splat(tw[2 * (k - 1)]) * sc, wi##k = nR * splat(tw[2 * (k - 1) + 1]) * sc
  if (p == 2) {
    RADIX_LOOP(TW(1);, {
      const v8d a0 = ld(xb + 8 * v), a1 = ld(xb + xm + 8 * v);
      st(yb + 8 * v, scaled ? (a0 + a1) * sc : a0 + a1);
      st(yb + ys + 8 * v, cmul(a0 - a1, wr1, wi1));
    })
  } else if (p == 4) {
    RADIX_LOOP(TW(1); TW(2); TW(3);, {
      const v8d a0 = ld(xb + 8 * v), a1 = ld(xb + xm + 8 * v), a2 = ld(xb + 2 * xm + 8 * v), a3 = ld(xb + 3 * xm + 8 * v);
      const v8d s02 = a0 + a2, d02 = a0 - a2, s13 = a1 + a3, d13 = swp(a1 - a3) * R; /* -i (a1 - a3) forward */
      st(yb + 8 * v, scaled ? (s02 + s13) * sc : s02 + s13);
      st(yb + ys + 8 * v, cmul(d02 + d13, wr1, wi1));
      st(yb + 2 * ys + 8 * v, cmul(s02 - s13, wr2, wi2));
      st(yb + 3 * ys + 8 * v, cmul(d02 - d13, wr3, wi3));
    })
  } else if (p == 8) {
    /* w8 = exp(-i pi / 4) forward; c = sqrt(1/2) */
    const double c = 0.70710678118654752440;
    RADIX_LOOP(TW(1); TW(2); TW(3); TW(4); TW(5); TW(6); TW(7);, {
      v8d a[8];
      for (int r = 0; r < 8; r++) a[r] = ld(xb + r * xm + 8 * v);
      /* first level: radix-2 across r and r + 4 */
      const v8d b0 = a[0] + a[4], b4 = a[0] - a[4];
      const v8d b1 = a[1] + a[5], b5 = a[1] - a[5];
      const v8d b2 = a[2] + a[6], b6 = a[2] - a[6];
      const v8d b3 = a[3] + a[7], b7 = a[3] - a[7];
      /* even outputs: radix-4 DFT of b0..b3 */
      const v8d e0 = b0 + b2, e1 = b0 - b2, e2 = b1 + b3, e3 = swp(b1 - b3) * R;
      /* odd outputs: radix-4 DFT of b4 + w8^r b5.., i.e. of (b4, w8 b5, w8^2 b6, w8^3 b7) */
      const v8d t5 = (b5 + swp(b5) * R) * splat(c);      /* w8 b5 = (1 - i) b5 / sqrt 2 */
      const v8d t6 = swp(b6) * R;                        /* w8^2 b6 = -i b6 */
      const v8d t7 = (swp(b7) * R - b7) * splat(c);      /* w8^3 b7 = (-1 - i) b7 / sqrt 2 */
      const v8d o0 = b4 + t6, o1 = b4 - t6, o2 = t5 + t7, o3 = swp(t5 - t7) * R;
      const v8d y0 = e0 + e2, y4 = e0 - e2, y2 = e1 + e3, y6 = e1 - e3;
      const v8d y1 = o0 + o2, y5 = o0 - o2, y3 = o1 + o3, y7 = o1 - o3;
      st(yb + 8 * v, scaled ? y0 * sc : y0);
      st(yb + ys + 8 * v, cmul(y1, wr1, wi1));
      st(yb + 2 * ys + 8 * v, cmul(y2, wr2, wi2));
      st(yb + 3 * ys + 8 * v, cmul(y3, wr3, wi3));
      st(yb + 4 * ys + 8 * v, cmul(y4, wr4, wi4));
      st(yb + 5 * ys + 8 * v, cmul(y5, wr5, wi5));
      st(yb + 6 * ys + 8 * v, cmul(y6, wr6, wi6));
      st(yb + 7 * ys + 8 * v, cmul(y7, wr7, wi7));
    })
  } else if (p == 3) {
    RADIX_LOOP(, { odd_bfly(3, xb + 8 * v, xm, yb + 8 * v, ys, g->cs, tw, &R, &nR, &sc, scaled); })
  } else if (p == 5) {
    RADIX_LOOP(, { odd_bfly(5, xb + 8 * v, xm, yb + 8 * v, ys, g->cs, tw, &R, &nR, &sc, scaled); })
  } else if (p == 7) {
    RADIX_LOOP(, { odd_bfly(7, xb + 8 * v, xm, yb + 8 * v, ys, g->cs, tw, &R, &nR, &sc, scaled); })
  } else if (p == 11) {
    RADIX_LOOP(, { odd_bfly(11, xb + 8 * v, xm, yb + 8 * v, ys, g->cs, tw, &R, &nR, &sc, scaled); })
  } else if (p == 13) {
    RADIX_LOOP(, { odd_bfly(13, xb + 8 * v, xm, yb + 8 * v, ys, g->cs, tw, &R, &nR, &sc, scaled); })
  } else if (p == 23) { /* MRI widths: 368 = 16 x 23 */
    RADIX_LOOP(, { odd_bfly(23, xb + 8 * v, xm, yb + 8 * v, ys, g->cs, tw, &R, &nR, &sc, scaled); })
  } else {
    RADIX_LOOP(, { odd_bfly(p, xb + 8 * v, xm, yb + 8 * v, ys, g->cs, tw, &R, &nR, &sc, scaled); })
  }
#undef TW
}

/*
 * All stages of plan fp on lines held as nv vectors per element: input at (x, xs), output at
 * (y, ys); bufA/bufB (n elements of nv vectors each) are the intermediate buffers. x may equal
 * y (the caller's array): the first stage reads it into a buffer, the last writes it back.
 */
static void lanes_fft(const FastPlan *fp, const double *x, long xs, double *y, long ys, long nv, double *bufA, double *bufB, int inverse, double scale) {
  const long bs = 8 * nv;
  const int k = fp->nstages;
  if (k == 0) { /* n == 1 */
    for (long v = 0; v < nv; v++) {
      v8d t = ld(x + 8 * v) * splat(scale);
      st(y + 8 * v, t);
    }
    return;
  }
  const double *in = x;
  long ins = xs;
  for (int i = 0; i < k; i++) {
    const int last = i == k - 1;
    double *out = last ? y : (in == bufA ? bufB : bufA);
    const StageIo io = {in, out, ins, last ? ys : bs, nv, inverse, last ? scale : 1.0};
    stage_run(&fp->st[i], &io);
    in = out;
    ins = bs;
  }
}

/* ---- transposes of 4 x 4 blocks of complex values (each 128 bits) */

INL void tr4(const v8d *r, v8d *o0, v8d *o1, v8d *o2, v8d *o3) {
  const v8d r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
  const v8d t0 = __builtin_shuffle(r0, r1, (v8i){0, 1, 8, 9, 4, 5, 12, 13});
  const v8d t1 = __builtin_shuffle(r0, r1, (v8i){2, 3, 10, 11, 6, 7, 14, 15});
  const v8d t2 = __builtin_shuffle(r2, r3, (v8i){0, 1, 8, 9, 4, 5, 12, 13});
  const v8d t3 = __builtin_shuffle(r2, r3, (v8i){2, 3, 10, 11, 6, 7, 14, 15});
  *o0 = __builtin_shuffle(t0, t2, (v8i){0, 1, 2, 3, 8, 9, 10, 11});
  *o2 = __builtin_shuffle(t0, t2, (v8i){4, 5, 6, 7, 12, 13, 14, 15});
  *o1 = __builtin_shuffle(t1, t3, (v8i){0, 1, 2, 3, 8, 9, 10, 11});
  *o3 = __builtin_shuffle(t1, t3, (v8i){4, 5, 6, 7, 12, 13, 14, 15});
}

/* tr4 between memory: o_j[i] = complex j of row i, each row 4 complex values. */
typedef void (*Tr4Fn)(const double *r0, const double *r1, const double *r2, const double *r3, double *o0, double *o1, double *o2, double *o3);

INL void tr4_vec(const double *r0, const double *r1, const double *r2, const double *r3, double *o0, double *o1, double *o2, double *o3) {
  v8d a, b, c, d;
  const v8d in4[4] = {ld(r0), ld(r1), ld(r2), ld(r3)};
  tr4(in4, &a, &b, &c, &d);
  st(o0, a);
  st(o1, b);
  st(o2, c);
  st(o3, d);
}

#ifdef UCS_X86
/*
 * The same transpose with AVX2's 128-bit lane permutes, for CPUs without AVX-512: GCC 12 lowers
 * tr4's 64-byte shuffles to scalar moves there (perf, 2026-12-01: the two transposes were 40% of
 * a 256x256 transform on an AVX2 EPYC).
 */
__attribute__((target("avx2"), always_inline)) static inline void tr4_avx2(const double *r0, const double *r1, const double *r2, const double *r3, double *o0, double *o1, double *o2, double *o3) {
  const __m256d a0 = _mm256_loadu_pd(r0), a1 = _mm256_loadu_pd(r0 + 4), b0 = _mm256_loadu_pd(r1), b1 = _mm256_loadu_pd(r1 + 4);
  const __m256d c0 = _mm256_loadu_pd(r2), c1 = _mm256_loadu_pd(r2 + 4), d0 = _mm256_loadu_pd(r3), d1 = _mm256_loadu_pd(r3 + 4);
  _mm256_storeu_pd(o0, _mm256_permute2f128_pd(a0, b0, 0x20));
  _mm256_storeu_pd(o0 + 4, _mm256_permute2f128_pd(c0, d0, 0x20));
  _mm256_storeu_pd(o1, _mm256_permute2f128_pd(a0, b0, 0x31));
  _mm256_storeu_pd(o1 + 4, _mm256_permute2f128_pd(c0, d0, 0x31));
  _mm256_storeu_pd(o2, _mm256_permute2f128_pd(a1, b1, 0x20));
  _mm256_storeu_pd(o2 + 4, _mm256_permute2f128_pd(c1, d1, 0x20));
  _mm256_storeu_pd(o3, _mm256_permute2f128_pd(a1, b1, 0x31));
  _mm256_storeu_pd(o3 + 4, _mm256_permute2f128_pd(c1, d1, 0x31));
}
#endif

/*
 * rows r0.. of src (row length w complex, row stride ld complex), `lanes` = 4 nv rows, into
 * buf[e][lane] for e < w; rows at or past `valid` read as zero. (Inlined into each version below
 * with its block transpose.)
 */
INL void rows_to_lanes_with(Tr4Fn tr, const double *src, long ld_, long w, long nv, long valid, double *buf) {
  const long bs = 8 * nv;
  for (long g = 0; g < nv; g++) {
    const double *r[4];
    int ok = 1;
    for (int i = 0; i < 4; i++) ok &= 4 * g + i < valid;
    if (ok) {
      for (int i = 0; i < 4; i++) r[i] = src + 2 * (4 * g + i) * ld_;
      long e = 0;
      for (; e + 4 <= w; e += 4) tr(r[0] + 2 * e, r[1] + 2 * e, r[2] + 2 * e, r[3] + 2 * e, buf + e * bs + 8 * g, buf + (e + 1) * bs + 8 * g, buf + (e + 2) * bs + 8 * g, buf + (e + 3) * bs + 8 * g);
      for (; e < w; e++)
        for (int i = 0; i < 4; i++) buf[e * bs + 8 * g + 2 * i] = r[i][2 * e], buf[e * bs + 8 * g + 2 * i + 1] = r[i][2 * e + 1];
    } else {
      for (long e = 0; e < w; e++)
        for (int i = 0; i < 4; i++) {
          const long row = 4 * g + i;
          buf[e * bs + 8 * g + 2 * i] = row < valid ? src[2 * (row * ld_ + e)] : 0;
          buf[e * bs + 8 * g + 2 * i + 1] = row < valid ? src[2 * (row * ld_ + e) + 1] : 0;
        }
    }
  }
}

/* The inverse of rows_to_lanes: buf[e][lane] back into rows (only rows before `valid`). */
INL void lanes_to_rows_with(Tr4Fn tr, const double *buf, long w, long nv, long valid, double *dst, long ld_) {
  const long bs = 8 * nv;
  for (long g = 0; g < nv; g++) {
    int ok = 1;
    for (int i = 0; i < 4; i++) ok &= 4 * g + i < valid;
    double *r[4];
    for (int i = 0; i < 4; i++) r[i] = dst + 2 * (4 * g + i) * ld_;
    long e = 0;
    if (ok)
      for (; e + 4 <= w; e += 4) tr(buf + e * bs + 8 * g, buf + (e + 1) * bs + 8 * g, buf + (e + 2) * bs + 8 * g, buf + (e + 3) * bs + 8 * g, r[0] + 2 * e, r[1] + 2 * e, r[2] + 2 * e, r[3] + 2 * e);
    for (; e < w; e++)
      for (int i = 0; i < 4; i++)
        if (4 * g + i < valid) r[i][2 * e] = buf[e * bs + 8 * g + 2 * i], r[i][2 * e + 1] = buf[e * bs + 8 * g + 2 * i + 1];
  }
}

UCS_CLONES static void rows_to_lanes_vec(const double *src, long ld_, long w, long nv, long valid, double *buf) { rows_to_lanes_with(tr4_vec, src, ld_, w, nv, valid, buf); }
UCS_CLONES static void lanes_to_rows_vec(const double *buf, long w, long nv, long valid, double *dst, long ld_) { lanes_to_rows_with(tr4_vec, buf, w, nv, valid, dst, ld_); }

#ifdef UCS_X86
__attribute__((target("avx2"))) static void rows_to_lanes_avx2(const double *src, long ld_, long w, long nv, long valid, double *buf) { rows_to_lanes_with(tr4_avx2, src, ld_, w, nv, valid, buf); }
__attribute__((target("avx2"))) static void lanes_to_rows_avx2(const double *buf, long w, long nv, long valid, double *dst, long ld_) { lanes_to_rows_with(tr4_avx2, buf, w, nv, valid, dst, ld_); }

/* AVX2 without AVX-512 (the ISA chosen with the GEMM's): the transposes above. */
static inline int use_avx2_transposes(void) { return ucs_simd_level() == 1; }
#endif

static void rows_to_lanes(const double *src, long ld_, long w, long nv, long valid, double *buf) {
#ifdef UCS_X86
  if (use_avx2_transposes()) {
    rows_to_lanes_avx2(src, ld_, w, nv, valid, buf);
    return;
  }
#endif
  rows_to_lanes_vec(src, ld_, w, nv, valid, buf);
}

static void lanes_to_rows(const double *buf, long w, long nv, long valid, double *dst, long ld_) {
#ifdef UCS_X86
  if (use_avx2_transposes()) {
    lanes_to_rows_avx2(buf, w, nv, valid, dst, ld_);
    return;
  }
#endif
  lanes_to_rows_vec(buf, w, nv, valid, dst, ld_);
}

/* ---- the two passes */

#ifndef NV_COLS
#define NV_COLS 4
#endif
#ifndef NV_ROWS
#define NV_ROWS 4
#endif

typedef struct {
  double *src, *dst;
  long h, w;
  int inverse, transposed;
  double scale;
  const double *twist; /* four-step twiddles w_n^(k1 j2), [w][h] interleaved; NULL for 2D */
  const FastPlan *ph, *pw;
  int failed;
} FftPass;

/* Multiplies lanes buffer element j2 (lanes k1 = r0..) by the four-step twiddles w^(k1 j2),
 * stored [j2][k1] so that an element's lanes are contiguous (lane-varying factors). */
UCS_CLONES static void twist_lanes_vec(double *buf, long w, long nv, const double *twist, long h, long r0, int inverse) {
  const v8d sg = inverse ? (v8d){1, -1, 1, -1, 1, -1, 1, -1} : (v8d){-1, 1, -1, 1, -1, 1, -1, 1};
  for (long e = 0; e < w; e++)
    for (long v = 0; v < nv; v++) {
      double *p = buf + e * 8 * nv + 8 * v;
      const v8d t = ld(twist + 2 * (e * h + r0) + 8 * v);
      const v8d wr = __builtin_shuffle(t, (v8i){0, 0, 2, 2, 4, 4, 6, 6});
      const v8d wi = __builtin_shuffle(t, (v8i){1, 1, 3, 3, 5, 5, 7, 7}) * sg;
      st(p, cmul(ld(p), wr, wi));
    }
}

#ifdef UCS_X86
/* The same on AVX2 (the lane-duplicating shuffles compile to scalar moves there): multiply and
 * add without FMA, as the AVX2 clone above computes it. */
__attribute__((target("avx2"))) static void twist_lanes_avx2(double *buf, long w, long nv, const double *twist, long h, long r0, int inverse) {
  const __m256d sg = inverse ? _mm256_setr_pd(1, -1, 1, -1) : _mm256_setr_pd(-1, 1, -1, 1);
  for (long e = 0; e < w; e++)
    for (long v = 0; v < nv; v++) {
      double *p = buf + e * 8 * nv + 8 * v;
      const double *t = twist + 2 * (e * h + r0) + 8 * v;
      for (int half = 0; half < 2; half++) {
        const __m256d tv = _mm256_loadu_pd(t + 4 * half), pv = _mm256_loadu_pd(p + 4 * half);
        const __m256d wr = _mm256_movedup_pd(tv), wi = _mm256_mul_pd(_mm256_permute_pd(tv, 0xF), sg);
        _mm256_storeu_pd(p + 4 * half, _mm256_add_pd(_mm256_mul_pd(pv, wr), _mm256_mul_pd(_mm256_permute_pd(pv, 0x5), wi)));
      }
    }
}
#endif

static void twist_lanes(double *buf, long w, long nv, const double *twist, long h, long r0, int inverse) {
#ifdef UCS_X86
  if (use_avx2_transposes()) {
    twist_lanes_avx2(buf, w, nv, twist, h, r0, inverse);
    return;
  }
#endif
  twist_lanes_vec(buf, w, nv, twist, h, r0, inverse);
}

static void *alloc64(size_t bytes) {
  void *p = NULL;
  return posix_memalign(&p, 64, bytes ? bytes : 64) == 0 ? p : NULL;
}

/*
 * Per-thread work buffers, grown on demand and kept: a fresh malloc of a few hundred KB per
 * call is mmap'ed and page-faulted anew (or touches new heap pages), which cost more than the
 * transform itself. Slot 0: the passes' lanes buffers; slot 1: callers' line buffers (one level
 * up: ucs_fft_nd's 1D output, the DCT's work). Freed by ucs_fft_release_thread_buffers.
 */
static __thread double *tl_buf[2];
static __thread size_t tl_cap[2];

double *ucs_fft_thread_buffer(int slot, size_t doubles) {
  if (tl_cap[slot] < doubles) {
    free(tl_buf[slot]);
    tl_buf[slot] = alloc64(sizeof(double) * doubles);
    tl_cap[slot] = tl_buf[slot] ? doubles : 0;
  }
  return tl_buf[slot];
}

void ucs_fft_release_thread_buffers(void) {
  for (int i = 0; i < 2; i++) free(tl_buf[i]), tl_buf[i] = NULL, tl_cap[i] = 0;
}

static void pass_cols(void *arg, int part, int parts) {
  FftPass *ps = arg;
  const long h = ps->h, w = ps->w, nv = NV_COLS, lanes = 4 * nv;
  const long strips = (w + lanes - 1) / lanes;
  double *buf = ucs_fft_thread_buffer(0, (size_t)(3 * h * 8 * nv));
  if (!buf) {
    ps->failed = 1;
    return;
  }
  double *a = buf, *b = buf + h * 8 * nv, *tmp = buf + 2 * h * 8 * nv;
  long lo, hi;
  part_range(strips, part, parts, 1, &lo, &hi);
  for (long sI = lo; sI < hi; sI++) {
    const long c0 = sI * lanes;
    double *base = ps->src + 2 * c0;
    if (c0 + lanes <= w) {
      lanes_fft(ps->ph, base, 2 * w, base, 2 * w, nv, a, b, ps->inverse, 1.0);
    } else {
      /* the last, partial strip: through a zero-padded copy */
      const long cols = w - c0;
      memset(tmp, 0, sizeof(double) * (size_t)(h * 8 * nv));
      for (long r = 0; r < h; r++) memcpy(tmp + r * 8 * nv, base + 2 * r * w, sizeof(double) * (size_t)(2 * cols));
      lanes_fft(ps->ph, tmp, 8 * nv, tmp, 8 * nv, nv, a, b, ps->inverse, 1.0);
      for (long r = 0; r < h; r++) {
        double *d = base + 2 * r * w;
        memcpy(d, tmp + r * 8 * nv, sizeof(double) * (size_t)(2 * cols));
      }
    }
  }
}

static void pass_rows(void *arg, int part, int parts) {
  FftPass *ps = arg;
  const long h = ps->h, w = ps->w, nv = NV_ROWS, lanes = 4 * nv;
  const long blocks = (h + lanes - 1) / lanes;
  double *buf = ucs_fft_thread_buffer(0, (size_t)(3 * w * 8 * nv));
  if (!buf) {
    ps->failed = 1;
    return;
  }
  double *a = buf, *b = buf + w * 8 * nv, *in = buf + 2 * w * 8 * nv;
  long lo, hi;
  part_range(blocks, part, parts, 1, &lo, &hi);
  for (long bI = lo; bI < hi; bI++) {
    const long r0 = bI * lanes, valid = h - r0 < lanes ? h - r0 : lanes;
    rows_to_lanes(ps->src + 2 * r0 * w, w, w, nv, valid, in);
    if (ps->twist) twist_lanes(in, w, nv, ps->twist, h, r0, ps->inverse); /* four_step: h a multiple of the lanes */
    if (ps->transposed && valid == lanes) {
      /* element k of every lane straight to dst[k][r0..r0 + lanes) */
      lanes_fft(ps->pw, in, 8 * nv, ps->dst + 2 * r0, 2 * h, nv, a, b, ps->inverse, ps->scale);
    } else {
      lanes_fft(ps->pw, in, 8 * nv, in, 8 * nv, nv, a, b, ps->inverse, ps->scale);
      if (ps->transposed) {
        for (long k = 0; k < w; k++) memcpy(ps->dst + 2 * (k * h + r0), in + k * 8 * nv, sizeof(double) * (size_t)(2 * valid));
      } else {
        lanes_to_rows(in, w, nv, valid, ps->src + 2 * r0 * w, w);
      }
    }
  }
}

/*
 * Orthonormal 2D transform of src [h][w] (destroyed when transposed). transposed: the result
 * goes to dst as [w][h]; else back into src. twist: the four-step twiddles between the passes
 * (a 1D transform of length h w, result in dst in natural order). 0 when out of memory.
 */
int ucs_fft2_fast(double *src, double *dst, long h, long w, int inverse, int transposed, const double *twist, double scale, int threads) {
  FftPass ps = {src, dst, h, w, inverse, transposed, scale, twist, ucs_fast_plan(h), ucs_fast_plan(w), 0};
  if (!ps.ph || !ps.pw) return 0;
  const int t = h * w >= 4096 ? threads : 1;
  if (h > 1 || twist) run_parts(pass_cols, &ps, t);
  if (ps.failed) return 0;
  run_parts(pass_rows, &ps, t);
  return !ps.failed;
}

/* Whether every prime factor of n is small enough for the fast kernel. */
int ucs_fast_size(long n) {
  int radix[MAX_STAGES];
  return n == 1 || fast_factor(n, radix) > 0;
}

/* ---- 1D by four steps */

typedef struct {
  long n, n1, n2;
  double *twist; /* w_n^(k1 j2) stored [j2][k1] */
} FourStep;

enum { MAX_FOUR = 32 };
static FourStep four[MAX_FOUR];
static int nfour;

/* The split n = n1 n2 with n1 the largest divisor <= sqrt(n) that is a multiple of the row block. */
static const FourStep *four_step(long n) {
  pthread_mutex_lock(&fast_lock);
  for (int i = 0; i < nfour; i++)
    if (four[i].n == n) {
      pthread_mutex_unlock(&fast_lock);
      return &four[i];
    }
  pthread_mutex_unlock(&fast_lock);
  long n1 = 0;
  for (long d = 1; d * d <= n; d++)
    if (n % d == 0 && d % (4 * NV_ROWS) == 0) n1 = d; /* whole blocks of rows in pass_rows (twist_lanes) */
  if (n1 == 0 || !ucs_fast_size(n)) return NULL;
  const long n2 = n / n1;
  double *tw = alloc64(sizeof(double) * (size_t)(2 * n));
  if (!tw) return NULL;
  for (long k1 = 0; k1 < n1; k1++)
    for (long j2 = 0; j2 < n2; j2++) {
      const double a = -2 * PI * (double)((k1 * j2) % n) / (double)n;
      tw[2 * (j2 * n1 + k1)] = cos(a);
      tw[2 * (j2 * n1 + k1) + 1] = sin(a);
    }
  pthread_mutex_lock(&fast_lock);
  const FourStep *r = NULL;
  for (int i = 0; i < nfour; i++)
    if (four[i].n == n) r = &four[i];
  if (!r && nfour < MAX_FOUR) {
    four[nfour] = (FourStep){n, n1, n2, tw};
    r = &four[nfour++];
  } else {
    free(tw);
  }
  pthread_mutex_unlock(&fast_lock);
  return r; /* NULL past MAX_FOUR sizes: the caller falls back */
}

/* 1D transform of x (length n, destroyed) into out, scaled by `scale`; 0 when not applicable. */
int ucs_fft1_fast(double *x, double *out, long n, int inverse, double scale, int threads) {
  if (n < 256) return 0;
  const FourStep *f = four_step(n);
  if (!f) return 0;
  return ucs_fft2_fast(x, out, f->n1, f->n2, inverse, 1, f->twist, scale, threads);
}

/* ---- the Fourier operators' whole apply: placement, transform, sampling in one call */

/*
 * buf[inMap[i]] = in[i] (buf zeroed first when zero_fill), the orthonormal transform of buf
 * (any shape, ucs_fft_nd), then out[k] = buf[outMap[k]]. Real in: imaginary parts 0; real out:
 * real parts only. Returns 0 when out of memory, -1 when a map entry is outside [0, total).
 */
/*
 * buf[map[i]] = in[i] (complex values; real ones with imaginary part 0) run by run: a run is a
 * stretch of consecutive map entries (a centred operator's placement is two runs per image row,
 * a Cartesian mask's samples whole lines), copied with memcpy; each run is range-checked at its
 * ends. -1 when an entry is outside [0, total).
 */
static int scatter_runs(double *buf, long total, const double *in, const int32_t *map, long n, int real) {
  for (long i = 0; i < n;) {
    const long d0 = map[i];
    long j = i + 1;
    while (j < n && map[j] == d0 + (j - i)) j++;
    const long len = j - i;
    if (d0 < 0 || d0 + len > total) return -1;
    if (real) {
      double *b = buf + 2 * d0;
      const double *x = in + i;
      for (long k = 0; k < len; k++) b[2 * k] = x[k], b[2 * k + 1] = 0;
    } else if (len == 1) { /* random samples: no call per value */
      buf[2 * d0] = in[2 * i], buf[2 * d0 + 1] = in[2 * i + 1];
    } else {
      memcpy(buf + 2 * d0, in + 2 * i, sizeof(double) * 2 * (size_t)len);
    }
    i = j;
  }
  return 0;
}

/* out[k] = buf[map[k]] (complex, or the real parts), run by run as scatter_runs. */
static int gather_runs(double *out, const double *buf, long total, const int32_t *map, long n, int real) {
  for (long k = 0; k < n;) {
    const long s0 = map[k];
    long j = k + 1;
    while (j < n && map[j] == s0 + (j - k)) j++;
    const long len = j - k;
    if (s0 < 0 || s0 + len > total) return -1;
    if (real) {
      const double *b = buf + 2 * s0;
      double *y = out + k;
      for (long t = 0; t < len; t++) y[t] = b[2 * t];
    } else if (len == 1) {
      out[2 * k] = buf[2 * s0], out[2 * k + 1] = buf[2 * s0 + 1];
    } else {
      memcpy(out + 2 * k, buf + 2 * s0, sizeof(double) * 2 * (size_t)len);
    }
    k = j;
  }
  return 0;
}

int ucs_fft_mapped(double *buf, const long *shape, int ndim, int inverse, int threads, const double *in, const int32_t *inMap, long nin, int realIn, double *out,
                   const int32_t *outMap, long nout, int realOut, int zero_fill) {
  long total = 1;
  for (int i = 0; i < ndim; i++) total *= shape[i];
  if (zero_fill) memset(buf, 0, sizeof(double) * 2 * (size_t)total);
  if (scatter_runs(buf, total, in, inMap, nin, realIn)) return -1;
  if (!ucs_fft_nd(buf, shape, ndim, inverse, threads)) return 0;
  return gather_runs(out, buf, total, outMap, nout, realOut) ? -1 : 1;
}

/* ---- the DCT's reorderings and twiddles around its half-length FFT (fft.c), vectorised */

/* DCT-II reorder of real x (n even) into the complex line z of length n/2 read as doubles:
 * zr[k] = x[2k], zr[n-1-k] = x[2k+1], k < n/2. */
UCS_CLONES static void dct2_reorder_vec(const double *x, double *zr, long n) {
  const long h = n / 2;
  long k = 0;
  for (; k + 8 <= h; k += 8) {
    const v8d a = ld(x + 2 * k), b = ld(x + 2 * k + 8);
    st(zr + k, __builtin_shuffle(a, b, (v8i){0, 2, 4, 6, 8, 10, 12, 14}));
    /* zr[n-1-k-t] = x[2(k+t)+1]: element u = 7 - t of zr + n - 8 - k */
    st(zr + n - 8 - k, __builtin_shuffle(a, b, (v8i){15, 13, 11, 9, 7, 5, 3, 1}));
  }
  for (; k < h; k++) zr[k] = x[2 * k], zr[n - 1 - k] = x[2 * k + 1];
}

#ifdef UCS_X86
/* The same on AVX2's permutes (the 64-byte shuffles above compile to scalar moves there). */
__attribute__((target("avx2"))) static void dct2_reorder_avx2(const double *x, double *zr, long n) {
  const long h = n / 2;
  long k = 0;
  for (; k + 4 <= h; k += 4) {
    const __m256d a = _mm256_loadu_pd(x + 2 * k), b = _mm256_loadu_pd(x + 2 * k + 4);
    /* unpacklo: x[2k], x[2k+4], x[2k+2], x[2k+6]; unpackhi: the odd ones alike */
    _mm256_storeu_pd(zr + k, _mm256_permute4x64_pd(_mm256_unpacklo_pd(a, b), 0xD8));
    /* zr[n-1-k-t] = x[2(k+t)+1]: element 3 - t of zr + n - 4 - k */
    _mm256_storeu_pd(zr + n - 4 - k, _mm256_permute4x64_pd(_mm256_unpackhi_pd(a, b), 0x27));
  }
  for (; k < h; k++) zr[k] = x[2 * k], zr[n - 1 - k] = x[2 * k + 1];
}
#endif

void ucs_dct2_reorder(const double *x, double *zr, long n) {
#ifdef UCS_X86
  if (use_avx2_transposes()) {
    dct2_reorder_avx2(x, zr, n);
    return;
  }
#endif
  dct2_reorder_vec(x, zr, n);
}

/* a (w) per lane, w interleaved (re, im) per lane: lane-varying complex product */
#define CMUL_LANES(a, w)                                                                                         \
  __extension__({                                                                                                \
    const v8d a_ = (a), w_ = (w);                                                                                \
    a_ * __builtin_shuffle(w_, (v8i){0, 0, 2, 2, 4, 4, 6, 6}) +                                                  \
        swp(a_) * __builtin_shuffle(w_, (v8i){1, 1, 3, 3, 5, 5, 7, 7}) * (v8d){-1, 1, -1, 1, -1, 1, -1, 1};      \
  })

/*
 * DCT-II outputs 1 .. h-1 (h = n/2) from the half-length FFT z (h + 1 complex, z[h] = z[0]):
 * V_k = E_k + W^k O_k with E_k = (Z_k + conj Z_(h-k)) / 2, O_k = (Z_k - conj Z_(h-k)) / 2i,
 * q = rot_k V_k, x[k] = s Re q, x[n-k] = -s Im q. wk, rot: interleaved, h + 1 values each.
 */
UCS_CLONES void ucs_dct2_post(const double *z, const double *wk, const double *rot, double *x, long n, double s) {
  const long h = n / 2;
  const v8d half = splat(0.5), S = splat(s), conjm = (v8d){1, -1, 1, -1, 1, -1, 1, -1};
  long k = 1;
  for (; k + 8 <= h; k += 8) {
    const v8d hi = ld(z + 2 * (h - k - 3)), lo = ld(z + 2 * (h - k - 7));
    const v8d A[2] = {ld(z + 2 * k), ld(z + 2 * k + 8)};
    /* conj Z_(h-k-m), m = 0..3 and 4..7: the four complex values of hi / lo reversed */
    const v8d B[2] = {__builtin_shuffle(hi, (v8i){6, 7, 4, 5, 2, 3, 0, 1}) * conjm, __builtin_shuffle(lo, (v8i){6, 7, 4, 5, 2, 3, 0, 1}) * conjm};
    v8d q[2];
    for (int c = 0; c < 2; c++) {
      const v8d e = (A[c] + B[c]) * half, o = swp(A[c] - B[c]) * conjm * half; /* -i (a - b) / 2 */
      const v8d u = e + CMUL_LANES(o, ld(wk + 2 * (k + 4 * c)));
      q[c] = CMUL_LANES(u, ld(rot + 2 * (k + 4 * c)));
    }
    st(x + k, S * __builtin_shuffle(q[0], q[1], (v8i){0, 2, 4, 6, 8, 10, 12, 14}));
    /* x[n-k-t] = -s Im q_(k+t): element u = 7 - t of x + n - k - 7 */
    st(x + n - k - 7, -S * __builtin_shuffle(q[0], q[1], (v8i){15, 13, 11, 9, 7, 5, 3, 1}));
  }
  for (; k < h; k++) {
    const double ar = z[2 * k], ai = z[2 * k + 1], br = z[2 * (h - k)], bi = -z[2 * (h - k) + 1];
    const double er = 0.5 * (ar + br), ei = 0.5 * (ai + bi), or_ = 0.5 * (ai - bi), oi = -0.5 * (ar - br);
    const double wr = wk[2 * k], wi = wk[2 * k + 1], rr = rot[2 * k], ri = rot[2 * k + 1];
    const double ur = er + (or_ * wr - oi * wi), ui = ei + (or_ * wi + oi * wr);
    x[k] = s * (ur * rr - ui * ri);
    x[n - k] = -s * (ur * ri + ui * rr);
  }
}

/*
 * DCT-III last step: the inverse half-length FFT came out as conj(z) h (z already scaled by
 * 1/h in the transform): v = the doubles of z, odd entries negated; x[2k] = v[k],
 * x[2k+1] = v[n-1-k], k < h.
 */
UCS_CLONES static void dct3_post_vec(const double *zd, double *x, long n) {
  const long h = n / 2;
  const v8d sgn = (v8d){1, -1, 1, -1, 1, -1, 1, -1};
  long k = 0;
  for (; k + 8 <= h; k += 8) { /* k even: v[k + t] has sign (-1)^t, v[n-1-k-t] sign -(-1)^t */
    const v8d P = ld(zd + k) * sgn;
    const v8d Q = __builtin_shuffle(ld(zd + n - 8 - k), (v8i){7, 6, 5, 4, 3, 2, 1, 0}) * -sgn;
    st(x + 2 * k, __builtin_shuffle(P, Q, (v8i){0, 8, 1, 9, 2, 10, 3, 11}));
    st(x + 2 * k + 8, __builtin_shuffle(P, Q, (v8i){4, 12, 5, 13, 6, 14, 7, 15}));
  }
  for (; k < h; k++) {
    const long t = n - 1 - k;
    x[2 * k] = (k % 2 ? -1 : 1) * zd[k];
    x[2 * k + 1] = (t % 2 ? -1 : 1) * zd[t];
  }
}

#ifdef UCS_X86
/* The same on AVX2's permutes (see dct2_reorder_avx2). */
__attribute__((target("avx2"))) static void dct3_post_avx2(const double *zd, double *x, long n) {
  const long h = n / 2;
  const __m256d sgn = _mm256_setr_pd(1, -1, 1, -1), nsgn = _mm256_setr_pd(-1, 1, -1, 1);
  long k = 0;
  for (; k + 4 <= h; k += 4) { /* k even: v[k + t] has sign (-1)^t, v[n-1-k-t] sign -(-1)^t */
    const __m256d P = _mm256_mul_pd(_mm256_loadu_pd(zd + k), sgn);
    const __m256d Q = _mm256_mul_pd(_mm256_permute4x64_pd(_mm256_loadu_pd(zd + n - 4 - k), 0x1B), nsgn);
    const __m256d lo = _mm256_unpacklo_pd(P, Q), hi = _mm256_unpackhi_pd(P, Q); /* P0 Q0 P2 Q2, P1 Q1 P3 Q3 */
    _mm256_storeu_pd(x + 2 * k, _mm256_permute2f128_pd(lo, hi, 0x20));
    _mm256_storeu_pd(x + 2 * k + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
  }
  for (; k < h; k++) {
    const long t = n - 1 - k;
    x[2 * k] = (k % 2 ? -1 : 1) * zd[k];
    x[2 * k + 1] = (t % 2 ? -1 : 1) * zd[t];
  }
}
#endif

void ucs_dct3_post(const double *zd, double *x, long n) {
#ifdef UCS_X86
  if (use_avx2_transposes()) {
    dct3_post_avx2(zd, x, n);
    return;
  }
#endif
  dct3_post_vec(zd, x, n);
}

/*
 * DCT-III first step (n even, h = n/2): V_k = conj(rot_k) (u C_k - i u C_(n-k)) (V_0 = u0 C_0),
 * then Z_k = conj(E_k + i O_k), E_k = (V_k + conj V_(h-k)) / 2, O_k = conj(W^k) (V_k - conj
 * V_(h-k)) / 2, k < h, into z (h complex). V_k and V_(h-k) are formed on the fly from
 * x[k], x[n-k], x[h-k], x[h+k] (no V buffer).
 */
UCS_CLONES void ucs_dct3_pre(const double *x, const double *wk, const double *rot, double *z, long n, double u0, double u) {
  const long h = n / 2;
  const v8d half = splat(0.5), conjm = (v8d){1, -1, 1, -1, 1, -1, 1, -1}, U = splat(u) * conjm;
  const v8i rev4 = (v8i){6, 7, 4, 5, 2, 3, 0, 1};
  long k = 1;
  for (; k + 8 <= h; k += 8) {
    const v8d xa = ld(x + k), xb = ld(x + n - k - 7), ya = ld(x + h - k - 7), yb = ld(x + h + k);
    /* (u C_k, -u C_(n-k)) and (u C_(h-k), -u C_(h+k)), k .. k + 3 and k + 4 .. k + 7 */
    const v8d X1[2] = {__builtin_shuffle(xa, xb, (v8i){0, 15, 1, 14, 2, 13, 3, 12}) * U, __builtin_shuffle(xa, xb, (v8i){4, 11, 5, 10, 6, 9, 7, 8}) * U};
    const v8d X2[2] = {__builtin_shuffle(ya, yb, (v8i){7, 8, 6, 9, 5, 10, 4, 11}) * U, __builtin_shuffle(ya, yb, (v8i){3, 12, 2, 13, 1, 14, 0, 15}) * U};
    const v8d Rb[2] = {__builtin_shuffle(ld(rot + 2 * (h - k - 3)), rev4) * conjm, __builtin_shuffle(ld(rot + 2 * (h - k - 7)), rev4) * conjm};
    for (int c = 0; c < 2; c++) {
      const v8d a = CMUL_LANES(X1[c], ld(rot + 2 * (k + 4 * c)) * conjm);
      const v8d b = CMUL_LANES(X2[c], Rb[c]) * conjm; /* conj V_(h-k) */
      const v8d e = (a + b) * half;
      const v8d o = CMUL_LANES((a - b) * half, ld(wk + 2 * (k + 4 * c)) * conjm);
      st(z + 2 * (k + 4 * c), (e + swp(o) * -conjm) * conjm); /* conj(e + i o) */
    }
  }
  /* k = 0 (V_0 real, V_h from C_h alone) and the tail, in scalars */
  for (long j = 0; j < h; j = j == 0 ? k : j + 1) {
    double ar, ai, br, bi;
    if (j == 0) {
      ar = u0 * x[0], ai = 0;
    } else {
      const double cr = u * x[j], ci = -u * x[n - j];
      ar = rot[2 * j] * cr + rot[2 * j + 1] * ci, ai = rot[2 * j] * ci - rot[2 * j + 1] * cr;
    }
    const long m = h - j;
    const double cr = u * x[m], ci = -u * x[n - m];
    br = rot[2 * m] * cr + rot[2 * m + 1] * ci, bi = -(rot[2 * m] * ci - rot[2 * m + 1] * cr);
    const double er = 0.5 * (ar + br), ei = 0.5 * (ai + bi), dr = 0.5 * (ar - br), di = 0.5 * (ai - bi);
    const double wr = wk[2 * j], wi = -wk[2 * j + 1];
    const double or_ = wr * dr - wi * di, oi = wr * di + wi * dr;
    z[2 * j] = er - oi;
    z[2 * j + 1] = -(ei + or_);
  }
}
