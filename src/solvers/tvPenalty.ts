import { tvDifferences, tvLayout, type TvDifferences } from './tvProx.js';

/*
 * A smoothed total-variation penalty on a generator's output, added to the data loss of a fit
 * (the TV-regularised DIP of Liu et al., "Image restoration using total variation regularized
 * deep image prior", ICASSP 2019). The network alone fits the measurements of compressive
 * sensing to near-interpolation and leaves the null space of the operator to its architecture;
 * the penalty picks, among outputs that explain the data, the one of least variation.
 */

/** The penalty weight * sum_p sqrt(|grad x|_p^2 + eps^2) (vectorial over channels), with its gradient. */
export interface SmoothedTv {
  /** Adds `scale` * d(penalty)/dx to `grad` and returns the penalty at x (before `scale`). */
  addGradient(x: Float64Array, grad: Float64Array, scale: number): number;
}

/**
 * The smoothed isotropic TV of signals of `shape` ([n], [h, w], [c, h, w] with channels penalised
 * jointly, or [h, w, 2] complex), weight `weight`, smoothing `smoothing` (in the signal's units:
 * differences well above it count by their magnitude, as in TV; below it, quadratically).
 */
export function smoothedTv(fn: string, shape: readonly number[], weight: number, smoothing: number): SmoothedTv {
  const D: TvDifferences = tvDifferences(tvLayout(fn, shape));
  const q = new Float64Array(D.gradSize);
  const d = new Float64Array(D.layout.comps * D.P);
  const eps2 = smoothing * smoothing;
  return {
    addGradient(x, grad, scale) {
      D.grad(x, q);
      let value = 0;
      for (let pix = 0; pix < D.P; pix++) {
        let a = eps2;
        for (let k = 0; k < D.groups; k++) a += q[k * D.P + pix]! ** 2;
        const norm = Math.sqrt(a);
        value += norm - smoothing;
        const w = 1 / norm;
        for (let k = 0; k < D.groups; k++) q[k * D.P + pix]! *= w;
      }
      // d/dx sum_p |(D x)_p| = D^T (D x / |D x|) = -div(q).
      D.div(q, d);
      const s = scale * weight;
      for (let i = 0; i < d.length; i++) grad[i]! -= s * d[i]!;
      return weight * value;
    },
  };
}
