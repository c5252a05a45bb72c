import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { adoptingArenaMemory, Arena, ArenaLayout, arenaBytes, type ArenaKind, type Precision } from '../engine/arena.js';
import type { FloatArray } from '../core/vector.js';
import { portableKernels, type Kernels } from '../engine/kernels.js';
import { nativeKernels } from '../engine/nativeKernels.js';
import { getKernels } from '../engine/select.js';
import { checkNetworkMemory, networkMemory, type NetworkMemory } from './networkMemory.js';
import { Tensor, type Param, type ParamKind } from '../engine/tensor.js';
import { Activation, type ActivationKind } from './layers/activation.js';
import { BatchNorm } from './layers/batchNorm.js';
import { Concat } from './layers/concat.js';
import { Conv2d, type Conv2dOptions } from './layers/conv2d.js';
import type { Layer, RunContext } from './layers/layer.js';
import { Upsample, type UpsampleMode } from './layers/upsample.js';

/** Set while estimateMemory runs: networks are laid out and measured, never allocated. */
let estimating = false;
class Measured {
  constructor(readonly memory: NetworkMemory) {}
}

/**
 * The memory a network and a fit of it need, without allocating it: `build` (e.g.
 * `() => deepDecoder({ outShape: [3, 2048, 2048], seed: 1 })`) runs only up to the layout of its
 * network. Limits are not checked here: compare `total` with what you have.
 */
export function estimateMemory(build: () => unknown): NetworkMemory {
  if (typeof build !== 'function') throw new InvalidArgumentError('estimateMemory', 'build', 'a function that builds a generator', build);
  estimating = true;
  try {
    build();
  } catch (e) {
    if (e instanceof Measured) return e.memory;
    throw e;
  } finally {
    estimating = false;
  }
  throw new InvalidArgumentError('estimateMemory', 'build', 'a function that builds a network (deepDecoder, convDecoder, deepImagePrior)', 'a function that built none');
}

/** Records layers in execution order; `build` lays everything out in one arena. */
export class NetworkBuilder {
  readonly input: Tensor;
  private readonly layers: Layer[] = [];

  constructor(channels: number, h: number, w: number) {
    this.input = new Tensor(channels, h, w, false);
  }

  private add<L extends Layer>(layer: L): Tensor {
    this.layers.push(layer);
    return layer.output;
  }

  conv(x: Tensor, options: Conv2dOptions): Tensor {
    return this.add(new Conv2d(x, options));
  }

  upsample(x: Tensor, h: number, w: number, mode: UpsampleMode): Tensor {
    return this.add(new Upsample(x, h, w, mode));
  }

  /** Channel normalisation; with `relu`, of max(x, 0) (ReLU then norm, fused). */
  batchNorm(x: Tensor, options: { relu?: boolean } = {}): Tensor {
    return this.add(new BatchNorm(x, options.relu ?? false));
  }

  activation(x: Tensor, kind: ActivationKind, slope = 0.2): Tensor {
    return kind === 'identity' ? x : this.add(new Activation(x, kind, slope));
  }

  concat(xs: Tensor[]): Tensor {
    return this.add(new Concat(xs));
  }

  /** `owner` names the factory in a memory error (e.g. 'deepDecoder'). */
  build(output: Tensor, options: { seed: Seed; kernels?: Kernels; precision?: Precision; owner?: string }): Network {
    return new Network(this.input, output, this.layers.slice(), options.seed, options.kernels ?? getKernels(), options.precision ?? 'float32', options.owner);
  }
}

/**
 * A built network: parameters (one flat vector), gradients, activations and scratch in one
 * arena. forward() then backward(dL/doutput) leaves dL/dparams in `grads`. No allocation per step.
 */
export class Network {
  readonly arena: Arena;
  readonly numParams: number;
  /** Views into the arena (never reallocated). */
  readonly params: FloatArray;
  readonly grads: FloatArray;
  readonly inputValues: FloatArray;
  readonly outputValues: FloatArray;
  /** 1 for entries of conv weights (the parameters SGLD perturbs), 0 for biases and norms. */
  readonly paramKinds: Uint8Array;
  /** Bytes of the arena and (estimated) of a fit, checked against the limits before allocation. */
  readonly memory: NetworkMemory;
  private readonly accumulate: boolean[][];
  private readonly ctx: RunContext;
  private readonly outputGrad: FloatArray;

