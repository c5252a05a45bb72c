import { InvalidArgumentError } from '../../core/errors.js';
import { isPlainObject } from '../../core/validate.js';
import { getKernels } from '../../engine/select.js';
import { checkOperator, isLinearOperator } from '../../operators/linearOperator.js';
import { recipeOf } from '../../priors/recipe.js';
import { fitGeneratorSync, type FitGeneratorOptions, type GeneratorFitInfo } from '../fitGenerator.js';
import type { RecoveryResult } from '../result.js';
import { engineOfKernels, runOffThread } from './client.js';

/** Generators in an asynchronous fit: one fit at a time may use a network's arena. */
const busy = new WeakSet<object>();

/** The checks the worker cannot make for the caller: its callbacks never leave its thread. */
export function checkCallbacks(fn: string, onProgress: unknown, signal: unknown): void {
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new InvalidArgumentError(fn, 'onProgress', 'a function', onProgress);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError(fn, 'signal', 'an AbortSignal', signal);
}

/**
 * Fits G(theta) to y as fitGeneratorSync does, on a worker thread: the returned Promise settles
 * with the same result (bit for bit, same seed), while this thread's event loop stays free (it
 * only answers the worker's operator products). `signal` stops the fit within one iteration with
 * the best iterate so far and stopReason 'aborted'; `onProgress` is called on this thread.
 *
 * The worker rebuilds the generator from the factory that made it, on the same arena, so a
 * large network is not held twice; while the fit runs, the generator must not be used elsewhere.
 * Generators from other sources, options that cannot be copied to a thread and a build without
 * its worker script fall back to fitGeneratorSync on this thread.
 */
export async function fitGenerator(options: FitGeneratorOptions): Promise<RecoveryResult<GeneratorFitInfo>> {
  const fn = 'fitGenerator';
  if (!isPlainObject(options)) throw new InvalidArgumentError(fn, 'options', 'an options object', options);
  const { generator, operator, onProgress, signal, ...rest } = options;
  checkCallbacks(fn, onProgress, signal);
  const recipe = recipeOf(generator);
  const kernels = recipe?.kernels ?? getKernels().name;
  if (!recipe || !isLinearOperator(operator) || !engineOfKernels(kernels)) return fitGeneratorSync(options);
  if (busy.has(generator)) throw new InvalidArgumentError(fn, 'generator', 'a generator not already being fitted (build one per concurrent fit)', generator.name);
  const A = checkOperator(fn, 'operator', operator);
  const pending = runOffThread({ kind: 'fit', factory: recipe.factory, generatorOptions: recipe.options, arena: recipe.arena, options: rest }, [A], { kernels, onProgress, signal });
  if (!pending) return fitGeneratorSync(options);
  busy.add(generator);
  try {
    // The worker ran fitGeneratorSync; its result crossed the thread boundary as plain data.
    return (await pending) as RecoveryResult<GeneratorFitInfo>;
  } finally {
    busy.delete(generator);
  }
}
