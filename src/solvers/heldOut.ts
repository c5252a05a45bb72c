import { Rng, type Seed } from '../core/rng.js';
import { defineOperator, type LinearOperator } from '../operators/linearOperator.js';

/**
 * A split of the measurements into a training and a validation part, as operators: the
 * regularisation rules fit on the training rows and score on the held-out rows, which needs no
 * noise level and no ground truth. Complex measurements (trailing dimension 2) keep their
 * (re, im) pairs together.
 */
export interface HeldOutSplit {
  train: LinearOperator;
  yTrain: Float64Array;
  validation: LinearOperator;
  yValidation: Float64Array;
  /** m / m_train: multiplies a weight fitted on the training rows for use on all rows. */
  scale: number;
}

function rows(A: LinearOperator, index: Int32Array, name: string): LinearOperator {
  const k = index.length;
  return defineOperator({
    name: `${name}(${A.name})`,
    inShape: A.inShape,
    outShape: [k],
    forward: (x) => {
      const ax = A.apply(x);
      const out = new Float64Array(k);
      for (let i = 0; i < k; i++) out[i] = ax[index[i]!]!;
      return out;
    },
    adjoint: (v) => {
      const full = new Float64Array(A.outSize);
      for (let i = 0; i < k; i++) full[index[i]!] = v[i]!;
      return A.applyAdjoint(full);
    },
  });
}

/**
 * Splits the measurements y = A x into a fitting part and a held-out part (a `fraction` of them,
 * seeded), each with its operator.
 */
export function heldOutSplit(A: LinearOperator, y: Float64Array, fraction: number, seed: Seed): HeldOutSplit {
  const pair = A.outShape.length > 1 && A.outShape[A.outShape.length - 1] === 2 ? 2 : 1;
  const groups = A.outSize / pair;
  const nVal = Math.min(groups - 1, Math.max(1, Math.round(fraction * groups)));
  const held = new Uint8Array(groups);
  for (const g of new Rng(seed).sample(groups, nVal)) held[g] = 1;
  const train: number[] = [];
  const val: number[] = [];
  for (let g = 0; g < groups; g++) for (let e = 0; e < pair; e++) (held[g] ? val : train).push(g * pair + e);
  const ti = Int32Array.from(train);
  const vi = Int32Array.from(val);
  return {
    train: rows(A, ti, 'train'),
    yTrain: Float64Array.from(ti, (i) => y[i]!),
    validation: rows(A, vi, 'validation'),
    yValidation: Float64Array.from(vi, (i) => y[i]!),
    scale: A.outSize / ti.length,
  };
}
