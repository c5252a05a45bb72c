import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import { checkShape, toFloat64 } from '../core/validate.js';
import { sizeOf } from '../core/shape.js';
import { nativeAddon } from '../core/native.js';
import { getThreads } from '../core/threads.js';
import { getFftPlan } from './plan.js';

/**
 * Orthonormal FFTs on interleaved complex data. Shapes are the complex shapes (without the
 * trailing 2). Functions named `...InPlace` overwrite their argument and skip validation; they
 * are what operators call in their inner loops.
 */

/** Below this many complex values the JavaScript transform is as fast as a native call. */
const NATIVE_MIN = 256;

/**
 * In-place transform along every axis of a complex array of `shape` (row-major): on the native
 * addon's FFT (both threads) when it is built, else in JavaScript.
 */
export function fftNdInPlace(data: Float64Array, shape: readonly number[], inverse: boolean): void {
  const native = nativeAddon();
  if (native && data.length >= 2 * NATIVE_MIN) {
    native.fft(data, Int32Array.from(shape), inverse, getThreads());
    return;
  }
  fftNdInPlaceJs(data, shape, inverse);
}

/** The JavaScript transform (fft.js for powers of two, own mixed radix and Bluestein). */
export function fftNdInPlaceJs(data: Float64Array, shape: readonly number[], inverse: boolean): void {
  const total = sizeOf(shape);
  let stride = 1; // distance between consecutive elements along the current axis
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const n = shape[axis]!;
    if (n > 1) transformAxis(data, total, n, stride, inverse);
    stride *= n;
  }
}

function transformAxis(data: Float64Array, total: number, n: number, stride: number, inverse: boolean): void {
  const plan = getFftPlan(n);
  if (stride === 1) {
    for (let start = 0; start < total; start += n) {
      if (inverse) plan.inverse(data, 2 * start);
      else plan.forward(data, 2 * start);
    }
    return;
  }
  // Gather lines along a strided axis into a contiguous buffer, transform, scatter back.
  const line = new Float64Array(2 * n);
  const block = n * stride;
  for (let outer = 0; outer < total; outer += block) {
    for (let inner = 0; inner < stride; inner++) {
      const base = outer + inner;
      for (let j = 0; j < n; j++) {
        const src = 2 * (base + j * stride);
        line[2 * j] = data[src]!;
        line[2 * j + 1] = data[src + 1]!;
      }
      if (inverse) plan.inverse(line);
      else plan.forward(line);
      for (let j = 0; j < n; j++) {
        const dst = 2 * (base + j * stride);
        data[dst] = line[2 * j]!;
        data[dst + 1] = line[2 * j + 1]!;
      }
    }
  }
}

function checked(fn: string, x: unknown, shape: unknown): { data: Float64Array; shape: number[] } {
  const s = checkShape(fn, 'shape', shape);
  const data = toFloat64(fn, 'x', x, undefined, { copy: true });
  if (data.length !== 2 * sizeOf(s)) {
    throw new ShapeMismatchError(fn, 'x', `2 * ${sizeOf(s)} interleaved values for complex shape [${s.join(', ')}]`, `length ${data.length}`);
  }
  return { data, shape: s };
}

/** Orthonormal forward DFT over every axis of complex `x` with complex shape `shape`. */
export function fft(x: ArrayLike<number>, shape?: readonly number[]): Float64Array {
  const s = shape ?? [x.length >> 1];
  if (shape === undefined && x.length % 2 !== 0) {
    throw new InvalidArgumentError('fft', 'x', 'an even number of interleaved (re, im) values', `length ${x.length}`);
  }
  const c = checked('fft', x, s);
  fftNdInPlace(c.data, c.shape, false);
  return c.data;
}

/** Orthonormal inverse DFT over every axis. */
export function ifft(x: ArrayLike<number>, shape?: readonly number[]): Float64Array {
  const s = shape ?? [x.length >> 1];
  if (shape === undefined && x.length % 2 !== 0) {
    throw new InvalidArgumentError('ifft', 'x', 'an even number of interleaved (re, im) values', `length ${x.length}`);
  }
  const c = checked('ifft', x, s);
  fftNdInPlace(c.data, c.shape, true);
  return c.data;
}

/** The 2D shape from fft2's arguments: a shape [h, w] like fft's, or (older form) h and w. */
function shape2(fn: string, shapeOrHeight: unknown, width: unknown): [number, number] {
  if (Array.isArray(shapeOrHeight)) {
    if (shapeOrHeight.length !== 2 || width !== undefined) throw new InvalidArgumentError(fn, 'shape', 'a 2D shape [height, width]', shapeOrHeight);
    return [shapeOrHeight[0], shapeOrHeight[1]];
  }
  return [shapeOrHeight as number, width as number];
}

/** 2D orthonormal DFT; shape [h, w] as for fft (fft2(x, h, w) is still accepted). */
export function fft2(x: ArrayLike<number>, shape: readonly [number, number] | readonly number[]): Float64Array;
export function fft2(x: ArrayLike<number>, height: number, width: number): Float64Array;
export function fft2(x: ArrayLike<number>, shapeOrHeight: readonly number[] | number, width?: number): Float64Array {
  return fft(x, shape2('fft2', shapeOrHeight, width));
}

/** Inverse 2D orthonormal DFT; shape [h, w] as for fft (ifft2(x, h, w) is still accepted). */
export function ifft2(x: ArrayLike<number>, shape: readonly [number, number] | readonly number[]): Float64Array;
export function ifft2(x: ArrayLike<number>, height: number, width: number): Float64Array;
export function ifft2(x: ArrayLike<number>, shapeOrHeight: readonly number[] | number, width?: number): Float64Array {
  return ifft(x, shape2('ifft2', shapeOrHeight, width));
}
