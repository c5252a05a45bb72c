import { psnrValue, relativeErrorValue } from '../core/quality.js';
import type { LinearOperator } from '../operators/linearOperator.js';
import { logGrid } from '../solvers/bestLambda.js';
import { reconstructSync } from '../solvers/reconstruct.js';
import type { RecoveryResult } from '../solvers/result.js';
import { round } from './common.js';

export type BaselineName = 'lasso-db4' | 'lasso-dct' | 'tv' | 'l1-wavelet-cs';

export interface BaselineRun {
  result: RecoveryResult;
  /** The oracle weight (lambda for TV, lambda/lambda_max for Lasso). */
  weight: number;
  /** Every weight tried and its PSNR: the curve the oracle picked from. */
  path: { weight: number[]; psnr: number[] };
  /** The library's own rule (no weight given), for comparison with the oracle. */
  rule?: { psnr: number; weight: number | null };
}

/** Solves one baseline at weight w: TV's lambda, or Lasso's lambda as a fraction of lambda_max. */
function solver(name: BaselineName, A: LinearOperator, y: Float64Array, shape: number[], iterations: number, tolerance: number) {
  return (w: number | undefined): RecoveryResult => {
    if (name === 'tv') return reconstructSync({ method: 'tv', operator: A, measurements: y, shape, lambda: w, iterations, tolerance });
    const basis = name === 'lasso-dct' ? 'dct' : 'db4';
    const cycleSpinning = name === 'l1-wavelet-cs' ? 4 : undefined;
    return reconstructSync({ method: 'lasso', operator: A, measurements: y, shape, basis, lambdaRatio: w, iterations, tolerance, ...(cycleSpinning ? { cycleSpinning } : {}) });
  };
}

/**
 * A baseline at its best: the ORACLE weight (least error against the truth) on a half-decade grid,
 * refined to a quarter decade around the best, each solve converged to a tight tolerance. This
 * favours the baselines (no real method can pick the oracle weight), so an untrained prior that
 * matches them here would match them in practice. The library's own rule runs once for reference.
 */
export function baselineAtBest(name: BaselineName, A: LinearOperator, y: Float64Array, truth: Float64Array, shape: number[], o: { quick: boolean; withRule?: boolean }): BaselineRun {
  const iterations = o.quick ? 300 : 20000;
  const tolerance = o.quick ? 1e-4 : 1e-6;
  const solve = solver(name, A, y, shape, iterations, tolerance);
  // TV weights are absolute (our operators keep y at the scale of x); Lasso's relative to lambda_max.
  const [lo, hi] = name === 'tv' ? [1e-6, 1e-1] : [1e-6, 0.3];
  const tried = new Map<number, { result: RecoveryResult; mse: number }>();
  const evaluate = (w: number) => {
    const result = solve(w);
    let e = 0;
    for (let i = 0; i < truth.length; i++) e += (result.x[i]! - truth[i]!) ** 2;
    tried.set(w, { result, mse: e / truth.length });
  };
  const argmin = () => [...tried.entries()].reduce((a, b) => (b[1].mse < a[1].mse ? b : a));
  for (const w of o.quick ? logGrid(lo, hi, 4) : logGrid(lo, hi, 2 * Math.round(Math.log10(hi / lo)) + 1)) evaluate(w);
  if (!o.quick) {
    const w = argmin()[0];
    for (const r of [w * 10 ** 0.25, w / 10 ** 0.25]) evaluate(r);
  }
  const [weight, best] = argmin();
  const path = [...tried.entries()].sort((a, b) => a[0] - b[0]);
  const run: BaselineRun = { result: best.result, weight, path: { weight: path.map(([w]) => w), psnr: path.map(([, t]) => round(10 * Math.log10(1 / t.mse))) } };
  if (o.withRule) {
    const r = solve(undefined);
    const info = r.info as { lambda?: number } | undefined;
    run.rule = { psnr: round(psnrValue(r.x, truth)), weight: info?.lambda ?? null };
  }
  return run;
}

/** PSNR (data range 1) and relative error of a result. */
export function scores(x: ArrayLike<number>, truth: Float64Array): { psnr: number; relativeError: number } {
  return { psnr: round(psnrValue(x, truth)), relativeError: round(relativeErrorValue(x, truth), 5) };
}
