import type { FloatArray } from '../core/vector.js';
import type { Precision } from './arena.js';
import type { ConvGeometry } from './im2col.js';
import type { Kernels } from './kernels.js';
import type { ResizeMap, ResizeShape } from './resize.js';
import type { Slot } from './tensor.js';

/** A convolution layer's shapes: input geometry, output channels and rows, im2col tiling. */
export interface ConvSpec extends ConvGeometry {
  readonly outChannels: number;
  /** Output height (the output width is `wo`). */
  readonly ho: number;
  /** 1x1 stride 1: one GEMM, no im2col. */
  readonly pointwise: boolean;
  /** Output rows per im2col tile (bounds the column buffer on large images). */
  readonly tileRows: number;
}

/** Channel normalisation over the spatial positions of each channel; with `relu`, of max(x, 0). */
export interface NormSpec {
  readonly channels: number;
  readonly plane: number;
  readonly eps: number;
  readonly relu: boolean;
}

/** Separable resampling of every channel; `doubling` marks exact bilinear x2 (vertical: both axes). */
export interface ResizeSpec {
  readonly map: ResizeMap;
  readonly shape: ResizeShape;
  readonly doubling: boolean;
  readonly vertical: boolean;
}

/** One input of a concatenation, seen from the backward pass: its size and gradient slot (null: none wanted). */
export interface ConcatPart {
  readonly size: number;
  readonly grad: Slot | null;
}

/** A sparse linear map along one axis: output i = sum over a < taps of weight[i taps + a] * input[index[i taps + a]]. */
export interface TapMap {
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

/** A separable linear map of every [h, w] channel to [H, w] (rows) then [H, W] (cols): the two-layer generator's fixed interpolation. */
export interface SeparableSpec {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly H: number;
  readonly W: number;
  readonly rows: TapMap;
  readonly cols: TapMap;
}

export type PointwiseKind = 'relu' | 'leaky-relu' | 'sigmoid' | 'identity';

/**
 * The compute engine of one network: it owns the storage of every slot (parameters, their
 * gradients, activations, their gradients, saved state) and runs every operation a layer needs,
 * forward and backward. Layers never touch tensor data themselves; only `write` and `read` cross
 * between the host and the engine. The arena engines (native, WebAssembly SIMD, portable JS)
 * keep everything in one host arena; a device engine (tfjs) keeps it on its device.
 *
 * Backward operations write their input gradient, or add to it when `accumulate` (a tensor read
 * by several layers); a null input-gradient slot means no gradient is wanted. Parameter
 * gradients are always written.
 */
export interface Engine {
  /** What `untrained-cs info` and results report, e.g. 'native-avx512' or 'tfjs-cpu'. */
  readonly name: string;
  /** 'host': slots live in this process's memory and `view` returns live views; 'device': elsewhere. */
  readonly location: 'host' | 'device';
  readonly precision: Precision;
  /** Host -> engine: the slot's values (data.length === slot.size). */
  write(slot: Slot, data: ArrayLike<number>): void;
  /** Engine -> host: the slot's values (a live view on host engines, a copy from a device). */
  read(slot: Slot): FloatArray;
  /** Releases the storage (device memory); the engine is unusable afterwards. */
  dispose(): void;

