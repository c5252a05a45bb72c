import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FloatArray } from '../core/vector.js';
import { portableKernels, type Kernels } from './kernels.js';
import { getThreads } from './threads.js';

/**
 * The optional native kernels (native/ucs_native.c, built at install time by native/build.mjs):
 * GEMM with AVX-512 / AVX2+FMA micro-kernels chosen for the CPU at load time, and the
 * elementwise passes, both split over the caller and one helper thread. When the binary is
 * missing (no compiler at install, another OS, UNTRAINED_CS_NATIVE=0), nativeKernels is null and
 * the WebAssembly SIMD kernels are used instead.
 */
interface Addon {
  gemm(f: Float32Array, ta: boolean, tb: boolean, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: boolean, threads: number): void;
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
  isa(): string;
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

let addon: Addon | null | undefined;
let loadError = '';

function load(): Addon | null {
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
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (e) {
    loadError = `failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
  return addon;
}

/** Whether the native kernels are built and load here. */
export function nativeAvailable(): boolean {
  return load() !== null;
}

/** What the native kernels run on ('avx512', 'avx2', 'generic'), or why they are unavailable. */
export function nativeStatus(): { available: boolean; isa?: string; reason?: string } {
  const a = load();
  return a ? { available: true, isa: a.isa() } : { available: false, reason: loadError };
}

function make(a: Addon): Kernels {
  // Float64 reference arenas stay on the portable kernels.
  const p = portableKernels;
  return {
    name: `native-${a.isa()}`,
    get threads() {
      return getThreads();
    },
    gemm(f, tA, tB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, acc) {
      if (!(f instanceof Float32Array)) return p.gemm(f, tA, tB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, acc);
      a.gemm(f, tA, tB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, acc, getThreads());
    },
    leaky(f, x, y, n, slope) {
      if (!(f instanceof Float32Array)) return p.leaky(f, x, y, n, slope);
      a.leaky(f, x, y, n, slope, getThreads());
    },
    leakyBackward(f, x, dy, dx, n, slope, acc) {
      if (!(f instanceof Float32Array)) return p.leakyBackward(f, x, dy, dx, n, slope, acc);
      a.leakyBackward(f, x, dy, dx, n, slope, acc, getThreads());
    },
    sum(f: FloatArray, x, n, relu) {
      return f instanceof Float32Array ? a.sum(f, x, n, relu, getThreads()) : p.sum(f, x, n, relu);
    },
    centeredSumSquares(f, x, n, mean, relu) {
      return f instanceof Float32Array ? a.centeredSumSquares(f, x, n, mean, relu, getThreads()) : p.centeredSumSquares(f, x, n, mean, relu);
    },
    affine(f, x, y, n, s, b, relu) {
      if (!(f instanceof Float32Array)) return p.affine(f, x, y, n, s, b, relu);
      a.affine(f, x, y, n, s, b, relu, getThreads());
    },
    batchNormSums(f, x, dy, n, mean, out, relu) {
      if (!(f instanceof Float32Array)) return p.batchNormSums(f, x, dy, n, mean, out, relu);
      a.batchNormSums(f, x, dy, n, mean, out, relu, getThreads());
    },
    batchNormApply(f, x, dy, dx, n, mean, k, meanDy, c, acc, relu) {
      if (!(f instanceof Float32Array)) return p.batchNormApply(f, x, dy, dx, n, mean, k, meanDy, c, acc, relu);
      a.batchNormApply(f, x, dy, dx, n, mean, k, meanDy, c, acc, relu, getThreads());
    },
    upsample2x(f, x, y, h, w, vertical, tmp) {
      if (!(f instanceof Float32Array)) return p.upsample2x(f, x, y, h, w, vertical, tmp);
      a.upsample2x(f, x, y, h, w, vertical, tmp, getThreads());
    },
    upsample2xBackward(f, dy, dx, h, w, vertical, tmp, acc) {
      if (!(f instanceof Float32Array)) return p.upsample2xBackward(f, dy, dx, h, w, vertical, tmp, acc);
      a.upsample2xBackward(f, dy, dx, h, w, vertical, tmp, acc, getThreads());
    },
    im2col(f, g, x, cols, row0, rows) {
      if (!(f instanceof Float32Array)) return p.im2col(f, g, x, cols, row0, rows);
      a.im2col(f, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.reflect, g.wo, x, cols, row0, rows, getThreads());
    },
    col2im(f, g, cols, dx, row0, rows) {
      if (!(f instanceof Float32Array)) return p.col2im(f, g, cols, dx, row0, rows);
      a.col2im(f, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.reflect, g.wo, cols, dx, row0, rows, getThreads());
    },
    resize(f, m, s, x, y) {
      if (!(f instanceof Float32Array)) return p.resize(f, m, s, x, y);
      a.resize(f, s.c, s.h, s.w, s.H, s.W, x, y, m.yi0, m.yi1, m.yw0, m.yw1, m.xi0, m.xi1, m.xw0, m.xw1, m.nearest, false, false, getThreads());
    },
    resizeBackward(f, m, s, dy, dx, acc) {
      if (!(f instanceof Float32Array)) return p.resizeBackward(f, m, s, dy, dx, acc);
      a.resize(f, s.c, s.h, s.w, s.H, s.W, dy, dx, m.yi0, m.yi1, m.yw0, m.yw1, m.xi0, m.xi1, m.xw0, m.xw1, m.nearest, true, acc, getThreads());
    },
  };
}

let kernels: Kernels | null | undefined;

/** The native kernels, or null when they are not available here. */
export function nativeKernels(): Kernels | null {
  if (kernels === undefined) {
    const a = load();
    kernels = a ? make(a) : null;
  }
  return kernels;
}