  constructor(
    readonly input: Tensor,
    readonly output: Tensor,
    readonly layers: readonly Layer[],
    seed: Seed,
    readonly kernels: Kernels,
    precision: Precision = 'float32',
    owner = 'Network',
  ) {
    const params: Param[] = layers.flatMap((l) => l.params);
    const layout = new ArenaLayout();
    let total = 0;
    for (const p of params) {
      p.index = total;
      total += p.size;
    }
    this.numParams = total;
    // Parameters, then gradients, each contiguous so optimisers see flat vectors.
    const paramBase = layout.alloc(total);
    const gradBase = layout.alloc(total);
    for (const p of params) {
      p.offset = paramBase + p.index;
      p.gradOffset = gradBase + p.index;
    }
    input.offset = layout.alloc(input.size);
    for (const layer of layers) {
      const t = layer.output;
      if (t.offset < 0) t.offset = layout.alloc(t.size);
      if (t.requiresGrad && t.gradOffset < 0) t.gradOffset = layout.alloc(t.size);
      if (layer.stateFloats > 0) layer.stateOffset = layout.alloc(layer.stateFloats);
    }
    const scratch = layout.alloc(Math.max(0, ...layers.map((l) => (l.scratchFloatsFor ? l.scratchFloatsFor(kernels) : l.scratchFloats))));
    // Only the WebAssembly SIMD kernels need their arena in a (4 GiB at most) WebAssembly memory.
    const kind: ArenaKind = kernels === nativeKernels() || kernels === portableKernels ? 'native' : 'wasm';
    this.memory = networkMemory(arenaBytes(layout.size, precision), total, output.size, precision, kind);
    // Unwinds the factory that called us: nothing is allocated (estimateMemory catches it).
    if (estimating) throw new Measured(this.memory);
    // Checked before allocating; an adopted arena (a worker thread's fit) already exists.
    if (!adoptingArenaMemory()) {
      const widest = Math.max(input.c, ...layers.map((l) => l.output.c));
      checkNetworkMemory(owner, this.memory, precision, { outShape: [output.c, output.h, output.w], widest });
    }
    this.arena = new Arena(layout.size, precision, kind);
    const f = this.arena.f32;
    this.params = f.subarray(paramBase, paramBase + total);
    this.grads = f.subarray(gradBase, gradBase + total);
    this.inputValues = f.subarray(input.offset, input.offset + input.size);
    this.outputValues = f.subarray(output.offset, output.offset + output.size);
    this.outputGrad = f.subarray(output.gradOffset, output.gradOffset + output.size);
    this.paramKinds = new Uint8Array(total);
    for (const p of params) if (p.kind === 'weight') this.paramKinds.fill(1, p.index, p.index + p.size);
    // In backward order, the first consumer of a tensor writes its gradient, later ones add.
    const seen = new Set<Tensor>();
    const acc: boolean[][] = new Array(layers.length);
    for (let i = layers.length - 1; i >= 0; i--) {
      acc[i] = layers[i]!.inputs.map((t) => {
        const already = seen.has(t);
        seen.add(t);
        return already;
      });
    }
    this.accumulate = acc;
    this.ctx = { f32: f, kernels, scratch };
    // Each parameterised layer draws from its own stream, numbered among parameterised layers
    // only, so fusing or adding parameter-free layers never changes an initialisation.
    const rng = new Rng(seed);
    let block = 0;
    for (const l of layers) l.init(f, rng.fork(l.params.length > 0 ? `layer${block++}` : 'none'));
  }

  forward(): FloatArray {
    for (const layer of this.layers) layer.forward(this.ctx);
    return this.outputValues;
  }

  /** Backpropagates dL/doutput (float32 or float64) and returns dL/dparams (a reused view). */
  backward(gradOutput: ArrayLike<number>): FloatArray {
    this.outputGrad.set(gradOutput);
    for (let i = this.layers.length - 1; i >= 0; i--) this.layers[i]!.backward(this.ctx, this.accumulate[i]!);
    return this.grads;
  }

  /** Counts of parameters by kind, for summaries. */
  parameterSummary(): Record<ParamKind, number> {
    const out: Record<ParamKind, number> = { weight: 0, bias: 0, scale: 0, shift: 0 };
    for (const l of this.layers) for (const p of l.params) out[p.kind] += p.size;
    return out;
  }
}
