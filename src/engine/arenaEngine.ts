import type { FloatArray } from '../core/vector.js';
import type { Arena, Precision } from './arena.js';
import type { ConcatPart, ConvSpec, Engine, NormSpec, PointwiseKind, ResizeSpec, SeparableSpec } from './engine.js';
import type { DirectConv3x3, Kernels } from './kernels.js';
import type { Slot } from './tensor.js';

/** The engine's direct 3x3 convolution when it runs this layer (float32 arenas only). */
function directConv(kernels: Kernels, spec: ConvSpec, f32: boolean): DirectConv3x3 | null {
  const d = kernels.conv3x3;
  if (!d || !f32) return null;
  return d.serves(spec, spec.outChannels) ? d : null;
}

/** Scratch floats a convolution needs on these kernels: its im2col tile, or the direct kernels' buffer. */
export function convScratchFloats(kernels: Kernels, spec: ConvSpec): number {
  const cols = spec.pointwise ? 0 : spec.c * spec.kh * spec.kw * spec.tileRows * spec.wo;
  const d = directConv(kernels, spec, true);
  return d ? Math.max(cols, d.scratchFloats(spec, spec.outChannels)) : cols;
}

/** Scratch floats an upsampling needs: a row-blended plane for the bilinear x2 kernels. */
export function resizeScratchFloats(spec: ResizeSpec): number {
  return spec.doubling ? spec.shape.H * spec.shape.w : 0;
}

/** Whether these kernels fuse a batch norm with the 1x1 convolution to `outs` channels after it (float32 arenas). */
export function normHeadFused(kernels: Kernels, spec: NormSpec, outs: number): boolean {
  return kernels.normHeadForward !== undefined && outs >= 1 && outs <= 4 && spec.channels > 1;
}

/** Scratch floats the fused norm and head need: the second thread's sum of the output. */
export function normHeadScratchFloats(kernels: Kernels, spec: NormSpec, outs: number): number {
  return normHeadFused(kernels, spec, outs) ? outs * spec.plane : 0;
}

/**
 * Whether these kernels fuse an exact bilinear x2 with the batch norm after it (float32 arenas):
 * on output planes up to 1024x1024 (the pass runs through cache-sized planes; larger ones keep
 * the two layers rather than 2.5 planes of scratch per thread).
 */
export function upNormFused(kernels: Kernels, resize: ResizeSpec): boolean {
  return kernels.upNormForward !== undefined && resize.doubling && resize.shape.H * resize.shape.W <= 1 << 20;
}

/** Scratch floats the fused upsampling and norm need: per thread one plane, its gradient and the row blend. */
export function upNormScratchFloats(kernels: Kernels, resize: ResizeSpec): number {
  return upNormFused(kernels, resize) ? kernels.upNormScratch!(resize.shape.h, resize.shape.w, resize.vertical) : 0;
}

/** Scratch floats a separable map needs: one channel after the row pass. */
export function separableScratchFloats(spec: SeparableSpec): number {
  return spec.H * spec.w;
}

/**
 * The engine of the native, WebAssembly and portable kernels: every slot is an offset into one
 * host arena (laid out by the network, no allocation per step), and each operation calls the
 * kernels on those offsets. Optional whole-layer kernels (threaded batch norm, x2 upsampling,
 * fused im2col GEMM, direct 3x3 convolutions) run where the kernels have them, on float32 arenas.
 */
/** A deferred norm + head input gradient: arena offsets and shape (coefficients in ArenaEngine.coef). */
interface PendingHead {
  x: number;
  dOut: number;
  dx: number;
  channels: number;
  plane: number;
  outs: number;
  weight: number;
  relu: boolean;
}

export class ArenaEngine implements Engine {
  readonly name: string;
  readonly location = 'host';
  readonly precision: Precision;
  private readonly f: FloatArray;
  private readonly f32: boolean;
  private readonly sums = new Float64Array(2);
  /**
   * The input gradient of a fused norm + head whose writing is deferred (normHeadBackward), so
   * that the 1x1 convolution before it, the only reader of that gradient in a Deep Decoder,
   * computes it block by block inside its own backward (conv1x1BackwardHead) instead of reading
   * 16 MB back from memory. Every other method writes it first (flushHead), so no kernel ever
   * sees it missing. The step 0.8-2.0 ms faster in paired runs (BENCHMARKS.md, fifth round).
   */
  private pendingHead: PendingHead | null = null;
  private coef: Float32Array | null = null;

