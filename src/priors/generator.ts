import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import { checkShape } from '../core/validate.js';
import type { Network } from './network.js';
import type { FloatArray } from '../core/vector.js';
import { recordRecipe, type GeneratorFactoryName } from './recipe.js';
import type { OptimizerOptions } from '../engine/engine.js';

/**
 * The result of a generator's forward pass: its output and the backward pass that turns the
 * output's gradient into the parameters' gradient.
 */
export interface GeneratorForward {
  /** The generator output, row-major in `outShape` (a view reused by the next forward). */
  output: FloatArray;
  /** Takes dL/doutput, returns dL/dparams (a view reused by the next backward). */
  backward(gradOutput: ArrayLike<number>): FloatArray;
}

/**
 * An untrained generator G(theta): parameters are one flat Float32Array, randomly initialised
 * from `seed`. `forward(params)` evaluates G at params and returns the output with a closure
 * for the gradient. Fitting code only needs this interface.
 */
export interface Generator {
  readonly name: string;
  readonly outShape: readonly number[];
  readonly outSize: number;
  readonly numParams: number;
  readonly seed: Seed;
  /** The options the generator was built with (recorded in results). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The fixed network input, a live view that fitting may jitter; null when there is none. */
  readonly input: FloatArray | null;
  /** 1 where a parameter is a convolution weight (SGLD perturbs these), else 0. */
  readonly weightMask: Uint8Array;
  /** A copy of the parameters at initialisation. */
  initialParams(): FloatArray;
  forward(params: FloatArray): GeneratorForward;
  /**
   * Present on device engines (tfjs): a fit whose parameters, gradients and optimiser state stay
   * on the engine, starting from `params`; each step moves only the output and dL/doutput.
   */
  trainOnEngine?(options: OptimizerOptions & { params: ArrayLike<number> }): EngineTrainer;
}

/** A fit on the engine (see Generator.trainOnEngine). */
export interface EngineTrainer {
  /** The output at the current parameters, and the backward pass that leaves dL/dparams on the engine. */
  forward(): { output: FloatArray; backward(gradOutput: ArrayLike<number>): undefined };
  /** One optimiser step from the last backward's gradients. */
  step(): void;
  /** The current parameters, copied to the host. */
  params(): FloatArray;
  dispose(): void;
}

/** A generator's output geometry as a CHW tensor: [n] -> 1x1xn, [c,n] -> cx1xn, [h,w], [c,h,w]. */
export interface OutGeometry {
  c: number;
  h: number;
  w: number;
  oneD: boolean;
}

export function outGeometry(fn: string, outShape: unknown, oneDimensional?: boolean): OutGeometry {
  const s = checkShape(fn, 'outShape', outShape);
  if (s.length === 1) return { c: 1, h: 1, w: s[0]!, oneD: true };
  if (s.length === 2) {
    // [c, n] for 1D multi-channel signals (when asked), else a gray image [h, w].
    if (oneDimensional) return { c: s[0]!, h: 1, w: s[1]!, oneD: true };
    return { c: 1, h: s[0]!, w: s[1]!, oneD: false };
  }
  if (s.length === 3) return { c: s[0]!, h: s[1]!, w: s[2]!, oneD: false };
  throw new InvalidArgumentError(fn, 'outShape', '[n], [c, n] (with oneDimensional), [h, w] or [c, h, w]', s);
}

/** Wraps a built network as a Generator; `inputInit` fills the fixed input from the seed. */
export function networkGenerator(args: {
  name: string;
  network: Network;
  outShape: number[];
  seed: Seed;
  config: Record<string, unknown>;
  inputInit: (input: FloatArray, rng: Rng) => void;
  /** The factory and the options it was called with, so a worker thread can rebuild it. */
  recipe?: { factory: GeneratorFactoryName; options: unknown };
  /** Further fields of the generator object (they override the defaults, e.g. input: null). */
  extras?: Record<string, unknown>;
}): Generator {
  const { network } = args;
  args.inputInit(network.inputValues, new Rng(args.seed).fork('input'));
  const initial = network.params.slice();
  const forward = (params: FloatArray): GeneratorForward => {
    network.setParams(params);
    const output = network.forward();
    return { output, backward: (g) => network.backward(g) };
  };
  const engine = network.engine;
  // Device engines: parameters, gradients and the optimiser stay on the device during a fit.
  const trainOnEngine = engine.optimizer
    ? (options: OptimizerOptions & { params: ArrayLike<number> }): EngineTrainer => {
        network.setParams(options.params);
        const opt = engine.optimizer!(
          network.paramList.map((p) => p.value),
          network.paramList.map((p) => p.grad),
          options,
        );
        return {
          forward: () => ({ output: network.forward(), backward: (g) => void network.backwardOnEngine(g) }),
          step: () => opt.step(),
          params: () => network.readParams().slice(),
          dispose: () => opt.dispose(),
        };
      }
    : undefined;
  const generator: Generator = Object.freeze({
    name: args.name,
    outShape: Object.freeze(args.outShape.slice()),
    outSize: sizeOf(args.outShape),
    numParams: network.numParams,
    seed: args.seed,
    config: Object.freeze({ ...args.config }),
    input: network.inputValues,
    weightMask: network.paramKinds,
    initialParams: () => initial.slice(),
    forward,
    ...(trainOnEngine ? { trainOnEngine } : {}),
    ...args.extras,
  });
  if (args.recipe) recordRecipe(generator, args.recipe.factory, args.recipe.options, network.engine.name, network.arena?.shared ?? null);
  return generator;
}

/**
 * The fixed input's spatial size: `given` ([h, w], or [n] for 1D) or the default per axis,
 * checked against the output size.
 */
export function inputGeometry(fn: string, geo: OutGeometry, given: unknown, defaultSize: (n: number) => number): { inH: number; inW: number } {
  let inH = geo.oneD ? 1 : defaultSize(geo.h);
  let inW = defaultSize(geo.w);
  if (given !== undefined) {
    const want = geo.oneD ? 1 : 2;
    if (!Array.isArray(given) || given.length !== want || !given.every((v) => Number.isInteger(v) && v > 0)) {
      throw new InvalidArgumentError(fn, 'inputSize', `${want} positive integers`, given);
    }
    if (geo.oneD) inW = given[0]!;
    else [inH, inW] = given as [number, number];
  }
  if (inH > geo.h || inW > geo.w) {
    throw new InvalidArgumentError(fn, 'inputSize', `no larger than the output ${geo.h}x${geo.w}`, [inH, inW]);
  }
  return { inH, inW };
}

/** The sizes of successive layers from `start` to `end`, geometric as in the reference code. */
export function layerSizes(start: number, end: number, steps: number): number[] {
  if (steps <= 0) return [];
  const s = (end / start) ** (1 / steps);
  const sizes: number[] = [];
  // ceil(s^n * start) with a guard against round-off pushing exact integers up by one.
  for (let n = 1; n < steps; n++) sizes.push(Math.max(1, Math.ceil(s ** n * start - 1e-9)));
  sizes.push(end);
  return sizes;
}

/** Uniform [0, 0.1) noise, the input of the Deep Decoder, ConvDecoder and DIP reference code. */
export function uniformTenth(input: FloatArray, rng: Rng): void {
  for (let i = 0; i < input.length; i++) input[i] = 0.1 * rng.uniform();
}
