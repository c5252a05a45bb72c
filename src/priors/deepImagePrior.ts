import { InvalidArgumentError } from '../core/errors.js';
import type { Seed } from '../core/rng.js';
import { checkInteger, checkNumber, checkOneOf, checkOptions, checkPositiveInteger, checkSeed } from '../core/validate.js';
import type { Tensor } from '../engine/tensor.js';
import { NetworkBuilder } from './network.js';
import type { Precision } from '../engine/arena.js';
import { networkGenerator, outGeometry, uniformTenth, type Generator } from './generator.js';
import type { Padding } from './layers/conv2d.js';
import type { UpsampleMode } from './layers/upsample.js';

/**
 * Options of deepImagePrior: output shape, input channels, channels per scale (down, up, skip) and
 * seed.
 */
export interface DeepImagePriorOptions {
  outShape: number[];
  /** Input noise channels (default 32). */
  inputChannels?: number;
  /** Channels of each scale going down / up, and of the skips (defaults 128 x5, 128 x5, 4 x5). */
  channelsDown?: number[];
  channelsUp?: number[];
  channelsSkip?: number[];
  upsample?: UpsampleMode;
  padding?: Padding;
  /** LeakyReLU slope (default 0.2). */
  slope?: number;
  sigmoid?: boolean;
  oneDimensional?: boolean;
  seed: Seed;
  /** Arena precision: 'float32' (default) or 'float64' (gradient checks, references). */
  precision?: Precision;
}

/**
 * Deep Image Prior (Ulyanov et al. 2018), the "skip" hourglass: at each scale a skip branch
 * (1x1 conv, BN, LeakyReLU) and a deeper branch (3x3 stride-2 conv, BN, act, 3x3 conv, BN, act,
 * the next scale, upsampling), concatenated, then BN, 3x3 conv, BN, act, 1x1 conv, BN, act;
 * finally a 1x1 conv and a sigmoid. Reflection padding and biases as in the reference denoising
 * setup. Upsampling goes to the skip's exact size, so sizes need not be divisible by 2^scales.
 */
export function deepImagePrior(options: DeepImagePriorOptions): Generator {
  const fn = 'deepImagePrior';
  checkOptions(fn, options, [
    'outShape',
    'inputChannels',
    'channelsDown',
    'channelsUp',
    'channelsSkip',
    'upsample',
    'padding',
    'slope',
    'sigmoid',
    'oneDimensional',
    'seed',
    'precision',
  ]);
  const geo = outGeometry(fn, options.outShape, options.oneDimensional);
  const inputChannels = checkPositiveInteger(fn, 'inputChannels', options.inputChannels ?? 32);
  const list = (name: string, v: unknown, dflt: number[], min: number): number[] => {
    const arr = v ?? dflt;
    if (!Array.isArray(arr) || arr.length === 0 || !arr.every((x) => Number.isInteger(x) && x >= min)) {
      throw new InvalidArgumentError(fn, name, `a non-empty array of integers >= ${min}`, v);
    }
    return arr.slice();
  };
  const down = list('channelsDown', options.channelsDown, [128, 128, 128, 128, 128], 1);
  const up = list('channelsUp', options.channelsUp, down.slice(), 1);
  const skip = list('channelsSkip', options.channelsSkip, down.map(() => 4), 0);
  if (up.length !== down.length || skip.length !== down.length) {
    throw new InvalidArgumentError(fn, 'channelsUp', `arrays as long as channelsDown (${down.length})`, `${up.length} and ${skip.length}`);
  }
  const mode = checkOneOf(fn, 'upsample', options.upsample ?? 'bilinear', ['bilinear', 'nearest'] as const);
  const padding = checkOneOf(fn, 'padding', options.padding ?? 'reflection', ['zero', 'reflection'] as const);
  const slope = checkNumber(fn, 'slope', options.slope ?? 0.2, { min: 0, max: 1 });
  const seed = checkSeed(fn, options.seed);
  const scales = down.length;
  // Each scale halves (rounding up) the size; the deepest must still be at least 1 pixel, and
  // reflection padding of 1 needs at least 2 pixels before the last stride.
  let h = geo.h;
  let w = geo.w;
  for (let i = 0; i < scales; i++) {
    if ((!geo.oneD && h < 2) || w < 2) {
      throw new InvalidArgumentError(fn, 'outShape', `a size that survives ${scales} halvings (use fewer scales)`, options.outShape);
    }
    h = geo.oneD ? 1 : Math.ceil(h / 2);
    w = Math.ceil(w / 2);
  }
  checkInteger(fn, 'scales', scales, 1, 8);
  const k3: [number, number] = geo.oneD ? [1, 3] : [3, 3];
  const b = new NetworkBuilder(inputChannels, geo.h, geo.w);
  const act = (t: Tensor) => b.activation(t, 'leaky-relu', slope);
  const convBnAct = (t: Tensor, out: number, kernel: [number, number], stride = 1) =>
    act(b.batchNorm(b.conv(t, { outChannels: out, kernel, stride, padding, bias: true })));

  const level = (x: Tensor, i: number): Tensor => {
    let deeper = convBnAct(x, down[i]!, k3, 2);
    deeper = convBnAct(deeper, down[i]!, k3);
    if (i + 1 < scales) deeper = level(deeper, i + 1);
    deeper = b.upsample(deeper, x.h, x.w, mode);
    let merged = deeper;
    if (skip[i]! > 0) {
      const s = convBnAct(x, skip[i]!, [1, 1]);
      merged = b.concat([s, deeper]);
    }
    merged = b.batchNorm(merged);
    let y = convBnAct(merged, up[i]!, k3);
    y = convBnAct(y, up[i]!, [1, 1]);
    return y;
  };
  let x = level(b.input, 0);
  x = b.conv(x, { outChannels: geo.c, kernel: [1, 1], padding, bias: true });
  const sigmoid = options.sigmoid ?? true;
  if (sigmoid) x = b.activation(x, 'sigmoid');
  return networkGenerator({
    name: 'deep-image-prior',
    network: b.build(x, { seed, owner: fn, precision: checkOneOf(fn, 'precision', options.precision ?? 'float32', ['float32', 'float64'] as const) }),
    outShape: options.outShape.slice(),
    seed,
    config: { inputChannels, channelsDown: down, channelsUp: up, channelsSkip: skip, upsample: mode, padding, slope, sigmoid },
    inputInit: uniformTenth,
    recipe: { factory: 'deepImagePrior', options },
  });
}
