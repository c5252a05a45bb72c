import type { FloatArray } from '../../core/vector.js';
import type { Kernels } from '../../engine/kernels.js';
import type { Param, Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../core/rng.js';

export interface RunContext {
  readonly f32: FloatArray;
  readonly kernels: Kernels;
  /** Offset of the shared scratch region (sized by the largest `scratchFloats`). */
  readonly scratch: number;
}

/**
 * A differentiable layer: forward writes `output` from `inputs`; backward reads the output's
 * gradient and writes (or, when `accumulate[i]`, adds) the gradient of each input that needs
 * one, and writes the gradient of each of its parameters.
 */
export interface Layer {
  readonly kind: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[];
  readonly scratchFloats: number;
  /** Scratch when it depends on the engine's kernels (used instead of scratchFloats when present). */
  scratchFloatsFor?(kernels: Kernels): number;
  /** Extra per-layer state (e.g. saved statistics) in floats. */
  readonly stateFloats: number;
  stateOffset: number;
  init(f32: FloatArray, rng: Rng): void;
  forward(ctx: RunContext): void;
  backward(ctx: RunContext, accumulate: readonly boolean[]): void;
}

/** Writes or adds `value` into `f[i]`. */
export function put(f: FloatArray, i: number, value: number, accumulate: boolean): void {
  if (accumulate) f[i]! += value;
  else f[i] = value;
}
