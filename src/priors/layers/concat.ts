import { InvalidArgumentError } from '../../core/errors.js';
import type { Engine } from '../../engine/engine.js';
import { Tensor, type Param } from '../../engine/tensor.js';
import type { Layer } from './layer.js';

/** Channel concatenation (DIP skip connections). */
export class Concat implements Layer {
  readonly kind = 'concat';
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[] = [];
  readonly state = null;

  constructor(inputs: Tensor[]) {
    const { h, w } = inputs[0]!;
    if (inputs.some((t) => t.h !== h || t.w !== w)) {
      throw new InvalidArgumentError('Concat', 'inputs', `equal spatial sizes ${h}x${w}`, inputs.map((t) => `${t.h}x${t.w}`).join(', '));
    }
    this.inputs = inputs;
    this.output = new Tensor(
      inputs.reduce((s, t) => s + t.c, 0),
      h,
      w,
      true,
    );
  }

  scratchFloats(): number {
    return 0;
  }

  init(): void {}

  forward(engine: Engine): void {
    engine.concat(
      this.inputs.map((t) => t.value),
      this.output.value,
    );
  }

  backward(engine: Engine, accumulate: readonly boolean[]): void {
    engine.concatBackward(this.output.grad!, this.inputs, accumulate);
  }
}
