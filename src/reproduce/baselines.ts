import { psnrValue, relativeErrorValue } from '../core/quality.js';
import type { LinearOperator } from '../operators/linearOperator.js';
import { basisByName } from '../solvers/bases/bases.js';
import { fista } from '../solvers/fista.js';
import { randomShiftLasso } from '../solvers/randomShiftLasso.js';
import { tv } from '../solvers/tv.js';
import type { RecoveryResult } from '../solvers/result.js';
import { round } from './common.js';

/** 'l1-wavelet-shift': db4 with a random shift of the wavelet grid per iteration (BART pics' l1-wavelet), for MRI. */
export type BaselineName = 'lasso-db4' | 'lasso-dct' | 'tv' | 'l1-wavelet-cs' | 'l1-wavelet-shift';

export interface BaselineRun {
  result: RecoveryResult;
  /** The oracle weight (lambda for TV, lambda/lambda_max for Lasso). */
  weight: number;
  /** Every weight tried and its PSNR: the curve the oracle picked from. */
  path: { weight: number[]; psnr: number[] };
  /** The library's own rule (no weight given), for comparison with the oracle. */
  rule?: { psnr: number; weight: number | null };
}

/** Solves one baseline at weight w (TV's lambda, or Lasso's lambda / lambda_max), warm-started from x0. */
function solver(name: BaselineName, A: LinearOperator, y: Float64Array, shape: number[], iterations: number, tolerance: number) {
  const basis = name === 'tv' || name === 'l1-wavelet-shift' ? null : basisByName(name === 'lasso-dct' ? 'dct' : 'db4', shape, undefined, 'reproduce', name === 'l1-wavelet-cs' ? 4 : undefined);
  // TV takes complex images (interleaved) as [h, w, 2]; the wavelet bases work on the real shape.
  const tvShape = shape.reduce((a, b) => a * b, 1) * 2 === A.inSize ? [...shape, 2] : shape;
  return (w: number | undefined, x0?: Float64Array): RecoveryResult => {
    // A warm start replaces the continuation from a large weight.
    const warm = x0 ? { x0, continuation: false } : {};
    if (name === 'tv') return tv({ operator: A, measurements: y, shape: tvShape, lambda: w, iterations, tolerance, ...warm });
    // Its iterates never settle (a new shift each step), so it stops on its own epoch-mean rule, not on `tolerance`.
    if (name === 'l1-wavelet-shift') return randomShiftLasso({ operator: A, measurements: y, shape, wavelet: 'db4', lambdaRatio: w, iterations, seed: 'reproduce', ...(x0 ? { x0 } : {}) });
    return fista({ operator: A, measurements: y, basis: basis!, lambdaRatio: w, iterations, tolerance, ...warm });
  };
}

/**
 * A baseline at its best: the ORACLE weight (least error against the truth), found on a log
 * scale: decades, then half a decade, then a quarter decade around the best so far (9 solves, each
 * warm-started from the nearest weight solved and converged to a relative change of 1e-5). The
 * oracle favours the baselines (no real method can choose it), so an untrained prior that matches
 * them here would match them in practice. The library's own rule runs once for reference.
 */
export function baselineAtBest(name: BaselineName, A: LinearOperator, y: Float64Array, truth: Float64Array, shape: number[], o: { quick: boolean; withRule?: boolean }): BaselineRun {
  const iterations = o.quick ? 300 : 10000;
  const tolerance = o.quick ? 1e-4 : 1e-5;
  const solve = solver(name, A, y, shape, iterations, tolerance);
  const tried = new Map<number, { result: RecoveryResult; mse: number }>();
  const evaluate = (w: number) => {
    if (tried.has(w)) return;
    // warm start from the solved weight nearest on the log scale
    let near: Float64Array | undefined;
    let gap = Infinity;
    for (const [v, t] of tried) if (Math.abs(Math.log(v / w)) < gap) [gap, near] = [Math.abs(Math.log(v / w)), t.result.x];
    const result = solve(w, near);
    let e = 0;
    for (let i = 0; i < truth.length; i++) e += (result.x[i]! - truth[i]!) ** 2;
    tried.set(w, { result, mse: e / truth.length });
  };
  const best = () => [...tried.entries()].reduce((a, b) => (b[1].mse < a[1].mse ? b : a));
  // large to small weights: each warm start is smoother than the next solution
  for (const w of o.quick ? [1e-1, 1e-3] : [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]) evaluate(w);
  if (!o.quick) {
    for (const step of [10 ** 0.5, 10 ** 0.25]) {
      const w = best()[0];
      evaluate(w * step);
      evaluate(w / step);
    }
  }
  const [weight, top] = best();
  const path = [...tried.entries()].sort((a, b) => a[0] - b[0]);
  const run: BaselineRun = { result: top.result, weight, path: { weight: path.map(([w]) => w), psnr: path.map(([, t]) => round(10 * Math.log10(1 / t.mse))) } };
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
