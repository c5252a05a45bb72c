import { Tensor, type Param } from '../../engine/tensor.js';
import type { ResizeMap, ResizeShape } from '../../engine/resize.js';
import type { Layer, RunContext } from './layer.js';

export type UpsampleMode = 'bilinear' | 'nearest';

interface AxisMap {
  i0: Int32Array;
  i1: Int32Array;
  w0: Float64Array;
  w1: Float64Array;
}

/**
 * Source positions and weights along one axis, as torch.nn.Upsample(size=..., mode,
 * align_corners=False): src = max(0, (dst + 0.5) * in/out - 0.5) for bilinear,
 * floor(dst * in/out) for nearest.
 */
function axisMap(inSize: number, outSize: number, mode: UpsampleMode): AxisMap {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new Float64Array(outSize);
  const w1 = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    if (mode === 'nearest') {
      const s = Math.min(Math.floor(d * scale), inSize - 1);
      i0[d] = s;
      i1[d] = s;
      w0[d] = 1;
      w1[d] = 0;
      continue;
    }
    const src = Math.max(0, (d + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), inSize - 1);
    const hi = lo < inSize - 1 ? lo + 1 : lo;
    const l1 = src - lo;
    i0[d] = lo;
    i1[d] = hi;
    w0[d] = 1 - l1;
    w1[d] = l1;
  }
  return { i0, i1, w0, w1 };
}

/** Resize each channel to (h, w): bilinear (align_corners=false) or nearest, any factor. */
export class Upsample implements Layer {
  readonly kind = 'upsample';
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[] = [];
  readonly scratchFloats: number;
  readonly stateFloats = 0;
  stateOffset = -1;
  private readonly map: ResizeMap;
  private readonly shape: ResizeShape;
  /** Exact bilinear doubling (the Deep Decoder / DIP case) runs on the SIMD kernels. */
  private readonly doubling: boolean;
  private readonly vertical: boolean;

  constructor(input: Tensor, h: number, w: number, readonly mode: UpsampleMode) {
    this.inputs = [input];
    this.output = new Tensor(input.c, h, w, true);
    const ym = axisMap(input.h, h, mode);
    const xm = axisMap(input.w, w, mode);
    this.map = { yi0: ym.i0, yi1: ym.i1, yw0: ym.w0, yw1: ym.w1, xi0: xm.i0, xi1: xm.i1, xw0: xm.w0, xw1: xm.w1, nearest: mode === 'nearest' };
    this.shape = { c: input.c, h: input.h, w: input.w, H: h, W: w };
    this.vertical = h === 2 * input.h;
    this.doubling = mode === 'bilinear' && w === 2 * input.w && (this.vertical || (h === 1 && input.h === 1));
    this.scratchFloats = this.doubling ? h * input.w : 0;
  }

  init(): void {}

  forward(ctx: RunContext): void {
    const f = ctx.f32;
    const x = this.inputs[0]!;
    const y = this.output;
    if (this.doubling && ctx.kernels.upsample2xLayer && f instanceof Float32Array) {
      ctx.kernels.upsample2xLayer(f, x.offset, y.offset, x.c, x.h, x.w, this.vertical, false, false);
      return;
    }
    if (this.doubling) {
      for (let c = 0; c < x.c; c++) ctx.kernels.upsample2x(f, x.offset + c * x.plane, y.offset + c * y.plane, x.h, x.w, this.vertical, ctx.scratch);
      return;
    }
    ctx.kernels.resize(f, this.map, this.shape, x.offset, y.offset);
  }

  backward(ctx: RunContext, accumulate: readonly boolean[]): void {
    const x = this.inputs[0]!;
    if (x.gradOffset < 0) return;
    const f = ctx.f32;
    const y = this.output;
    if (this.doubling && ctx.kernels.upsample2xLayer && f instanceof Float32Array) {
      ctx.kernels.upsample2xLayer(f, y.gradOffset, x.gradOffset, x.c, x.h, x.w, this.vertical, true, accumulate[0]!);
      return;
    }
    if (this.doubling) {
      for (let c = 0; c < x.c; c++) ctx.kernels.upsample2xBackward(f, y.gradOffset + c * y.plane, x.gradOffset + c * x.plane, x.h, x.w, this.vertical, ctx.scratch, accumulate[0]!);
      return;
    }
    ctx.kernels.resizeBackward(f, this.map, this.shape, y.gradOffset, x.gradOffset, accumulate[0]!);
  }
}
