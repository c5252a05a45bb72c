import { InvalidArgumentError } from '../../core/errors.js';
import { checkOptions, checkShape } from '../../core/validate.js';
import { dctNdInPlace } from '../../fft/dct.js';
import { identity } from '../../operators/elementwise.js';
import { defineOperator, type LinearOperator } from '../../operators/linearOperator.js';
import { waveletBasis, type WaveletName } from './wavelet.js';

/** Orthonormal DCT-II basis (1D/2D) as an operator: forward = coefficients. */
export function dctBasis(options: { shape: readonly number[] }): LinearOperator {
  checkOptions('dctBasis', options, ['shape']);
  const shape = checkShape('dctBasis', 'shape', options.shape);
  return defineOperator({
    name: 'dct',
    inShape: shape,
    outShape: shape,
    forward: (x) => {
      const c = new Float64Array(x);
      dctNdInPlace(c, shape, false);
      return c;
    },
    adjoint: (c) => {
      const x = new Float64Array(c);
      dctNdInPlace(x, shape, true);
      return x;
    },
    normal: (x) => new Float64Array(x),
  });
}

/** Sparsifying bases by name: 'identity', 'dct', 'haar' or Daubechies 'db1' ... 'db20'. */
export type BasisName = 'identity' | 'dct' | 'haar' | `db${number}`;

/** A sparsifying basis by name, for the solvers and the CLI. */
export function basisByName(name: string, shape: readonly number[], levels?: number, fn = 'basisByName', cycleSpinning?: number): LinearOperator {
  if (name === 'identity') return identity({ shape: shape.slice() });
  if (name === 'dct') return dctBasis({ shape: shape.slice() });
  if (name === 'haar' || /^db\d+$/.test(name)) return waveletBasis({ shape: shape.slice(), wavelet: name as WaveletName, levels, cycleSpinning });
  throw new InvalidArgumentError(fn, 'basis', "'identity', 'dct', 'haar' or 'db1'...'db20'", name);
}

/**
 * A real basis applied to the real and imaginary parts of interleaved complex data: the shapes
 * gain a trailing 2. Used for complex (MRI) images.
 */
export function complexBasis(basis: LinearOperator): LinearOperator {
  const n = basis.inSize;
  const m = basis.outSize;
  const split = (f: (v: Float64Array) => Float64Array, inLen: number, outLen: number) => (z: Float64Array) => {
    const re = new Float64Array(inLen);
    const im = new Float64Array(inLen);
    for (let i = 0; i < inLen; i++) {
      re[i] = z[2 * i]!;
      im[i] = z[2 * i + 1]!;
    }
    const fr = f(re);
    const fi = f(im);
    const out = new Float64Array(2 * outLen);
    for (let i = 0; i < outLen; i++) {
      out[2 * i] = fr[i]!;
      out[2 * i + 1] = fi[i]!;
    }
    return out;
  };
  return defineOperator({
    name: `complex(${basis.name})`,
    inShape: [...basis.inShape, 2],
    outShape: [...basis.outShape, 2],
    forward: split(basis.apply, n, m),
    adjoint: split(basis.applyAdjoint, m, n),
  });
}
