import { InvalidArgumentError } from '../../core/errors.js';
import { checkInteger, checkNumber, checkOneOf, checkOptions } from '../../core/validate.js';

/**
 * A stationary, isotropic covariance K(r) of a random field on a 1D or 2D grid, r the distance
 * in pixels. The Gaussian-process view of untrained priors (Cheng et al., CVPR 2019): a wide
 * convolutional generator with random weights is a GP whose kernel follows from its layers.
 */
export interface StationaryKernel {
  readonly name: string;
  /** Covariance at distance r >= 0. */
  evaluate(r: number): number;
}

function kernel(name: string, f: (r: number) => number): StationaryKernel {
  return Object.freeze({ name, evaluate: (r: number) => f(Math.abs(r)) });
}

/** exp(-r^2 / (2 l^2)), times `variance`. */
export function rbfKernel(options: { lengthScale: number; variance?: number }): StationaryKernel {
  checkOptions('rbfKernel', options, ['lengthScale', 'variance']);
  const l = checkNumber('rbfKernel', 'lengthScale', options.lengthScale, { min: 0, exclusiveMin: true });
  const v = checkNumber('rbfKernel', 'variance', options.variance ?? 1, { min: 0, exclusiveMin: true });
  return kernel(`rbf(l=${l})`, (r) => v * Math.exp(-(r * r) / (2 * l * l)));
}

/**
 * White noise smoothed by a Gaussian filter of width sigma (normalised to unit variance):
 * the autocorrelation of the filter, exp(-r^2 / (4 sigma^2)).
 */
export function smoothedWhiteNoiseKernel(options: { sigma: number; variance?: number }): StationaryKernel {
  checkOptions('smoothedWhiteNoiseKernel', options, ['sigma', 'variance']);
  const s = checkNumber('smoothedWhiteNoiseKernel', 'sigma', options.sigma, { min: 0, exclusiveMin: true });
  const v = checkNumber('smoothedWhiteNoiseKernel', 'variance', options.variance ?? 1, { min: 0, exclusiveMin: true });
  return kernel(`smoothed-white(sigma=${s})`, (r) => v * Math.exp(-(r * r) / (4 * s * s)));
}

/** Activations whose GP kernel map is known in closed form: ReLU (arc-cosine) and erf (arcsine). */
export type Activation = 'relu' | 'erf';

/**
 * The covariance after one random layer (i.i.d. weights of unit total variance, then the
 * activation), from the pre-activation covariance Kp = K + bias^2:
 *  - relu: Kp(0)/(2 pi) (sin t + (pi - t) cos t), cos t = Kp(r)/Kp(0) (arc-cosine kernel);
 *  - erf:  (2/pi) asin(2 Kp(r) / (1 + 2 Kp(0))) (Williams 1997, exact for N(0, Kp) inputs), or
 *          with normalisation 'paper' the large-variance form (2/pi) asin(Kp(r)/Kp(0)).
 */
export function activationKernel(input: StationaryKernel, options: { activation: Activation; bias?: number; normalisation?: 'exact' | 'paper' }): StationaryKernel {
  checkOptions('activationKernel', options, ['activation', 'bias', 'normalisation']);
  const act = checkOneOf('activationKernel', 'activation', options.activation, ['relu', 'erf'] as const);
  const b2 = checkNumber('activationKernel', 'bias', options.bias ?? 0, { min: 0 }) ** 2;
  const norm = checkOneOf('activationKernel', 'normalisation', options.normalisation ?? 'exact', ['exact', 'paper'] as const);
  const k0 = input.evaluate(0) + b2;
  if (!(k0 > 0)) throw new InvalidArgumentError('activationKernel', 'input', 'a kernel with positive variance', k0);
  if (act === 'relu') {
    return kernel(`relu(${input.name})`, (r) => {
      const c = Math.max(-1, Math.min(1, (input.evaluate(r) + b2) / k0));
      const t = Math.acos(c);
      return (k0 / (2 * Math.PI)) * (Math.sin(t) + (Math.PI - t) * c);
    });
  }
  return kernel(`erf(${input.name})`, (r) => {
    const kr = input.evaluate(r) + b2;
    const arg = norm === 'paper' ? kr / k0 : (2 * kr) / (1 + 2 * k0);
    return (2 / Math.PI) * Math.asin(Math.max(-1, Math.min(1, arg)));
  });
}

