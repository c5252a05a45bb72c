import { InvalidArgumentError } from '../../core/errors.js';
import { Rng, type Seed } from '../../core/rng.js';
import { checkInteger, checkOneOf, checkOptions, checkPositiveInteger } from '../../core/validate.js';
import type { Generator } from '../generator.js';
import type { Activation } from './kernels.js';

/** Inverse-free erf (Abramowitz-Stegun 7.1.26 is too coarse; this is |error| < 1.2e-7). */
function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

/**
 * One output of a random two-layer network on a 1D periodic grid of n points, exactly the model
 * of the analytic kernels: `inputChannels` channels of white noise smoothed by a unit-energy
 * Gaussian of width sigma, a random 1x1 layer (weights N(0, 1/inputChannels), bias N(0, b^2)),
 * the activation, and output weights N(0, 1/channels).
 */
export function sampleTwoLayerNetwork(options: { n: number; channels: number; inputChannels: number; activation: Activation; sigma: number; bias?: number; seed: Seed }): Float64Array {
  const fn = 'sampleTwoLayerNetwork';
  checkOptions(fn, options, ['n', 'channels', 'inputChannels', 'activation', 'sigma', 'bias', 'seed']);
  const n = checkPositiveInteger(fn, 'n', options.n);
  const C = checkPositiveInteger(fn, 'channels', options.channels);
  const Cin = checkPositiveInteger(fn, 'inputChannels', options.inputChannels);
  const act = checkOneOf(fn, 'activation', options.activation, ['relu', 'erf'] as const);
  const rng = new Rng(options.seed);
  const radius = Math.ceil(4 * options.sigma);
  const taps = new Float64Array(2 * radius + 1);
  let e = 0;
  for (let t = -radius; t <= radius; t++) {
    taps[t + radius] = Math.exp(-(t * t) / (2 * options.sigma * options.sigma));
    e += taps[t + radius]! ** 2;
  }
  for (let i = 0; i < taps.length; i++) taps[i]! /= Math.sqrt(e);
  const x = new Float64Array(Cin * n);
  const white = new Float64Array(n);
  for (let c = 0; c < Cin; c++) {
    rng.fillGaussian(white);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = -radius; t <= radius; t++) s += taps[t + radius]! * white[(((i + t) % n) + n) % n]!;
      x[c * n + i] = s;
    }
  }
  const out = new Float64Array(n);
  const z = new Float64Array(n);
  const wStd = 1 / Math.sqrt(Cin);
  const b = options.bias ?? 0;
  for (let h = 0; h < C; h++) {
    z.fill(b * rng.gaussian());
    for (let c = 0; c < Cin; c++) {
      const w = wStd * rng.gaussian();
      for (let i = 0; i < n; i++) z[i]! += w * x[c * n + i]!;
    }
    const v = rng.gaussian() / Math.sqrt(C);
    for (let i = 0; i < n; i++) out[i]! += v * (act === 'relu' ? Math.max(0, z[i]!) : erf(z[i]!));
  }
  return out;
}

/** A kernel measured from random networks: covariance against lag, with its standard error and the number of samples. */
export interface EmpiricalKernel {
  lags: number[];
  covariance: number[];
  standardError: number[];
  samples: number;
}

/**
 * The stationary covariance of a random field, estimated from `samples` independent draws:
 * for each draw, C(lag) averaged over all positions (periodic for 1D, along rows for 2D), then
 * the mean over draws and its standard error. The field is assumed zero-mean unless
 * `centre` is set, in which case each draw's spatial mean is removed first.
 */
export function empiricalKernel(sample: (seed: number) => ArrayLike<number>, options: { samples: number; maxLag: number; shape?: number[]; centre?: boolean }): EmpiricalKernel {
  const fn = 'empiricalKernel';
  checkOptions(fn, options, ['samples', 'maxLag', 'shape', 'centre']);
  const S = checkInteger(fn, 'samples', options.samples, 2);
  const maxLag = checkInteger(fn, 'maxLag', options.maxLag, 0);
  const sums = new Float64Array(maxLag + 1);
  const sq = new Float64Array(maxLag + 1);
  for (let s = 0; s < S; s++) {
    const f = Float64Array.from(sample(s));
    const [h, w] = options.shape && options.shape.length === 2 ? (options.shape as [number, number]) : [1, f.length];
    if (h * w !== f.length) throw new InvalidArgumentError(fn, 'shape', `size ${f.length}`, options.shape);
    if (maxLag >= w) throw new InvalidArgumentError(fn, 'maxLag', `less than the width ${w}`, maxLag);
    if (options.centre) {
      const m = f.reduce((a, v) => a + v, 0) / f.length;
      for (let i = 0; i < f.length; i++) f[i]! -= m;
    }
    for (let lag = 0; lag <= maxLag; lag++) {
      let c = 0;
      for (let r = 0; r < h; r++) for (let i = 0; i < w; i++) c += f[r * w + i]! * f[r * w + ((i + lag) % w)]!;
      c /= h * w;
      sums[lag]! += c;
      sq[lag]! += c * c;
    }
  }
  const lags = Array.from({ length: maxLag + 1 }, (_, i) => i);
  const covariance = lags.map((l) => sums[l]! / S);
  const standardError = lags.map((l) => Math.sqrt(Math.max(0, sq[l]! / S - (sums[l]! / S) ** 2) / (S - 1)));
  return { lags, covariance, standardError, samples: S };
}

/** Empirical kernel of a generator of the priors layer over random initialisations. */
export function generatorKernel(make: (seed: number) => Generator, options: { samples: number; maxLag: number; channel?: number }): EmpiricalKernel {
  const first = make(0);
  const shape = first.outShape.length >= 2 ? first.outShape.slice(-2) : [first.outShape[0]!];
  const plane = shape.reduce((a, b) => a * b, 1);
  const channel = options.channel ?? 0;
  return empiricalKernel(
    (seed) => {
      const g = seed === 0 ? first : make(seed);
      const out = g.forward(g.initialParams()).output;
      return Float64Array.from(out.subarray(channel * plane, (channel + 1) * plane));
    },
    { samples: options.samples, maxLag: options.maxLag, shape: shape.length === 2 ? shape : undefined, centre: true },
  );
}
