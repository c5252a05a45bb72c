import type { Seed } from '../core/rng.js';

/** Why a solver stopped; numerical trouble is a stop reason too (diverged), never an exception. */
export type StopReason =
  | 'max-iterations'
  | 'converged'
  | 'early-stopped'
  | 'diverged'
  | 'aborted'
  | 'exact'
  | 'residual-tolerance';

/**
 * Per-iteration records. Each field has one meaning for every method:
 * - loss: the value of the objective the method minimises, at the current iterate
 *   (Lasso 1/2||A W^T c - y||^2 + lambda ||c||_1; TV 1/2||Ax - y||^2 + lambda TV(x); least
 *   squares ||Ax - y||^2 + tikhonov ||x||^2; OMP ||y - A x_S||^2; GP the conjugate-gradient
 *   quadratic 1/2 a^T M a - b^T a; generators (1/m_train)||A G(theta) - y||^2 on the training set).
 * - change: relative change of the iterate, ||x_k - x_k-1|| / ||x_k||.
 * - averageChange: relative change of an averaged estimate where the iterates themselves keep
 *   moving (random-shift Lasso: the mean of an epoch against the previous epoch's mean); NaN at
 *   iterations that end no epoch.
 * - gap: relative duality gap (P - D) / P (Lasso).
 * - decrease: TV's stopping measure, the relative fall of the best objective at the target weight
 *   over the last max(50, j/10) of its j iterations; Infinity before the window is full.
 * - optimality: relative residual of the optimality conditions (TV: max of the primal-dual
 *   residuals; least squares and GP: ||b - M a|| / ||b|| of the linear system solved by CG).
 * - lambda: the regularisation weight in force at that iteration (continuation).
 * - valLoss: mean squared misfit on held-out measurements; psnr: against a reference, for
 *   plots only; outputVariance: running variance of the generator outputs.
 * - refitLoss: the loss of the refit on all measurements (generators with hold-out refit), while
 *   loss, valLoss and psnr stay those of the held-out run that chose the iteration count.
 * - iteration: the iteration number of each entry when not every iteration is recorded.
 * - monitor: what a generator fit's onIterate returned at each iteration (a caller's own measure).
 */
export interface RecoveryHistory {
  loss: number[];
  change?: number[];
  averageChange?: number[];
  gap?: number[];
  decrease?: number[];
  optimality?: number[];
  lambda?: number[];
  psnr?: number[];
  valLoss?: number[];
  /** Running variance of the outputs (variance-based early stopping). */
  outputVariance?: number[];
  refitLoss?: number[];
  iteration?: number[];
  monitor?: number[];
}

/** The one result record every solver returns; `info` is typed per method. */
export interface RecoveryResult<I = Record<string, unknown>> {
  method: string;
  x: Float64Array;
  shape: number[];
  iterations: number;
  stopReason: StopReason;
  bestIteration: number;
  history: RecoveryHistory;
  timeMs: number;
  seed: Seed | null;
  options: Record<string, unknown>;
  /** Per-entry posterior variance, when the method samples (SGLD, GP). */
  variance?: Float64Array;
  /** Method diagnostics (e.g. the regularisation weight chosen); typed per method. */
  info?: I;
}

function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>, finite);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'number') return finite(value);
  if (typeof value === 'function') return undefined;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Operators, generators, signals and callbacks are not data: record their name at most.
      if (v && typeof v === 'object' && 'forward' in (v as object)) {
        out[k] = (v as { name?: string }).name ?? '[object]';
        continue;
      }
      if (v instanceof AbortSignal) continue;
      const p = plain(v);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return value;
}

/** JSON has no NaN/Infinity: they become strings so nothing is silently lost. */
function finite(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** The JSON-serialisable form of a result (typed arrays to arrays, non-finite numbers to strings). */
export function resultToJSON(result: RecoveryResult<unknown>): Record<string, unknown> {
  return plain(result) as Record<string, unknown>;
}
