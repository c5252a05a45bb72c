import type { FloatArray } from '../core/vector.js';
import { col2imPortable, im2colPortable, type ConvGeometry } from './im2col.js';
import { resizeBackwardPortable, resizePortable, type ResizeMap, type ResizeShape } from './resize.js';

/**
 * The compute kernels the generator layers call. Layers never loop over big tensors
 * themselves: they call these on offsets into the arena, so a faster implementation
 * (WebAssembly SIMD, a second thread) replaces `portableKernels` without touching any layer.
 */
export interface Kernels {
  readonly name: string;
  readonly threads: number;
  /**
   * C (M x N, row stride ldc) = op(A) (M x K) * op(B) (K x N), plus C when `accumulate`.
   * op(A) = A (row stride lda) or A^T when transA (A stored K x M). Same for B.
   */
  gemm(f: FloatArray, transA: boolean, transB: boolean, M: number, N: number, K: number, aOff: number, lda: number, bOff: number, ldb: number, cOff: number, ldc: number, accumulate: boolean): void;
  /** y = x > 0 ? x : slope * x (slope 0 is ReLU). */
  leaky(f: FloatArray, x: number, y: number, n: number, slope: number): void;
  /** dx (+)= x > 0 ? dy : slope * dy. */
  leakyBackward(f: FloatArray, x: number, dy: number, dx: number, n: number, slope: number, accumulate: boolean): void;
  /*
   * The batch-norm passes below read r = relu ? max(x, 0) : x, so a ReLU before the
   * normalisation costs no pass of its own.
   */
  /** sum of n entries r, accumulated in float64. */
  sum(f: FloatArray, x: number, n: number, relu: boolean): number;
  /** sum of (r - mean)^2, accumulated in float64. */
  centeredSumSquares(f: FloatArray, x: number, n: number, mean: number, relu: boolean): number;
  /** y = a r + b. */
  affine(f: FloatArray, x: number, y: number, n: number, a: number, b: number, relu: boolean): void;
  /** out[0] = sum dy, out[1] = sum dy (r - mean). */
  batchNormSums(f: FloatArray, x: number, dy: number, n: number, mean: number, out: Float64Array, relu: boolean): void;
  /** dx (+)= k (dy - meanDy - (r - mean) c), times the ReLU derivative (x > 0) when relu. */
  batchNormApply(f: FloatArray, x: number, dy: number, dx: number, n: number, mean: number, k: number, meanDy: number, c: number, accumulate: boolean, relu: boolean): void;
  /**
   * Bilinear x2 (align_corners = false) of one h x w plane to (vertical ? 2h : h) x 2w, with
   * `tmp` scratch of (vertical ? 2h : h) * w floats; and its adjoint.
   */
  upsample2x(f: FloatArray, x: number, y: number, h: number, w: number, vertical: boolean, tmp: number): void;
  upsample2xBackward(f: FloatArray, dy: number, dx: number, h: number, w: number, vertical: boolean, tmp: number, accumulate: boolean): void;
  /**
   * The im2col matrix of a convolution's input x for output rows [row0, row0 + rows):
   * (c kh kw) rows of rows * wo columns at `cols`; and its adjoint, which adds into dx.
   */
  im2col(f: FloatArray, g: ConvGeometry, x: number, cols: number, row0: number, rows: number): void;
  col2im(f: FloatArray, g: ConvGeometry, cols: number, dx: number, row0: number, rows: number): void;
  /**
   * Optional: C (+)= op(A) op(B) where B is the im2col matrix of the convolution input at x for
   * output rows [row0, row0 + rows), generated inside the GEMM's packing and never stored:
   * transB false, B is (c kh kw) x (rows wo) (N = rows wo); transB true, op(B) is its transpose
   * (K = rows wo). Engines without it get im2col + gemm.
   */
  gemmIm2col?(f: FloatArray, g: ConvGeometry, transA: boolean, transB: boolean, M: number, N: number, K: number, aOff: number, lda: number, x: number, row0: number, cOff: number, ldc: number, accumulate: boolean): void;
  /**
   * Optional whole-layer forms of the batch-norm passes and bilinear x2 (engines that share the
   * channels between threads): the same arithmetic as the per-channel kernels above, as the
   * BatchNorm and Upsample layers do it channel by channel otherwise. State holds (mean, 1/std)
   * per channel; dx < 0 means no input gradient.
   */
  batchNormForward?(f: FloatArray, x: number, y: number, channels: number, plane: number, scaleOff: number, shiftOff: number, stateOff: number, eps: number, relu: boolean): void;
  batchNormBackward?(f: FloatArray, x: number, dy: number, dx: number, channels: number, plane: number, scaleOff: number, stateOff: number, scaleGradOff: number, shiftGradOff: number, accumulate: boolean, relu: boolean): void;
  upsample2xLayer?(f: FloatArray, from: number, to: number, channels: number, h: number, w: number, vertical: boolean, backward: boolean, accumulate: boolean): void;
  /**
   * Optional: a batch norm fused with the 1x1 convolution (no bias) to `outs` <= 4 channels that
   * reads it (native/normhead.c), float32 arenas only. Forward writes the statistics to state
   * and out = W (norm of x); `scratch` (-1: none) holds outs * plane floats for a second
   * thread's sum. Backward writes dScale, dShift, dWeight and dx (< 0: none; added when
   * accumulate) from dOut; the norm's output and its gradient are never stored.
   */
  /**
   * Optional: the backward of a 1x1 convolution in one pass over dy (native/gemm.c): dw = dy x^T
   * and dx (+)= w^T dy (dx < 0: none), for w M x K, dy M x P, x K x P; float32 arenas only.
   */
  conv1x1Backward?(f: FloatArray, M: number, K: number, P: number, w: number, dy: number, x: number, dw: number, dx: number, accumulate: boolean): void;
  /**
   * Optional: the logistic sigmoid y = 1 / (1 + exp(-x)) and its backward dx (+)= dy y (1 - y)
   * from the output (native/sigmoid.c), float32 arenas only; engines without them run the
   * JavaScript loops.
   */
  sigmoid?(f: FloatArray, x: number, y: number, n: number): void;
  sigmoidBackward?(f: FloatArray, y: number, dy: number, dx: number, n: number, accumulate: boolean): void;
  /**
   * Optional: bilinear x2 then batch norm of every channel through cache (native/upnorm.c),
   * float32 arenas only: the upsampled planes and their gradient are never stored. Scratch:
   * upNormScratch(h, w, vertical) floats. Same arithmetic as upsample2xLayer then the norm.
   */
  upNormScratch?(h: number, w: number, vertical: boolean): number;
  upNormForward?(
    f: FloatArray, x: number, y: number, channels: number, h: number, w: number, vertical: boolean, scaleOff: number, shiftOff: number, stateOff: number,
    eps: number, relu: boolean, scratch: number,
  ): void;
  upNormBackward?(
    f: FloatArray, x: number, dy: number, dx: number, channels: number, h: number, w: number, vertical: boolean, scaleOff: number, stateOff: number,
    scaleGradOff: number, shiftGradOff: number, accumulate: boolean, relu: boolean, scratch: number,
  ): void;
  normHeadForward?(f: FloatArray, x: number, out: number, channels: number, plane: number, outs: number, scaleOff: number, shiftOff: number, weightOff: number, stateOff: number, eps: number, relu: boolean, scratch: number): void;
  normHeadBackward?(f: FloatArray, x: number, dOut: number, dx: number, channels: number, plane: number, outs: number, scaleOff: number, shiftOff: number, weightOff: number, stateOff: number, scaleGradOff: number, shiftGradOff: number, weightGradOff: number, accumulate: boolean, relu: boolean, coef?: Float32Array): void;
  /**
   * Optional (native/normhead.c, gemm.c): the norm + head's input gradient deferred. With `coef`
   * (4 x channels floats), normHeadBackward writes every parameter gradient but not dx, only
   * the coefficients dx follows from; normHeadApply then writes that dx, and conv1x1BackwardHead
   * runs the 1x1 convolution backward (as conv1x1Backward) with that dx as its dy, computed block
   * by block in cache (the norm's input gradient, 16 MB at k = 64 on 256x256, never stored).
   * conv1x1BackwardHead returns false, writing nothing, when out of memory.
   */
  normHeadApply?(f: FloatArray, x: number, dOut: number, dx: number, channels: number, plane: number, outs: number, weightOff: number, coef: Float32Array, accumulate: boolean, relu: boolean): void;
  conv1x1BackwardHead?(
    f: FloatArray, M: number, K: number, P: number, w: number, x: number, dw: number, dx: number, accumulate: boolean, z: number, dOut: number, outs: number,
    headWeightOff: number, coef: Float32Array, relu: boolean,
  ): boolean;
  /**
   * Optional direct 3x3 stride-1 convolutions (no im2col), for the layers `serves` accepts.
   */
  conv3x3?: DirectConv3x3;
  /** Separable resampling of every channel (nearest or bilinear, any sizes) and its adjoint. */
  resize(f: FloatArray, m: ResizeMap, s: ResizeShape, x: number, y: number): void;
  resizeBackward(f: FloatArray, m: ResizeMap, s: ResizeShape, dy: number, dx: number, accumulate: boolean): void;
}

