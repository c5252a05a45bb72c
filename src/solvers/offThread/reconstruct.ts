import { InvalidArgumentError } from '../../core/errors.js';
import { isPlainObject } from '../../core/validate.js';
import { getEngine } from '../../engine/select.js';
import { checkOperator, isLinearOperator, type LinearOperator } from '../../operators/linearOperator.js';
import { isRegisteredMethod, METHODS, reconstructSync, type ReconstructOptions } from '../reconstruct.js';
import type { RecoveryResult } from '../result.js';
import type { GeneratorReconstructInfo, GeneratorReconstructOptions, LassoReconstructOptions, OmpReconstructOptions, TvReconstructOptions } from '../reconstructOptions.js';
import type { LassoInfo } from '../fista.js';
import type { OmpInfo } from '../omp.js';
import type { RandomShiftLassoInfo } from '../randomShiftLasso.js';
import type { TvInfo } from '../tv.js';
import { engineOfKernels, runOffThread } from './client.js';
import { checkCallbacks } from './fitGenerator.js';

/**
 * reconstructSync on a worker thread: the returned Promise settles with the same result, and
 * this thread's event loop stays free meanwhile (it answers the operator products the worker
 * asks for). For the generator methods `signal` stops the fit within one iteration (best
 * iterate, stopReason 'aborted') and `onProgress` reports on this thread. Methods registered on
 * this thread with registerMethod, and options that cannot be copied to a thread (e.g. a GP
 * kernel object), run on this thread instead.
 */
export function reconstruct(options: GeneratorReconstructOptions): Promise<RecoveryResult<GeneratorReconstructInfo>>;
export function reconstruct(options: LassoReconstructOptions): Promise<RecoveryResult<LassoInfo | RandomShiftLassoInfo>>;
export function reconstruct(options: TvReconstructOptions): Promise<RecoveryResult<TvInfo>>;
export function reconstruct(options: OmpReconstructOptions): Promise<RecoveryResult<OmpInfo>>;
export function reconstruct(options: ReconstructOptions): Promise<RecoveryResult>;
export async function reconstruct(options: ReconstructOptions): Promise<RecoveryResult> {
  const fn = 'reconstruct';
  if (!isPlainObject(options)) throw new InvalidArgumentError(fn, 'options', 'an options object', options);
  const { operator, basis, onProgress, signal, ...rest } = options;
  checkCallbacks(fn, onProgress, signal);
  // The selected engine's name: a device engine (tfjs) is not one a worker selects, so its fits stay here.
  const kernels = getEngine().name;
  const builtIn = (METHODS as readonly unknown[]).includes(options.method) && !isRegisteredMethod(options.method);
  const basisOperator = typeof basis === 'object' && basis !== null;
  if (!builtIn || !isLinearOperator(operator) || (basisOperator && !isLinearOperator(basis)) || !engineOfKernels(kernels)) return reconstructSync(options);
  const operators: LinearOperator[] = [checkOperator(fn, 'operator', operator)];
  if (basisOperator) operators.push(checkOperator(fn, 'basis', basis));
  const pending = runOffThread({ kind: 'reconstruct', options: basisOperator ? rest : { ...rest, basis }, basisOperator }, operators, { kernels, onProgress, signal });
  return pending ?? reconstructSync(options);
}
