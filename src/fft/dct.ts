import { fftNdInPlace } from './fft.js';
import { checkShape, toFloat64 } from '../core/validate.js';
import { sizeOf } from '../core/shape.js';
import { nativeAddon, type NativeAddon } from '../core/native.js';
import { getThreads } from '../core/threads.js';

/**
 * Orthonormal DCT-II (and its inverse, DCT-III) of any length via one complex FFT of the same
 * length (Makhoul 1980): reorder even/odd samples, FFT, rotate by a quarter-sample phase.
 * Matches scipy.fft.dct(x, type=2, norm='ortho').
 */
class DctPlan {
  readonly n: number;
  private readonly twiddle: Float64Array; // exp(-i pi k / 2n), interleaved
  private readonly buf: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.twiddle = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      const a = (-Math.PI * k) / (2 * n);
      this.twiddle[2 * k] = Math.cos(a);
      this.twiddle[2 * k + 1] = Math.sin(a);
    }
    this.buf = new Float64Array(2 * n);
  }

  /** DCT-II of data[offset + j*stride], j < n, in place. */
  forward(data: Float64Array, offset: number, stride: number): void {
    const n = this.n;
    if (n === 1) return;
    const v = this.buf;
    v.fill(0);
    const half = (n + 1) >> 1;
    for (let k = 0; k < half; k++) v[2 * k] = data[offset + 2 * k * stride]!;
    for (let k = 0; 2 * k + 1 < n; k++) v[2 * (n - 1 - k)] = data[offset + (2 * k + 1) * stride]!;
    // On the native FFT when it is built (structuredRandom's DCT of 4096: 0.34 -> see BENCHMARKS.md).
    fftNdInPlace(v, [n], false);
    // The FFT plan is orthonormal (1/sqrt n); the orthonormal DCT wants sqrt(2/n) and sqrt(1/n) at k=0.
    const sqrt2 = Math.SQRT2;
    for (let k = 0; k < n; k++) {
      const re = v[2 * k]! * this.twiddle[2 * k]! - v[2 * k + 1]! * this.twiddle[2 * k + 1]!;
      data[offset + k * stride] = k === 0 ? re : re * sqrt2;
    }
  }

  /** Inverse (DCT-III, orthonormal) in place. */
  inverse(data: Float64Array, offset: number, stride: number): void {
    const n = this.n;
    if (n === 1) return;
    const v = this.buf;
    const invSqrt2 = Math.SQRT1_2;
    // Undo the scaling to C_k = sum_j x_j cos(pi k (2j+1) / 2n), times sqrt(n) for the FFT plan.
    for (let k = 0; k < n; k++) {
      const ck = k === 0 ? data[offset]! : data[offset + k * stride]! * invSqrt2;
      const cnk = k === 0 ? 0 : data[offset + (n - k) * stride]! * invSqrt2;
      // W_k = C_k - i C_{n-k};  V_k = exp(+i pi k / 2n) W_k
      const tr = this.twiddle[2 * k]!;
      const ti = -this.twiddle[2 * k + 1]!;
      v[2 * k] = ck * tr + cnk * ti;
      v[2 * k + 1] = ck * ti - cnk * tr;
    }
    fftNdInPlace(v, [n], true);
    const half = (n + 1) >> 1;
    for (let k = 0; k < half; k++) data[offset + 2 * k * stride] = v[2 * k]!;
    for (let k = 0; 2 * k + 1 < n; k++) data[offset + (2 * k + 1) * stride] = v[2 * (n - 1 - k)]!;
  }
}

const dctPlans = new Map<number, DctPlan>();
function getDctPlan(n: number): DctPlan {
  let p = dctPlans.get(n);
  if (!p) {
    p = new DctPlan(n);
    dctPlans.set(n, p);
  }
  return p;
}

/** Below this many values a line's JavaScript transform costs about what a native call does. */
const NATIVE_MIN = 256;