/**
 * The three passes of a 3x3 stride-1 "same" convolution layer (input geometry g, outChannels
 * outputs, weights [out, in, 3, 3]) on a float32 arena, with `scratchFloats(g, out)` floats of
 * scratch at `scratch`. bias / dBias < 0: none.
 */
export interface DirectConv3x3 {
  /** Whether the direct kernels run this layer: the shapes where they measured faster than the implicit GEMM. */
  serves(g: ConvGeometry, outChannels: number): boolean;
  scratchFloats(g: ConvGeometry, outChannels: number): number;
  /** y (+)= conv(x) + bias. */
  forward(f: Float32Array, g: ConvGeometry, outChannels: number, x: number, weight: number, bias: number, y: number, accumulate: boolean, scratch: number): void;
  /** dx (+)= the adjoint of the forward map applied to dy. */
  backwardData(f: Float32Array, g: ConvGeometry, outChannels: number, dy: number, weight: number, dx: number, accumulate: boolean, scratch: number): void;
  /** dWeight = sum over pixels of dy times the shifted input; dBias = sum of dy (written, not added). */
  backwardWeight(f: Float32Array, g: ConvGeometry, outChannels: number, x: number, dy: number, dWeight: number, dBias: number, scratch: number): void;
}

/**
 * C += op(A) B with op(A)[i, k] at aOff + i * rowStride + k * colStride (A itself: lda, 1;
 * A transposed: 1, lda). Four rows of C at a time so each loaded row of B is used four times.
 */
