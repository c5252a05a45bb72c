import { InvalidArgumentError } from '../core/errors.js';
import type { StopReason } from './result.js';

/**
 * The one iteration loop every iterative solver runs (in the spirit of PyLops' Solver and
 * SigPy's Alg/App): the solver supplies `step` (one iteration, returning its scalar measures);
 * stopping, abort, progress, per-iteration callbacks and history are pluggable parts here, so
 * each solver states only its mathematics.
 */

/** Scalar measures of one iteration, keyed by history field name (see RecoveryHistory). */
export type Measures = Record<string, number>;

/**
 * What a step returns: its measures; null for a step to count but not record, show or check;
 * or `{ stop }` to end the run at once, before anything is recorded (numerical trouble found
 * inside the step). (Generator backtracking records its rejected iterates: the DIP notebooks do.)
 */
export type StepOutcome = Measures | null | { stop: StopReason };

function isStop(o: StepOutcome): o is { stop: StopReason } {
  return o !== null && typeof (o as { stop?: unknown }).stop === 'string';
}

/** What a stop rule sees after each iteration: the iteration number and the measures of the step. */
export interface IterationState {
  /** Iterations completed so far (1 after the first step). */
  iteration: number;
  maxIterations: number;
  measures: Measures;
  elapsedMs: number;
}

/** A stopping rule: returns why to stop after this iteration, or null to go on. */
export interface StopRule {
  readonly name: string;
  check(state: IterationState): StopReason | null;
}

/** What runIterations reports to onProgress. */
export interface Progress {
  iteration: number;
  iterations: number;
  /** The objective the method minimises (see RecoveryHistory.loss). */
  loss: number;
  valLoss?: number;
  psnr?: number;
  elapsedMs: number;
}

/**
 * Options of runIterations: the step, stop rules, iteration cap, abort signal, progress and
 * history thinning.
 */
export interface DriverOptions {
  maxIterations: number;
  /** Checked in order after every iteration; the first non-null reason stops the loop. */
  rules?: StopRule[];
  /** Called before every iteration; an aborted signal stops with 'aborted'. */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Call onProgress every this many iterations (and at the last one). */
  progressEvery?: number;
  /** Called after every iteration with the state (PyLops-style callback). May throw. */
  callback?: (state: IterationState) => void;
  /** Record every `recordEvery`-th iteration in the history (1: all). */
  recordEvery?: number;
  /**
   * Continue a run that stopped after `iteration` iterations (a checkpoint): the loop starts
   * there and appends to `history` (taken over, not copied), as if it had never stopped.
   */
  resume?: { iteration: number; history: Record<string, number[]> };
}

/** How runIterations ended: iterations run, the stop reason and the recorded history. */
export interface DriverResult {
  iterations: number;
  stopReason: StopReason;
  /** One array per measure name; `iteration` holds the iteration numbers when thinned. */
  history: Record<string, number[]>;
  elapsedMs: number;
}

/** Runs `step` until a rule fires, the signal aborts, or maxIterations is reached. */
export function runIterations(step: (iteration: number) => StepOutcome, options: DriverOptions): DriverResult {
  const { maxIterations, rules = [], signal, onProgress, callback } = options;
  const progressEvery = options.progressEvery ?? 10;
  const recordEvery = options.recordEvery ?? 1;
  const history: Record<string, number[]> = options.resume?.history ?? {};
  const start = performance.now();
  let stopReason: StopReason = 'max-iterations';
  let it = options.resume?.iteration ?? 0;
  while (it < maxIterations) {
    if (signal?.aborted) {
      stopReason = 'aborted';
      break;
    }
    const outcome = step(it);
    if (outcome !== null && isStop(outcome)) {
      stopReason = outcome.stop;
      break;
    }
    it++;
    if (outcome === null) continue;
    const measures = outcome;
    const state: IterationState = { iteration: it, maxIterations, measures, elapsedMs: performance.now() - start };
    if (recordEvery === 1 || it % recordEvery === 0 || it === 1) {
      for (const [k, v] of Object.entries(measures)) (history[k] ??= []).push(v);
      if (recordEvery > 1) (history.iteration ??= []).push(it);
    }
    callback?.(state);
    if (onProgress && ((it - 1) % progressEvery === 0 || it === maxIterations)) {
      onProgress({ iteration: it, iterations: maxIterations, loss: measures.loss ?? NaN, valLoss: measures.valLoss, psnr: measures.psnr, elapsedMs: state.elapsedMs });
    }
    let reason: StopReason | null = null;
    for (const rule of rules) {
      reason = rule.check(state);
      if (reason) break;
    }
    if (reason) {
      stopReason = reason;
      break;
    }
  }
  return { iterations: it, stopReason, history, elapsedMs: performance.now() - start };
}

/** Numerical trouble is reported, never thrown: a non-finite measure stops with 'diverged'. */
export function divergence(key = 'loss'): StopRule {
  return { name: `divergence(${key})`, check: (s) => (key in s.measures && !Number.isFinite(s.measures[key]!) ? 'diverged' : null) };
}

/** 'converged' once measure `key` is at or below `tolerance` (e.g. a relative change or gap). */
export function below(key: string, tolerance: number): StopRule {
  if (!(tolerance >= 0)) throw new InvalidArgumentError('below', 'tolerance', 'a number >= 0', tolerance);
  return { name: `${key} <= ${tolerance}`, check: (s) => (s.measures[key]! <= tolerance ? 'converged' : null) };
}

/**
 * 'early-stopped' after `patience` iterations without a new minimum of measure `key` (held-out
 * loss, output variance); `onBest` runs at each new minimum so the caller can keep that iterate.
 */
export function patience(key: string, iterations: number, onBest?: (state: IterationState) => void): StopRule & { best(): { value: number; iteration: number } } {
  let best = Infinity;
  let bestIteration = 0;
  return {
    name: `patience(${key}, ${iterations})`,
    check(s) {
      const v = s.measures[key]!;
      if (v < best) {
        best = v;
        bestIteration = s.iteration;
        onBest?.(s);
      }
      return s.iteration - bestIteration >= iterations && bestIteration > 0 ? 'early-stopped' : null;
    },
    best: () => ({ value: best, iteration: bestIteration }),
  };
}
