import { Tensor, type Param } from '../../engine/tensor.js';
import type { Engine, PointwiseKind } from '../../engine/engine.js';
import type { Layer } from './layer.js';

export type ActivationKind = PointwiseKind;

/** Pointwise activation; backward uses the saved output (sigmoid) or input sign (ReLU family). */
export class Activation implements Layer {
  readonly kind: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[] = [];
  readonly state = null;

  constructor(input: Tensor, readonly activation: ActivationKind, readonly slope = 0.2) {
    this.kind = activation;
    this.inputs = [input];
    this.output = new Tensor(input.c, input.h, input.w, true);
  }

  scratchFloats(): number {
    return 0;
  }

  init(): void {}

  forward(engine: Engine): void {
    engine.pointwise(this.activation, this.slope, this.inputs[0]!.value, this.output.value);
  }

  backward(engine: Engine, accumulate: readonly boolean[]): void {
    const dx = this.inputs[0]!.grad;
    if (!dx) return;
    engine.pointwiseBackward(this.activation, this.slope, this.inputs[0]!.value, this.output.value, this.output.grad!, dx, accumulate[0]!);
  }
}
