import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { adoptingArenaMemory, Arena, ArenaLayout, arenaBytes, type ArenaKind, type Precision } from '../engine/arena.js';
import type { FloatArray } from '../core/vector.js';
import { portableKernels, type Kernels } from '../engine/kernels.js';
import { nativeKernels } from '../engine/nativeKernels.js';
import { arenaBackend, getEngine } from '../engine/select.js';
import { ArenaEngine } from '../engine/arenaEngine.js';
import type { Engine, EngineBackend, TapMap } from '../engine/engine.js';
import { checkNetworkMemory, networkMemory, type NetworkMemory } from './networkMemory.js';
import { Tensor, type Param, type ParamKind } from '../engine/tensor.js';
import { Activation, type ActivationKind } from './layers/activation.js';
import { HeadConv, HeadNorm } from './layers/normHead.js';
import { NormUpsample, UpsampledNorm } from './layers/upNorm.js';
import { BatchNorm } from './layers/batchNorm.js';
import { Concat } from './layers/concat.js';
import { Conv2d, type Conv2dOptions } from './layers/conv2d.js';
import type { Layer } from './layers/layer.js';
import { Upsample, type UpsampleMode } from './layers/upsample.js';
import { ParamSource } from './layers/paramSource.js';
import { Separable } from './layers/separable.js';

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

  /**
   * Upsampling to (h, w) then channel normalisation (of max(x, 0) with `relu`): the same two
   * layers as upsample then batchNorm, which an engine may fuse.
   */
  upsampleNorm(x: Tensor, h: number, w: number, mode: UpsampleMode, options: { relu?: boolean } = {}): Tensor {
    const up = new NormUpsample(x, h, w, mode);
    this.add(up);
    return this.add(new UpsampledNorm(up, options.relu ?? false));
  }

  /**
   * Channel normalisation (of max(x, 0) with `relu`) then a 1x1 convolution without bias to
   * `outChannels`: the same two layers as batchNorm then conv, which an engine may fuse.
   */
  normHead(x: Tensor, options: { relu?: boolean; outChannels: number }): Tensor {
    const norm = new HeadNorm(x, options.relu ?? false);
    this.add(norm);
    return this.add(new HeadConv(norm, options.outChannels));
  }

  activation(x: Tensor, kind: ActivationKind, slope = 0.2): Tensor {
    return kind === 'identity' ? x : this.add(new Activation(x, kind, slope));
  }

  concat(xs: Tensor[]): Tensor {
    return this.add(new Concat(xs));
  }

  /** A [c, h, w] tensor that is a trainable parameter (initialised to zero). */
  parameter(c: number, h: number, w: number): Tensor {
    return this.add(new ParamSource(c, h, w));
  }

  /** A fixed separable linear map of every channel to [H, W] (taps per axis). */
  separable(x: Tensor, H: number, W: number, rows: TapMap, cols: TapMap): Tensor {
    return this.add(new Separable(x, H, W, rows, cols));
  }

  /** `owner` names the factory in a memory error (e.g. 'deepDecoder'). */
  /** On `engine` (default: the selected one, getEngine()); `kernels` picks an arena engine's kernels. */
  build(output: Tensor, options: { seed: Seed; kernels?: Kernels; engine?: EngineBackend; precision?: Precision; owner?: string }): Network {
    const backend = options.engine ?? (options.kernels ? arenaBackend(options.kernels) : getEngine());
    return new Network(this.input, output, this.layers.slice(), options.seed, backend, options.precision ?? 'float32', options.owner);
  }
}

/**
 * A built network on an engine that owns its tensors: parameters (one flat vector), gradients,
 * activations and saved state. forward() then backward(dL/doutput) leaves dL/dparams in `grads`.
 * On an arena engine `params`, `grads`, `inputValues` and `outputValues` are live views of the
 * arena (no allocation or copy per step); on a device engine they are host copies, and the
 * network writes and reads them at the boundary.
 */
export class Network {
  readonly engine: Engine;
  /** The arena of an arena engine (null on a device engine). */
  readonly arena: Arena | null;
  readonly numParams: number;
  readonly params: FloatArray;
  readonly grads: FloatArray;
  /** The fixed input; on a device engine written to it at the next forward when it changed. */
  readonly inputValues: FloatArray;
  outputValues: FloatArray;
  /** 1 for entries of conv weights (the parameters SGLD perturbs), 0 for biases and norms. */
  readonly paramKinds: Uint8Array;
  /** Bytes of the arena and (estimated) of a fit, checked against the limits before allocation. */
  readonly memory: NetworkMemory;
  readonly paramList: readonly Param[];
  private readonly accumulate: boolean[][];
  /** Device engines: the input values last written to the engine. */
  private readonly sentInput: FloatArray | null;

