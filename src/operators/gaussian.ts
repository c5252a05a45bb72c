import { InvalidArgumentError } from '../core/errors.js';
import { nativeAddon } from '../core/native.js';
import { philoxBlockFill, philoxKey } from '../core/philox.js';
import { type Seed } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import { getThreads } from '../core/threads.js';
import { checkOneOf, checkOptions, checkPositiveInteger, checkSeed, checkShape } from '../core/validate.js';
import { gaussianAlea } from './gaussianAlea.js';
import { GAUSS_ADJOINT, GAUSS_FORWARD, GAUSS_NORMAL, gaussianProductJs, type GaussianProductKind } from './gaussianProducts.js';
import { defineOperator, type LinearOperator } from './linearOperator.js';

/** Options of gaussian: size, seed, dense or matrix-free storage and the entry generator. */
export interface GaussianOptions {
  /** Number of measurements (rows). */
  m: number;
  /** Signal length; or give `inShape` for an image. */
  n?: number;
  inShape?: readonly number[];
  seed: Seed;
  /** 'auto' stores the matrix when it has at most `denseLimit` entries. */
  mode?: 'auto' | 'dense' | 'matrix-free';
  denseLimit?: number;
  /**
   * How entries are drawn from the seed. 'philox' (default since 0.2): counter-based, generated
   * by the native kernels at a fraction of a nanosecond per entry. 'alea': the matrix of 0.1
   * (seedrandom streams, JavaScript, ~45 ns per entry matrix-free), to reproduce results
   * recorded with 0.1 seeds. The two give different matrices for the same seed.
   */
  generator?: 'philox' | 'alea';
}

type GaussianProduct = (a: Float32Array | null, k0: number, k1: number, m: number, n: number, op: GaussianProductKind, scale: number, x: Float64Array, out: Float64Array) => void;

/**
 * Native products and fill unless the addon is missing (or predates them) or the engine is
 * pinned to wasm / portable; then JavaScript products on the Philox generator chosen now
 * (WebAssembly, or JavaScript when pinned to portable), kept for the operator's life.
 */
function productKernel(): { product: GaussianProduct; fill: (k0: number, k1: number, m: number, n: number, a: Float32Array) => void } {
  const pinned = process.env.UNTRAINED_CS_KERNELS;
  const addon = pinned === 'wasm' || pinned === 'portable' ? null : nativeAddon();
  if (addon && typeof addon.gaussianProduct === 'function') {
    return {
      product: (a, k0, k1, m, n, op, scale, x, out) => addon.gaussianProduct(a, k0, k1, m, n, op, scale, x, out, getThreads()),
      fill: (k0, k1, m, n, a) => addon.gaussianFill(a, k0, k1, 0, m, 0, n, getThreads()),
    };
  }
  const block = philoxBlockFill();
  return {
    product: (a, k0, k1, m, n, op, scale, x, out) => gaussianProductJs(a, k0, k1, m, n, op, scale, x, out, block),
    fill: (k0, k1, m, n, a) => void block(k0, k1, 0, m, 0, n, a),
  };
}

/**
 * Gaussian measurement matrix A = Z / sqrt(m) with i.i.d. N(0, 1) entries Z, so E[A^T A] = I.
 * Z(i, j) is a function of (seed, i, j) only (Philox4x32-10 and Box-Muller, src/core/philox.ts):
 * the matrix-free mode regenerates entries on the fly in O(n) memory and gives exactly the dense
 * matrix, and a larger m extends the same rows. Entries are float32 values by construction, so
 * the dense mode stores float32 without loss; products accumulate in float64.
 */
export function gaussian(options: GaussianOptions): LinearOperator {
  const fn = 'gaussian';
  checkOptions(fn, options, ['m', 'n', 'inShape', 'seed', 'mode', 'denseLimit', 'generator']);
  const m = checkPositiveInteger(fn, 'm', options.m);
  const inShape = options.inShape ? checkShape(fn, 'inShape', options.inShape) : [checkPositiveInteger(fn, 'n', options.n)];
  const n = sizeOf(inShape);
  if (options.n !== undefined && options.inShape && options.n !== n) {
    throw new InvalidArgumentError(fn, 'n', `the size of inShape (${n})`, options.n);
  }
  const seed = checkSeed(fn, options.seed);
  const mode = checkOneOf(fn, 'mode', options.mode ?? 'auto', ['auto', 'dense', 'matrix-free'] as const);
  const generator = checkOneOf(fn, 'generator', options.generator ?? 'philox', ['philox', 'alea'] as const);
  const denseLimit = options.denseLimit ?? 1 << 24;
  const dense = mode === 'dense' || (mode === 'auto' && m * n <= denseLimit);
  if (dense && m * n > 2 ** 31) throw new InvalidArgumentError(fn, 'mode', "'matrix-free' for more than 2^31 entries", mode);
  if (generator === 'alea') return gaussianAlea(m, n, inShape, seed, dense);
  // The counter holds the row in 32 bits and 16 (column / 64) + 15 in 32 bits.
  if (m > 2 ** 32) throw new InvalidArgumentError(fn, 'm', 'at most 2^32 rows', m);
  if (n > 2 ** 34) throw new InvalidArgumentError(fn, 'n', 'at most 2^34 columns', n);

  const [k0, k1] = philoxKey(seed, 'gaussian');
  const scale = 1 / Math.sqrt(m);
  const { product, fill } = productKernel();
  let a: Float32Array | null = null;
  if (dense) {
    a = new Float32Array(m * n);
    fill(k0, k1, m, n, a);
  }
  const run = (op: GaussianProductKind, x: Float64Array, outLength: number) => {
    const out = new Float64Array(outLength);
    product(a, k0, k1, m, n, op, scale, x, out);
    return out;
  };
  return defineOperator({
    name: 'gaussian',
    inShape,
    outShape: [m],
    forward: (x) => run(GAUSS_FORWARD, x, m),
    adjoint: (y) => run(GAUSS_ADJOINT, y, n),
    // One pass over the rows (each read or generated once) instead of two products.
    normal: (x) => run(GAUSS_NORMAL, x, n),
  });
}
