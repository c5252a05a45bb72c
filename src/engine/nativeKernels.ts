import type { FloatArray } from '../core/vector.js';
import { nativeAddon, type NativeAddon } from '../core/native.js';
import { getThreads } from '../core/threads.js';
import { portableKernels, type DirectConv3x3, type Kernels } from './kernels.js';
import type { ConvGeometry } from './im2col.js';
import { direct3x3Wins, winograd3x3Wins } from './conv3x3Choice.js';

/**
 * The optional native kernels (native/ucs_native.c, built at install time by native/build.mjs):
 * GEMM with AVX-512 / AVX2+FMA micro-kernels chosen for the CPU at load time, and the
 * elementwise passes, both split over the caller and one helper thread. When the addon is
 * unavailable (src/core/native.ts), nativeKernels() is null and the WebAssembly SIMD kernels
 * are used instead.
 */
/**
 * The 3x3 convolutions of native/conv3x3.c (direct, AVX-512 only) and native/winograd.c
 * (Winograd F(4x4, 3x3), AVX-512 or AVX2): on AVX-512 the direct kernel, with Winograd for each
 * pass where winograd3x3Wins says so (the forward and weight gradient are c -> out convolutions,
 * the input gradient out -> c); on AVX2, Winograd for the layers where it wins every pass, the
 * implicit GEMM for the rest.
 */
function directConv3x3(a: NativeAddon): DirectConv3x3 | undefined {
  const direct = typeof a.conv3x3Available === 'function' && a.conv3x3Available();
  const wino = typeof a.winogradAvailable === 'function' && a.winogradAvailable();
  if (!direct && !wino) return undefined;
  const winoFwd = (g: ConvGeometry, out: number) => wino && winograd3x3Wins(g, g.c, out);
  const winoBwd = (g: ConvGeometry, out: number) => wino && winograd3x3Wins(g, out, g.c);
  const served = (g: ConvGeometry, out: number) => (direct ? direct3x3Wins(g, out) || winoFwd(g, out) || winoBwd(g, out) : winoFwd(g, out) && winoBwd(g, out));
  return {
    serves: (g, out) => g.kh === 3 && g.kw === 3 && g.stride === 1 && served(g, out),
    // All three passes on Winograd: no padded planes (36 MB at 128 -> 128 on 256x256; Winograd's 9.5 MB).
    scratchFloats: (g, out) => {
      const w = winoFwd(g, out) || winoBwd(g, out) ? a.winogradScratch(g.c, out, g.h, g.w, g.reflect) : 0;
      return winoFwd(g, out) && winoBwd(g, out) ? w : Math.max(a.conv3x3Scratch(g.c, out, g.h, g.w, g.reflect), w);
    },
    forward(f, g, out, x, weight, bias, y, acc, scratch) {
      if (winoFwd(g, out)) a.winogradForward(f, g.c, out, g.h, g.w, g.reflect, x, weight, bias, y, acc, scratch, getThreads());
      else a.conv3x3Forward(f, g.c, out, g.h, g.w, g.reflect, x, weight, bias, y, acc, scratch, getThreads());
    },
    backwardData(f, g, out, dy, weight, dx, acc, scratch) {
      if (winoBwd(g, out)) a.winogradBackwardData(f, g.c, out, g.h, g.w, g.reflect, dy, weight, dx, acc, scratch, getThreads());
      else a.conv3x3BackwardData(f, g.c, out, g.h, g.w, g.reflect, dy, weight, dx, acc, scratch, getThreads());
    },
    backwardWeight(f, g, out, x, dy, dWeight, dBias, scratch) {
      if (winoFwd(g, out)) a.winogradBackwardWeight(f, g.c, out, g.h, g.w, g.reflect, x, dy, dWeight, dBias, scratch, getThreads());
      else a.conv3x3BackwardWeight(f, g.c, out, g.h, g.w, g.reflect, x, dy, dWeight, dBias, scratch, getThreads());
    },
  };
}

