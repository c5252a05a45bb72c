import type { FloatArray } from '../../core/vector.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { param, Tensor, type Param } from '../../engine/tensor.js';
import type { ConvGeometry } from '../../engine/im2col.js';
import type { DirectConv3x3, Kernels } from '../../engine/kernels.js';
import type { Layer, RunContext } from './layer.js';

export type Padding = 'zero' | 'reflection';

export interface Conv2dOptions {
  outChannels: number;
  kernel: [number, number];
  stride?: number;
  padding?: Padding;
  bias?: boolean;
}

/** Largest im2col tile we materialise (floats): bounds memory for 3x3 convs on big images. */
const MAX_COLS = 1 << 22;

/**
 * 2D convolution (cross-correlation, as torch.nn.Conv2d) with "same" padding of (k-1)/2, zero
 * or reflection (ReflectionPad2d then Conv2d, as the DIP/Deep Decoder code does), stride 1 or 2.
 * A 1x1 stride-1 conv is one GEMM; larger kernels use im2col over tiles of output rows, so the
 * column buffer stays bounded. Weights are [out, in, kh, kw] row-major, as PyTorch stores them.
 */
export class Conv2d implements Layer {
  readonly kind = 'conv2d';
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[];
  readonly scratchFloats: number;
  readonly stateFloats = 0;
  stateOffset = -1;
  readonly weight: Param;
  readonly bias: Param | null;
  private readonly kh: number;
  private readonly kw: number;
  private readonly direct: boolean;
  private readonly tileRows: number;
  private readonly geometry: ConvGeometry;

  constructor(input: Tensor, options: Conv2dOptions) {
    const [kh, kw] = options.kernel;
    const stride = options.stride ?? 1;
    if (kh % 2 === 0 || kw % 2 === 0) throw new InvalidArgumentError('Conv2d', 'kernel', 'odd kernel sizes', options.kernel);
    const padding = options.padding ?? 'zero';
    const ph = (kh - 1) / 2;
    const pw = (kw - 1) / 2;
    if (padding === 'reflection' && (ph >= input.h || pw >= input.w) && (ph > 0 || pw > 0)) {
      throw new InvalidArgumentError('Conv2d', 'padding', `reflection padding smaller than the input (${input.h}x${input.w})`, `${ph}x${pw}`);
    }
    this.kh = kh;
    this.kw = kw;
    const ho = Math.floor((input.h + 2 * ph - kh) / stride) + 1;
    const wo = Math.floor((input.w + 2 * pw - kw) / stride) + 1;
    this.inputs = [input];
    this.output = new Tensor(options.outChannels, ho, wo, true);
    this.weight = param(options.outChannels * input.c * kh * kw, 'weight');
    this.bias = options.bias ? param(options.outChannels, 'bias') : null;
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
    this.direct = kh === 1 && kw === 1 && stride === 1;
    const colRows = input.c * kh * kw;
    this.tileRows = this.direct ? ho : Math.max(1, Math.min(ho, Math.floor(MAX_COLS / (colRows * wo))));
    this.scratchFloats = this.direct ? 0 : colRows * this.tileRows * wo;
    this.geometry = { c: input.c, h: input.h, w: input.w, kh, kw, stride, reflect: padding === 'reflection', wo };
  }

  /** The engine's direct 3x3 convolution when it runs this layer (float32 arenas only). */
  private directFor(kernels: Kernels, f?: FloatArray): DirectConv3x3 | null {
    const d = kernels.conv3x3;
    if (!d || (f !== undefined && !(f instanceof Float32Array))) return null;
    return d.serves(this.geometry, this.output.c) ? d : null;
  }

  scratchFloatsFor(kernels: Kernels): number {
    const d = this.directFor(kernels);
    return d ? Math.max(this.scratchFloats, d.scratchFloats(this.geometry, this.output.c)) : this.scratchFloats;
  }

