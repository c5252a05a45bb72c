import { InvalidArgumentError } from '../../core/errors.js';
import { Tensor, type Param } from '../../engine/tensor.js';
import type { Layer, RunContext } from './layer.js';

/** Channel concatenation (DIP skip connections). Channel-major layout makes it two copies. */
export class Concat implements Layer {
  readonly kind = 'concat';
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[] = [];
  readonly scratchFloats = 0;
  readonly stateFloats = 0;
  stateOffset = -1;

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

  init(): void {}

  forward(ctx: RunContext): void {
    let at = this.output.offset;
    for (const t of this.inputs) {
      ctx.f32.copyWithin(at, t.offset, t.offset + t.size);
      at += t.size;
    }
  }

  backward(ctx: RunContext, accumulate: readonly boolean[]): void {
    const f = ctx.f32;
    let at = this.output.gradOffset;
    this.inputs.forEach((t, k) => {
      if (t.gradOffset >= 0) {
        // dx += dy through the engine: leakyBackward with slope 1 passes dy whatever the sign.
        if (accumulate[k]) ctx.kernels.leakyBackward(f, at, at, t.gradOffset, t.size, 1, true);
        else f.copyWithin(t.gradOffset, at, at + t.size);
      }
      at += t.size;
    });
  }
}
