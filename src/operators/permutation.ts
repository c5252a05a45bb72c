import { checkShape } from '../core/validate.js';
import { sizeOf } from '../core/shape.js';
import { defineOperator, type LinearOperator } from './linearOperator.js';

/**
 * Planar complex [2, ...shape] (re plane, im plane: how generators emit two channels) to
 * interleaved [...shape, 2] (how Fourier operators take complex data). Orthogonal.
 */
export function planarToInterleaved(options: { shape: readonly number[] }): LinearOperator {
  const shape = checkShape('planarToInterleaved', 'shape', options.shape);
  const n = sizeOf(shape);
  return defineOperator({
    name: 'planarToInterleaved',
    inShape: [2, ...shape],
    outShape: [...shape, 2],
    forward: (x) => {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        out[2 * i] = x[i]!;
        out[2 * i + 1] = x[n + i]!;
      }
      return out;
    },
    adjoint: (z) => {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        out[i] = z[2 * i]!;
        out[n + i] = z[2 * i + 1]!;
      }
      return out;
    },
    normal: (x) => new Float64Array(x),
  });
}
