import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import { checkOneOf, checkOptions, checkPositiveInteger, checkSeed, checkShape } from '../core/validate.js';
import { dctMapped } from '../fft/dct.js';
import { hadamardInPlace } from '../fft/hadamard.js';
import { defineOperator, type LinearOperator } from './linearOperator.js';

/** Options of structuredRandom: sizes, seed and the fast transform (DCT or Walsh-Hadamard). */
export interface StructuredRandomOptions {
  m: number;
  n?: number;
  inShape?: readonly number[];
  seed: Seed;
  transform?: 'dct' | 'hadamard';
}

/**
 * A = sqrt(N/m) P_S T D: random signs D, a fast orthonormal transform T (DCT-II or
 * Walsh-Hadamard), and m rows S drawn without replacement. E[A^T A] = I and each apply costs
 * O(n log n). For Hadamard, signals whose length is not a power of two are zero-padded to N.
 */
export function structuredRandom(options: StructuredRandomOptions): LinearOperator {
  const fn = 'structuredRandom';
  checkOptions(fn, options, ['m', 'n', 'inShape', 'seed', 'transform']);
  const m = checkPositiveInteger(fn, 'm', options.m);
  const inShape = options.inShape ? checkShape(fn, 'inShape', options.inShape) : [checkPositiveInteger(fn, 'n', options.n)];
  const n = sizeOf(inShape);
  if (m > n) throw new InvalidArgumentError(fn, 'm', `at most n = ${n} rows`, m);
  const seed = checkSeed(fn, options.seed);
  const transform = checkOneOf(fn, 'transform', options.transform ?? 'dct', ['dct', 'hadamard'] as const);
  let big = n;
  if (transform === 'hadamard') {
    big = 1;
    while (big < n) big <<= 1;
  }
  const rng = new Rng(seed);
  const signs = rng.fork('signs').signs(big);
  const rows = rng.fork('rows').sample(big, m);
  const scale = Math.sqrt(big / m);
  // One work buffer per operator (the apply is synchronous): a fresh one per call costs more
  // than the signs and sampling loops (new pages for every large allocation).
  const buf = new Float64Array(big);
  const bigShape = Int32Array.from([big]);
  return defineOperator({
    name: `structuredRandom(${transform})`,
    inShape,
    outShape: [m],
    forward: (x) => {
      const y = new Float64Array(m);
      if (transform === 'dct') {
        // signs, DCT and row sampling in one native call (big = n for the DCT)
        dctMapped(buf, bigShape, false, { data: x, map: null, weight: signs, scale: 1 }, { data: y, map: rows, weight: null, scale }, false);
        return y;
      }
      for (let j = 0; j < n; j++) buf[j] = signs[j]! * x[j]!;
      buf.fill(0, n); // the Hadamard padding
      hadamardInPlace(buf);
      for (let i = 0; i < m; i++) y[i] = scale * buf[rows[i]!]!;
      return y;
    },
    adjoint: (y) => {
      const x = new Float64Array(n);
      if (transform === 'dct') {
        dctMapped(buf, bigShape, true, { data: y, map: rows, weight: null, scale }, { data: x, map: null, weight: signs, scale: 1 }, true);
        return x;
      }
      buf.fill(0);
      for (let i = 0; i < m; i++) buf[rows[i]!] = scale * y[i]!;
      hadamardInPlace(buf);
      for (let j = 0; j < n; j++) x[j] = signs[j]! * buf[j]!;
      return x;
    },
  });
}
