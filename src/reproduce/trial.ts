import { engineInfo } from '../engine/select.js';
import { readElapsedMs, TrialInterrupted, writeElapsedMs } from './common.js';
import { experimentByName } from './registry.js';
import type { ReproRow, ReproTrial, TrialContext } from './types.js';

/**
 * Runs one trial of an experiment; never throws (a failure becomes a 'failed' row). A trial resumed
 * from its checkpoints reports the compute of its earlier segments too (see elapsedLedgerFile).
 */
export function runReproTrial(trial: ReproTrial, ctx: TrialContext): ReproRow {
  const earlierMs = readElapsedMs(ctx, trial);
  const start = performance.now();
  const e = engineInfo();
  const engine = `${e.kernels} x${e.threads}`;
  try {
    const outcome = experimentByName(trial.experiment).run(trial, { ...ctx, spentMs: () => earlierMs + performance.now() - start });
    return { id: trial.id, experiment: trial.experiment, params: trial.params, status: 'ok', timeMs: Math.round(earlierMs + performance.now() - start), engine, ...outcome };
  } catch (err) {
    const spentMs = earlierMs + performance.now() - start;
    // Its checkpoints keep this segment's work, so the next run counts this segment's time.
    if (err instanceof TrialInterrupted) {
      try {
        writeElapsedMs(ctx, trial, spentMs);
      } catch {
        // a ledger that cannot be written only undercounts the trial's time: never fail for it
      }
    }
    return failedReproRow(trial, err instanceof Error ? err.message : String(err), spentMs, engine);
  }
}

export function failedReproRow(trial: ReproTrial, error: string, timeMs = 0, engine = ''): ReproRow {
  return { id: trial.id, experiment: trial.experiment, params: trial.params, status: 'failed', timeMs: Math.round(timeMs), engine, metrics: {}, error };
}
