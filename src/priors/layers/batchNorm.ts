import type { FloatArray } from '../../core/vector.js';
import { param, Tensor, type Param } from '../../engine/tensor.js';
import type { Layer, RunContext } from './layer.js';

/**
 * Channel normalisation: torch.nn.BatchNorm2d in training mode with batch size one (the mode the
 * reference fits run in): per channel, normalise by the mean and biased variance over the
 * spatial positions, eps = 1e-5, then a learnable scale (init 1) and shift (init 0).
 */
export class BatchNorm implements Layer {
  readonly kind: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[];
  readonly scratchFloats = 0;
  /** Saved per-channel mean and 1/std. */
  readonly stateFloats: number;
  stateOffset = -1;
  readonly scale: Param;
  readonly shift: Param;
  private readonly sums = new Float64Array(2);

  /** With `relu`, the layer normalises max(input, 0): a ReLU fused in, without its own passes. */
  constructor(input: Tensor, readonly relu = false, readonly eps = 1e-5) {
    this.kind = relu ? 'relu+batchnorm' : 'batchnorm';
    this.inputs = [input];
    this.output = new Tensor(input.c, input.h, input.w, true);
    this.scale = param(input.c, 'scale');
    this.shift = param(input.c, 'shift');
    this.params = [this.scale, this.shift];
    this.stateFloats = 2 * input.c;
  }

  init(f: FloatArray): void {
    f.fill(1, this.scale.offset, this.scale.offset + this.scale.size);
    f.fill(0, this.shift.offset, this.shift.offset + this.shift.size);
  }

  forward(ctx: RunContext): void {
    const f = ctx.f32;
    const x = this.inputs[0]!;
    const y = this.output;
    const P = x.plane;
    const k = ctx.kernels;
    if (k.batchNormForward && f instanceof Float32Array && x.c > 1) {
      k.batchNormForward(f, x.offset, y.offset, x.c, P, this.scale.offset, this.shift.offset, this.stateOffset, this.eps, this.relu);
      return;
    }
    for (let c = 0; c < x.c; c++) {
      const src = x.offset + c * P;
      // Two passes (mean, then centred squares) in float64: stable for large planes.
      const mean = k.sum(f, src, P, this.relu) / P;
      const invStd = 1 / Math.sqrt(k.centeredSumSquares(f, src, P, mean, this.relu) / P + this.eps);
      // The saved mean is rounded to the arena's precision; use that value throughout.
      f[this.stateOffset + 2 * c] = mean;
      f[this.stateOffset + 2 * c + 1] = invStd;
      const m = f[this.stateOffset + 2 * c]!;
      const g = f[this.scale.offset + c]! * invStd;
      k.affine(f, src, y.offset + c * P, P, g, f[this.shift.offset + c]! - m * g, this.relu);
    }
  }

  backward(ctx: RunContext, accumulate: readonly boolean[]): void {
    const f = ctx.f32;
    const x = this.inputs[0]!;
    const y = this.output;
    const P = x.plane;
    const kern = ctx.kernels;
    if (kern.batchNormBackward && f instanceof Float32Array && x.c > 1) {
      kern.batchNormBackward(f, x.offset, y.gradOffset, x.gradOffset, x.c, P, this.scale.offset, this.stateOffset, this.scale.gradOffset, this.shift.gradOffset, accumulate[0]!, this.relu);
      return;
    }
    const sums = this.sums;
    for (let c = 0; c < x.c; c++) {
      const mean = f[this.stateOffset + 2 * c]!;
      const invStd = f[this.stateOffset + 2 * c + 1]!;
      const src = x.offset + c * P;
      const dy = y.gradOffset + c * P;
      kern.batchNormSums(f, src, dy, P, mean, sums, this.relu);
      const sumDy = sums[0]!;
      const sumDyXhat = sums[1]! * invStd;
      f[this.scale.gradOffset + c] = sumDyXhat;
      f[this.shift.gradOffset + c] = sumDy;
      if (x.gradOffset < 0) continue;
      // dx = gamma * invStd / P * (P dy - sum dy - xhat * sum(dy xhat))
      const k = f[this.scale.offset + c]! * invStd;
      kern.batchNormApply(f, src, dy, x.gradOffset + c * P, P, mean, k, sumDy / P, (invStd * sumDyXhat) / P, accumulate[0]!, this.relu);
    }
  }
}
