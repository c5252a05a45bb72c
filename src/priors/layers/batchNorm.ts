import type { FloatArray } from '../../core/vector.js';
import type { Engine, NormSpec } from '../../engine/engine.js';
import type { Kernels } from '../../engine/kernels.js';
import { param, Slot, Tensor, type Param } from '../../engine/tensor.js';
import type { Layer } from './layer.js';

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
  /** Saved per-channel mean and 1/std. */
  readonly state: Slot;
  readonly scale: Param;
  readonly shift: Param;
  readonly spec: NormSpec;

  /** With `relu`, the layer normalises max(input, 0): a ReLU fused in, without its own passes. */
  constructor(input: Tensor, readonly relu = false, readonly eps = 1e-5) {
    this.kind = relu ? 'relu+batchnorm' : 'batchnorm';
    this.inputs = [input];
    this.output = new Tensor(input.c, input.h, input.w, true);
    this.scale = param(input.c, 'scale');
    this.shift = param(input.c, 'shift');
    this.params = [this.scale, this.shift];
    this.state = new Slot(2 * input.c);
    this.spec = { channels: input.c, plane: input.plane, eps, relu };
  }

  scratchFloats(_kernels: Kernels): number {
    return 0;
  }

  init(params: FloatArray): void {
    params.fill(1, this.scale.index, this.scale.index + this.scale.size);
    params.fill(0, this.shift.index, this.shift.index + this.shift.size);
  }

  forward(engine: Engine): void {
    engine.batchNorm(this.spec, this.inputs[0]!.value, this.output.value, this.scale.value, this.shift.value, this.state);
  }

  backward(engine: Engine, accumulate: readonly boolean[]): void {
    const x = this.inputs[0]!;
    engine.batchNormBackward(this.spec, x.value, this.output.grad!, this.scale.value, this.state, this.scale.grad, this.shift.grad, x.grad, accumulate[0]!);
  }
}