/**
 * In-place orthonormal DCT-II (or inverse) along every axis of a real array of `shape`: on the
 * native addon (a half-length complex FFT per line, no JavaScript per line) when it is built.
 */
export function dctNdInPlace(data: Float64Array, shape: readonly number[], inverse: boolean): void {
  const native = nativeAddon();
  if (native?.dct && data.length >= NATIVE_MIN) {
    native.dct(data, Int32Array.from(shape), inverse, getThreads());
    return;
  }
  dctNdInPlaceJs(data, shape, inverse);
}

/** native/fft.c's dctMapped (absent from addons built before it). */
type NativeDctMapped = (
  buf: Float64Array, shape: Int32Array, inverse: boolean, threads: number, input: Float64Array, inMap: Int32Array | null, inWeight: Float64Array | null, inScale: number,
  output: Float64Array, outMap: Int32Array | null, outWeight: Float64Array | null, outScale: number, zeroFill: boolean,
) => void;

/** Where dctMapped reads (or writes) one side: an index map and per-entry weights (identity and 1 when null), a common scale. */
export interface DctSide {
  data: Float64Array;
  map: Int32Array | null;
  weight: Float64Array | null;
  scale: number;
}

/**
 * One structured-random apply: buf[in.map[i]] = in.scale in.weight[i] in.data[i] (buf zeroed
 * first when `zeroFill`), the orthonormal DCT (or inverse) of buf over `shape`, then
 * out.data[k] = out.scale out.weight[k] buf[out.map[k]]. One native call when the addon has it
 * (the signs and sampling loops cost a third of the DCT in JavaScript). Maps must be in range.
 */
export function dctMapped(buf: Float64Array, shape: Int32Array, inverse: boolean, input: DctSide, output: DctSide, zeroFill: boolean): void {
  const native = nativeAddon() as (NativeAddon & { dctMapped?: NativeDctMapped }) | null;
  if (native?.dctMapped && buf.length >= NATIVE_MIN) {
    native.dctMapped(buf, shape, inverse, getThreads(), input.data, input.map, input.weight, input.scale, output.data, output.map, output.weight, output.scale, zeroFill);
    return;
  }
  if (zeroFill) buf.fill(0);
  const { data: x, map: im, weight: iw, scale: is } = input;
  for (let i = 0; i < x.length; i++) buf[im ? im[i]! : i] = is * (iw ? iw[i]! : 1) * x[i]!;
  dctNdInPlace(buf, Array.from(shape), inverse);
  const { data: y, map: om, weight: ow, scale: os } = output;
  for (let k = 0; k < y.length; k++) y[k] = os * (ow ? ow[k]! : 1) * buf[om ? om[k]! : k]!;
}

/** The JavaScript DCT (one complex FFT of each line's length). */
export function dctNdInPlaceJs(data: Float64Array, shape: readonly number[], inverse: boolean): void {
  const total = sizeOf(shape);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const n = shape[axis]!;
    if (n > 1) {
      const plan = getDctPlan(n);
      const block = n * stride;
      for (let outer = 0; outer < total; outer += block) {
        for (let inner = 0; inner < stride; inner++) {
          if (inverse) plan.inverse(data, outer + inner, stride);
          else plan.forward(data, outer + inner, stride);
        }
      }
    }
    stride *= n;
  }
}

/** Orthonormal DCT-II over every axis of `x` (shape defaults to 1D). */
export function dct(x: ArrayLike<number>, shape?: readonly number[]): Float64Array {
  const s = checkShape('dct', 'shape', shape ?? [x.length]);
  const data = toFloat64('dct', 'x', x, sizeOf(s), { copy: true });
  dctNdInPlace(data, s, false);
  return data;
}

/** Orthonormal inverse DCT-II (= DCT-III) over every axis. */
export function idct(x: ArrayLike<number>, shape?: readonly number[]): Float64Array {
  const s = checkShape('idct', 'shape', shape ?? [x.length]);
  const data = toFloat64('idct', 'x', x, sizeOf(s), { copy: true });
  dctNdInPlace(data, s, true);
  return data;
}