function make(a: NativeAddon): Kernels {
  // Float64 reference arenas stay on the portable kernels.
  const p = portableKernels;
  return {
    name: `native-${a.isa()}`,
    conv3x3: directConv3x3(a),
    get threads() {
      return getThreads();
    },
    gemm(f, tA, tB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, acc) {
      if (!(f instanceof Float32Array)) return p.gemm(f, tA, tB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, acc);
      a.gemm(f, tA, tB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, acc, getThreads());
    },
    gemmIm2col(f, g, tA, tB, M, N, K, aOff, lda, x, row0, cOff, ldc, acc) {
      if (!(f instanceof Float32Array)) throw new Error('gemmIm2col: float32 arenas only (Conv2d checks)');
      a.gemmIm2col(f, tA, tB, M, N, K, aOff, lda, cOff, ldc, acc, getThreads(), g.c, g.h, g.w, g.kh, g.kw, g.stride, g.reflect, g.wo, x, row0);
    },
    batchNormForward(f, x, y, channels, plane, scaleOff, shiftOff, stateOff, eps, relu) {
      if (!(f instanceof Float32Array)) throw new Error('batchNormForward: float32 arenas only (BatchNorm checks)');
      a.batchNormForward(f, x, y, channels, plane, scaleOff, shiftOff, stateOff, eps, relu, getThreads());
    },
    batchNormBackward(f, x, dy, dx, channels, plane, scaleOff, stateOff, scaleGradOff, shiftGradOff, acc, relu) {
      if (!(f instanceof Float32Array)) throw new Error('batchNormBackward: float32 arenas only (BatchNorm checks)');
      a.batchNormBackward(f, x, dy, dx, channels, plane, scaleOff, stateOff, scaleGradOff, shiftGradOff, acc, relu, getThreads());
    },
    upsample2xLayer(f, from, to, channels, h, w, vertical, backward, acc) {
      if (!(f instanceof Float32Array)) throw new Error('upsample2xLayer: float32 arenas only (Upsample checks)');
      a.upsample2xLayer(f, from, to, channels, h, w, vertical, backward, acc, getThreads());
    },
    ...(typeof a.conv1x1Backward === 'function'
      ? {
          conv1x1Backward(f: FloatArray, M: number, K: number, P: number, w: number, dy: number, x: number, dw: number, dx: number, accumulate: boolean) {
            if (!(f instanceof Float32Array)) throw new Error('conv1x1Backward: float32 arenas only (the engine checks)');
            a.conv1x1Backward!(f, M, K, P, w, dy, x, dw, dx, accumulate, getThreads());
          },
        }
      : {}),
    ...(typeof a.sigmoid === 'function'
      ? {
          sigmoid(f: FloatArray, x: number, y: number, n: number) {
            if (!(f instanceof Float32Array)) throw new Error('sigmoid: float32 arenas only (the engine checks)');
            a.sigmoid!(f, x, y, n, getThreads());
          },
          sigmoidBackward(f: FloatArray, y: number, dy: number, dx: number, n: number, accumulate: boolean) {
            if (!(f instanceof Float32Array)) throw new Error('sigmoidBackward: float32 arenas only (the engine checks)');
            a.sigmoidBackward!(f, y, dy, dx, n, accumulate, getThreads());
          },
        }
      : {}),
    ...(typeof a.upNormForward === 'function'
      ? {
          upNormScratch: (h: number, w: number, vertical: boolean) => a.upNormScratch!(h, w, vertical),
          upNormForward(
            f: FloatArray, x: number, y: number, channels: number, h: number, w: number, vertical: boolean, scaleOff: number, shiftOff: number,
            stateOff: number, eps: number, relu: boolean, scratch: number,
          ) {
            if (!(f instanceof Float32Array)) throw new Error('upNormForward: float32 arenas only (the engine checks)');
            a.upNormForward!(f, x, y, channels, h, w, vertical, scaleOff, shiftOff, stateOff, eps, relu, scratch, getThreads());
          },
          upNormBackward(
            f: FloatArray, x: number, dy: number, dx: number, channels: number, h: number, w: number, vertical: boolean, scaleOff: number,
            stateOff: number, scaleGradOff: number, shiftGradOff: number, accumulate: boolean, relu: boolean, scratch: number,
          ) {
            if (!(f instanceof Float32Array)) throw new Error('upNormBackward: float32 arenas only (the engine checks)');
            a.upNormBackward!(f, x, dy, dx, channels, h, w, vertical, scaleOff, stateOff, scaleGradOff, shiftGradOff, accumulate, relu, scratch, getThreads());
          },
        }
      : {}),
    ...(typeof a.normHeadForward === 'function'
      ? {
          normHeadForward(
            f: FloatArray, x: number, out: number, channels: number, plane: number, outs: number, scaleOff: number, shiftOff: number,
            weightOff: number, stateOff: number, eps: number, relu: boolean, scratch: number,
          ) {
            if (!(f instanceof Float32Array)) throw new Error('normHeadForward: float32 arenas only (the engine checks)');
            a.normHeadForward!(f, x, out, channels, plane, outs, scaleOff, shiftOff, weightOff, stateOff, eps, relu, scratch, getThreads());
          },
          normHeadBackward(
            f: FloatArray, x: number, dOut: number, dx: number, channels: number, plane: number, outs: number, scaleOff: number, shiftOff: number,
            weightOff: number, stateOff: number, scaleGradOff: number, shiftGradOff: number, weightGradOff: number, accumulate: boolean,
            relu: boolean, coef?: Float32Array,
          ) {
            if (!(f instanceof Float32Array)) throw new Error('normHeadBackward: float32 arenas only (the engine checks)');
            a.normHeadBackward!(
              f, x, dOut, dx, channels, plane, outs, scaleOff, shiftOff, weightOff, stateOff, scaleGradOff, shiftGradOff, weightGradOff, accumulate,
              relu, getThreads(), coef,
            );
          },
        }
      : {}),
    ...(typeof a.normHeadApply === 'function' && typeof a.conv1x1BackwardHead === 'function'
      ? {
          normHeadApply(
            f: FloatArray, x: number, dOut: number, dx: number, channels: number, plane: number, outs: number, weightOff: number, coef: Float32Array,
            accumulate: boolean, relu: boolean,
          ) {
            if (!(f instanceof Float32Array)) throw new Error('normHeadApply: float32 arenas only (the engine checks)');
            a.normHeadApply!(f, x, dOut, dx, channels, plane, outs, weightOff, coef, accumulate, relu, getThreads());
          },
          conv1x1BackwardHead(
            f: FloatArray, M: number, K: number, P: number, w: number, x: number, dw: number, dx: number, accumulate: boolean, z: number, dOut: number,
            outs: number, headWeightOff: number, coef: Float32Array, relu: boolean,
          ): boolean {
            if (!(f instanceof Float32Array)) throw new Error('conv1x1BackwardHead: float32 arenas only (the engine checks)');
            return a.conv1x1BackwardHead!(f, M, K, P, w, x, dw, dx, accumulate, getThreads(), z, dOut, outs, headWeightOff, coef, relu);
          },
        }
      : {}),
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
    const a = nativeAddon();
    kernels = a ? make(a) : null;
  }
  return kernels;
}