  init(f: FloatArray, rng: Rng): void {
    // torch.nn.Conv2d default: kaiming_uniform(a = sqrt 5) => U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    const fanIn = this.inputs[0]!.c * this.kh * this.kw;
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < this.weight.size; i++) f[this.weight.offset + i] = rng.uniformIn(-bound, bound);
    if (this.bias) for (let i = 0; i < this.bias.size; i++) f[this.bias.offset + i] = rng.uniformIn(-bound, bound);
  }

  forward(ctx: RunContext): void {
    const { f32: f, kernels } = ctx;
    const x = this.inputs[0]!;
    const y = this.output;
    const P = y.plane;
    const K = x.c * this.kh * this.kw;
    const direct3x3 = this.directFor(kernels, f);
    if (direct3x3) {
      // Bias added in the kernel's store.
      direct3x3.forward(f as Float32Array, this.geometry, y.c, x.offset, this.weight.offset, this.bias ? this.bias.offset : -1, y.offset, false, ctx.scratch);
      return;
    }
    if (this.direct) {
      kernels.gemm(f, false, false, y.c, P, K, this.weight.offset, K, x.offset, P, y.offset, P, false);
    } else if (kernels.gemmIm2col && f instanceof Float32Array) {
      // The im2col matrix is generated inside the GEMM: one call over the whole output.
      kernels.gemmIm2col(f, this.geometry, false, false, y.c, P, K, this.weight.offset, K, x.offset, 0, y.offset, P, false);
    } else {
      for (let row0 = 0; row0 < y.h; row0 += this.tileRows) {
        const rows = Math.min(this.tileRows, y.h - row0);
        const n = rows * y.w;
        kernels.im2col(f, this.geometry, x.offset, ctx.scratch, row0, rows);
        kernels.gemm(f, false, false, y.c, n, K, this.weight.offset, K, ctx.scratch, n, y.offset + row0 * y.w, P, false);
      }
    }
    if (this.bias) {
      for (let c = 0; c < y.c; c++) kernels.affine(f, y.offset + c * P, y.offset + c * P, P, 1, f[this.bias.offset + c]!, false);
    }
  }

  backward(ctx: RunContext, accumulate: readonly boolean[]): void {
    const { f32: f, kernels } = ctx;
    const x = this.inputs[0]!;
    const y = this.output;
    const P = y.plane;
    const K = x.c * this.kh * this.kw;
    const dy = y.gradOffset;
    const direct3x3 = this.directFor(kernels, f);
    if (direct3x3) {
      const f32 = f as Float32Array;
      direct3x3.backwardWeight(f32, this.geometry, y.c, x.offset, dy, this.weight.gradOffset, this.bias ? this.bias.gradOffset : -1, ctx.scratch);
      if (x.gradOffset >= 0) direct3x3.backwardData(f32, this.geometry, y.c, dy, this.weight.offset, x.gradOffset, accumulate[0]!, ctx.scratch);
      return;
    }
    if (this.bias) {
      for (let c = 0; c < y.c; c++) f[this.bias.gradOffset + c] = kernels.sum(f, dy + c * P, P, false);
    }
    const needDx = x.gradOffset >= 0;
    if (this.direct) {
      // dW = dY X^T ; dX = W^T dY
      kernels.gemm(f, false, true, y.c, K, P, dy, P, x.offset, P, this.weight.gradOffset, K, false);
      if (needDx) kernels.gemm(f, true, false, K, P, y.c, this.weight.offset, K, dy, P, x.gradOffset, P, accumulate[0]!);
      return;
    }
    if (needDx && !accumulate[0]) f.fill(0, x.gradOffset, x.gradOffset + x.size);
    // dW = dY im2col(x)^T: over the whole output at once where the engine fuses im2col.
    const fused = kernels.gemmIm2col !== undefined && f instanceof Float32Array;
    if (fused) kernels.gemmIm2col!(f, this.geometry, false, true, y.c, K, P, dy, P, x.offset, 0, this.weight.gradOffset, K, false);
    if (fused && !needDx) return;
    let first = true;
    for (let row0 = 0; row0 < y.h; row0 += this.tileRows) {
      const rows = Math.min(this.tileRows, y.h - row0);
      const n = rows * y.w;
      if (!fused) {
        kernels.im2col(f, this.geometry, x.offset, ctx.scratch, row0, rows);
        kernels.gemm(f, false, true, y.c, K, n, dy + row0 * y.w, P, ctx.scratch, n, this.weight.gradOffset, K, !first);
      }
      first = false;
      if (needDx) {
        kernels.gemm(f, true, false, K, n, y.c, this.weight.offset, K, dy + row0 * y.w, P, ctx.scratch, n, false);
        kernels.col2im(f, this.geometry, ctx.scratch, x.gradOffset, row0, rows);
      }
    }
  }
}