  constructor(
    readonly kernels: Kernels,
    readonly arena: Arena,
    /** Offset of the shared scratch region (sized by the largest layer's need). */
    private readonly scratch: number,
  ) {
    this.name = kernels.name;
    this.f = arena.f32;
    this.f32 = this.f instanceof Float32Array;
    this.precision = this.f32 ? 'float32' : 'float64';
  }

  write(slot: Slot, data: ArrayLike<number>): void {
    this.flushHead();
    this.f.set(data, slot.offset);
  }

  read(slot: Slot): FloatArray {
    this.flushHead();
    return this.f.subarray(slot.offset, slot.offset + slot.size);
  }

  dispose(): void {}

  conv2d(spec: ConvSpec, x: Slot, weight: Slot, bias: Slot | null, y: Slot): void {
    this.flushHead();
    const { f, kernels } = this;
    const P = spec.ho * spec.wo;
    const K = spec.c * spec.kh * spec.kw;
    const M = spec.outChannels;
    const direct3x3 = directConv(kernels, spec, this.f32);
    if (direct3x3) {
      // Bias added in the kernel's store.
      direct3x3.forward(f as Float32Array, spec, M, x.offset, weight.offset, bias ? bias.offset : -1, y.offset, false, this.scratch);
      return;
    }
    if (spec.pointwise) {
      kernels.gemm(f, false, false, M, P, K, weight.offset, K, x.offset, P, y.offset, P, false);
    } else if (kernels.gemmIm2col && this.f32) {
      // The im2col matrix is generated inside the GEMM: one call over the whole output.
      kernels.gemmIm2col(f, spec, false, false, M, P, K, weight.offset, K, x.offset, 0, y.offset, P, false);
    } else {
      for (let row0 = 0; row0 < spec.ho; row0 += spec.tileRows) {
        const rows = Math.min(spec.tileRows, spec.ho - row0);
        const n = rows * spec.wo;
        kernels.im2col(f, spec, x.offset, this.scratch, row0, rows);
        kernels.gemm(f, false, false, M, n, K, weight.offset, K, this.scratch, n, y.offset + row0 * spec.wo, P, false);
      }
    }
    if (bias) {
      for (let c = 0; c < M; c++) kernels.affine(f, y.offset + c * P, y.offset + c * P, P, 1, f[bias.offset + c]!, false);
    }
  }

  conv2dBackward(spec: ConvSpec, x: Slot, dy: Slot, weight: Slot, dWeight: Slot, dBias: Slot | null, dx: Slot | null, accumulate: boolean): void {
    const { f, kernels } = this;
    const P = spec.ho * spec.wo;
    const K = spec.c * spec.kh * spec.kw;
    const M = spec.outChannels;
    const head = this.pendingHead;
    if (head && dy.offset === head.dx && spec.pointwise && !dBias && dx && M > 4 && K > 4 && M === head.channels && P === head.plane) {
      // dy is the deferred gradient of the norm + head after this convolution: computed per block.
      this.pendingHead = null;
      const done = kernels.conv1x1BackwardHead!(
        f, M, K, P, weight.offset, x.offset, dWeight.offset, dx.offset, accumulate, head.x, head.dOut, head.outs, head.weight, this.coef!, head.relu,
      );
      if (done) return;
      this.pendingHead = head; // out of memory: write dy, then the unfused path below
    }
    this.flushHead();
    const direct3x3 = directConv(kernels, spec, this.f32);
    if (direct3x3) {
      const f32 = f as Float32Array;
      direct3x3.backwardWeight(f32, spec, M, x.offset, dy.offset, dWeight.offset, dBias ? dBias.offset : -1, this.scratch);
      if (dx) direct3x3.backwardData(f32, spec, M, dy.offset, weight.offset, dx.offset, accumulate, this.scratch);
      return;
    }
    if (dBias) {
      for (let c = 0; c < M; c++) f[dBias.offset + c] = kernels.sum(f, dy.offset + c * P, P, false);
    }
    if (spec.pointwise && dx && kernels.conv1x1Backward && this.f32 && M > 4 && K > 4) {
      // Both products over one pass of dY, block by block (the skinny shapes keep their kernels).
      kernels.conv1x1Backward(f, M, K, P, weight.offset, dy.offset, x.offset, dWeight.offset, dx.offset, accumulate);
      return;
    }
    if (spec.pointwise) {
      // dW = dY X^T ; dX = W^T dY
      kernels.gemm(f, false, true, M, K, P, dy.offset, P, x.offset, P, dWeight.offset, K, false);
      if (dx) kernels.gemm(f, true, false, K, P, M, weight.offset, K, dy.offset, P, dx.offset, P, accumulate);
      return;
    }
    if (dx && !accumulate) f.fill(0, dx.offset, dx.offset + dx.size);
    // dW = dY im2col(x)^T: over the whole output at once where the engine fuses im2col.
    const fused = kernels.gemmIm2col !== undefined && this.f32;
    if (fused) kernels.gemmIm2col!(f, spec, false, true, M, K, P, dy.offset, P, x.offset, 0, dWeight.offset, K, false);
    if (fused && !dx) return;
    let first = true;
    for (let row0 = 0; row0 < spec.ho; row0 += spec.tileRows) {
      const rows = Math.min(spec.tileRows, spec.ho - row0);
      const n = rows * spec.wo;
      if (!fused) {
        kernels.im2col(f, spec, x.offset, this.scratch, row0, rows);
        kernels.gemm(f, false, true, M, K, n, dy.offset + row0 * spec.wo, P, this.scratch, n, dWeight.offset, K, !first);
      }
      first = false;
      if (dx) {
        kernels.gemm(f, true, false, K, n, M, weight.offset, K, dy.offset + row0 * spec.wo, P, this.scratch, n, false);
        kernels.col2im(f, spec, this.scratch, dx.offset, row0, rows);
      }
    }
  }