/** Downsampling by tau: distances on the coarse grid are tau times longer, K(r) -> K(tau r). */
export function downsampleKernel(k: StationaryKernel, tau: number): StationaryKernel {
  checkNumber('downsampleKernel', 'tau', tau, { min: 0, exclusiveMin: true });
  return kernel(`down${tau}(${k.name})`, (r) => k.evaluate(tau * r));
}

/** Upsampling by tau: K(r) -> K(r / tau). */
export function upsampleKernel(k: StationaryKernel, tau: number): StationaryKernel {
  checkNumber('upsampleKernel', 'tau', tau, { min: 0, exclusiveMin: true });
  return kernel(`up${tau}(${k.name})`, (r) => k.evaluate(r / tau));
}

/** A skip connection (concatenated channels, then a random layer) adds the branch kernels. */
export function sumKernels(...ks: StationaryKernel[]): StationaryKernel {
  if (ks.length === 0) throw new InvalidArgumentError('sumKernels', 'kernels', 'at least one kernel', ks);
  return kernel(`(${ks.map((k) => k.name).join(' + ')})`, (r) => ks.reduce((s, k) => s + k.evaluate(r), 0));
}

/** A kernel multiplied by a variance. */
export function scaleKernel(k: StationaryKernel, variance: number): StationaryKernel {
  checkNumber('scaleKernel', 'variance', variance, { min: 0, exclusiveMin: true });
  const k0 = k.evaluate(0);
  return kernel(k.name, (r) => (variance * k.evaluate(r)) / k0);
}

/** The analytic kernel of a network given as a chain of layers. */
export type LayerSpec = { kind: 'layer'; activation: Activation; bias?: number } | { kind: 'down'; factor: number } | { kind: 'up'; factor: number };

/**
 * The kernel after a stack of layers (activations, down- and upsampling, bias) applied to an input
 * kernel.
 */
export function networkKernel(input: StationaryKernel, layers: LayerSpec[], options: { normalisation?: 'exact' | 'paper' } = {}): StationaryKernel {
  let k = input;
  for (const l of layers) {
    if (l.kind === 'layer') k = activationKernel(k, { activation: l.activation, bias: l.bias, normalisation: options.normalisation });
    else if (l.kind === 'down') k = downsampleKernel(k, l.factor);
    else k = upsampleKernel(k, l.factor);
  }
  return k;
}

/**
 * The equivalent kernel of a DIP-style hourglass: smoothed white-noise input, `depth` levels
 * each downsampling by 2 then a random layer, mirrored by upsampling by 2 then a random layer,
 * with skip connections adding the kernel of each level's input (when `skips`). Normalised to
 * K(0) = 1.
 */
export function dipKernel(options: { depth?: number; sigma?: number; activation?: Activation; bias?: number; skips?: boolean } = {}): StationaryKernel {
  checkOptions('dipKernel', options, ['depth', 'sigma', 'activation', 'bias', 'skips']);
  const depth = checkInteger('dipKernel', 'depth', options.depth ?? 5, 0, 12);
  const activation = options.activation ?? 'relu';
  const bias = options.bias ?? 0;
  const level = (k: StationaryKernel, d: number): StationaryKernel => {
    if (d === depth) return k;
    const down = activationKernel(downsampleKernel(k, 2), { activation, bias });
    const deeper = level(down, d + 1);
    const up = activationKernel(upsampleKernel(deeper, 2), { activation, bias });
    return options.skips ? activationKernel(sumKernels(up, activationKernel(k, { activation, bias })), { activation, bias }) : up;
  };
  const k = level(smoothedWhiteNoiseKernel({ sigma: options.sigma ?? 1 }), 0);
  const k0 = k.evaluate(0);
  return kernel(`dip(depth=${depth}, sigma=${options.sigma ?? 1}, ${activation})`, (r) => k.evaluate(r) / k0);
}

/** Correlation K(r)/K(0) at the given distances. */
export function correlation(k: StationaryKernel, distances: number[]): number[] {
  const k0 = k.evaluate(0);
  return distances.map((r) => k.evaluate(r) / k0);
}
