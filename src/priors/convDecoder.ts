import { InvalidArgumentError } from '../core/errors.js';
import type { Seed } from '../core/rng.js';
import { checkInteger, checkOneOf, checkOptions, checkPositiveInteger, checkSeed } from '../core/validate.js';
import { NetworkBuilder } from './network.js';
import type { Precision } from '../engine/arena.js';
import { inputGeometry, layerSizes, networkGenerator, outGeometry, uniformTenth, type Generator } from './generator.js';
import type { UpsampleMode } from './layers/upsample.js';

/** Options of convDecoder: output shape, channels, depth, input size, upsampling and seed. */
export interface ConvDecoderOptions {
  outShape: number[];
  /** Channels per layer (default 64; the paper's MRI setting is 160). */
  channels?: number;
  /** Number of layers (default 6; the paper's MRI setting is 8). */
  depth?: number;
  upsample?: UpsampleMode;
  /** Input spatial size (default output / 2^(depth-1), at least 2; the MRI setting is [8, 4]). */
  inputSize?: number[];
  kernelSize?: number;
  sigmoid?: boolean;
  oneDimensional?: boolean;
  seed: Seed;
  /** Arena precision: 'float32' (default) or 'float64' (gradient checks, references). */
  precision?: Precision;
}

/** The configuration of Darestani & Heckel (2021) for multi-coil knee MRI (640 x 368). */
export const CONV_DECODER_MRI = Object.freeze({ channels: 160, depth: 8, inputSize: [8, 4], upsample: 'nearest' as const, kernelSize: 3 });

/**
 * ConvDecoder (Darestani & Heckel): fixed input ~ U(0, 0.1); depth-1 blocks of upsampling to the
 * next size, 3x3 conv (zero padding, bias), ReLU, channel norm; then 3x3 conv, ReLU, norm and a
 * 1x1 conv to the output channels (e.g. 2 per coil for complex MRI images). No sigmoid by default.
 */
export function convDecoder(options: ConvDecoderOptions): Generator {
  const fn = 'convDecoder';
  checkOptions(fn, options, ['outShape', 'channels', 'depth', 'upsample', 'inputSize', 'kernelSize', 'sigmoid', 'oneDimensional', 'seed', 'precision']);
  const geo = outGeometry(fn, options.outShape, options.oneDimensional);
  const k = checkPositiveInteger(fn, 'channels', options.channels ?? 64);
  const depth = checkInteger(fn, 'depth', options.depth ?? 6, 2, 16);
  const mode = checkOneOf(fn, 'upsample', options.upsample ?? 'nearest', ['bilinear', 'nearest'] as const);
  const ks = checkInteger(fn, 'kernelSize', options.kernelSize ?? 3, 1, 15);
  if (ks % 2 === 0) throw new InvalidArgumentError(fn, 'kernelSize', 'an odd size', ks);
  const seed = checkSeed(fn, options.seed);
  const ups = depth - 1;
  const defaultIn = (n: number) => Math.min(n, Math.max(2, Math.round(n / 2 ** ups)));
  const { inH, inW } = inputGeometry(fn, geo, options.inputSize, defaultIn);
  const hs = layerSizes(inH, geo.h, ups);
  const ws = layerSizes(inW, geo.w, ups);
  const kernel: [number, number] = geo.oneD ? [1, ks] : [ks, ks];
  const b = new NetworkBuilder(k, inH, inW);
  let x = b.input;
  for (let i = 0; i < ups; i++) {
    x = b.upsample(x, hs[i]!, ws[i]!, mode);
    x = b.conv(x, { outChannels: k, kernel, bias: true });
    x = b.batchNorm(x, { relu: true }); // ReLU then channel norm, fused
  }
  x = b.conv(x, { outChannels: k, kernel, bias: true });
  x = b.batchNorm(x, { relu: true });
  x = b.conv(x, { outChannels: geo.c, kernel: [1, 1], bias: true });
  const sigmoid = options.sigmoid ?? false;
  if (sigmoid) x = b.activation(x, 'sigmoid');
  return networkGenerator({
    name: 'conv-decoder',
    network: b.build(x, { seed, owner: fn, precision: checkOneOf(fn, 'precision', options.precision ?? 'float32', ['float32', 'float64'] as const) }),
    outShape: options.outShape.slice(),
    seed,
    config: { channels: k, depth, upsample: mode, inputSize: geo.oneD ? [inW] : [inH, inW], kernelSize: ks, sigmoid },
    inputInit: uniformTenth,
    recipe: { factory: 'convDecoder', options },
  });
}