  batchNorm(spec: NormSpec, x: Slot, y: Slot, scale: Slot, shift: Slot, state: Slot): void {
    this.flushHead();
    const { f, kernels: k } = this;
    const P = spec.plane;
    if (k.batchNormForward && this.f32 && spec.channels > 1) {
      k.batchNormForward(f, x.offset, y.offset, spec.channels, P, scale.offset, shift.offset, state.offset, spec.eps, spec.relu);
      return;
    }
    const s = state.offset;
    for (let c = 0; c < spec.channels; c++) {
      const src = x.offset + c * P;
      // Two passes (mean, then centred squares) in float64: stable for large planes.
      const mean = k.sum(f, src, P, spec.relu) / P;
      const invStd = 1 / Math.sqrt(k.centeredSumSquares(f, src, P, mean, spec.relu) / P + spec.eps);
      // The saved mean is rounded to the arena's precision; use that value throughout.
      f[s + 2 * c] = mean;
      f[s + 2 * c + 1] = invStd;
      const m = f[s + 2 * c]!;
      const g = f[scale.offset + c]! * invStd;
      k.affine(f, src, y.offset + c * P, P, g, f[shift.offset + c]! - m * g, spec.relu);
    }
  }

  batchNormBackward(spec: NormSpec, x: Slot, dy: Slot, scale: Slot, state: Slot, dScale: Slot, dShift: Slot, dx: Slot | null, accumulate: boolean): void {
    this.flushHead();
    const { f, kernels: kern, sums } = this;
    const P = spec.plane;
    if (kern.batchNormBackward && this.f32 && spec.channels > 1) {
      kern.batchNormBackward(f, x.offset, dy.offset, dx ? dx.offset : -1, spec.channels, P, scale.offset, state.offset, dScale.offset, dShift.offset, accumulate, spec.relu);
      return;
    }
    for (let c = 0; c < spec.channels; c++) {
      const mean = f[state.offset + 2 * c]!;
      const invStd = f[state.offset + 2 * c + 1]!;
      const src = x.offset + c * P;
      const g = dy.offset + c * P;
      kern.batchNormSums(f, src, g, P, mean, sums, spec.relu);
      const sumDy = sums[0]!;
      const sumDyXhat = sums[1]! * invStd;
      f[dScale.offset + c] = sumDyXhat;
      f[dShift.offset + c] = sumDy;
      if (!dx) continue;
      // dx = gamma * invStd / P * (P dy - sum dy - xhat * sum(dy xhat))
      const k = f[scale.offset + c]! * invStd;
      kern.batchNormApply(f, src, g, dx.offset + c * P, P, mean, k, sumDy / P, (invStd * sumDyXhat) / P, accumulate, spec.relu);
    }
  }

  fusesNormHead(spec: NormSpec, outs: number): boolean {
    return normHeadFused(this.kernels, spec, outs) && this.f32;
  }

  fusesUpNorm(resize: ResizeSpec, _norm: NormSpec): boolean {
    return upNormFused(this.kernels, resize) && this.f32;
  }

  upNorm(resize: ResizeSpec, norm: NormSpec, x: Slot, y: Slot, scale: Slot, shift: Slot, state: Slot): void {
    this.flushHead();
    const { c, h, w } = resize.shape;
    this.kernels.upNormForward!(this.f, x.offset, y.offset, c, h, w, resize.vertical, scale.offset, shift.offset, state.offset, norm.eps, norm.relu, this.scratch);
  }

