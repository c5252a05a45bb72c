import type { Engine, SeparableSpec, TapMap } from '../../engine/engine.js';
import { separableScratchFloats } from '../../engine/arenaEngine.js';
import { Tensor, type Param } from '../../engine/tensor.js';
import type { Layer } from './layer.js';

/** A fixed separable linear map of every channel, given per axis as taps (the two-layer generator's U). */
export class Separable implements Layer {
  readonly kind = 'separable';
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[] = [];
  readonly state = null;
  private readonly spec: SeparableSpec;

  constructor(input: Tensor, H: number, W: number, rows: TapMap, cols: TapMap) {
    this.inputs = [input];
    this.output = new Tensor(input.c, H, W, true);
    this.spec = { c: input.c, h: input.h, w: input.w, H, W, rows, cols };
  }

  scratchFloats(): number {
    return separableScratchFloats(this.spec);
  }

  init(): void {}

  forward(engine: Engine): void {
    engine.separable(this.spec, this.inputs[0]!.value, this.output.value);
  }

  backward(engine: Engine, accumulate: readonly boolean[]): void {
    const dx = this.inputs[0]!.grad;
    if (dx) engine.separableBackward(this.spec, this.output.grad!, dx, accumulate[0]!);
  }
}
