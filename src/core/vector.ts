/** Small dense-vector helpers used across layers; all float64 unless stated. */
import { floatsFinite } from './native.js';

/** Storage of network tensors: float32 normally, float64 for gradient checks and references. */
export type FloatArray = Float32Array | Float64Array;

/** Inner product of two arrays of the same length. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Euclidean norm ||a||_2. */
export function norm2(a: ArrayLike<number>): number {
  // Scaled accumulation avoids overflow/underflow for extreme entries.
  let scale = 0;
  let ssq = 1;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v === 0) continue;
    if (scale < v) {
      ssq = 1 + ssq * (scale / v) * (scale / v);
      scale = v;
    } else {
      ssq += (v / scale) * (v / scale);
    }
  }
  return scale * Math.sqrt(ssq);
}

/** Sum of squares ||a||_2^2. */
export function sumSquares(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

/** y += alpha * x, in place. */
export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): Float64Array {
  for (let i = 0; i < y.length; i++) y[i]! += alpha * x[i]!;
  return y;
}

export function scaled(alpha: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = alpha * x[i]!;
  return out;
}

export function subtract(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}

export function add(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

/** Whether every value is finite (no NaN, no infinity); typed arrays through floatsFinite (one SIMD pass when native). */
export function allFinite(a: ArrayLike<number>): boolean {
  if (a instanceof Float64Array || a instanceof Float32Array) return floatsFinite(a);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) return false;
  }
  return true;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
