import { checkInteger, checkNumber, checkOptions, type NumericArray } from '../core/validate.js';
import { allFinite, dot } from '../core/vector.js';
import type { LinearOperator } from '../operators/linearOperator.js';
import { solverInputs } from './common.js';
import { below, divergence, runIterations, type Progress } from './driver.js';
import type { RecoveryResult, StopReason } from './result.js';

/**
 * Options of leastSquares (CGLS): operator, measurements, Tikhonov weight, iterations and
 * tolerance.
 */
export interface LeastSquaresOptions {
  operator: LinearOperator;
  measurements: NumericArray;
  /** Tikhonov weight lambda in min ||Ax - y||^2 + lambda ||x||^2 (default 0). */
  tikhonov?: number;
  iterations?: number;
  /** Stop when ||A^T r - lambda x|| <= tolerance times its initial value (default 1e-10). */
  tolerance?: number;
  x0?: NumericArray;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * Least squares by conjugate gradients on the normal equations (CGLS, which never forms A^T A).
 * Started from zero it converges to the minimum-norm solution when m < n.
 */
export function leastSquares(options: LeastSquaresOptions): RecoveryResult {
  const fn = 'leastSquares';
  checkOptions(fn, options, ['operator', 'measurements', 'tikhonov', 'iterations', 'tolerance', 'x0', 'onProgress', 'signal']);
  const { A, y, x0 } = solverInputs(fn, options.operator, options.measurements, options.x0);
  const lambda = checkNumber(fn, 'tikhonov', options.tikhonov ?? 0, { min: 0 });
  const iterations = checkInteger(fn, 'iterations', options.iterations ?? 500, 1);
  const tol = checkNumber(fn, 'tolerance', options.tolerance ?? 1e-10, { min: 0 });
  const start = performance.now();
  const n = A.inSize;
  const x = x0 ?? new Float64Array(n);
  const r = new Float64Array(y);
  if (x0) {
    const ax = A.apply(x);
    for (let i = 0; i < r.length; i++) r[i]! -= ax[i]!;
  }
  const s = A.applyAdjoint(r);
  for (let i = 0; i < n; i++) s[i]! -= lambda * x[i]!;
  const p = new Float64Array(s);
  let gamma = dot(s, s);
  const gamma0 = Math.sqrt(Math.max(gamma, 1e-300));
  const objective = () => dot(r, r) + lambda * dot(x, x);
  const step = () => {
    const q = A.apply(p);
    const delta = dot(q, q) + lambda * dot(p, p);
    // delta = 0: the search direction is null (already optimal); negative or NaN: breakdown.
    if (!(delta > 0)) return { loss: delta === 0 ? objective() : NaN, optimality: delta === 0 ? 0 : NaN };
    const alpha = gamma / delta;
    for (let i = 0; i < n; i++) x[i]! += alpha * p[i]!;
    for (let i = 0; i < r.length; i++) r[i]! -= alpha * q[i]!;
    const sNew = A.applyAdjoint(r);
    for (let i = 0; i < n; i++) sNew[i]! -= lambda * x[i]!;
    const gammaNew = dot(sNew, sNew);
    const beta = gammaNew / gamma;
    for (let i = 0; i < n; i++) p[i] = sNew[i]! + beta * p[i]!;
    gamma = gammaNew;
    return { loss: allFinite(x) ? objective() : NaN, optimality: Math.sqrt(gamma) / gamma0 };
  };
  const converged = Math.sqrt(gamma) <= tol * gamma0 || gamma === 0;
  const run = converged
    ? { iterations: 0, stopReason: 'converged' as StopReason, history: { loss: [objective()], optimality: [0] } }
    : runIterations(step, { maxIterations: iterations, rules: [divergence('loss'), below('optimality', tol)], onProgress: options.onProgress, signal: options.signal });
  const it = run.iterations;
  const history = run.history as unknown as RecoveryResult['history'];
  return {
    method: 'least-squares',
    x,
    shape: A.inShape.slice(),
    iterations: it,
    stopReason: run.stopReason,
    bestIteration: it,
    history,
    timeMs: performance.now() - start,
    seed: null,
    options: { operator: A.name, tikhonov: lambda, iterations, tolerance: tol },
  };
}
