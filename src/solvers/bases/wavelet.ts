import { InvalidArgumentError } from '../../core/errors.js';
import { checkInteger, checkOptions, checkShape } from '../../core/validate.js';
import { defineOperator, type LinearOperator } from '../../operators/linearOperator.js';
import { daubechiesFilter } from './daubechies.js';

/** Wavelets by name: 'haar' or Daubechies 'db1' ... 'db20'. */
export type WaveletName = 'haar' | `db${number}`;

function filterFor(fn: string, name: unknown): Float64Array {
  if (name === 'haar') return daubechiesFilter(1);
  const m = typeof name === 'string' ? /^db(\d+)$/.exec(name) : null;
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 20) throw new InvalidArgumentError(fn, 'wavelet', "'haar' or 'db1' ... 'db20'", name);
  return daubechiesFilter(Number(m[1]));
}

/**
 * One periodic analysis step on `n` samples at data[off + i*stride]: a[k] = sum h[j] x[2k+j],
 * d[k] = sum g[j] x[2k+j] (indices mod n), g[j] = (-1)^j h[L-1-j]; output [a | d].
 */
function analyze(data: Float64Array, off: number, stride: number, n: number, h: Float64Array, g: Float64Array, tmp: Float64Array): void {
  const half = n >> 1;
  const L = h.length;
  for (let k = 0; k < half; k++) {
    let a = 0;
    let d = 0;
    for (let j = 0; j < L; j++) {
      const v = data[off + ((2 * k + j) % n) * stride]!;
      a += h[j]! * v;
      d += g[j]! * v;
    }
    tmp[k] = a;
    tmp[half + k] = d;
  }
  for (let i = 0; i < n; i++) data[off + i * stride] = tmp[i]!;
}

/** The exact transpose of `analyze` (its inverse, the transform being orthonormal). */
function synthesize(data: Float64Array, off: number, stride: number, n: number, h: Float64Array, g: Float64Array, tmp: Float64Array): void {
  const half = n >> 1;
  const L = h.length;
  tmp.fill(0, 0, n);
  for (let k = 0; k < half; k++) {
    const a = data[off + k * stride]!;
    const d = data[off + (half + k) * stride]!;
    for (let j = 0; j < L; j++) tmp[(2 * k + j) % n]! += h[j]! * a + g[j]! * d;
  }
  for (let i = 0; i < n; i++) data[off + i * stride] = tmp[i]!;
}

/**
 * Default depth: as deep as the shorter side allows, short of zero-padding any side by more than
 * 1/8 (or, without padding, the deepest level that divides every side). A shallow transform leaves
 * a dense approximation band that l1 pays for in full: at 64x64 with Gaussian measurements, Lasso
 * in db4 reached 5.7 dB with 4 levels and 15.7 dB with 6 at 2% of the measurements, 17.0 against
 * 17.9 dB at 10%, and the same (20.7 dB) at 25% (boat, oracle weights).
 */
function defaultLevels(shape: readonly number[], maxLevels: number, pad: boolean): number {
  for (let levels = maxLevels; levels > 1; levels--) {
    const block = 2 ** levels;
    const fits = shape.every((d) => (pad ? Math.ceil(d / block) * block <= d * 1.125 : d % block === 0));
    if (fits) return levels;
  }
  return 1;
}

/** Options of waveletBasis: shape, wavelet, levels and cycle spinning. */
export interface WaveletBasisOptions {
  shape: readonly number[];
  wavelet?: WaveletName;
  /** Decomposition depth (default: as deep as the shorter side allows, see defaultLevels). */
  levels?: number;
  /**
   * Sizes not divisible by 2^levels are zero-padded to the next multiple (default true); the
   * operator then maps the image to the coefficients of the padded image and its adjoint crops,
   * so W^T W = I still holds (a tight frame) and synthesis solvers are unaffected. false throws.
   */
  pad?: boolean;
  /**
   * Cycle spinning: the transform of the image circularly shifted by 0..k-1 pixels along each
   * axis, stacked and scaled by 1/sqrt(k^d) (a Parseval frame, W^T W = I). Shift invariance
   * removes the blocky artefacts of decimated wavelets in l1 reconstructions (default 1: off).
   */
  cycleSpinning?: number;
}

/**
 * Orthonormal periodic discrete wavelet transform, 1D ([n]) or 2D ([h, w], separable, Mallat
 * layout), `levels` deep; any size (zero-padding to a multiple of 2^levels), optionally cycle
 * spinning. forward = analysis (signal to coefficients), adjoint = synthesis. Haar and
 * Daubechies db1-db20.
 */
