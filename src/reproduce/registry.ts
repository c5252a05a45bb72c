import { InvalidArgumentError } from '../core/errors.js';
import { bayesianDip } from './experiments/bayesianDip.js';
import { csImages } from './experiments/csImages.js';
import { nearMinimal } from './experiments/nearMinimal.js';
import { gpView } from './experiments/gpView.js';
import { mri } from './experiments/mri.js';
import { denoising } from './experiments/denoising.js';
import type { Experiment } from './types.js';

/** Every experiment of `untrained-cs reproduce`, in report order. */
export const EXPERIMENTS: readonly Experiment[] = [csImages, nearMinimal, gpView, bayesianDip, denoising, mri];

export function experimentByName(name: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (!e) throw new InvalidArgumentError('untrained-cs reproduce', 'EXPERIMENT', EXPERIMENTS.map((x) => x.name).join(', '), name);
  return e;
}
