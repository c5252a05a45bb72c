import type { ArenaMemory } from '../engine/arena.js';
import type { Generator } from './generator.js';

/** The public factories whose generators can be rebuilt from their options. */
export type GeneratorFactoryName = 'deepDecoder' | 'convDecoder' | 'deepImagePrior' | 'twoLayerGenerator';

/**
 * How a generator was built: its factory, a copy of the options it was given, the engine its
 * network runs on and the shared memory of its arena. A worker thread rebuilds the same network
 * from it (on the same arena when there is one, so a fit off the main thread costs no second
 * copy of a large network), which is why async fits need no serialisable generator interface.
 */
export interface GeneratorRecipe {
  readonly factory: GeneratorFactoryName;
  readonly options: Readonly<Record<string, unknown>>;
  /** The kernels' name ('native-avx512', 'wasm-simd128', ...); null without a network. */
  readonly kernels: string | null;
  /** The arena's shared memory; null when the parameters live in ordinary arrays. */
  readonly arena: ArenaMemory | null;
}

const recipes = new WeakMap<object, GeneratorRecipe>();

/** Records how `generator` was built (no recipe when the options cannot be copied). */
export function recordRecipe<G extends Generator>(generator: G, factory: GeneratorFactoryName, options: unknown, kernels: string | null = null, arena: ArenaMemory | null = null): G {
  try {
    // A copy: callers may reuse and change their options object after the build.
    recipes.set(generator, Object.freeze({ factory, options: structuredClone(options) as Record<string, unknown>, kernels, arena }));
  } catch {
    /* options holding functions or other uncloneable values: the generator stays on its thread */
  }
  return generator;
}

/** The recipe of a generator built by one of the factories, or undefined. */
export function recipeOf(generator: unknown): GeneratorRecipe | undefined {
  return typeof generator === 'object' && generator !== null ? recipes.get(generator) : undefined;
}
