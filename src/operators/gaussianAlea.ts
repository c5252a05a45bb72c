import { Rng, type Seed } from '../core/rng.js';
import { defineOperator, type LinearOperator } from './linearOperator.js';

/**
 * The Gaussian matrix of untrained-cs 0.1 (`gaussian({generator: 'alea'})`): row i drawn by
 * Box-Muller from the seedrandom Alea stream fork(i) of the seed, float64, in JavaScript. Kept
 * only so that results recorded with 0.1 seeds can be reproduced; about 45 ns per entry
 * matrix-free, where the default Philox generator costs a fraction of a nanosecond.
 */
export function gaussianAlea(m: number, n: number, inShape: number[], seed: Seed, dense: boolean): LinearOperator {
  const root = new Rng(seed);
  const std = 1 / Math.sqrt(m);
  const fillRow = (i: number, row: Float64Array) => root.fork(i).fillGaussian(row, 0, std);

  if (dense) {
    const a = new Float64Array(m * n);
    for (let i = 0; i < m; i++) fillRow(i, a.subarray(i * n, (i + 1) * n));
    return defineOperator({
      name: 'gaussian',
      inShape,
      outShape: [m],
      forward: (x) => {
        const y = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          let s = 0;
          const base = i * n;
          for (let j = 0; j < n; j++) s += a[base + j]! * x[j]!;
          y[i] = s;
        }
        return y;
      },
      adjoint: (y) => {
        const x = new Float64Array(n);
        for (let i = 0; i < m; i++) {
          const yi = y[i]!;
          const base = i * n;
          for (let j = 0; j < n; j++) x[j]! += a[base + j]! * yi;
        }
        return x;
      },
    });
  }

  const row = new Float64Array(n);
  return defineOperator({
    name: 'gaussian',
    inShape,
    outShape: [m],
    forward: (x) => {
      const y = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        fillRow(i, row);
        let s = 0;
        for (let j = 0; j < n; j++) s += row[j]! * x[j]!;
        y[i] = s;
      }
      return y;
    },
    adjoint: (y) => {
      const x = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        fillRow(i, row);
        const yi = y[i]!;
        for (let j = 0; j < n; j++) x[j]! += row[j]! * yi;
      }
      return x;
    },
    // One pass over the rows instead of two regenerations.
    normal: (x) => {
      const out = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        fillRow(i, row);
        let s = 0;
        for (let j = 0; j < n; j++) s += row[j]! * x[j]!;
        for (let j = 0; j < n; j++) out[j]! += row[j]! * s;
      }
      return out;
    },
  });
}
