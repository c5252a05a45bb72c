import { engineInfo } from '../engine/select.js';
import { experimentByName } from './registry.js';
import type { ReproRow, ReproTrial, TrialContext } from './types.js';

/** Runs one trial of an experiment; never throws (a failure becomes a 'failed' row). */
export function runReproTrial(trial: ReproTrial, ctx: TrialContext): ReproRow {
  const start = performance.now();
  const e = engineInfo();
  const engine = `${e.kernels} x${e.threads}`;
  try {
    const outcome = experimentByName(trial.experiment).run(trial, ctx);
    return { id: trial.id, experiment: trial.experiment, params: trial.params, status: 'ok', timeMs: Math.round(performance.now() - start), engine, ...outcome };
  } catch (err) {
    return failedReproRow(trial, err instanceof Error ? err.message : String(err), performance.now() - start, engine);
  }
}

export function failedReproRow(trial: ReproTrial, error: string, timeMs = 0, engine = ''): ReproRow {
  return { id: trial.id, experiment: trial.experiment, params: trial.params, status: 'failed', timeMs: Math.round(timeMs), engine, metrics: {}, error };
}
