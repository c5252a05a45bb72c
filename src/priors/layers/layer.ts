import type { FloatArray } from '../../core/vector.js';
import type { Engine } from '../../engine/engine.js';
import type { Kernels } from '../../engine/kernels.js';
import type { Param, Slot, Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../core/rng.js';

/**
 * A differentiable layer: forward has the engine write `output` from `inputs`; backward has it
 * turn the output's gradient into each input's gradient (written, or added when `accumulate[i]`:
 * a tensor several layers read) and each parameter's gradient. Layers hold shapes and slots and
 * never touch tensor data: every operation runs on the network's engine.
 */
export interface Layer {
  readonly kind: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: readonly Param[];
  /** Saved state (e.g. batch-norm statistics), or null. */
  readonly state: Slot | null;
  /** Fixed tensors (not trained) the network lays out and the layer writes with `writeConstants`. */
  readonly constants?: readonly Slot[];
  writeConstants?(engine: Engine): void;
  /** Scratch floats the layer needs on an arena engine with these kernels. */
  scratchFloats(kernels: Kernels): number;
  /** Writes the initial values of its parameters into the flat parameter vector (at each param's index). */
  init(params: FloatArray, rng: Rng): void;
  forward(engine: Engine): void;
  backward(engine: Engine, accumulate: readonly boolean[]): void;
}