  upNormBackward(resize: ResizeSpec, norm: NormSpec, x: Slot, dy: Slot, scale: Slot, state: Slot, dScale: Slot, dShift: Slot, dx: Slot | null, accumulate: boolean): void {
    this.flushHead();
    const { c, h, w } = resize.shape;
    this.kernels.upNormBackward!(
      this.f, x.offset, dy.offset, dx ? dx.offset : -1, c, h, w, resize.vertical, scale.offset, state.offset, dScale.offset, dShift.offset, accumulate,
      norm.relu, this.scratch,
    );
  }

  normHead(spec: NormSpec, outs: number, x: Slot, scale: Slot, shift: Slot, state: Slot, weight: Slot, out: Slot): void {
    this.flushHead();
    this.kernels.normHeadForward!(
      this.f, x.offset, out.offset, spec.channels, spec.plane, outs, scale.offset, shift.offset, weight.offset, state.offset, spec.eps, spec.relu,
      this.scratch,
    );
  }

  normHeadBackward(
    spec: NormSpec, outs: number, x: Slot, dOut: Slot, scale: Slot, shift: Slot, state: Slot, weight: Slot, dScale: Slot, dShift: Slot,
    dWeight: Slot, dx: Slot | null, accumulate: boolean,
  ): void {
    this.flushHead();
    const { kernels } = this;
    if (dx && !accumulate && kernels.conv1x1BackwardHead && kernels.normHeadApply && this.f32) {
      if (!this.coef || this.coef.length < 4 * spec.channels) this.coef = new Float32Array(4 * spec.channels);
      kernels.normHeadBackward!(
        this.f, x.offset, dOut.offset, -1, spec.channels, spec.plane, outs, scale.offset, shift.offset, weight.offset, state.offset, dScale.offset,
        dShift.offset, dWeight.offset, false, spec.relu, this.coef,
      );
      this.pendingHead = { x: x.offset, dOut: dOut.offset, dx: dx.offset, channels: spec.channels, plane: spec.plane, outs, weight: weight.offset, relu: spec.relu };
      return;
    }
    kernels.normHeadBackward!(
      this.f, x.offset, dOut.offset, dx ? dx.offset : -1, spec.channels, spec.plane, outs, scale.offset, shift.offset, weight.offset, state.offset,
      dScale.offset, dShift.offset, dWeight.offset, accumulate, spec.relu,
    );
  }

  /** Writes a deferred norm + head input gradient (see pendingHead). */
  private flushHead(): void {
    const h = this.pendingHead;
    if (!h) return;
    this.pendingHead = null;
    this.kernels.normHeadApply!(this.f, h.x, h.dOut, h.dx, h.channels, h.plane, h.outs, h.weight, this.coef!, false, h.relu);
  }

  resize(spec: ResizeSpec, x: Slot, y: Slot): void {
    this.flushHead();
    const { f, kernels } = this;
    const { c, h, w, H, W } = spec.shape;
    if (spec.doubling && kernels.upsample2xLayer && this.f32) {
      kernels.upsample2xLayer(f, x.offset, y.offset, c, h, w, spec.vertical, false, false);
      return;
    }
    if (spec.doubling) {
      for (let i = 0; i < c; i++) kernels.upsample2x(f, x.offset + i * h * w, y.offset + i * H * W, h, w, spec.vertical, this.scratch);
      return;
    }
    kernels.resize(f, spec.map, spec.shape, x.offset, y.offset);
  }

  resizeBackward(spec: ResizeSpec, dy: Slot, dx: Slot, accumulate: boolean): void {
    this.flushHead();
    const { f, kernels } = this;
    const { c, h, w, H, W } = spec.shape;
    if (spec.doubling && kernels.upsample2xLayer && this.f32) {
      kernels.upsample2xLayer(f, dy.offset, dx.offset, c, h, w, spec.vertical, true, accumulate);
      return;
    }
    if (spec.doubling) {
      for (let i = 0; i < c; i++) kernels.upsample2xBackward(f, dy.offset + i * H * W, dx.offset + i * h * w, h, w, spec.vertical, this.scratch, accumulate);
      return;
    }
    kernels.resizeBackward(f, spec.map, spec.shape, dy.offset, dx.offset, accumulate);
  }

