/*
 * The inner loop of tv()'s proximal map (src/solvers/tvProx.ts, tvProxJs): the fast gradient
 * projection of Beck & Teboulle (2009) on the dual of min 1/2 ||x - b||^2 + mu TV(x) (+ x >= 0).
 * In JavaScript the loop costs 20-45 ns per pixel per inner step, most of tv()'s time on a cheap
 * operator; here 6-8. Every entry is computed with the same operations in the same order as the
 * JavaScript (float64, never contracted into FMA: GCC's -std=c11 keeps contraction off, the pragma
 * below does for clang, which would fuse b + mu * d on arm64 or with FMA targets), so the two give
 * the same bits; test/tvProx.test.ts checks this on ten layouts.
 *
 * Layout (as tvProx.ts's tvDifferences()): h x w pixels (h = 1 in 1D), `comps` components that share
 * one TV, stored planar (component c at c P + pixel) or interleaved (pixel p at p comps + c, the
 * [h, w, 2] complex layout); the dual q holds nd comps planes of P entries, plane d comps + c.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Components (channels) up to which the dual step is fused with the gradient. */
#define MAX_FUSED_COMPS 4

/*
 * One component's differences. `ps` is the stride between pixels (1 planar, comps interleaved);
 * the callers pass a constant so each stride gets its own loop. Boundary pixels are peeled off
 * so the interior loops have no branch (and vectorise); each entry keeps the JavaScript's
 * expression, including its literal 0 terms (0 - a is +0 where -a would be -0).
 */
static inline __attribute__((always_inline)) void grad_comp(const double *restrict xb, long ps, long h, long w, int nd, double *restrict qx, double *restrict qy) {
  for (long r = 0; r < h; r++) {
    const double *x0 = xb + r * w * ps;
    double *gx = qx + r * w;
    for (long c = 0; c + 1 < w; c++) gx[c] = x0[(c + 1) * ps] - x0[c * ps];
    gx[w - 1] = 0;
    if (nd == 2) {
      double *gy = qy + r * w;
      if (r + 1 < h) {
        const double *x1 = x0 + w * ps;
        for (long c = 0; c < w; c++) gy[c] = x1[c * ps] - x0[c * ps];
      } else {
        for (long c = 0; c < w; c++) gy[c] = 0;
      }
    }
  }
}

static inline __attribute__((always_inline)) double clamp(double v, int nonNeg) { return nonNeg && v < 0 ? 0 : v; }

/* One component of out = b + mu div(q), projected on x >= 0 when nonNeg (div = -grad^T). */
static inline __attribute__((always_inline)) void primal_comp(const double *restrict bb, long ps, long h, long w, int nd, double mu, const double *restrict qx,
                                                              const double *restrict qy, int nonNeg, double *restrict ob) {
  for (long r = 0; r < h; r++) {
    const double *px = qx + r * w;
    const double *b0 = bb + r * w * ps;
    double *o0 = ob + r * w * ps;
    if (nd == 1 || h == 1) {
      /* no vertical term (2D with one row: the JavaScript adds (0 - 0), which is +0 and changes nothing) */
      if (w == 1) {
        o0[0] = clamp(b0[0] + mu * (nd == 2 ? (double)(0 - 0) + (0 - 0) : (double)(0 - 0)), nonNeg);
        continue;
      }
      o0[0] = clamp(b0[0] + mu * (nd == 2 ? (px[0] - 0) + (0 - 0) : px[0] - 0), nonNeg);
      for (long c = 1; c + 1 < w; c++) {
        const double d = nd == 2 ? (px[c] - px[c - 1]) + (0 - 0) : px[c] - px[c - 1];
        o0[c * ps] = clamp(b0[c * ps] + mu * d, nonNeg);
      }
      o0[(w - 1) * ps] = clamp(b0[(w - 1) * ps] + mu * (nd == 2 ? (0 - px[w - 2]) + (0 - 0) : 0 - px[w - 2]), nonNeg);
      continue;
    }
    const double *py = qy + r * w;
    const double *pu = r > 0 ? py - w : NULL;
    const int top = r == 0, bottom = r + 1 == h;
#define VERT(c) (bottom ? (top ? (double)(0 - 0) : 0 - pu[c]) : (top ? py[c] - 0 : py[c] - pu[c]))
    if (w == 1) {
      o0[0] = clamp(b0[0] + mu * ((double)(0 - 0) + VERT(0)), nonNeg);
      continue;
    }
    o0[0] = clamp(b0[0] + mu * ((px[0] - 0) + VERT(0)), nonNeg);
    if (!top && !bottom) {
      for (long c = 1; c + 1 < w; c++) o0[c * ps] = clamp(b0[c * ps] + mu * ((px[c] - px[c - 1]) + (py[c] - pu[c])), nonNeg);
    } else {
      for (long c = 1; c + 1 < w; c++) o0[c * ps] = clamp(b0[c * ps] + mu * ((px[c] - px[c - 1]) + VERT(c)), nonNeg);
    }
    o0[(w - 1) * ps] = clamp(b0[(w - 1) * ps] + mu * ((0 - px[w - 2]) + VERT(w - 1)), nonNeg);
#undef VERT
  }
}

