import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setThreads, getThreads } from '../core/threads.js';
import { checkInteger } from '../core/validate.js';
import { builtScript } from '../sweeps/pool.js';
import { runJobsOnQueue, type QueueTaskHandler } from '../sweeps/queue.js';
import { LogWriter, readLog, type LogHeader } from '../sweeps/results.js';
import { TaskPool } from '../sweeps/taskPool.js';
import { findData } from './data.js';
import { EXPERIMENTS, experimentByName } from './registry.js';
import { failedReproRow, runReproTrial } from './trial.js';
import { removeTrialCheckpoints } from './common.js';
import type { Experiment, ReproRow, ReproTrial, TrialContext } from './types.js';

export interface ReproduceHeader extends LogHeader {
  type: 'reproduce';
  version: number;
  quick: boolean;
}

export interface ReproduceProgress {
  experiment: string;
  done: number;
  total: number;
  failed: number;
  row: ReproRow;
}

export interface ReproduceOptions {
  /** Experiment names (default: every experiment). */
  experiments?: string[];
  /** A small slice of every experiment, in minutes. */
  quick?: boolean;
  /** Folder for results/, figures/, artifacts/ and REPRODUCTION.md. */
  out: string;
  /** The papers' test images (default: found as findData does). */
  data?: string;
  /** Worker threads (default every core); 0 runs trials on this thread. */
  workers?: number;
  /** Engine threads per worker, 1 or 2 (the engine's limit; default 1, see TrialContext.engineThreads). */
  engineThreads?: number;
  /** Run the trials as BullMQ jobs on this Redis (`untrained-cs worker` executes them). */
  queueUrl?: string;
  /** Keep only trials whose params match: key -> accepted values (as strings). */
  filter?: Record<string, string[]>;
  onProgress?: (p: ReproduceProgress) => void;
  signal?: AbortSignal;
}

export interface ExperimentRun {
  experiment: Experiment;
  trials: ReproTrial[];
  rows: ReproRow[];
  resultsPath: string;
  ran: number;
  /** An older protocol version's results file was set aside. */
  setAside?: string;
}

export function resultsPath(out: string, name: string, quick: boolean): string {
  return join(out, 'results', `${name}${quick ? '.quick' : ''}.jsonl`);
}

function headerOf(e: Experiment, quick: boolean): ReproduceHeader {
  return { type: 'reproduce', hash: `${e.name}-v${e.version}-${quick ? 'quick' : 'full'}`, name: e.name, version: e.version, quick };
}

/** Opens an experiment's results file; one written under an older protocol is renamed, not mixed. */
function openResults(path: string, header: ReproduceHeader): { writer: LogWriter<ReproRow>; setAside?: string } {
  const existing = readLog<ReproduceHeader, ReproRow>(path, 'reproduce');
  let setAside: string | undefined;
  if (existing.header && existing.header.hash !== header.hash) {
    setAside = path.replace(/\.jsonl$/, `.v${existing.header.version}.jsonl`);
    renameSync(path, setAside);
  }
  return { writer: new LogWriter<ReproRow>(path, header, 'untrained-cs reproduce'), setAside };
}

function matches(t: ReproTrial, filter: Record<string, string[]> | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([k, vs]) => k in t.params && vs.includes(String(t.params[k])));
}

export function trialContext(o: { quick?: boolean; out: string; data?: string }): TrialContext {
  const artifacts = join(o.out, 'artifacts');
  return { data: findData(o.data), quick: o.quick ?? false, artifacts, checkpoints: join(o.out, 'checkpoints') };
}

/** The trials of the chosen experiments (after the filter), and their results so far. */
export function planRuns(o: ReproduceOptions, ctx: TrialContext): ExperimentRun[] {
  const names = o.experiments && o.experiments.length ? o.experiments : EXPERIMENTS.map((e) => e.name);
  return names.map((name) => {
    const experiment = experimentByName(name);
    const trials = experiment.trials(ctx).filter((t) => matches(t, o.filter));
    const path = resultsPath(o.out, name, ctx.quick);
    const file = readLog<ReproduceHeader, ReproRow>(path, 'reproduce');
    const current = file.header?.hash === headerOf(experiment, ctx.quick).hash ? file.rows : [];
    return { experiment, trials, rows: current, resultsPath: path, ran: 0 };
  });
}

/**
 * Runs every pending trial of the chosen experiments (on worker threads, or on a BullMQ queue),
 * appending each finished trial to its experiment's results file at once; re-running resumes.
 * Returns what each experiment has now (for the report).
 */
