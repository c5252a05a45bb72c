import { philoxBlockFill, type PhiloxBlockFill } from '../core/philox.js';

/** Which product: out = s Z x (forward), s Z^T x (adjoint), s^2 Z^T Z x (normal). */
export const GAUSS_FORWARD = 0;
export const GAUSS_ADJOINT = 1;
export const GAUSS_NORMAL = 2;
export type GaussianProductKind = typeof GAUSS_FORWARD | typeof GAUSS_ADJOINT | typeof GAUSS_NORMAL;

/** Columns generated at a time by the matrix-free products (a multiple of 64). */
const CHUNK = 1024;

/** Z(i, col0 .. col0 + len) into buf (len rounded up to 64); col0 a multiple of 64. */
function generateRow(fill: PhiloxBlockFill, k0: number, k1: number, i: number, col0: number, len: number, buf: Float32Array): void {
  fill(k0, k1, i, 1, col0, 64 * Math.ceil(len / 64), buf);
}

function dotRow(a: Float32Array, base: number, len: number, x: Float64Array, x0: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) s += a[base + j]! * x[x0 + j]!;
  return s;
}

function axpyRow(a: Float32Array, base: number, len: number, c: number, out: Float64Array, o0: number): void {
  for (let j = 0; j < len; j++) out[o0 + j]! += c * a[base + j]!;
}

/**
 * The products of gaussian() in JavaScript, where the native addon is unavailable or the engine
 * is pinned to wasm / portable: the same arithmetic as native/gaussian.c (float32 entries,
 * float64 sums), one thread. `a` is the stored m x n matrix or null (matrix-free).
 */
export function gaussianProductJs(
  a: Float32Array | null,
  k0: number,
  k1: number,
  m: number,
  n: number,
  op: GaussianProductKind,
  scale: number,
  x: Float64Array,
  out: Float64Array,
  fill: PhiloxBlockFill = philoxBlockFill(),
): void {
  const buf = a ? null : new Float32Array(Math.ceil(Math.min(n, op === GAUSS_NORMAL ? n : CHUNK) / 64) * 64);
  if (op === GAUSS_FORWARD) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      if (a) s = dotRow(a, i * n, n, x, 0);
      else
        for (let c = 0; c < n; c += CHUNK) {
          const len = Math.min(CHUNK, n - c);
          generateRow(fill, k0, k1, i, c, len, buf!);
          s += dotRow(buf!, 0, len, x, c);
        }
      out[i] = scale * s;
    }
    return;
  }
  out.fill(0, 0, n);
  if (op === GAUSS_ADJOINT) {
    for (let i = 0; i < m; i++) {
      if (a) axpyRow(a, i * n, n, x[i]!, out, 0);
      else
        for (let c = 0; c < n; c += CHUNK) {
          const len = Math.min(CHUNK, n - c);
          generateRow(fill, k0, k1, i, c, len, buf!);
          axpyRow(buf!, 0, len, x[i]!, out, c);
        }
    }
  } else {
    // Normal: each row is read (or generated) once for its dot product and its update.
    for (let i = 0; i < m; i++) {
      const row = a ?? buf!;
      const base = a ? i * n : 0;
      if (!a) generateRow(fill, k0, k1, i, 0, n, buf!);
      axpyRow(row, base, n, dotRow(row, base, n, x, 0), out, 0);
    }
    scale *= scale;
  }
  for (let j = 0; j < n; j++) out[j]! *= scale;
}