function gemmXN(f: FloatArray, M: number, N: number, K: number, aOff: number, rowStride: number, colStride: number, bOff: number, ldb: number, cOff: number, ldc: number): void {
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const c0 = cOff + i * ldc;
    const c1 = c0 + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    for (let k = 0; k < K; k++) {
      const a = aOff + i * rowStride + k * colStride;
      const a0 = f[a]!;
      const a1 = f[a + rowStride]!;
      const a2 = f[a + 2 * rowStride]!;
      const a3 = f[a + 3 * rowStride]!;
      const b = bOff + k * ldb;
      for (let j = 0; j < N; j++) {
        const bv = f[b + j]!;
        f[c0 + j]! += a0 * bv;
        f[c1 + j]! += a1 * bv;
        f[c2 + j]! += a2 * bv;
        f[c3 + j]! += a3 * bv;
      }
    }
  }
  for (; i < M; i++) {
    const c = cOff + i * ldc;
    for (let k = 0; k < K; k++) {
      const a = f[aOff + i * rowStride + k * colStride]!;
      const b = bOff + k * ldb;
      for (let j = 0; j < N; j++) f[c + j]! += a * f[b + j]!;
    }
  }
}

function gemmNT(f: FloatArray, M: number, N: number, K: number, aOff: number, lda: number, bOff: number, ldb: number, cOff: number, ldc: number): void {
  // B stored N x K: C[i, j] = sum_k A[i, k] B[j, k] — dot products of contiguous rows.
  for (let i = 0; i < M; i++) {
    const a = aOff + i * lda;
    const c = cOff + i * ldc;
    for (let j = 0; j < N; j++) {
      const b0 = bOff + j * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += f[a + k]! * f[b0 + k]!;
      f[c + j]! += s;
    }
  }
}

function gemmTT(f: FloatArray, M: number, N: number, K: number, aOff: number, lda: number, bOff: number, ldb: number, cOff: number, ldc: number): void {
  // Not used by any layer; kept correct rather than fast.
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += f[aOff + k * lda + i]! * f[bOff + j * ldb + k]!;
      f[cOff + i * ldc + j]! += s;
    }
}

/** Adjoint of one row's bilinear x2 expansion (2w samples at src -> w samples at dst). */
function shrinkRow(f: FloatArray, src: number, dst: number, w: number): void {
  for (let i = 0; i < w; i++) {
    const e = f[src + 2 * i]!;
    const o = f[src + 2 * i + 1]!;
    const before = i > 0 ? f[src + 2 * i - 1]! : e;
    const after = i + 1 < w ? f[src + 2 * i + 2]! : o;
    f[dst + i] = 0.75 * (e + o) + 0.25 * (before + after);
  }
}