typedef struct {
  long h, w, P;
  int nd, comps, interleaved;
} Layout;

static void grad(const Layout *L, const double *x, double *q) {
  for (int comp = 0; comp < L->comps; comp++) {
    double *qx = q + (long)comp * L->P;
    double *qy = L->nd == 2 ? q + (long)(L->comps + comp) * L->P : NULL;
    if (!L->interleaved) grad_comp(x + comp * L->P, 1, L->h, L->w, L->nd, qx, qy);
    else if (L->comps == 2) grad_comp(x + comp, 2, L->h, L->w, L->nd, qx, qy);
    else grad_comp(x + comp, L->comps, L->h, L->w, L->nd, qx, qy);
  }
}

static void primal(const Layout *L, const double *b, double mu, const double *q, int nonNeg, double *out) {
  for (int comp = 0; comp < L->comps; comp++) {
    const double *qx = q + (long)comp * L->P;
    const double *qy = L->nd == 2 ? q + (long)(L->comps + comp) * L->P : NULL;
    if (!L->interleaved) primal_comp(b + comp * L->P, 1, L->h, L->w, L->nd, mu, qx, qy, nonNeg, out + comp * L->P);
    else if (L->comps == 2) primal_comp(b + comp, 2, L->h, L->w, L->nd, mu, qx, qy, nonNeg, out + comp);
    else primal_comp(b + comp, L->comps, L->h, L->w, L->nd, mu, qx, qy, nonNeg, out + comp);
  }
}

/*
 * The dual step at pixels [p0, p1) of one row, with the gradient of `out` computed on the fly
 * (`right`, `down`: whether the pixels have a neighbour there; a missing one gives the
 * JavaScript's stored 0), its projection on the unit ball and the momentum. q is not written:
 * after every step it equals prev (the caller copies it once at the end). Fusing saves the
 * gradient array and the q writes (13 instead of 19 passes over P doubles per step).
 */
static inline __attribute__((always_inline)) void dual_step(long p0, long p1, int right, int down, const double *restrict out, long ps, long cs, long w, long P, int nd,
                                                            int comps, double step, double beta, double *restrict r, double *restrict prev) {
  for (long p = p0; p < p1; p++) {
    double v[2 * MAX_FUSED_COMPS];
    double s = 0;
    for (int d = 0; d < nd; d++) {
      for (int comp = 0; comp < comps; comp++) {
        const double *o = out + comp * cs + p * ps;
        const double gj = d == 0 ? (right ? o[ps] - o[0] : 0) : (down ? o[w * ps] - o[0] : 0);
        const double vj = r[(long)(d * comps + comp) * P + p] + step * gj;
        v[d * comps + comp] = vj;
        s += vj * vj;
      }
    }
    /* 1 / sqrt(1) is exactly 1, the JavaScript's factor inside the ball: a select, not a branch, so the loop vectorises */
    const double f = 1 / sqrt(s > 1 ? s : 1);
    for (int j = 0; j < nd * comps; j++) {
      const long i = (long)j * P + p;
      const double a = v[j] * f;
      r[i] = a + beta * (a - prev[i]);
      prev[i] = a;
    }
  }
}

