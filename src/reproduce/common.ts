import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointMismatchError } from '../core/errors.js';
import { sharedAbortSignal } from '../core/sharedAbortSignal.js';
import { removeCheckpoint } from '../solvers/fitCheckpoint.js';
import { fitGeneratorSync, type FitGeneratorOptions, type GeneratorFitInfo } from '../solvers/fitGenerator.js';
import type { RecoveryResult } from '../solvers/result.js';
import type { ReproRow, ReproTrial, Json, TrialContext } from './types.js';

/** At most `max` points of a curve (first and last kept), with the iterations they belong to. */
export function thinCurve(values: ArrayLike<number>, max = 300): { iteration: number[]; value: number[] } {
  const n = values.length;
  const step = Math.max(1, Math.ceil(n / max));
  const iteration: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < n; i += step) {
    iteration.push(i + 1);
    value.push(round(values[i]!));
  }
  if (n > 0 && iteration[iteration.length - 1] !== n) {
    iteration.push(n);
    value.push(round(values[n - 1]!));
  }
  return { iteration, value };
}

/** The checkpoint file of one fit of a trial, or null when the context keeps none. */
export function checkpointFile(ctx: TrialContext, trial: ReproTrial, fit = 'fit'): string | null {
  if (!ctx.checkpoints) return null;
  return join(ctx.checkpoints, `${checkpointStem(ctx, trial)}${fit}.ckpt`);
}

function checkpointStem(ctx: TrialContext, trial: ReproTrial): string {
  return `${trial.experiment}-${ctx.quick ? 'quick-' : ''}${trial.id}-`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The checkpoint files (and unfinished temporary files) a trial has now. */
export function trialCheckpoints(ctx: TrialContext, trial: ReproTrial): string[] {
  if (!ctx.checkpoints || !existsSync(ctx.checkpoints)) return [];
  const stem = checkpointStem(ctx, trial);
  return readdirSync(ctx.checkpoints)
    .filter((f) => f.startsWith(stem) && /^[a-z]+\.ckpt/.test(f.slice(stem.length)))
    .map((f) => join(ctx.checkpoints!, f));
}

/** Removes what a recorded trial left (a failed trial is not run again, so its checkpoints are of no use). */
export function removeTrialCheckpoints(ctx: TrialContext, trial: ReproTrial): void {
  for (const f of trialCheckpoints(ctx, trial)) rmSync(f, { force: true });
  const ledger = elapsedLedgerFile(ctx, trial);
  if (ledger) rmSync(ledger, { force: true });
}

/**
 * The file that carries a trial's compute across interruptions (milliseconds spent in the segments
 * its checkpoints hold), so a resumed trial's row counts all of it; null when the context keeps no
 * checkpoints. Written at every checkpoint (recordCheckpointTime) and on Ctrl-C. Time since the
 * last checkpoint of a hard kill (SIGKILL, a lost machine) is not in it: that work is done again
 * and counted then.
 */
export function elapsedLedgerFile(ctx: TrialContext, trial: ReproTrial): string | null {
  if (!ctx.checkpoints) return null;
  return join(ctx.checkpoints, `${checkpointStem(ctx, trial)}elapsed.json`);
}

/** Milliseconds a trial spent before its last interruption (0 when none is recorded or the file is unreadable). */
export function readElapsedMs(ctx: TrialContext, trial: ReproTrial): number {
  const file = elapsedLedgerFile(ctx, trial);
  if (!file || !existsSync(file)) return 0;
  try {
    const ms = (JSON.parse(readFileSync(file, 'utf8')) as { elapsedMs?: unknown }).elapsedMs;
    return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
  } catch {
    return 0;
  }
}

/** Records the milliseconds an interrupted trial has spent so far (written whole or not at all). */
export function writeElapsedMs(ctx: TrialContext, trial: ReproTrial, ms: number): void {
  const file = elapsedLedgerFile(ctx, trial);
  if (!file || !existsSync(ctx.checkpoints!)) return;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ elapsedMs: Math.round(ms) }));
  renameSync(tmp, file);
}

/**
 * Records in the ledger the time the trial has spent up to now, just after it wrote a checkpoint:
 * a hard kill (the end of a session, a lost machine) then loses only the time since, which the
 * resumed run spends again. Never throws: a ledger that cannot be written only undercounts.
 */
