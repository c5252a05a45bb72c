import { InvalidArgumentError } from '../core/errors.js';
import { checkInteger, checkNumber, checkOptions, type NumericArray } from '../core/validate.js';
import { dot, norm2 } from '../core/vector.js';
import { adjointOf, compose } from '../operators/algebra.js';
import type { LinearOperator } from '../operators/linearOperator.js';
import type { BasisName } from './bases/bases.js';
import { resolveBasis, solverInputs } from './common.js';
import { runIterations, type StopRule } from './driver.js';
import type { RecoveryResult, StopReason } from './result.js';

/** Options of omp: operator, measurements, basis, sparsity or residual tolerance. */
export interface OmpOptions {
  operator: LinearOperator;
  measurements: NumericArray;
  /** Orthonormal analysis operator W (the signal is sparse in W x) or a basis name; identity when absent. */
  basis?: BasisName | LinearOperator;
  /** Wavelet depth for a wavelet basis given by name (default: automatic). */
  waveletLevels?: number;
  /** Stop after this many atoms (default: m / 2). */
  sparsity?: number;
  /** Stop when ||r|| <= tolerance * ||y|| (default 1e-10). */
  tolerance?: number;
}

/** OMP details in a result: the support chosen, in order. */
export type OmpInfo = { support: number[] };

/**
 * Orthogonal matching pursuit: picks the column most correlated with the residual (one adjoint),
 * then re-fits all picked columns by least squares, kept as an incrementally updated QR factor
 * (modified Gram-Schmidt, re-orthogonalised). Columns are computed on demand (one forward each),
 * so any operator works. Real data only.
 */
export function omp(options: OmpOptions): RecoveryResult<OmpInfo> {
  const fn = 'omp';
  checkOptions(fn, options, ['operator', 'measurements', 'basis', 'waveletLevels', 'sparsity', 'tolerance']);
  const { A, y } = solverInputs(fn, options.operator, options.measurements);
  const W = resolveBasis(fn, options.basis, A, options.waveletLevels);
  if (W && W.inSize !== A.inSize) throw new InvalidArgumentError(fn, 'basis', 'a real basis of the operator input (OMP is real-valued)', W.name);
  const B = W ? compose(A, adjointOf(W)) : A;
  const m = y.length;
  const n = B.inSize;
  const k = checkInteger(fn, 'sparsity', options.sparsity ?? Math.max(1, Math.floor(m / 2)), 1, Math.min(m, n));
  const tol = checkNumber(fn, 'tolerance', options.tolerance ?? 1e-10, { min: 0 });
  const start = performance.now();
  const yNorm = norm2(y);
  const q: Float64Array[] = []; // orthonormal basis of the picked columns
  const rMat: number[][] = []; // upper-triangular R (column j has j+1 entries)
  const support: number[] = [];
  const picked = new Uint8Array(n);
  const r = new Float64Array(y);
  const e = new Float64Array(n);
  // One driver iteration = one atom added (linearly dependent candidates are skipped inside).
  const step = () => {
    for (;;) {
      const corr = B.applyAdjoint(r);
      let best = -1;
      let bestVal = -1;
      for (let j = 0; j < n; j++) {
        if (picked[j]) continue;
        const v = Math.abs(corr[j]!);
        if (v > bestVal) {
          bestVal = v;
          best = j;
        }
      }
      if (best < 0 || bestVal === 0) return { loss: dot(r, r), exhausted: 1, residual: norm2(r) / Math.max(yNorm, 1e-300) };
      e.fill(0);
      e[best] = 1;
      const col = B.apply(e);
      const v = new Float64Array(col);
      const coeffs: number[] = [];
      // Two passes of modified Gram-Schmidt keep Q orthonormal to machine precision.
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < q.length; j++) {
          const c = dot(q[j]!, v);
          coeffs[j] = (coeffs[j] ?? 0) + c;
          for (let i = 0; i < m; i++) v[i]! -= c * q[j]![i]!;
        }
      }
      const nv = norm2(v);
      picked[best] = 1;
      if (nv <= 1e-12 * norm2(col)) continue; // linearly dependent column: skip it
      for (let i = 0; i < m; i++) v[i]! /= nv;
      coeffs[q.length] = nv;
      q.push(v);
      rMat.push(coeffs);
      support.push(best);
      // r = y - Q Q^T y
      const proj = dot(v, r);
      for (let i = 0; i < m; i++) r[i]! -= proj * v[i]!;
      return { loss: dot(r, r), exhausted: 0, residual: norm2(r) / Math.max(yNorm, 1e-300) };
    }
  };
  const rules: StopRule[] = [
    { name: 'no column left', check: (st) => (st.measures.exhausted ? 'converged' : null) },
    { name: 'residual', check: (st) => (st.measures.residual! <= tol ? 'residual-tolerance' : null) },
  ];
  const run = norm2(r) <= tol * yNorm ? { iterations: 0, stopReason: 'residual-tolerance' as StopReason, history: { loss: [] } } : runIterations(step, { maxIterations: k, rules });
  // Reaching the requested sparsity is the normal end of OMP, not running out of budget.
  const stopReason: StopReason = run.stopReason === 'max-iterations' ? 'exact' : run.stopReason;
  const loss = (run.history as { loss?: number[] }).loss ?? [];
  // Back-substitution R a = Q^T y.
  const s = support.length;
  const qty = q.map((col) => dot(col, y));
  const a = new Float64Array(s);
  for (let i = s - 1; i >= 0; i--) {
    let acc = qty[i]!;
    for (let j = i + 1; j < s; j++) acc -= rMat[j]![i]! * a[j]!;
    a[i] = acc / rMat[i]![i]!;
  }
  const c = new Float64Array(n);
  support.forEach((j, i) => (c[j] = a[i]!));
  return {
    method: 'omp',
    x: W ? W.applyAdjoint(c) : c,
    shape: A.inShape.slice(),
    iterations: s,
    stopReason,
    bestIteration: s,
    history: { loss },
    timeMs: performance.now() - start,
    seed: null,
    options: { operator: A.name, basis: W?.name, sparsity: k, tolerance: tol },
    info: { support: support.slice().sort((x, z) => x - z) },
  };
}
