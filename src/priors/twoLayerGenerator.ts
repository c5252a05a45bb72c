import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { checkInteger, checkNumber, checkOneOf, checkOptions, checkPositiveInteger, checkSeed, toFloat64 } from '../core/validate.js';
import { symmetricEigen } from '../core/symmetricEigen.js';
import type { FloatArray } from '../core/vector.js';
import { networkGenerator, outGeometry, type Generator } from './generator.js';
import { NetworkBuilder } from './network.js';
import type { TapMap } from '../engine/engine.js';

/** The fixed upsampling filter U of the two-layer generator: triangle, Gaussian or your own taps. */
export type InterpolatingFilter =
  | { kind: 'triangle'; halfWidth: number }
  | { kind: 'gaussian'; sigma: number; radius?: number }
  | { kind: 'custom'; taps: number[] };

/** Options of twoLayerGenerator: output shape, channels, filter, seed. */
export interface TwoLayerGeneratorOptions {
  /** [n], [h, w], or [c, n] / [c, h, w] for several output channels. */
  outShape: number[];
  /** Number of channels k of the hidden layer (default 64). */
  channels?: number;
  /** The fixed interpolating filter u (default triangle of half-width `upsampleFactor`, or 2). */
  filter?: InterpolatingFilter;
  /** C lives on a grid `upsampleFactor` times coarser; U zero-fills and filters (default 1). */
  upsampleFactor?: number;
  /** Standard deviation of the N(0, omega^2) initialisation of C (default 1/sqrt(n)). */
  initScale?: number;
  oneDimensional?: boolean;
  seed: Seed;
  /** 'float32' (default) or 'float64' parameters and outputs (gradient checks). */
  precision?: 'float32' | 'float64';
}