export function recordCheckpointTime(ctx: TrialContext, trial: ReproTrial): void {
  if (!ctx.spentMs) return;
  try {
    writeElapsedMs(ctx, trial, ctx.spentMs());
  } catch {
    // only the row's timeMs is at stake
  }
}

/** The signal a trial's long fits stop on (the runner's Ctrl-C), or undefined. */
export function trialSignal(ctx: TrialContext): AbortSignal | undefined {
  return ctx.abortFlag ? sharedAbortSignal(new Int32Array(ctx.abortFlag)) : undefined;
}

/** Thrown by a trial whose fit was interrupted: the runner records nothing for it. */
export class TrialInterrupted extends Error {
  constructor(trial: ReproTrial) {
    super(`${trial.id}: interrupted (its checkpoint is kept)`);
  }
}

/**
 * Runs a resumable fit for a trial: a checkpoint that does not match (an older protocol's or
 * build's, or a damaged file) is discarded and the fit starts afresh, where a library call refuses
 * it: a refused trial would be recorded as failed and never run again.
 */
export function withFreshCheckpoint<T>(path: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof CheckpointMismatchError) || !path) throw err;
    removeCheckpoint(path);
    return run();
  }
}

/**
 * An onProgress for a trial's checkpointed fit that records the trial's time in the ledger whenever
 * the fit has written a new checkpoint (seen at the next progress report, within 10 iterations of
 * the write, by the file's modification time), then calls `onProgress`. Without a checkpoint or a
 * clock (ctx.spentMs) it is `onProgress` itself.
 */
export function checkpointTimeRecorder<P>(ctx: TrialContext, trial: ReproTrial, checkpointPath: string | undefined, onProgress?: (p: P) => void): ((p: P) => void) | undefined {
  if (!checkpointPath || !ctx.spentMs) return onProgress;
  const modified = () => statSync(checkpointPath, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  let seen = modified();
  return (p: P) => {
    const now = modified();
    if (now > seen) {
      seen = now;
      recordCheckpointTime(ctx, trial);
    }
    onProgress?.(p);
  };
}

/**
 * fitGeneratorSync for trials, through withFreshCheckpoint; given the trial it belongs to, the
 * trial's time goes into the ledger with every checkpoint the fit writes (checkpointTimeRecorder).
 */
export function fitResumable(options: FitGeneratorOptions, owner?: { ctx: TrialContext; trial: ReproTrial }): RecoveryResult<GeneratorFitInfo> {
  const path = options.checkpoint?.path;
  const onProgress = owner ? checkpointTimeRecorder(owner.ctx, owner.trial, path, options.onProgress) : options.onProgress;
  return withFreshCheckpoint(path, () => fitGeneratorSync({ ...options, onProgress }));
}

/** Four decimals: plenty for dB and relative errors, and keeps results files small. */
export function round(v: number, digits = 4): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN;
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function std(values: number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** A markdown table. */
export function mdTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Formats a number of dB (or '—' when missing). */
export function db(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

export function okRows(rows: ReproRow[]): ReproRow[] {
  return rows.filter((r) => r.status === 'ok');
}

/** Rows whose params match every given key. */
export function where(rows: ReproRow[], match: { [key: string]: Json }): ReproRow[] {
  return rows.filter((r) => Object.entries(match).every(([k, v]) => r.params[k] === v));
}

/** Seconds of compute as '3.2 h', '12 min' or '40 s'. */
export function duration(seconds: number): string {
  if (seconds >= 5400) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 90) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds)} s`;
}

/** A line on how much of the grid has run, and the estimated compute of the rest. */
export function progressLine(trials: ReproTrial[], rows: ReproRow[]): string {
  const done = new Set(rows.map((r) => r.id));
  const pending = trials.filter((t) => !done.has(t.id));
  const spent = rows.reduce((s, r) => s + r.timeMs / 1000, 0);
  const failed = rows.filter((r) => r.status === 'failed').length;
  const rest = pending.reduce((s, t) => s + t.cost, 0);
  return `${rows.length} of ${trials.length} trials run (${duration(spent)} of compute${failed ? `, ${failed} failed` : ''})` + (pending.length ? `; ${pending.length} remain, about ${duration(rest)} of one core` : '; complete');
}