  constructor(
    readonly input: Tensor,
    readonly output: Tensor,
    readonly layers: readonly Layer[],
    seed: Seed,
    backend: EngineBackend,
    precision: Precision = 'float32',
    owner = 'Network',
  ) {
    const params: Param[] = layers.flatMap((l) => l.params);
    this.paramList = params;
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
      p.value.offset = paramBase + p.index;
      p.grad.offset = gradBase + p.index;
    }
    input.value.offset = layout.alloc(input.size);
    for (const layer of layers) {
      const t = layer.output;
      if (t.value.offset < 0) t.value.offset = layout.alloc(t.size);
      if (t.grad && t.grad.offset < 0) t.grad.offset = layout.alloc(t.size);
      if (layer.state) layer.state.offset = layout.alloc(layer.state.size);
      for (const c of layer.constants ?? []) c.offset = layout.alloc(c.size);
    }
    const kernels = backend.kernels;
    const scratch = layout.alloc(kernels ? Math.max(0, ...layers.map((l) => l.scratchFloats(kernels))) : 0);
    // Only the WebAssembly SIMD kernels need their arena in a (4 GiB at most) WebAssembly memory.
    const kind: ArenaKind = !kernels || kernels === nativeKernels() || kernels === portableKernels ? 'native' : 'wasm';
    this.memory = networkMemory(arenaBytes(layout.size, precision), total, output.size, precision, kind);
    // Unwinds the factory that called us: nothing is allocated (estimateMemory catches it).
    if (estimating) throw new Measured(this.memory);
    // Checked before allocating; an adopted arena (a worker thread's fit) already exists.
    if (kernels && !adoptingArenaMemory()) {
      const widest = Math.max(input.c, ...layers.map((l) => l.output.c));
      checkNetworkMemory(owner, this.memory, precision, { outShape: [output.c, output.h, output.w], widest });
    }
    if (kernels) {
      this.arena = new Arena(layout.size, precision, kind);
      const engine = new ArenaEngine(kernels, this.arena, scratch);
      this.engine = engine;
      const f = this.arena.f32;
      this.params = f.subarray(paramBase, paramBase + total);
      this.grads = f.subarray(gradBase, gradBase + total);
      this.inputValues = engine.read(input.value);
      this.outputValues = engine.read(output.value);
      this.sentInput = null;
    } else {
      if (!backend.open) throw new InvalidArgumentError(owner, 'engine', 'an engine backend with kernels or open()', backend.name);
      this.arena = null;
      this.engine = backend.open(precision);
      const make = (n: number): FloatArray => (precision === 'float64' ? new Float64Array(n) : new Float32Array(n));
      this.params = make(total);
      this.grads = make(total);
      this.inputValues = make(input.size);
      this.outputValues = make(output.size);
      this.sentInput = make(input.size).fill(NaN);
    }
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
    // Each parameterised layer draws from its own stream, numbered among parameterised layers
    // only, so fusing or adding parameter-free layers never changes an initialisation.
    const rng = new Rng(seed);
    let block = 0;
    for (const l of layers) l.init(this.params, rng.fork(l.params.length > 0 ? `layer${block++}` : 'none'));
    for (const l of layers) l.writeConstants?.(this.engine);
    if (!this.arena) this.setParams(this.params);
  }

  /** The kernels of an arena engine (null on a device engine). */
  get kernels(): Kernels | null {
    return this.engine instanceof ArenaEngine ? this.engine.kernels : null;
  }

  /** Writes the parameters to the engine (nothing to do on an arena engine given its own view). */
  setParams(values: ArrayLike<number>): void {
    if (this.arena) {
      if (values !== this.params) this.params.set(values);
      return;
    }
    if (values !== this.params) this.params.set(values);
    for (const p of this.paramList) this.engine.write(p.value, this.params.subarray(p.index, p.index + p.size));
  }

  /** The parameters as the engine holds them (a live view on an arena engine, a host copy from a device). */
  readParams(): FloatArray {
    if (!this.arena) for (const p of this.paramList) this.params.set(this.engine.read(p.value), p.index);
    return this.params;
  }

  /** Runs the layers; returns the output (a live view on an arena engine, a host copy from a device). */
  forward(): FloatArray {
    const sent = this.sentInput;
    if (sent) {
      // The input is small next to the activations, but a fit may jitter it: write it when it changed.
      const now = this.inputValues;
      let same = true;
      for (let i = 0; i < now.length && same; i++) same = now[i] === sent[i];
      if (!same) {
        this.engine.write(this.input.value, now);
        sent.set(now);
      }
    }
    for (const layer of this.layers) layer.forward(this.engine);
    if (!this.arena) this.outputValues = this.engine.read(this.output.value);
    return this.outputValues;
  }

  /** Runs the layers' backward passes from dL/doutput; the parameters' gradients stay on the engine. */
  backwardOnEngine(gradOutput: ArrayLike<number>): void {
    this.engine.write(this.output.grad!, gradOutput);
    for (let i = this.layers.length - 1; i >= 0; i--) this.layers[i]!.backward(this.engine, this.accumulate[i]!);
  }

  /** Backpropagates dL/doutput (float32 or float64) and returns dL/dparams (a reused host array). */
  backward(gradOutput: ArrayLike<number>): FloatArray {
    this.backwardOnEngine(gradOutput);
    if (!this.arena) for (const p of this.paramList) this.grads.set(this.engine.read(p.grad), p.index);
    return this.grads;
  }

  /** Counts of parameters by kind, for summaries. */
  parameterSummary(): Record<ParamKind, number> {
    const out: Record<ParamKind, number> = { weight: 0, bias: 0, scale: 0, shift: 0 };
    for (const l of this.layers) for (const p of l.params) out[p.kind] += p.size;
    return out;
  }
}