/** Odd-length symmetric filter taps, centred. */
export function interpolatingFilter(filter: InterpolatingFilter): Float64Array {
  const fn = 'twoLayerGenerator';
  if (filter.kind === 'triangle') {
    const s = checkPositiveInteger(fn, 'filter.halfWidth', filter.halfWidth);
    const taps = new Float64Array(2 * s - 1);
    for (let i = 0; i < taps.length; i++) taps[i] = 1 - Math.abs(i - (s - 1)) / s;
    return taps;
  }
  if (filter.kind === 'gaussian') {
    const sigma = checkNumber(fn, 'filter.sigma', filter.sigma, { min: 0, exclusiveMin: true });
    const r = filter.radius === undefined ? Math.ceil(3 * sigma) : checkInteger(fn, 'filter.radius', filter.radius, 0);
    const taps = new Float64Array(2 * r + 1);
    for (let i = -r; i <= r; i++) taps[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
    return taps;
  }
  if (filter.kind === 'custom') {
    const taps = toFloat64(fn, 'filter.taps', filter.taps, undefined, { copy: true });
    if (taps.length % 2 !== 1) throw new InvalidArgumentError(fn, 'filter.taps', 'an odd number of taps', taps);
    return taps;
  }
  throw new InvalidArgumentError(fn, 'filter', "{kind: 'triangle' | 'gaussian' | 'custom', ...}", filter);
}

/**
 * The two-layer convolutional generator x = ReLU(U * C) v, with access to its fixed filter and
 * output weights.
 */
export interface TwoLayerGenerator extends Generator {
  /** The filter taps of U (1D; separable u x u in 2D). */
  readonly taps: Float64Array;
  readonly upsampleFactor: number;
  /** Fixed output weights v, [outChannels x k]. */
  readonly outputWeights: Float64Array;
  /** U applied to one coarse channel (for analysis): returns the fine-grid signal. */
  applyU(coarse: Float64Array): Float64Array;
}

/**
 * Two-layer convolutional generator of Heckel & Soltanolkotabi (ICLR 2020): x = ReLU(U C) v with
 * a FIXED interpolating operator U (zero-fill upsampling by `upsampleFactor`, then circular
 * convolution with the filter), trainable coefficients C (k channels), and fixed output weights v
 * with entries +-1/sqrt(k) (half of each sign). Gradient descent on C fits the smooth part of a
 * signal before the noise; `dualKernel` and `jacobianSpectrum` show why.
 */
export function twoLayerGenerator(options: TwoLayerGeneratorOptions): TwoLayerGenerator {
  const fn = 'twoLayerGenerator';
  checkOptions(fn, options, ['outShape', 'channels', 'filter', 'upsampleFactor', 'initScale', 'oneDimensional', 'seed', 'precision']);
  const shape = options.outShape;
  const geo = outGeometry(fn, shape, options.oneDimensional ?? (Array.isArray(shape) && shape.length === 2 ? false : undefined));
  const k = checkPositiveInteger(fn, 'channels', options.channels ?? 64);
  const f = checkPositiveInteger(fn, 'upsampleFactor', options.upsampleFactor ?? 1);
  if (geo.w % f !== 0 || (!geo.oneD && geo.h % f !== 0)) {
    throw new InvalidArgumentError(fn, 'upsampleFactor', `a divisor of the output size ${geo.oneD ? geo.w : `${geo.h}x${geo.w}`}`, f);
  }
  const taps = interpolatingFilter(options.filter ?? { kind: 'triangle', halfWidth: Math.max(2, f) });
  const seed = checkSeed(fn, options.seed);
  const n = geo.h * geo.w;
  const ch = geo.oneD ? 1 : geo.h / f;
  const cw = geo.w / f;
  const coarse = ch * cw;
  const initScale = checkNumber(fn, 'initScale', options.initScale ?? 1 / Math.sqrt(n), { min: 0, exclusiveMin: true });
  const rng = new Rng(seed);
  const precision = checkOneOf(fn, 'precision', options.precision ?? 'float32', ['float32', 'float64'] as const);
  const makeArray = (len: number): FloatArray => (precision === 'float64' ? new Float64Array(len) : new Float32Array(len));
  const initial = makeArray(k * coarse);
  rng.fork('C').fillGaussian(initial, 0, initScale);
  // v: +-1/sqrt(k), exactly half of each sign (randomly placed) per output channel.
  const outputWeights = new Float64Array(geo.c * k);
  const vr = rng.fork('v');
  for (let c = 0; c < geo.c; c++) {
    const perm = vr.permutation(k);
    for (let j = 0; j < k; j++) outputWeights[c * k + perm[j]!] = (j < k / 2 ? 1 : -1) / Math.sqrt(k);
  }
  // U = Uh C Uw^T per channel: zero-fill by f, then circular convolution with the taps, per axis.
  const rowsMap = geo.oneD ? identityTaps() : upsamplingTaps(ch, geo.h, f, taps);
  const colsMap = upsamplingTaps(cw, geo.w, f, taps);
  const b = new NetworkBuilder(0, 1, 1);
  const coeffs = b.parameter(k, ch, cw);
  const z = b.activation(b.separable(coeffs, geo.h, geo.w, rowsMap, colsMap), 'relu');
  // v as the fixed weights [c, k, 1, 1] of a 1x1 convolution.
  const x = b.conv(z, { outChannels: geo.c, kernel: [1, 1], fixedWeights: outputWeights });
  const network = b.build(x, { seed, owner: fn, precision });
  network.setParams(initial);
  const generator = networkGenerator({
    name: 'two-layer',
    network,
    outShape: shape.slice(),
    seed,
    config: { channels: k, upsampleFactor: f, taps: Array.from(taps), initScale },
    inputInit: () => {},
    recipe: { factory: 'twoLayerGenerator', options },
    extras: {
      input: null,
      taps,
      upsampleFactor: f,
      outputWeights,
      applyU: (c: Float64Array) => applySeparable(c, rowsMap, colsMap, cw, geo.h, geo.w),
    },
  });
  return generator as TwoLayerGenerator;
}

/** The 1x1 map (the row axis of a 1D signal). */
function identityTaps(): TapMap {
  return { taps: 1, index: Int32Array.of(0), weight: Float64Array.of(1) };
}

/**
 * Zero-fill by f then circular convolution with the taps, along one axis of `n` fine samples
 * from `coarse` ones: fine sample (q f + t) mod n takes taps[t + half] of coarse sample q.
 */
function upsamplingTaps(coarse: number, n: number, f: number, taps: Float64Array): TapMap {
  const half = (taps.length - 1) / 2;
  const lists: [number, number][][] = Array.from({ length: n }, () => []);
  for (let q = 0; q < coarse; q++) {
    for (let t = -half; t <= half; t++) lists[(((q * f + t) % n) + n) % n]!.push([q, taps[t + half]!]);
  }
  const width = Math.max(1, ...lists.map((l) => l.length));
  const index = new Int32Array(n * width);
  const weight = new Float64Array(n * width);
  lists.forEach((l, i) =>
    l.forEach(([q, wt], a) => {
      index[i * width + a] = q;
      weight[i * width + a] = wt;
    }),
  );
  return { taps: width, index, weight };
}

/** U applied on the host to one coarse channel (analysis: dualKernel, applyU). */
function applySeparable(c: ArrayLike<number>, rows: TapMap, cols: TapMap, cw: number, h: number, w: number): Float64Array {
  const tmp = new Float64Array(h * cw);
  for (let o = 0; o < h; o++) {
    for (let q = 0; q < cw; q++) {
      let s = 0;
      for (let a = 0; a < rows.taps; a++) s += rows.weight[o * rows.taps + a]! * c[rows.index[o * rows.taps + a]! * cw + q]!;
      tmp[o * cw + q] = s;
    }
  }
  const out = new Float64Array(h * w);
  for (let o = 0; o < h; o++) {
    for (let p = 0; p < w; p++) {
      let s = 0;
      for (let b = 0; b < cols.taps; b++) s += cols.weight[p * cols.taps + b]! * tmp[o * cw + cols.index[p * cols.taps + b]!]!;
      out[o * w + p] = s;
    }
  }
  return out;
}

/**
 * The expected dual kernel Sigma = E[J J^T] of the two-layer generator at a random init
 * (single output channel): Sigma_il = (U U^T)_il * (1/2)(1 - arccos(rho_il)/pi) * ||v||^2, with
 * rho the correlation of rows i and l of U. Its eigenvalues decay with frequency (its
 * eigenvectors are close to sinusoids): the reason gradient descent fits low frequencies first.
 */
export function dualKernel(generator: TwoLayerGenerator): { matrix: Float64Array; eigenvalues: Float64Array; eigenvectors: Float64Array; n: number } {
  const n = generator.outSize / (generator.outputWeights.length / (generator.config.channels as number));
  if (n > 1024) throw new InvalidArgumentError('dualKernel', 'generator', 'at most 1024 output entries (dense n x n)', n);
  const coarse = generator.numParams / (generator.config.channels as number);
  // Rows of U: U e_q for each coarse position q gives the columns; UU^T = sum_q (U e_q)(U e_q)^T.
  const uu = new Float64Array(n * n);
  const e = new Float64Array(coarse);
  for (let q = 0; q < coarse; q++) {
    e.fill(0);
    e[q] = 1;
    const col = generator.applyU(e);
    for (let i = 0; i < n; i++) {
      const ci = col[i]!;
      if (ci === 0) continue;
      for (let l = 0; l < n; l++) uu[i * n + l]! += ci * col[l]!;
    }
  }
  let vNorm2 = 0;
  const k = generator.config.channels as number;
  for (let j = 0; j < k; j++) vNorm2 += generator.outputWeights[j]! ** 2;
  const sigma = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < n; l++) {
      const d = Math.sqrt(uu[i * n + i]! * uu[l * n + l]!);
      const rho = d > 0 ? Math.max(-1, Math.min(1, uu[i * n + l]! / d)) : 0;
      sigma[i * n + l] = uu[i * n + l]! * 0.5 * (1 - Math.acos(rho) / Math.PI) * vNorm2;
    }
  }
  const { values, vectors } = symmetricEigen(sigma, n);
  return { matrix: sigma, eigenvalues: values, eigenvectors: vectors, n };
}
