import { Tensor, type Param } from '../../engine/tensor.js';
import type { Engine, ResizeSpec } from '../../engine/engine.js';
import { resizeScratchFloats } from '../../engine/arenaEngine.js';
import type { Kernels } from '../../engine/kernels.js';
import type { Layer } from './layer.js';

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
  readonly state = null;
  readonly spec: ResizeSpec;

  constructor(input: Tensor, h: number, w: number, readonly mode: UpsampleMode) {
    this.inputs = [input];
    this.output = new Tensor(input.c, h, w, true);
    const ym = axisMap(input.h, h, mode);
    const xm = axisMap(input.w, w, mode);
    const vertical = h === 2 * input.h;
    this.spec = {
      map: { yi0: ym.i0, yi1: ym.i1, yw0: ym.w0, yw1: ym.w1, xi0: xm.i0, xi1: xm.i1, xw0: xm.w0, xw1: xm.w1, nearest: mode === 'nearest' },
      shape: { c: input.c, h: input.h, w: input.w, H: h, W: w },
      vertical,
      // Exact bilinear doubling (the Deep Decoder / DIP case) has its own kernels.
      doubling: mode === 'bilinear' && w === 2 * input.w && (vertical || (h === 1 && input.h === 1)),
    };
  }

  scratchFloats(_kernels?: Kernels): number {
    return resizeScratchFloats(this.spec);
  }

  init(): void {}

  forward(engine: Engine): void {
    engine.resize(this.spec, this.inputs[0]!.value, this.output.value);
  }

  backward(engine: Engine, accumulate: readonly boolean[]): void {
    const dx = this.inputs[0]!.grad;
    if (dx) engine.resizeBackward(this.spec, this.output.grad!, dx, accumulate[0]!);
  }
}
