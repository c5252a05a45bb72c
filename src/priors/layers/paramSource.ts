import type { Engine } from '../../engine/engine.js';
import { param, Tensor, type Param } from '../../engine/tensor.js';
import type { Layer } from './layer.js';

/**
 * A tensor that is itself a trainable parameter (the two-layer generator's coefficients C): the
 * output is the parameter and its gradient is the parameter's gradient. Initialised to zero; the
 * generator writes its own initialisation.
 */
export class ParamSource implements Layer {
  readonly kind = 'parameter';
  readonly inputs: readonly Tensor[] = [];
  readonly output: Tensor;
  readonly params: readonly Param[];
  readonly state = null;
  readonly value: Param;

  constructor(c: number, h: number, w: number) {
    this.output = new Tensor(c, h, w, true);
    this.value = param(c * h * w, 'weight');
    this.params = [this.value];
  }

  scratchFloats(): number {
    return 0;
  }

  init(): void {}

  forward(engine: Engine): void {
    engine.copy(this.value.value, this.output.value, false);
  }

  backward(engine: Engine): void {
    engine.copy(this.output.grad!, this.value.grad, false);
  }
}