export async function runReproduction(o: ReproduceOptions): Promise<ExperimentRun[]> {
  const engineThreads = o.engineThreads === undefined ? undefined : checkInteger('reproduce', 'engineThreads', o.engineThreads, 1, 2);
  const ctx: TrialContext = { ...trialContext(o), ...(engineThreads ? { engineThreads } : {}) };
  mkdirSync(join(o.out, 'results'), { recursive: true });
  if (ctx.artifacts) mkdirSync(ctx.artifacts, { recursive: true });
  if (ctx.checkpoints) mkdirSync(ctx.checkpoints, { recursive: true });
  const runs = planRuns(o, ctx);
  const writers = new Map<string, LogWriter<ReproRow>>();
  for (const r of runs) {
    const { writer, setAside } = openResults(r.resultsPath, headerOf(r.experiment, ctx.quick));
    writers.set(r.experiment.name, writer);
    r.rows = writer.existing.slice();
    r.setAside = setAside;
  }
  const pending: ReproTrial[] = [];
  for (const r of runs) {
    const done = writers.get(r.experiment.name)!.done;
    for (const t of r.trials) if (!done.has(t.id)) pending.push(t);
  }
  // Progress counts the selected trials only: a filtered run shares its results file with other slices.
  const selected = new Map(runs.map((r) => [r.experiment.name, new Set(r.trials.map((t) => t.id))]));
  const byId = new Map(pending.map((t) => [`${t.experiment}|${t.id}`, t]));
  const record = (row: ReproRow) => {
    const run = runs.find((r) => r.experiment.name === row.experiment)!;
    if (!writers.get(row.experiment)!.append(row)) return;
    const trial = byId.get(`${row.experiment}|${row.id}`);
    if (trial) removeTrialCheckpoints(ctx, trial);
    run.rows.push(row);
    run.ran++;
    const mine = run.rows.filter((x) => selected.get(row.experiment)!.has(x.id));
    o.onProgress?.({ experiment: row.experiment, done: mine.length, total: run.trials.length, failed: mine.filter((x) => x.status === 'failed').length, row });
  };
  try {
    if (pending.length === 0) return runs;
    if (o.queueUrl) {
      // Queue workers on other machines may lack this machine's folders: no artifacts there.
      // A retried job may land on another machine: no checkpoints there either.
      const qctx: TrialContext = { ...ctx, artifacts: null, checkpoints: null };
      await runJobsOnQueue<ReproRow>({
        queueUrl: o.queueUrl,
        hash: `reproduce-${ctx.quick ? 'quick' : 'full'}`,
        jobs: pending.map((trial) => ({ id: `${trial.experiment}|${trial.id}|v${experimentByName(trial.experiment).version}`, data: { kind: 'reproduce', trial, ctx: qctx }, failed: (e) => failedReproRow(trial, e) })),
        onRow: record,
        signal: o.signal,
      });
    } else {
      const requested = checkInteger('reproduce', 'workers', o.workers ?? os.availableParallelism(), 0, 256);
      const pool = reproducePool(Math.min(requested, pending.length));
      try {
        await runAll(pending, ctx, pool, record, o.signal);
      } finally {
        await pool.close();
      }
    }
  } finally {
    for (const w of writers.values()) w.close();
  }
  return runs;
}

/** The pool of worker threads that runs reproduction trials (the worker script of the build). */
export function reproducePool(size: number): TaskPool<ReproRow> {
  return new TaskPool<ReproRow>(size, size > 0 ? builtScript('reproduce/worker.js') : null);
}

function taskOf(trial: ReproTrial, ctx: TrialContext) {
  return {
    message: { trial, ctx },
    inline: () => {
      // the trial runs on this thread: its engine threads as a worker's would be, then restored
      const before = getThreads();
      setThreads(ctx.engineThreads ?? before);
      try {
        return runReproTrial(trial, ctx);
      } finally {
        setThreads(before);
      }
    },
    failed: (error: string) => failedReproRow(trial, error),
    // Generous: a trial's own estimate (one core) times 20, at least an hour.
    timeLimitS: Math.max(3600, 20 * trial.cost),
  };
}

/** How long an interrupted run waits for its running trials to checkpoint (a fit stops within one step). */
const ABORT_GRACE_MS = 30_000;

async function runAll(pending: ReproTrial[], baseCtx: TrialContext, pool: TaskPool<ReproRow>, record: (row: ReproRow) => void, signal?: AbortSignal): Promise<void> {
  const inFlight = Math.max(1, pool.size);
  // Raised on abort: the trials' long fits stop within one iteration and write their checkpoints.
  const abortFlag = new Int32Array(new SharedArrayBuffer(4));
  const ctx: TrialContext = { ...baseCtx, abortFlag: abortFlag.buffer as SharedArrayBuffer };
  let next = 0;
  let active = 0;
  await new Promise<void>((resolve) => {
    const launch = () => {
      while (active < inFlight && next < pending.length && !signal?.aborted) {
        const trial = pending[next++]!;
        active++;
        void pool.run(taskOf(trial, ctx)).then((row) => {
          active--;
          if (!signal?.aborted) record(row);
          if ((next >= pending.length || signal?.aborted) && active === 0) resolve();
          else launch();
        });
      }
      if (signal?.aborted && active === 0) resolve();
    };
    signal?.addEventListener(
      'abort',
      () => {
        Atomics.store(abortFlag, 0, 1);
        if (active === 0) resolve();
        // Running trials return once their fit or weight search has checkpointed; one in a step
        // that does not poll the flag is not waited for long.
        else setTimeout(resolve, ABORT_GRACE_MS).unref();
      },
      { once: true },
    );
    launch();
  });
}

/** The queue-worker handler for 'reproduce' jobs: trials on this machine's worker threads. */
export function reproduceQueueHandler(concurrency: number): QueueTaskHandler {
  const pool = reproducePool(concurrency);
  return {
    run: (data) => {
      const d = data as unknown as { trial: ReproTrial; ctx: TrialContext };
      // The coordinator's data folder may not exist on this machine: look for our own then.
      const ctx = d.ctx.data.root && existsSync(d.ctx.data.root) ? d.ctx : { ...d.ctx, data: findData() };
      return pool.run(taskOf(d.trial, ctx));
    },
    close: () => pool.close(),
  };
}

