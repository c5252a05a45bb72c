import { InvalidArgumentError } from '../core/errors.js';
import type { Seed } from '../core/rng.js';
import { checkInteger, checkOneOf, checkOptions, checkPositiveInteger, checkSeed } from '../core/validate.js';
import { NetworkBuilder } from './network.js';
import type { Precision } from '../engine/arena.js';
import { inputGeometry, layerSizes, networkGenerator, outGeometry, uniformTenth, type Generator } from './generator.js';
import type { UpsampleMode } from './layers/upsample.js';

/**
 * Options of deepDecoder: output shape, channels (k), depth, input size, output activation and
 * seed.
 */
export interface DeepDecoderOptions {
  /** [h, w], [c, h, w], [n] or [c, n] (1D with oneDimensional). */
  outShape: number[];
  /** Channels per hidden layer, k (default 128). `width` is a synonym. */
  channels?: number;
  width?: number;
  /** Number of blocks (default 6; the last block does not upsample). */
  depth?: number;
  upsample?: UpsampleMode;
  /** Spatial size of the fixed input [h, w] (or [n]); default output / 2^(depth-1), rounded up. */
  inputSize?: number[];
  sigmoid?: boolean;
  /** Treat a 2-element outShape as [channels, n] of a 1D signal. */
  oneDimensional?: boolean;
  seed: Seed;
  /** Arena precision: 'float32' (default) or 'float64' (gradient checks, references). */
  precision?: Precision;
}

/**
 * Deep Decoder (Heckel & Hand 2019): fixed input [k, h0, w0] ~ U(0, 0.1); per block a 1x1 conv
 * k->k without bias, upsampling (not in the last block), ReLU, channel normalisation; then a 1x1
 * conv k->c and a sigmoid. Any output size: layer sizes grow geometrically from the input to the
 * output (exactly x2 per block when the output is a dyadic multiple of the input).
 */
export function deepDecoder(options: DeepDecoderOptions): Generator {
  const fn = 'deepDecoder';
  checkOptions(fn, options, ['outShape', 'channels', 'width', 'depth', 'upsample', 'inputSize', 'sigmoid', 'oneDimensional', 'seed', 'precision']);
  const geo = outGeometry(fn, options.outShape, options.oneDimensional);
  let k = 128;
  if (options.width !== undefined) {
    k = checkPositiveInteger(fn, 'width', options.width);
    // With both given, `channels` can only mean the output channels.
    if (options.channels !== undefined && options.channels !== geo.c) {
      throw new InvalidArgumentError(fn, 'channels', `the output channels ${geo.c} (width already sets k)`, options.channels);
    }
  } else if (options.channels !== undefined) {
    k = checkPositiveInteger(fn, 'channels', options.channels);
  }
  const depth = checkInteger(fn, 'depth', options.depth ?? 6, 1, 16);
  const mode = checkOneOf(fn, 'upsample', options.upsample ?? 'bilinear', ['bilinear', 'nearest'] as const);
  const seed = checkSeed(fn, options.seed);
  const ups = depth - 1;
  const defaultIn = (n: number) => Math.max(1, Math.ceil(n / 2 ** ups));
  const { inH, inW } = inputGeometry(fn, geo, options.inputSize, defaultIn);
  const hs = layerSizes(inH, geo.h, ups);
  const ws = layerSizes(inW, geo.w, ups);
  const b = new NetworkBuilder(k, inH, inW);
  let x = b.input;
  for (let i = 0; i < depth; i++) {
    x = b.conv(x, { outChannels: k, kernel: [1, 1] });
    // Upsampling, then ReLU and channel norm (one layer): the native engine runs the pair as
    // one pass per channel (the upsampled planes are never stored).
    if (i < ups) x = b.upsampleNorm(x, hs[i]!, ws[i]!, mode, { relu: true });
  }
  // The last norm and the 1x1 conv to the output channels: the same layers, which the native
  // engine runs as one pass (its k-channel output is never stored).
  x = b.normHead(x, { relu: true, outChannels: geo.c });
  const sigmoid = options.sigmoid ?? true;
  if (sigmoid) x = b.activation(x, 'sigmoid');
  const network = b.build(x, { seed, owner: fn, precision: checkOneOf(fn, 'precision', options.precision ?? 'float32', ['float32', 'float64'] as const) });
  return networkGenerator({
    name: 'deep-decoder',
    network,
    outShape: options.outShape.slice(),
    seed,
    config: { channels: k, depth, upsample: mode, inputSize: geo.oneD ? [inW] : [inH, inW], sigmoid },
    inputInit: uniformTenth,
    recipe: { factory: 'deepDecoder', options },
  });
}
