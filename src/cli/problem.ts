import { existsSync } from 'node:fs';
import { InvalidArgumentError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { addNoise } from '../operators/noise.js';
import { identity, mask as maskOp } from '../operators/elementwise.js';
import { gaussian } from '../operators/gaussian.js';
import { structuredRandom } from '../operators/structuredRandom.js';
import { fourier } from '../operators/fourier.js';
import { convolution, gaussianKernel } from '../operators/convolution.js';
import { bernoulliMask, blockMask, cartesianMask, radialMask, samplingRate, variableDensityMask } from '../operators/masks.js';
import type { LinearOperator } from '../operators/linearOperator.js';
import { readNpy } from '../io/npy.js';
import { readImage, toGray, type Image } from '../io/image.js';
import { builtinImagePath } from '../io/builtin.js';

export const OPERATORS = ['identity', 'mask', 'gaussian', 'structured', 'fourier', 'blur'] as const;
export type OperatorName = (typeof OPERATORS)[number];
export const MASKS = ['cartesian', 'variable-density', 'radial', 'bernoulli', 'block'] as const;

export interface ProblemOptions {
  operator: OperatorName;
  rate?: number;
  mask?: (typeof MASKS)[number];
  acceleration?: number;
  noiseSigma?: number;
  blurSigma?: number;
  seed: number;
  measurementsPath?: string;
}

export interface Problem {
  truth: Image;
  operator: LinearOperator;
  measurements: Float64Array;
  description: string;
  rate: number;
}

export function loadImage(path: string, color: boolean): Image {
  if (path !== 'builtin' && path !== 'cameraman' && !existsSync(path)) throw new InvalidArgumentError('untrained-cs', '--image', 'an existing image file (PNG, JPEG or PGM)', path);
  const img = readImage(path === 'builtin' || path === 'cameraman' ? builtinImagePath() : path);
  return color ? img : toGray(img);
}

/** Builds the operator for an image and simulates (or reads) its measurements. */
export function buildProblem(truth: Image, o: ProblemOptions): Problem {
  const fn = 'untrained-cs';
  const shape = truth.shape;
  const n = sizeOf(shape);
  const rate = o.rate ?? (o.acceleration ? 1 / o.acceleration : 0.25);
  if (!(rate > 0 && rate <= 1)) throw new InvalidArgumentError(fn, '--rate', 'a sampling rate in (0, 1]', rate);
  const spatial = shape.slice(-2);
  const gray = shape.length === 2;
  let op: LinearOperator;
  let description: string;
  let actualRate = rate;
  switch (o.operator) {
    case 'identity':
      op = identity({ shape });
      description = 'denoising (identity)';
      actualRate = 1;
      break;
    case 'blur': {
      const k = gaussianKernel({ sigma: o.blurSigma ?? 1.5 });
      op = convolution({ ...k, shape });
      description = `Gaussian blur (sigma ${o.blurSigma ?? 1.5})`;
      actualRate = 1;
      break;
    }
    case 'mask': {
      const kind = o.mask ?? 'bernoulli';
      const m =
        kind === 'block'
          ? blockMask({ shape: spatial, blockShape: [Math.max(2, spatial[0]! >> 4), Math.max(2, spatial[1]! >> 4)], missing: 1 - rate, seed: o.seed })
          : bernoulliMask({ shape: spatial, keep: rate, seed: o.seed });
      op = maskOp({ mask: m, shape });
      actualRate = samplingRate(m);
      description = `inpainting (${kind} mask, ${(100 * actualRate).toFixed(1)}% kept)`;
      break;
    }
    case 'gaussian': {
      const m = Math.max(1, Math.round(rate * n));
      op = gaussian({ m, inShape: shape, seed: o.seed });
      description = `Gaussian CS (m = ${m} of n = ${n})`;
      break;
    }
    case 'structured': {
      const m = Math.max(1, Math.round(rate * n));
      op = structuredRandom({ m, inShape: shape, seed: o.seed, transform: 'dct' });
      description = `structured random DCT (m = ${m} of n = ${n})`;
      break;
    }
    case 'fourier': {
      if (!gray) throw new InvalidArgumentError(fn, '--operator', 'a gray image for fourier (drop --color)', 'a colour image');
      const kind = o.mask ?? 'cartesian';
      let m: Uint8Array;
      if (kind === 'cartesian') m = cartesianMask({ shape: spatial, acceleration: o.acceleration ?? 1 / rate, seed: o.seed });
      else if (kind === 'variable-density') m = variableDensityMask({ shape: spatial, rate, seed: o.seed });
      else if (kind === 'radial') m = radialMask({ shape: spatial, spokes: Math.max(1, Math.round((rate * Math.PI * Math.max(...spatial)) / 2)), seed: o.seed });
      else if (kind === 'bernoulli') m = bernoulliMask({ shape: spatial, keep: rate, seed: o.seed });
      else throw new InvalidArgumentError(fn, '--mask', 'cartesian, variable-density, radial or bernoulli for fourier', kind);
      op = fourier({ shape: spatial, mask: m });
      actualRate = samplingRate(m);
      description = `MRI-style Fourier (${kind} mask, ${(100 * actualRate).toFixed(1)}% of k-space)`;
      break;
    }
    default:
      throw new InvalidArgumentError(fn, '--operator', OPERATORS.join(', '), o.operator);
  }
  let y: Float64Array;
  if (o.measurementsPath) {
    if (!existsSync(o.measurementsPath)) throw new InvalidArgumentError('untrained-cs', '--measurements', 'an existing .npy file', o.measurementsPath);
    y = readNpy(o.measurementsPath).data;
    if (y.length !== op.outSize) throw new InvalidArgumentError(fn, '--measurements', `${op.outSize} values for this operator`, `${y.length} values`);
  } else {
    y = op.forward(truth.data);
    if (o.noiseSigma) y = addNoise(y, { sigma: o.noiseSigma }, `${o.seed}/noise`);
  }
  if (o.noiseSigma) description += `, noise sigma ${o.noiseSigma}`;
  return { truth, operator: op, measurements: y, description, rate: actualRate };
}
