import os from 'node:os';
import { checkInteger } from '../core/validate.js';
import { expandTrials, parseSweep, type SweepDefinition } from './definition.js';
import { TrialPool } from './pool.js';
import { ResultsWriter } from './results.js';
import type { TrialRow } from './trial.js';

/** What runSweep reports after each finished trial. */
export interface SweepProgress {
  done: number;
  total: number;
  skipped: number;
  failed: number;
  row: TrialRow;
}

/** Options of runSweep: the definition, the results file, workers, progress and abort signal. */
export interface SweepRunOptions {
  definition: SweepDefinition | unknown;
  out: string;
  /** Worker threads (default: every core); 0 runs trials on this thread. */
  workers?: number;
  onProgress?: (p: SweepProgress) => void;
  signal?: AbortSignal;
}

/** How a sweep run ended: trials in the grid, skipped (already done), run, failed, aborted. */
export interface SweepSummary {
  total: number;
  /** Trials already in the results file when the run started. */
  skipped: number;
  ran: number;
  failed: number;
  aborted: boolean;
  droppedTornLine: boolean;
}

/**
 * Runs a sweep on this machine: every pending trial of the grid on a pool of worker threads,
 * each finished trial appended to `out` at once. Re-running skips finished trials, so an
 * interrupted sweep resumes where it stopped.
 */
export async function runSweep(options: SweepRunOptions): Promise<SweepSummary> {
  const def = parseSweep(options.definition);
  const trials = expandTrials(def); // validates the grid before anything is written
  const requested = options.workers ?? os.availableParallelism();
  checkInteger('runSweep', 'workers', requested, 0, 256);
  const writer = new ResultsWriter(options.out, def);
  const pending = trials.filter((t) => !writer.done.has(t.id));
  const skipped = trials.length - pending.length;
  const summary: SweepSummary = { total: trials.length, skipped, ran: 0, failed: 0, aborted: false, droppedTornLine: writer.droppedTornLine };
  if (pending.length === 0) {
    writer.close();
    return summary;
  }
  const pool = new TrialPool(Math.min(requested, pending.length));
  const inFlight = Math.max(1, pool.size);
  let next = 0;
  try {
    await new Promise<void>((resolve) => {
      let active = 0;
      const launch = () => {
        while (active < inFlight && next < pending.length && !options.signal?.aborted) {
          const spec = pending[next++]!;
          active++;
          void pool.run(def, spec).then((row) => {
            active--;
            if (options.signal?.aborted) {
              if (active === 0) resolve();
              return;
            }
            writer.append(row);
            summary.ran++;
            if (row.status === 'failed') summary.failed++;
            options.onProgress?.({ done: skipped + summary.ran, total: trials.length, skipped, failed: summary.failed, row });
            if (next >= pending.length && active === 0) resolve();
            else launch();
          });
        }
        if (options.signal?.aborted && active === 0) resolve();
      };
      options.signal?.addEventListener('abort', () => resolve(), { once: true });
      launch();
    });
  } finally {
    summary.aborted = Boolean(options.signal?.aborted);
    writer.close();
    await pool.close();
  }
  return summary;
}
