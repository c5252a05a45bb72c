import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The optional native addon (native/*.c, built at install time by native/build.mjs): the
 * compute kernels of the generators (src/engine/nativeKernels.ts) and the FFTs of the Fourier
 * operators. Null when the binary is missing (no compiler at install, another OS) or
 * UNTRAINED_CS_NATIVE=0; every caller then has a JavaScript / WebAssembly path.
 */
export interface NativeAddon {
  gemm(f: Float32Array, ta: boolean, tb: boolean, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: boolean, threads: number): void;
  gemmIm2col(f: Float32Array, ta: boolean, tb: boolean, M: number, N: number, K: number, a: number, lda: number, c: number, ldc: number, acc: boolean, threads: number, channels: number, h: number, w: number, kh: number, kw: number, stride: number, reflect: boolean, wo: number, x: number, row0: number): void;
  batchNormForward(f: Float32Array, x: number, y: number, channels: number, plane: number, scaleOff: number, shiftOff: number, stateOff: number, eps: number, relu: boolean, threads: number): void;
  batchNormBackward(f: Float32Array, x: number, dy: number, dx: number, channels: number, plane: number, scaleOff: number, stateOff: number, scaleGradOff: number, shiftGradOff: number, acc: boolean, relu: boolean, threads: number): void;
  upsample2xLayer(f: Float32Array, from: number, to: number, channels: number, h: number, w: number, vertical: boolean, backward: boolean, acc: boolean, threads: number): void;
  sum(f: Float32Array, x: number, n: number, relu: boolean, threads: number): number;
  centeredSumSquares(f: Float32Array, x: number, n: number, mean: number, relu: boolean, threads: number): number;
  affine(f: Float32Array, x: number, y: number, n: number, a: number, b: number, relu: boolean, threads: number): void;
  leaky(f: Float32Array, x: number, y: number, n: number, slope: number, threads: number): void;
  leakyBackward(f: Float32Array, x: number, dy: number, dx: number, n: number, slope: number, acc: boolean, threads: number): void;
  batchNormSums(f: Float32Array, x: number, dy: number, n: number, mean: number, out: Float64Array, relu: boolean, threads: number): void;
  batchNormApply(f: Float32Array, x: number, dy: number, dx: number, n: number, mean: number, k: number, meanDy: number, c: number, acc: boolean, relu: boolean, threads: number): void;
  upsample2x(f: Float32Array, x: number, y: number, h: number, w: number, vertical: boolean, tmp: number, threads: number): void;
  upsample2xBackward(f: Float32Array, dy: number, dx: number, h: number, w: number, vertical: boolean, tmp: number, acc: boolean, threads: number): void;
  im2col(f: Float32Array, c: number, h: number, w: number, kh: number, kw: number, stride: number, reflect: boolean, wo: number, x: number, cols: number, row0: number, rows: number, threads: number): void;
  col2im(f: Float32Array, c: number, h: number, w: number, kh: number, kw: number, stride: number, reflect: boolean, wo: number, cols: number, dx: number, row0: number, rows: number, threads: number): void;
  resize(f: Float32Array, c: number, h: number, w: number, H: number, W: number, from: number, to: number, yi0: Int32Array, yi1: Int32Array, yw0: Float64Array, yw1: Float64Array, xi0: Int32Array, xi1: Int32Array, xw0: Float64Array, xw1: Float64Array, nearest: boolean, backward: boolean, acc: boolean, threads: number): void;
  /** Orthonormal FFT over every axis of interleaved complex data of `shape`, in place. */
  fft(data: Float64Array, shape: Int32Array, inverse: boolean, threads: number): void;
  /** Orthonormal DCT-II (inverse: DCT-III) over every axis of real data of `shape`, in place (absent from addons built before it). */
  dct?(data: Float64Array, shape: Int32Array, inverse: boolean, threads: number): void;
  isa(): string;
  /** Whether the direct 3x3 convolutions can run here (AVX-512). */
  conv3x3Available(): boolean;
  conv3x3Scratch(cin: number, cout: number, h: number, w: number, reflect: boolean): number;
  conv3x3Forward(f: Float32Array, cin: number, cout: number, h: number, w: number, reflect: boolean, x: number, weight: number, bias: number, y: number, acc: boolean, scratch: number, threads: number): void;
  conv3x3BackwardData(f: Float32Array, cin: number, cout: number, h: number, w: number, reflect: boolean, dy: number, weight: number, dx: number, acc: boolean, scratch: number, threads: number): void;
  conv3x3BackwardWeight(f: Float32Array, cin: number, cout: number, h: number, w: number, reflect: boolean, x: number, dy: number, dWeight: number, dBias: number, scratch: number, threads: number): void;
  /** Whether the Winograd F(4x4, 3x3) kernels can run here (AVX-512: native/winograd.c; AVX2 + FMA: native/winograd_avx2.c). */
  winogradAvailable?(): boolean;
  /** native/gemm.c's one-pass 1x1 convolution backward (optional: an addon built before it lacks it). */
  conv1x1Backward?(f: Float32Array, M: number, K: number, P: number, w: number, dy: number, x: number, dw: number, dx: number, acc: boolean, threads: number): void;
  /** native/sigmoid.c (optional: an addon built before it lacks them). */
  sigmoid?(f: Float32Array, x: number, y: number, n: number, threads: number): void;
  sigmoidBackward?(f: Float32Array, y: number, dy: number, dx: number, n: number, acc: boolean, threads: number): void;
  /** native/finite.c: whether no entry is NaN or +-Inf (optional: an addon built before it lacks it). */
  allFinite?(a: Float64Array | Float32Array): boolean;
  /** native/tvprox.c: tv()'s proximal map, as src/solvers/tvProx.ts's tvProxJs (optional: an addon built before it lacks it). */
  tvProx?(b: Float64Array, mu: number, q: Float64Array, inner: number, nonNeg: boolean, out: Float64Array, r: Float64Array, prev: Float64Array, g: Float64Array, h: number, w: number, nd: number, comps: number, interleaved: boolean): void;
  /** The address of a typed array's first byte modulo 64 (optional: an addon built before it lacks it). */
  addressMod64?(a: ArrayBufferView): number;
  /** native/upnorm.c (optional: an addon built before it lacks them). */
  upNormScratch?(h: number, w: number, vertical: boolean): number;
  upNormForward?(
    f: Float32Array, x: number, y: number, channels: number, h: number, w: number, vertical: boolean, scaleOff: number, shiftOff: number, stateOff: number,
    eps: number, relu: boolean, scratch: number, threads: number,
  ): void;
  upNormBackward?(
    f: Float32Array, x: number, dy: number, dx: number, channels: number, h: number, w: number, vertical: boolean, scaleOff: number, stateOff: number,
    scaleGradOff: number, shiftGradOff: number, acc: boolean, relu: boolean, scratch: number, threads: number,
  ): void;
  /** native/normhead.c (optional: an addon built before it lacks them). */
  normHeadForward?(f: Float32Array, x: number, out: number, channels: number, plane: number, outs: number, scaleOff: number, shiftOff: number, weightOff: number, stateOff: number, eps: number, relu: boolean, scratch: number, threads: number): void;
  normHeadBackward?(f: Float32Array, x: number, dOut: number, dx: number, channels: number, plane: number, outs: number, scaleOff: number, shiftOff: number, weightOff: number, stateOff: number, scaleGradOff: number, shiftGradOff: number, weightGradOff: number, acc: boolean, relu: boolean, threads: number, coef?: Float32Array): void;
  /** The input gradient a normHeadBackward call deferred into coef, written to dx (optional: an addon built before it lacks it). */
  normHeadApply?(f: Float32Array, x: number, dOut: number, dx: number, channels: number, plane: number, outs: number, weightOff: number, coef: Float32Array, acc: boolean, relu: boolean, threads: number): void;
  /** conv1x1Backward with dy the norm + head's deferred input gradient (z: the norm's input); false when out of memory (optional). */
  conv1x1BackwardHead?(f: Float32Array, M: number, K: number, P: number, w: number, x: number, dw: number, dx: number, acc: boolean, threads: number, z: number, dOut: number, outs: number, headWeightOff: number, coef: Float32Array, relu: boolean): boolean;
  winogradScratch(cin: number, cout: number, h: number, w: number, reflect: boolean): number;
  winogradForward(f: Float32Array, cin: number, cout: number, h: number, w: number, reflect: boolean, x: number, weight: number, bias: number, y: number, acc: boolean, scratch: number, threads: number): void;
  winogradBackwardData(f: Float32Array, cin: number, cout: number, h: number, w: number, reflect: boolean, dy: number, weight: number, dx: number, acc: boolean, scratch: number, threads: number): void;
  winogradBackwardWeight(f: Float32Array, cin: number, cout: number, h: number, w: number, reflect: boolean, x: number, dy: number, dWeight: number, dBias: number, scratch: number, threads: number): void;
  /** out[r cols + c] = Z(row0 + r, col0 + c): N(0, 1) entries of the Philox key's matrix (native/gaussian.c). */
  gaussianFill(out: Float32Array, k0: number, k1: number, row0: number, rows: number, col0: number, cols: number, threads: number): void;
  /** out = s Z x (op 0), s Z^T x (1) or s^2 Z^T Z x (2); a: the stored m x n matrix, or null to regenerate it from the key. */
  gaussianProduct(a: Float32Array | null, k0: number, k1: number, m: number, n: number, op: number, scale: number, x: Float64Array, out: Float64Array, threads: number): void;
}

const BINARY = join('native', 'build', 'untrained_cs_native.node');

/** The package root holding native/build: searched upwards from this module (src/ or dist/). */
function binaryPath(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const p = join(dir, BINARY);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return null;
}

let addon: NativeAddon | null | undefined;
let loadError = '';

/** The loaded addon, or null. */
export function nativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.UNTRAINED_CS_NATIVE === '0') {
    loadError = 'disabled by UNTRAINED_CS_NATIVE=0';
    return addon;
  }
  const path = binaryPath();
  if (!path) {
    loadError = 'not built (npm install runs native/build.mjs; it needs a C compiler and Node headers)';
    return addon;
  }
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (e) {
    loadError = `failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
  return addon;
}

/** Whether the native addon is built and loads here. */
export function nativeAvailable(): boolean {
  return nativeAddon() !== null;
}

/** What the native kernels run on ('avx512', 'avx2', 'generic'), or why they are unavailable. */
export function nativeStatus(): { available: boolean; isa?: string; reason?: string } {
  const a = nativeAddon();
  return a ? { available: true, isa: a.isa() } : { available: false, reason: loadError };
}

/**
 * Whether no entry of `a` is NaN or +-Inf, in JavaScript: x * 0 is 0 for a finite x and NaN
 * otherwise, and NaN survives the sum, so one branch-free pass decides (~1.5x faster here than a
 * test per entry; the caller locates the bad entry only on failure).
 */
export function floatsFiniteJs(a: Float64Array | Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * 0;
  return s === 0;
}

/*
 * Below this length the JavaScript loop is as fast as the call into the addon (measured: equal
 * at 64-256 entries; at 131072 native/finite.c takes 0.012 ms, the loop 0.085 ms).
 */
const NATIVE_FINITE_MIN = 256;
let nativeFinite: ((a: Float64Array | Float32Array) => boolean) | null | undefined;

/** Whether no entry of `a` is NaN or +-Inf: native/finite.c (SIMD) for long arrays when built, else floatsFiniteJs. */
export function floatsFinite(a: Float64Array | Float32Array): boolean {
  if (a.length < NATIVE_FINITE_MIN) return floatsFiniteJs(a);
  if (nativeFinite === undefined) {
    const m = nativeAddon();
    nativeFinite = m && typeof m.allFinite === 'function' ? m.allFinite.bind(m) : null;
  }
  return nativeFinite ? nativeFinite(a) : floatsFiniteJs(a);
}
