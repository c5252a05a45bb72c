import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions, toFloat64, type NumericArray } from '../core/validate.js';
import type { RecoveryResult } from './result.js';

/**
 * Options of bestLambda: the solver to run for each weight, the weight grid and the ground truth
 * (an oracle).
 */
export interface BestLambdaOptions<R extends RecoveryResult<unknown>> {
  /** Solves at one weight; `previous` (the last grid point's result) allows warm starts. */
  solve: (lambda: number, previous: R | null) => R;
  /** The ground truth. This makes the search an ORACLE: for benchmarks only, never for real data. */
  reference: NumericArray;
  /** Weights to try, e.g. logGrid(1e-4, 1e-1, 13); solved in the given order. */
  grid: readonly number[];
}

/** What bestLambda found: the best weight, its result and the error at every weight tried. */
export interface BestLambdaResult<R> {
  /** The oracle weight: least squared error against the reference on the grid. */
  lambda: number;
  result: R;
  /** Squared error ||x - reference||^2 / n at each grid point. */
  errors: number[];
  grid: number[];
}

/**
 * ORACLE regularisation for fair benchmarks: runs `solve` over a grid of weights and keeps the
 * one closest to the reference. A comparison of methods "at their best" tunes every side this
 * way (or every side by its own data-driven rule); it must never be used where the truth is
 * unknown. Works for any method, e.g. (lambda) => tv({ ..., lambda }).
 */
export function bestLambda<R extends RecoveryResult<unknown>>(options: BestLambdaOptions<R>): BestLambdaResult<R> {
  const fn = 'bestLambda';
  checkOptions(fn, options, ['solve', 'reference', 'grid']);
  if (typeof options.solve !== 'function') throw new InvalidArgumentError(fn, 'solve', 'a function (lambda, previous) => result', options.solve);
  const ref = toFloat64(fn, 'reference', options.reference);
  if (!Array.isArray(options.grid) || options.grid.length === 0 || !options.grid.every((v) => typeof v === 'number' && v >= 0 && Number.isFinite(v))) {
    throw new InvalidArgumentError(fn, 'grid', 'a non-empty array of weights >= 0', options.grid);
  }
  const errors: number[] = [];
  let best: { lambda: number; result: R; error: number } | null = null;
  let previous: R | null = null;
  for (const lambda of options.grid) {
    const r = options.solve(lambda, previous);
    if (r.x.length !== ref.length) throw new InvalidArgumentError(fn, 'reference', `length ${r.x.length} (the solution's)`, ref.length);
    let e = 0;
    for (let i = 0; i < ref.length; i++) e += (r.x[i]! - ref[i]!) ** 2;
    e /= ref.length;
    errors.push(e);
    if (!best || e < best.error) best = { lambda, result: r, error: e };
    previous = r;
  }
  return { lambda: best!.lambda, result: best!.result, errors, grid: options.grid.slice() };
}

/** `count` weights spaced evenly in log from `hi` down to `lo` (large to small: warm starts). */
export function logGrid(lo: number, hi: number, count: number): number[] {
  if (!(lo > 0 && hi >= lo && Number.isInteger(count) && count >= 1)) throw new InvalidArgumentError('logGrid', 'lo, hi, count', '0 < lo <= hi and an integer count >= 1', [lo, hi, count]);
  if (count === 1) return [hi];
  return Array.from({ length: count }, (_, i) => hi * (lo / hi) ** (i / (count - 1)));
}
