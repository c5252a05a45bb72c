import { Rng, type Seed } from '../core/rng.js';
import type { LinearOperator } from '../operators/linearOperator.js';

/** What reconstruct decided about a generator's output range, recorded in result.info. */
export interface OutputRangeDecision {
  /** [lo, hi] for a sigmoid output scaled to that range, or null for a linear output. */
  range: [number, number] | null;
  /** 'given' by the caller, or 'auto' from the measurements (see inferUnitRange). */
  rule: 'given' | 'auto';
  /** The estimated mean and mean square of the signal behind the measurements (auto only). */
  mean?: number;
  meanSquare?: number;
}

/**
 * Decides from the measurements alone whether the signal plausibly lies in [0, 1] (an image read
 * from a file) so that a generator may end in a sigmoid, which then acts as a box constraint. Any
 * x in [0, 1] has mean(x^2) <= mean(x), since x^2 <= x entrywise; a signal with negative entries
 * or of large variance breaks that inequality. Both moments are estimated through the operator:
 * mean(x) by projecting y on A 1, and mean(x^2) = ||y||^2 / tr(A^T A), the trace estimated with
 * Rademacher probes (exact in expectation for operators with A^T A ~ c I: Gaussian, structured
 * random, masks, identity). A necessary condition, so the sigmoid stays off whenever it fails.
 */
export function inferUnitRange(A: LinearOperator, y: Float64Array, seed: Seed, probes = 4): OutputRangeDecision {
  const moments = signalMoments(A, y, seed, probes);
  if (!moments) return { range: null, rule: 'auto' };
  const { mean, meanSquare } = moments;
  // Margins cover the estimates' spread (relative ~ sqrt(2 / m)); bright images sit near 0.8.
  const inUnit = mean >= -0.02 && mean <= 1.02 && meanSquare <= 1.05 * mean + 1e-12;
  return { range: inUnit ? [0, 1] : null, rule: 'auto', mean, meanSquare };
}

/**
 * The mean and mean square of the signal behind `y = A x`, from the measurements alone (see
 * inferUnitRange), or null when the operator gives nothing to estimate them with.
 */
export function signalMoments(A: LinearOperator, y: Float64Array, seed: Seed, probes = 4): { mean: number; meanSquare: number } | null {
  const n = A.inSize;
  const ones = new Float64Array(n).fill(1);
  const a1 = A.apply(ones);
  let a1y = 0;
  let a1a1 = 0;
  let yy = 0;
  for (let i = 0; i < y.length; i++) {
    a1y += a1[i]! * y[i]!;
    a1a1 += a1[i]! * a1[i]!;
    yy += y[i]! * y[i]!;
  }
  const rng = new Rng(seed).fork('output-range');
  let trace = 0;
  for (let p = 0; p < probes; p++) {
    const z = rng.signs(n);
    const az = A.apply(z);
    for (let i = 0; i < az.length; i++) trace += az[i]! * az[i]!;
  }
  trace /= probes;
  if (!(a1a1 > 0 && trace > 0)) return null;
  // E ||Ax||^2 = (tr(A^T A) / n) ||x||^2 when A^T A ~ c I, so mean(x^2) ~ ||y||^2 / tr(A^T A).
  return { mean: a1y / a1a1, meanSquare: yy / trace };
}
