import type { Engine } from '../../engine/engine.js';
import { upNormScratchFloats } from '../../engine/arenaEngine.js';
import type { Kernels } from '../../engine/kernels.js';
import type { Tensor } from '../../engine/tensor.js';
import { BatchNorm } from './batchNorm.js';
import { Upsample, type UpsampleMode } from './upsample.js';

/**
 * An upsampling and the batch norm (optionally of max(x, 0)) that reads it (the Deep Decoder's
 * blocks), as two layers (the same parameters and initialisation streams as Upsample then
 * BatchNorm) that the engine may run as one pass per channel through cache
 * (`Engine.fusesUpNorm`): the upsampled planes and their gradient are then never stored. The
 * norm runs the fused forward, the upsampling (whose backward sees its input's accumulate flag)
 * the fused backward; otherwise each layer runs as its plain class does.
 */
export class NormUpsample extends Upsample {
  norm: UpsampledNorm | null = null;

  constructor(input: Tensor, h: number, w: number, mode: UpsampleMode) {
    super(input, h, w, mode);
  }

  fused(engine: Engine): boolean {
    return this.norm !== null && engine.fusesUpNorm?.(this.spec, this.norm.spec) === true;
  }

  override scratchFloats(kernels?: Kernels): number {
    const own = super.scratchFloats();
    return kernels && this.norm ? Math.max(own, upNormScratchFloats(kernels, this.spec)) : own;
  }

  override forward(engine: Engine): void {
    if (!this.fused(engine)) super.forward(engine);
  }

  override backward(engine: Engine, accumulate: readonly boolean[]): void {
    const norm = this.norm;
    if (!norm || !this.fused(engine)) {
      super.backward(engine, accumulate);
      return;
    }
    // The norm's backward did nothing: its parameter gradients are written here.
    const x = this.inputs[0]!;
    const [scale, shift] = [norm.scale, norm.shift];
    engine.upNormBackward!(this.spec, norm.spec, x.value, norm.output.grad!, scale.value, norm.state, scale.grad, shift.grad, x.grad, accumulate[0]!);
  }
}

/** The batch norm of a NormUpsample's output. */
export class UpsampledNorm extends BatchNorm {
  constructor(readonly up: NormUpsample, relu: boolean) {
    super(up.output, relu);
    up.norm = this;
  }

  override forward(engine: Engine): void {
    if (!this.up.fused(engine)) {
      super.forward(engine);
      return;
    }
    engine.upNorm!(this.up.spec, this.spec, this.up.inputs[0]!.value, this.output.value, this.scale.value, this.shift.value, this.state);
  }

  override backward(engine: Engine, accumulate: readonly boolean[]): void {
    if (!this.up.fused(engine)) super.backward(engine, accumulate);
  }
}
