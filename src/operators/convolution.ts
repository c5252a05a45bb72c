import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { checkNumber, checkOptions, checkPositiveInteger, checkShape, toFloat64, type NumericArray } from '../core/validate.js';
import { fftNdInPlace } from '../fft/fft.js';
import { defineOperator, type LinearOperator } from './linearOperator.js';

/** Options of convolution: the kernel and the shape of the signal it blurs. */
export interface ConvolutionOptions {
  /** Real kernel, row-major, centred at floor(k/2) along each axis. */
  kernel: NumericArray;
  /** Kernel shape; defaults to [kernel.length] in 1D or a square kernel in 2D. */
  kernelShape?: readonly number[];
  /** Signal shape [n] or [h, w]; with [c, h, w] the same blur applies to each channel. */
  shape: readonly number[];
}

/** Circular convolution (blur) by FFT: y = IFFT(H * FFT(x)), adjoint with conj(H). */
export function convolution(options: ConvolutionOptions): LinearOperator {
  const fn = 'convolution';
  checkOptions(fn, options, ['kernel', 'kernelShape', 'shape']);
  const shape = checkShape(fn, 'shape', options.shape);
  const kernel = toFloat64(fn, 'kernel', options.kernel, undefined, { copy: true });
  if (kernel.length === 0) throw new InvalidArgumentError(fn, 'kernel', 'a non-empty array', kernel);
  // Channels: a 2D kernel on a 3D shape blurs each channel separately.
  let spatial = shape;
  let channels = 1;
  let kShape: number[];
  if (options.kernelShape) {
    kShape = checkShape(fn, 'kernelShape', options.kernelShape);
  } else if (shape.length === 1) {
    kShape = [kernel.length];
  } else {
    const side = Math.round(Math.sqrt(kernel.length));
    if (side * side !== kernel.length) {
      throw new InvalidArgumentError(fn, 'kernelShape', 'given for a non-square 2D kernel', `kernel of length ${kernel.length}`);
    }
    kShape = [side, side];
  }
  if (sizeOf(kShape) !== kernel.length) {
    throw new ShapeMismatchError(fn, 'kernelShape', `size ${kernel.length} (the kernel's length)`, kShape);
  }
  if (kShape.length === shape.length - 1) {
    channels = shape[0]!;
    spatial = shape.slice(1);
  } else if (kShape.length !== shape.length) {
    throw new ShapeMismatchError(fn, 'kernelShape', `${shape.length} or ${shape.length - 1} dimensions for shape [${shape.join(', ')}]`, kShape);
  }
  kShape.forEach((k, a) => {
    if (k > spatial[a]!) throw new ShapeMismatchError(fn, 'kernelShape', `at most the signal size ${spatial[a]} along axis ${a}`, kShape);
  });
  const size = sizeOf(spatial);
  // Transfer function: kernel embedded circularly with its centre at the origin.
  const h = new Float64Array(2 * size);
  const dims = spatial.length;
  const kIdx = new Array<number>(dims).fill(0);
  for (let flat = 0; flat < kernel.length; flat++) {
    let target = 0;
    for (let a = 0; a < dims; a++) {
      const n = spatial[a]!;
      const pos = (((kIdx[a]! - Math.floor(kShape[a]! / 2)) % n) + n) % n;
      target = target * n + pos;
    }
    h[2 * target]! += kernel[flat]!;
    for (let a = dims - 1; a >= 0; a--) {
      if (++kIdx[a]! < kShape[a]!) break;
      kIdx[a] = 0;
    }
  }
  fftNdInPlace(h, spatial, false);
  const gain = Math.sqrt(size); // orthonormal FFT -> unnormalised transfer function
  for (let i = 0; i < h.length; i++) h[i]! *= gain;

  const buf = new Float64Array(2 * size);
  const filter = (x: Float64Array, conjugate: boolean): Float64Array => {
    const out = new Float64Array(x.length);
    for (let c = 0; c < channels; c++) {
      const off = c * size;
      buf.fill(0);
      for (let i = 0; i < size; i++) buf[2 * i] = x[off + i]!;
      fftNdInPlace(buf, spatial, false);
      for (let i = 0; i < size; i++) {
        const hr = h[2 * i]!;
        const hi = conjugate ? -h[2 * i + 1]! : h[2 * i + 1]!;
        const br = buf[2 * i]!;
        const bi = buf[2 * i + 1]!;
        buf[2 * i] = hr * br - hi * bi;
        buf[2 * i + 1] = hr * bi + hi * br;
      }
      fftNdInPlace(buf, spatial, true);
      for (let i = 0; i < size; i++) out[off + i] = buf[2 * i]!;
    }
    return out;
  };
  return defineOperator({
    name: 'convolution',
    inShape: shape,
    outShape: shape,
    forward: (x) => filter(x, false),
    adjoint: (y) => filter(y, true),
  });
}

/** Normalised Gaussian blur kernel, square in 2D; size defaults to 2*ceil(3 sigma)+1. */
export function gaussianKernel(options: { sigma: number; size?: number; dims?: 1 | 2 }): { kernel: Float64Array; kernelShape: number[] } {
  const fn = 'gaussianKernel';
  checkOptions(fn, options, ['sigma', 'size', 'dims']);
  const sigma = checkNumber(fn, 'sigma', options.sigma, { min: 0, exclusiveMin: true });
  const size = options.size === undefined ? 2 * Math.ceil(3 * sigma) + 1 : checkPositiveInteger(fn, 'size', options.size);
  const dims = options.dims ?? 2;
  if (dims !== 1 && dims !== 2) throw new InvalidArgumentError(fn, 'dims', '1 or 2', dims);
  const c = (size - 1) / 2;
  const g = new Float64Array(size);
  for (let i = 0; i < size; i++) g[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  let kernel: Float64Array;
  if (dims === 1) kernel = g;
  else {
    kernel = new Float64Array(size * size);
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) kernel[i * size + j] = g[i]! * g[j]!;
  }
  let s = 0;
  for (const v of kernel) s += v;
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= s;
  return { kernel, kernelShape: dims === 1 ? [size] : [size, size] };
}