  separable(spec: SeparableSpec, x: Slot, y: Slot): void {
    this.flushHead();
    const { f, scratch: t } = this;
    const { h, w, H, W, rows, cols } = spec;
    for (let ch = 0; ch < spec.c; ch++) {
      const xo = x.offset + ch * h * w;
      const yo = y.offset + ch * H * W;
      for (let o = 0; o < H; o++) {
        for (let col = 0; col < w; col++) {
          let s = 0;
          for (let a = 0; a < rows.taps; a++) s += rows.weight[o * rows.taps + a]! * f[xo + rows.index[o * rows.taps + a]! * w + col]!;
          f[t + o * w + col] = s;
        }
        for (let p = 0; p < W; p++) {
          let s = 0;
          for (let b = 0; b < cols.taps; b++) s += cols.weight[p * cols.taps + b]! * f[t + o * w + cols.index[p * cols.taps + b]!]!;
          f[yo + o * W + p] = s;
        }
      }
    }
  }

  separableBackward(spec: SeparableSpec, dy: Slot, dx: Slot, accumulate: boolean): void {
    this.flushHead();
    const { f, scratch: t } = this;
    const { h, w, H, W, rows, cols } = spec;
    for (let ch = 0; ch < spec.c; ch++) {
      const go = dy.offset + ch * H * W;
      const xo = dx.offset + ch * h * w;
      f.fill(0, t, t + H * w);
      for (let o = 0; o < H; o++) {
        for (let p = 0; p < W; p++) {
          const g = f[go + o * W + p]!;
          for (let b = 0; b < cols.taps; b++) f[t + o * w + cols.index[p * cols.taps + b]!]! += cols.weight[p * cols.taps + b]! * g;
        }
      }
      if (!accumulate) f.fill(0, xo, xo + h * w);
      for (let o = 0; o < H; o++) {
        for (let a = 0; a < rows.taps; a++) {
          const wt = rows.weight[o * rows.taps + a]!;
          const r = xo + rows.index[o * rows.taps + a]! * w;
          for (let col = 0; col < w; col++) f[r + col]! += wt * f[t + o * w + col]!;
        }
      }
    }
  }

  pointwise(kind: PointwiseKind, slope: number, x: Slot, y: Slot): void {
    this.flushHead();
    const f = this.f;
    const n = y.size;
    if (kind === 'relu' || kind === 'leaky-relu') this.kernels.leaky(f, x.offset, y.offset, n, kind === 'relu' ? 0 : slope);
    else if (kind === 'identity') f.copyWithin(y.offset, x.offset, x.offset + n);
    else if (this.f32 && this.kernels.sigmoid) this.kernels.sigmoid(f, x.offset, y.offset, n);
    else {
      const xo = x.offset;
      const yo = y.offset;
      for (let i = 0; i < n; i++) f[yo + i] = 1 / (1 + Math.exp(-f[xo + i]!));
    }
  }

  pointwiseBackward(kind: PointwiseKind, slope: number, x: Slot, y: Slot, dy: Slot, dx: Slot, accumulate: boolean): void {
    this.flushHead();
    const f = this.f;
    const n = dy.size;
    if (kind === 'relu' || kind === 'leaky-relu') {
      this.kernels.leakyBackward(f, x.offset, dy.offset, dx.offset, n, kind === 'relu' ? 0 : slope, accumulate);
      return;
    }
    const sig = kind === 'sigmoid';
    if (sig && this.f32 && this.kernels.sigmoidBackward) {
      this.kernels.sigmoidBackward(f, y.offset, dy.offset, dx.offset, n, accumulate);
      return;
    }
    for (let i = 0; i < n; i++) {
      const g = f[dy.offset + i]!;
      let d = g;
      if (sig) {
        const o = f[y.offset + i]!;
        d = g * o * (1 - o);
      }
      f[dx.offset + i] = accumulate ? f[dx.offset + i]! + d : d;
    }
  }

  concat(parts: readonly Slot[], y: Slot): void {
    this.flushHead();
    // Channel-major layout: concatenation is one copy per part.
    let at = y.offset;
    for (const p of parts) {
      this.f.copyWithin(at, p.offset, p.offset + p.size);
      at += p.size;
    }
  }

  concatBackward(dy: Slot, parts: readonly ConcatPart[], accumulate: readonly boolean[]): void {
    this.flushHead();
    let at = dy.offset;
    parts.forEach((p, k) => {
      const g = p.grad;
      if (g) {
        // dx += dy through the kernels: leakyBackward with slope 1 passes dy whatever the sign.
        if (accumulate[k]) this.kernels.leakyBackward(this.f, at, at, g.offset, p.size, 1, true);
        else this.f.copyWithin(g.offset, at, at + p.size);
      }
      at += p.size;
    });
  }

  copy(x: Slot, y: Slot, accumulate: boolean): void {
    this.flushHead();
    if (accumulate) this.kernels.leakyBackward(this.f, x.offset, x.offset, y.offset, x.size, 1, true);
    else this.f.copyWithin(y.offset, x.offset, x.offset + x.size);
  }
}