/** The reference implementation: plain JavaScript, float32 or float64 arenas. */
export const portableKernels: Kernels = {
  name: 'portable-js',
  threads: 1,
  gemm(f, transA, transB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, accumulate) {
    if (!accumulate) for (let i = 0; i < M; i++) f.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    if (!transB) gemmXN(f, M, N, K, aOff, transA ? 1 : lda, transA ? lda : 1, bOff, ldb, cOff, ldc);
    else if (!transA && transB) gemmNT(f, M, N, K, aOff, lda, bOff, ldb, cOff, ldc);
    else gemmTT(f, M, N, K, aOff, lda, bOff, ldb, cOff, ldc);
  },
  leaky(f, x, y, n, slope) {
    for (let i = 0; i < n; i++) {
      const v = f[x + i]!;
      f[y + i] = v > 0 ? v : slope * v;
    }
  },
  leakyBackward(f, x, dy, dx, n, slope, accumulate) {
    for (let i = 0; i < n; i++) {
      const g = f[dy + i]!;
      const d = f[x + i]! > 0 ? g : slope * g;
      f[dx + i] = accumulate ? f[dx + i]! + d : d;
    }
  },
  sum(f, x, n, relu) {
    let s = 0;
    for (let i = 0; i < n; i++) s += relu ? Math.max(0, f[x + i]!) : f[x + i]!;
    return s;
  },
  centeredSumSquares(f, x, n, mean, relu) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = (relu ? Math.max(0, f[x + i]!) : f[x + i]!) - mean;
      s += d * d;
    }
    return s;
  },
  affine(f, x, y, n, a, b, relu) {
    for (let i = 0; i < n; i++) f[y + i] = (relu ? Math.max(0, f[x + i]!) : f[x + i]!) * a + b;
  },
  batchNormSums(f, x, dy, n, mean, out, relu) {
    let sd = 0;
    let sp = 0;
    for (let i = 0; i < n; i++) {
      const g = f[dy + i]!;
      sd += g;
      sp += g * ((relu ? Math.max(0, f[x + i]!) : f[x + i]!) - mean);
    }
    out[0] = sd;
    out[1] = sp;
  },
  batchNormApply(f, x, dy, dx, n, mean, k, meanDy, c, accumulate, relu) {
    for (let i = 0; i < n; i++) {
      const xv = f[x + i]!;
      const v = relu && !(xv > 0) ? 0 : k * (f[dy + i]! - meanDy - (xv - mean) * c);
      f[dx + i] = accumulate ? f[dx + i]! + v : v;
    }
  },
  upsample2x(f, x, y, h, w, vertical, tmp) {
    const rows = vertical ? 2 * h : h;
    for (let r = 0; r < rows; r++) {
      // vertical blend into tmp row r (or read the input row directly)
      let src = x + r * w;
      if (vertical) {
        const cur = Math.floor(r / 2);
        const other = r % 2 === 0 ? Math.max(cur - 1, 0) : Math.min(cur + 1, h - 1);
        src = tmp + r * w;
        for (let i = 0; i < w; i++) f[src + i] = 0.75 * f[x + cur * w + i]! + 0.25 * f[x + other * w + i]!;
      }
      const dst = y + r * 2 * w;
      for (let i = 0; i < w; i++) {
        const a = f[src + i]!;
        f[dst + 2 * i] = i > 0 ? 0.75 * a + 0.25 * f[src + i - 1]! : a;
        f[dst + 2 * i + 1] = i + 1 < w ? 0.75 * a + 0.25 * f[src + i + 1]! : a;
      }
    }
  },
  upsample2xBackward(f, dy, dx, h, w, vertical, tmp, accumulate) {
    const rows = vertical ? 2 * h : h;
    // shrink every row of dy (2w -> w) into tmp
    for (let r = 0; r < rows; r++) shrinkRow(f, dy + r * 2 * w, tmp + r * w, w);
    for (let r = 0; r < h; r++) {
      for (let i = 0; i < w; i++) {
        let v: number;
        if (vertical) {
          const e = f[tmp + 2 * r * w + i]!;
          const o = f[tmp + (2 * r + 1) * w + i]!;
          const before = r > 0 ? f[tmp + (2 * r - 1) * w + i]! : e;
          const after = r + 1 < h ? f[tmp + (2 * r + 2) * w + i]! : o;
          v = 0.75 * (e + o) + 0.25 * (before + after);
        } else v = f[tmp + r * w + i]!;
        f[dx + r * w + i] = accumulate ? f[dx + r * w + i]! + v : v;
      }
    }
  },
  im2col: im2colPortable,
  col2im: col2imPortable,
  resize: resizePortable,
  resizeBackward: resizeBackwardPortable,
};