/* dual_step for real 2D images (two groups), written out so that the pixel loop vectorises. */
static inline __attribute__((always_inline)) void dual_step_real2d(long p0, long p1, int right, int down, const double *restrict out, long w, double step, double beta,
                                                                   double *restrict r0, double *restrict r1, double *restrict prev0, double *restrict prev1) {
  for (long p = p0; p < p1; p++) {
    const double o = out[p];
    const double gx = right ? out[p + 1] - o : 0;
    const double gy = down ? out[p + w] - o : 0;
    const double v0 = r0[p] + step * gx;
    const double v1 = r1[p] + step * gy;
    const double s = v0 * v0 + v1 * v1;
    const double f = 1 / sqrt(s > 1 ? s : 1);
    const double a0 = v0 * f, a1 = v1 * f;
    r0[p] = a0 + beta * (a0 - prev0[p]);
    r1[p] = a1 + beta * (a1 - prev1[p]);
    prev0[p] = a0;
    prev1[p] = a1;
  }
}

static inline __attribute__((always_inline)) void dual_steps(long h, long w, int nd, int comps, long ps, long cs, const double *restrict out, double step, double beta,
                                                             double *restrict r, double *restrict prev) {
  const long P = h * w;
  if (nd == 2 && comps == 1 && ps == 1) {
    for (long row = 0; row < h; row++) {
      const int down = row + 1 < h;
      const long a = row * w, z = a + w - 1;
      if (down) dual_step_real2d(a, z, 1, 1, out, w, step, beta, r, r + P, prev, prev + P);
      else dual_step_real2d(a, z, 1, 0, out, w, step, beta, r, r + P, prev, prev + P);
      dual_step_real2d(z, z + 1, 0, down, out, w, step, beta, r, r + P, prev, prev + P);
    }
    return;
  }
  for (long row = 0; row < h; row++) {
    const int down = row + 1 < h;
    dual_step(row * w, row * w + w - 1, 1, down, out, ps, cs, w, P, nd, comps, step, beta, r, prev);
    dual_step(row * w + w - 1, row * w + w, 0, down, out, ps, cs, w, P, nd, comps, step, beta, r, prev);
  }
}

void ucs_tv_prox(const double *b, double mu, double *q, int inner, int nonNeg, double *out, double *r, double *prev, double *g, long h, long w, int nd, int comps,
                 int interleaved) {
  Layout L = {h, w, h * w, nd, comps, interleaved};
  const long P = L.P;
  const int groups = nd * comps;
  const long m = (long)groups * P;
  const double step = 1 / (4 * (double)nd * mu);
  for (long i = 0; i < m; i++) r[i] = prev[i] = q[i];
  double t = 1;
  for (int k = 0; k < inner; k++) {
    primal(&L, b, mu, r, nonNeg, out);
    const double tNext = (1 + sqrt(1 + 4 * t * t)) / 2;
    const double beta = (t - 1) / tNext;
    t = tNext;
    /* The layouts tv() meets most, each with constant strides: real images, complex images. */
    if (nd == 2 && comps == 1) dual_steps(h, w, 2, 1, 1, P, out, step, beta, r, prev);
    else if (nd == 2 && comps == 2 && interleaved) dual_steps(h, w, 2, 2, 2, 1, out, step, beta, r, prev);
    else if (nd == 1 && comps == 1) dual_steps(1, w, 1, 1, 1, P, out, step, beta, r, prev);
    else if (comps <= MAX_FUSED_COMPS) dual_steps(h, w, nd, comps, interleaved ? comps : 1, interleaved ? 1 : P, out, step, beta, r, prev);
    else {
      grad(&L, out, g);
      for (long pix = 0; pix < P; pix++) {
        double s = 0;
        for (int j = 0; j < groups; j++) {
          const long i = (long)j * P + pix;
          const double v = r[i] + step * g[i];
          q[i] = v;
          s += v * v;
        }
        if (s > 1) {
          const double f = 1 / sqrt(s);
          for (int j = 0; j < groups; j++) q[(long)j * P + pix] *= f;
        }
      }
      for (long i = 0; i < m; i++) {
        r[i] = q[i] + beta * (q[i] - prev[i]);
        prev[i] = q[i];
      }
    }
  }
  if (inner > 0) memcpy(q, prev, (size_t)m * sizeof *q);
  primal(&L, b, mu, q, nonNeg, out);
}