  /** y = conv(x, weight) (+ bias per output channel). */
  conv2d(spec: ConvSpec, x: Slot, weight: Slot, bias: Slot | null, y: Slot): void;
  /** dWeight, dBias and dx (+)= the adjoint of the convolution applied to dy. */
  conv2dBackward(spec: ConvSpec, x: Slot, dy: Slot, weight: Slot, dWeight: Slot, dBias: Slot | null, dx: Slot | null, accumulate: boolean): void;
  /** y = scale (r - mean) / sqrt(var + eps) + shift per channel; saves what backward needs in `state` (2 floats a channel). */
  batchNorm(spec: NormSpec, x: Slot, y: Slot, scale: Slot, shift: Slot, state: Slot): void;
  batchNormBackward(spec: NormSpec, x: Slot, dy: Slot, scale: Slot, state: Slot, dScale: Slot, dShift: Slot, dx: Slot | null, accumulate: boolean): void;
  /**
   * Optional: a batch norm fused with the 1x1 convolution (no bias) to `outs` channels that
   * reads it, where `fusesNormHead` says this engine fuses that pair (false: run the two layers).
   * Forward: state as batchNorm, out = conv(batchNorm(x)); the norm's output is never stored.
   * Backward: dScale, dShift, dWeight written and dx (+)= from dOut.
   */
  fusesNormHead?(spec: NormSpec, outs: number): boolean;
  /**
   * Optional: bilinear x2 upsampling fused with the batch norm that reads it, where `fusesUpNorm`
   * says so (false: run the two layers). Forward: state as batchNorm, y = batchNorm(resize(x));
   * the upsampled planes are never stored. Backward: dScale, dShift written, dx (+)= from dy.
   */
  fusesUpNorm?(resize: ResizeSpec, norm: NormSpec): boolean;
  upNorm?(resize: ResizeSpec, norm: NormSpec, x: Slot, y: Slot, scale: Slot, shift: Slot, state: Slot): void;
  upNormBackward?(resize: ResizeSpec, norm: NormSpec, x: Slot, dy: Slot, scale: Slot, state: Slot, dScale: Slot, dShift: Slot, dx: Slot | null, accumulate: boolean): void;
  normHead?(spec: NormSpec, outs: number, x: Slot, scale: Slot, shift: Slot, state: Slot, weight: Slot, out: Slot): void;
  normHeadBackward?(
    spec: NormSpec, outs: number, x: Slot, dOut: Slot, scale: Slot, shift: Slot, state: Slot, weight: Slot, dScale: Slot, dShift: Slot,
    dWeight: Slot, dx: Slot | null, accumulate: boolean
  ): void;
  /** Upsampling of every channel, and its adjoint. */
  resize(spec: ResizeSpec, x: Slot, y: Slot): void;
  resizeBackward(spec: ResizeSpec, dy: Slot, dx: Slot, accumulate: boolean): void;
  /** A separable sparse linear map of every channel, and its adjoint. */
  separable(spec: SeparableSpec, x: Slot, y: Slot): void;
  separableBackward(spec: SeparableSpec, dy: Slot, dx: Slot, accumulate: boolean): void;
  /** Elementwise activation (slope: the leaky ReLU's), and its backward from the input (ReLU family) or the output (sigmoid). */
  pointwise(kind: PointwiseKind, slope: number, x: Slot, y: Slot): void;
  pointwiseBackward(kind: PointwiseKind, slope: number, x: Slot, y: Slot, dy: Slot, dx: Slot, accumulate: boolean): void;
  /** Channel concatenation of `parts` into y, and its adjoint (parts' gradients, null: none wanted). */
  concat(parts: readonly Slot[], y: Slot): void;
  concatBackward(dy: Slot, parts: readonly ConcatPart[], accumulate: readonly boolean[]): void;
  /** y = x, or y += x with `accumulate` (values in CHW order, between flat slots and network tensors alike). */
  copy(x: Slot, y: Slot, accumulate: boolean): void;
  /**
   * Optional: an optimiser whose state and step stay on the engine (device engines), so the
   * parameters never cross to the host during a fit.
   */
  optimizer?(params: readonly Slot[], grads: readonly Slot[], options: OptimizerOptions): EngineOptimizer;
}

export interface OptimizerOptions {
  kind: 'adam' | 'sgd';
  learningRate: number;
}

/** One optimiser step on the engine's parameters from the engine's gradients. */
export interface EngineOptimizer {
  step(): void;
  dispose(): void;
}

/**
 * What is selected (UNTRAINED_CS_KERNELS, setEngine): it names the engine and opens one per
 * network. Arena backends carry their kernels; the network lays out and allocates their arena.
 */
export interface EngineBackend {
  readonly name: string;
  /** Device backends create their storage lazily; arena backends are opened by the network on its arena. */
  readonly location: 'host' | 'device';
  /** The kernels of an arena backend. */
  readonly kernels?: Kernels;
  /** A device engine for one network (device backends only). */
  open?(precision: Precision): Engine;
  /** One line for `untrained-cs info`. */
  describe(): string;
}
