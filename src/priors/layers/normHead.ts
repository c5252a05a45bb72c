import type { Engine } from '../../engine/engine.js';
import { normHeadScratchFloats } from '../../engine/arenaEngine.js';
import type { Kernels } from '../../engine/kernels.js';
import type { Tensor } from '../../engine/tensor.js';
import { BatchNorm } from './batchNorm.js';
import { Conv2d } from './conv2d.js';

/**
 * A batch norm (optionally of max(x, 0)) and the 1x1 convolution without bias to a few channels
 * that reads it (the Deep Decoder's last layers), as two layers with their own parameters (the
 * same order and initialisation streams as BatchNorm then Conv2d) that the engine may run as
 * one fused pass (`Engine.fusesNormHead`): the norm's output and its gradient, k full planes,
 * are then never stored or read. Otherwise each layer runs as its plain class does.
 */
export class HeadNorm extends BatchNorm {
  head: HeadConv | null = null;

  constructor(input: Tensor, relu: boolean) {
    super(input, relu);
  }

  private fused(engine: Engine): boolean {
    return this.head !== null && engine.fusesNormHead?.(this.spec, this.head.output.c) === true;
  }

  override scratchFloats(kernels: Kernels): number {
    return this.head ? normHeadScratchFloats(kernels, this.spec, this.head.output.c) : 0;
  }

  override forward(engine: Engine): void {
    const head = this.head;
    if (!head || !this.fused(engine)) {
      super.forward(engine);
      return;
    }
    engine.normHead!(this.spec, head.output.c, this.inputs[0]!.value, this.scale.value, this.shift.value, this.state, head.weight.value, head.output.value);
  }

  override backward(engine: Engine, accumulate: readonly boolean[]): void {
    const head = this.head;
    if (!head || !this.fused(engine)) {
      super.backward(engine, accumulate);
      return;
    }
    // The head's backward did nothing: its parameter and this layer's gradients are written here.
    const x = this.inputs[0]!;
    const [scale, shift, weight] = [this.scale, this.shift, head.weight];
    engine.normHeadBackward!(
      this.spec, head.output.c, x.value, head.output.grad!, scale.value, shift.value, this.state, weight.value, scale.grad, shift.grad, weight.grad,
      x.grad, accumulate[0]!,
    );
  }
}

/** The 1x1 convolution of a HeadNorm's output: nothing to do when the engine fuses the pair. */
export class HeadConv extends Conv2d {
  constructor(readonly norm: HeadNorm, outChannels: number) {
    super(norm.output, { outChannels, kernel: [1, 1] });
    norm.head = this;
  }

  private fused(engine: Engine): boolean {
    return engine.fusesNormHead?.(this.norm.spec, this.output.c) === true;
  }

  override forward(engine: Engine): void {
    if (!this.fused(engine)) super.forward(engine);
  }

  override backward(engine: Engine, accumulate: readonly boolean[]): void {
    if (!this.fused(engine)) super.backward(engine, accumulate);
  }
}