export function waveletBasis(options: WaveletBasisOptions): LinearOperator {
  const fn = 'waveletBasis';
  checkOptions(fn, options, ['shape', 'wavelet', 'levels', 'pad', 'cycleSpinning']);
  const shape = checkShape(fn, 'shape', options.shape);
  if (shape.length > 2) throw new InvalidArgumentError(fn, 'shape', 'a 1D or 2D shape', shape);
  const wavelet = options.wavelet ?? 'db4';
  const h = filterFor(fn, wavelet);
  const L = h.length;
  const g = Float64Array.from(h, (_, j) => (j % 2 === 0 ? 1 : -1) * h[L - 1 - j]!);
  const pad = options.pad ?? true;
  const minSide = Math.min(...shape);
  // With padding, depth is bounded by the (padded) shorter side: at least one coefficient left.
  const maxLevels = Math.max(1, Math.floor(Math.log2(pad ? Math.max(2, minSide) : minSide)));
  const levels = checkInteger(fn, 'levels', options.levels ?? defaultLevels(shape, maxLevels, pad), 1, Math.max(1, maxLevels));
  const block = 2 ** levels;
  if (!pad) {
    for (const d of shape) if (d % block !== 0) throw new InvalidArgumentError(fn, 'shape', `sizes divisible by 2^levels = ${block} (or pad: true)`, shape);
  }
  const padded = shape.map((d) => Math.ceil(d / block) * block);
  const spins = checkInteger(fn, 'cycleSpinning', options.cycleSpinning ?? 1, 1, block);
  const tmp = new Float64Array(Math.max(...padded));
  const [rows, cols] = padded.length === 1 ? [1, padded[0]!] : [padded[0]!, padded[1]!];
  const [inRows, inCols] = shape.length === 1 ? [1, shape[0]!] : [shape[0]!, shape[1]!];
  const N = rows * cols;
  const run = (x: Float64Array, inverse: boolean) => {
    const order = Array.from({ length: levels }, (_, l) => l);
    if (inverse) order.reverse();
    for (const l of order) {
      const r = padded.length === 1 ? 1 : rows >> l;
      const c = cols >> l;
      const step = inverse ? synthesize : analyze;
      if (inverse && padded.length === 2) for (let j = 0; j < c; j++) step(x, j, cols, r, h, g, tmp);
      for (let i = 0; i < r; i++) step(x, i * cols, 1, c, h, g, tmp);
      if (!inverse && padded.length === 2) for (let j = 0; j < c; j++) step(x, j, cols, r, h, g, tmp);
    }
    return x;
  };
  const shifts: [number, number][] = [];
  for (let a = 0; a < (shape.length === 2 ? spins : 1); a++) for (let b = 0; b < spins; b++) shifts.push([a, b]);
  const scale = 1 / Math.sqrt(shifts.length);
  const simple = shifts.length === 1 && N === inRows * inCols;
  const forward = (x: Float64Array) => {
    if (simple) return run(new Float64Array(x), false);
    const out = new Float64Array(shifts.length * N);
    shifts.forEach(([dr, dc], s) => {
      // Pad with zeros, shift circularly by (dr, dc), transform.
      const buf = out.subarray(s * N, (s + 1) * N);
      for (let i = 0; i < inRows; i++) for (let j = 0; j < inCols; j++) buf[((i + dr) % rows) * cols + ((j + dc) % cols)] = scale * x[i * inCols + j]!;
      run(buf, false);
    });
    return out;
  };
  const adjoint = (c: Float64Array) => {
    if (simple) return run(new Float64Array(c), true);
    const x = new Float64Array(inRows * inCols);
    shifts.forEach(([dr, dc], s) => {
      const buf = run(c.slice(s * N, (s + 1) * N), true);
      for (let i = 0; i < inRows; i++) for (let j = 0; j < inCols; j++) x[i * inCols + j]! += scale * buf[((i + dr) % rows) * cols + ((j + dc) % cols)]!;
    });
    return x;
  };
  const framed = !simple;
  const label = [wavelet, `${levels} levels`, ...(padded.some((d, i) => d !== shape[i]) ? [`padded to ${padded.join('x')}`] : []), ...(spins > 1 ? [`${shifts.length} shifts`] : [])].join(', ');
  return defineOperator({
    name: `wavelet(${label})`,
    inShape: shape,
    outShape: framed ? [shifts.length * N] : shape,
    forward,
    adjoint,
    // W^T W = I for the orthonormal transform, its zero-padded version and the spun frame.
    normal: (x) => new Float64Array(x),
  });
}
