import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { checkOptions, checkShape, toFloat64, type NumericArray } from '../core/validate.js';
import { defineOperator, type LinearOperator } from './linearOperator.js';

/** Identity on arrays of `shape`: the denoising operator. */
export function identity(options: { shape: readonly number[] }): LinearOperator {
  checkOptions('identity', options, ['shape']);
  const shape = checkShape('identity', 'shape', options.shape);
  return defineOperator({
    name: 'identity',
    inShape: shape,
    outShape: shape,
    forward: (x) => new Float64Array(x),
    adjoint: (y) => new Float64Array(y),
    normal: (x) => new Float64Array(x),
  });
}

/** Pointwise multiplication by fixed real weights. */
export function diagonal(options: { weights: NumericArray; shape?: readonly number[] }): LinearOperator {
  checkOptions('diagonal', options, ['weights', 'shape']);
  const w = toFloat64('diagonal', 'weights', options.weights, undefined, { copy: true });
  if (w.length === 0) throw new InvalidArgumentError('diagonal', 'weights', 'a non-empty array', w);
  const shape = options.shape ? checkShape('diagonal', 'shape', options.shape) : [w.length];
  if (sizeOf(shape) !== w.length) {
    throw new ShapeMismatchError('diagonal', 'shape', `size ${w.length} (the weights' length)`, shape);
  }
  const mul = (x: Float64Array) => {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = w[i]! * x[i]!;
    return out;
  };
  return defineOperator({
    name: 'diagonal',
    inShape: shape,
    outShape: shape,
    forward: mul,
    adjoint: mul,
    normal: (x) => {
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) out[i] = w[i]! * w[i]! * x[i]!;
      return out;
    },
  });
}

/** Reads a 0/1 (or boolean) mask into the indices of its kept entries, validating it. */
export function maskIndices(fn: string, mask: unknown, size: number): Int32Array {
  if (!(ArrayBuffer.isView(mask) || Array.isArray(mask))) {
    throw new InvalidArgumentError(fn, 'mask', 'a Uint8Array, boolean[] or number[] of 0/1 entries', mask);
  }
  const m = mask as ArrayLike<number | boolean>;
  if (m.length !== size) throw new ShapeMismatchError(fn, 'mask', `length ${size}`, `length ${m.length}`);
  const kept: number[] = [];
  for (let i = 0; i < m.length; i++) {
    const v = m[i];
    if (v === true || v === 1) kept.push(i);
    else if (!(v === false || v === 0)) {
      throw new InvalidArgumentError(fn, 'mask', 'entries 0/1 or true/false', `${String(v)} at index ${i}`);
    }
  }
  if (kept.length === 0) throw new InvalidArgumentError(fn, 'mask', 'at least one kept entry', 'an all-zero mask');
  return Int32Array.from(kept);
}

/**
 * Inpainting: keeps the entries where `mask` is 1. The output has one entry per kept sample,
 * in raster order; the adjoint zero-fills the rest. With `channels` (or a [c,h,w] shape and a
 * [h,w] mask), the same pixel mask applies to every channel.
 */
export function mask(options: { mask: ArrayLike<number | boolean>; shape?: readonly number[] }): LinearOperator {
  checkOptions('mask', options, ['mask', 'shape']);
  const raw = options.mask as unknown as { length?: unknown };
  const len = raw && typeof raw.length === 'number' ? raw.length : -1;
  const shape = options.shape ? checkShape('mask', 'shape', options.shape) : [len];
  const total = sizeOf(shape);
  // A pixel mask may be shared across the leading channel axis.
  const perChannel = len > 0 && len !== total && total % len === 0 && shape.length >= 2 && sizeOf(shape.slice(1)) === len;
  const pixelIdx = maskIndices('mask', options.mask, perChannel ? len : total);
  let idx = pixelIdx;
  if (perChannel) {
    const c = shape[0]!;
    idx = new Int32Array(pixelIdx.length * c);
    for (let ch = 0; ch < c; ch++) for (let i = 0; i < pixelIdx.length; i++) idx[ch * pixelIdx.length + i] = ch * len + pixelIdx[i]!;
  }
  const kept = idx.length;
  return defineOperator({
    name: 'mask',
    inShape: shape,
    outShape: [kept],
    forward: (x) => {
      const out = new Float64Array(kept);
      for (let i = 0; i < kept; i++) out[i] = x[idx[i]!]!;
      return out;
    },
    adjoint: (y) => {
      const out = new Float64Array(total);
      for (let i = 0; i < kept; i++) out[idx[i]!] = y[i]!;
      return out;
    },
    normal: (x) => {
      const out = new Float64Array(total);
      for (let i = 0; i < kept; i++) out[idx[i]!] = x[idx[i]!]!;
      return out;
    },
  });
}
