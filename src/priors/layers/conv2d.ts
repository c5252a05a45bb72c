import type { FloatArray } from '../../core/vector.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { param, Tensor, type Param, type Slot } from '../../engine/tensor.js';
import type { ConvSpec, Engine } from '../../engine/engine.js';
import { convScratchFloats } from '../../engine/arenaEngine.js';
import type { Kernels } from '../../engine/kernels.js';
import type { Layer } from './layer.js';

export type Padding = 'zero' | 'reflection';

export interface Conv2dOptions {
  outChannels: number;
  kernel: [number, number];
  stride?: number;
  padding?: Padding;
  bias?: boolean;
  /** Fixed weights [out, in, kh, kw] (not trained, not in the parameter vector); no bias then. */
  fixedWeights?: ArrayLike<number>;
}

/** Largest im2col tile an arena engine materialises (floats): bounds memory for 3x3 convs on big images. */
const MAX_COLS = 1 << 22;

/**
 * 2D convolution (cross-correlation, as torch.nn.Conv2d) with "same" padding of (k-1)/2, zero
 * or reflection (ReflectionPad2d then Conv2d, as the DIP/Deep Decoder code does), stride 1 or 2.
 * Weights are [out, in, kh, kw] row-major, as PyTorch stores them.
 */
export class Conv2d implements Layer {
  readonly kind = 'conv2d';
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[];
  readonly state = null;
  readonly weight: Param;
  readonly bias: Param | null;
  readonly constants: readonly Slot[];
  private readonly spec: ConvSpec;
  private readonly fixed: ArrayLike<number> | null;

  constructor(input: Tensor, options: Conv2dOptions) {
    const [kh, kw] = options.kernel;
    const stride = options.stride ?? 1;
    if (kh % 2 === 0 || kw % 2 === 0) throw new InvalidArgumentError('Conv2d', 'kernel', 'odd kernel sizes', options.kernel);
    const padding = options.padding ?? 'zero';
    const ph = (kh - 1) / 2;
    const pw = (kw - 1) / 2;
    if (padding === 'reflection' && (ph >= input.h || pw >= input.w) && (ph > 0 || pw > 0)) {
      throw new InvalidArgumentError('Conv2d', 'padding', `reflection padding smaller than the input (${input.h}x${input.w})`, `${ph}x${pw}`);
    }
    const ho = Math.floor((input.h + 2 * ph - kh) / stride) + 1;
    const wo = Math.floor((input.w + 2 * pw - kw) / stride) + 1;
    this.inputs = [input];
    this.output = new Tensor(options.outChannels, ho, wo, true);
    this.weight = param(options.outChannels * input.c * kh * kw, 'weight');
    this.fixed = options.fixedWeights ?? null;
    if (this.fixed && (this.fixed.length !== this.weight.size || options.bias)) {
      throw new InvalidArgumentError('Conv2d', 'fixedWeights', `${this.weight.size} weights and no bias`, this.fixed.length);
    }
    this.bias = options.bias && !this.fixed ? param(options.outChannels, 'bias') : null;
    // Fixed weights: the weight and its (discarded) gradient are constants, outside the parameter vector.
    this.params = this.fixed ? [] : this.bias ? [this.weight, this.bias] : [this.weight];
    this.constants = this.fixed ? [this.weight.value, this.weight.grad] : [];
    const pointwise = kh === 1 && kw === 1 && stride === 1;
    const colRows = input.c * kh * kw;
    const tileRows = pointwise ? ho : Math.max(1, Math.min(ho, Math.floor(MAX_COLS / (colRows * wo))));
    this.spec = { c: input.c, h: input.h, w: input.w, kh, kw, stride, reflect: padding === 'reflection', wo, ho, outChannels: options.outChannels, pointwise, tileRows };
  }

  scratchFloats(kernels: Kernels): number {
    return convScratchFloats(kernels, this.spec);
  }

  writeConstants(engine: Engine): void {
    if (this.fixed) engine.write(this.weight.value, this.fixed);
  }

  init(params: FloatArray, rng: Rng): void {
    if (this.fixed) return;
    // torch.nn.Conv2d default: kaiming_uniform(a = sqrt 5) => U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    const fanIn = this.spec.c * this.spec.kh * this.spec.kw;
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < this.weight.size; i++) params[this.weight.index + i] = rng.uniformIn(-bound, bound);
    if (this.bias) for (let i = 0; i < this.bias.size; i++) params[this.bias.index + i] = rng.uniformIn(-bound, bound);
  }

  forward(engine: Engine): void {
    engine.conv2d(this.spec, this.inputs[0]!.value, this.weight.value, this.bias ? this.bias.value : null, this.output.value);
  }

  backward(engine: Engine, accumulate: readonly boolean[]): void {
    const x = this.inputs[0]!;
    engine.conv2dBackward(this.spec, x.value, this.output.grad!, this.weight.value, this.weight.grad, this.bias ? this.bias.grad : null, x.grad, accumulate[0]!);
  }
}
