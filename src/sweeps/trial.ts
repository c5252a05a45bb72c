import { InvalidArgumentError } from '../core/errors.js';
import { relativeErrorValue } from '../core/quality.js';
import { Rng } from '../core/rng.js';
import { allFinite } from '../core/vector.js';
import { mask as maskOp } from '../operators/elementwise.js';
import { fourier } from '../operators/fourier.js';
import { gaussian } from '../operators/gaussian.js';
import type { LinearOperator } from '../operators/linearOperator.js';
import { addNoise } from '../operators/noise.js';
import { structuredRandom } from '../operators/structuredRandom.js';
import { reconstructSync } from '../solvers/reconstruct.js';
import { signalSize, type SweepDefinition, type TrialSpec } from './definition.js';
import { makeSignal } from './signals.js';

/** One line of a results file: the trial's grid coordinates and seeds, and its outcome. */
export interface TrialRow extends TrialSpec {
  n: number;
  status: 'ok' | 'failed';
  relativeError: number | null;
  success: boolean;
  iterations: number | null;
  stopReason: string | null;
  timeMs: number;
  error?: string;
}

/** The row recorded for a trial that produced no result (exception, lost worker, failed job). */
export function failedRow(spec: TrialSpec, n: number, error: string, timeMs = 0): TrialRow {
  return { ...spec, n, status: 'failed', relativeError: null, success: false, iterations: null, stopReason: null, timeMs, error };
}

function buildOperator(def: SweepDefinition, m: number, n: number, shape: number[], rng: Rng): LinearOperator {
  const opts = def.operator.options;
  const seed = rng.fork('operator').integer(0, 2 ** 31 - 1);
  switch (def.operator.name) {
    case 'gaussian':
      return gaussian({ m, inShape: shape, seed, ...(opts as object) });
    case 'structured':
      return structuredRandom({ m, inShape: shape, seed, ...(opts as object) });
    case 'mask':
    case 'fourier': {
      // exactly m sampled entries (pixels or frequencies)
      const keep = new Uint8Array(n);
      for (const j of rng.fork('mask').sample(n, m)) keep[j] = 1;
      return def.operator.name === 'mask' ? maskOp({ mask: keep, shape }) : fourier({ shape, mask: keep, ...(opts as object) });
    }
    default:
      throw new InvalidArgumentError('sweep', 'operator.name', 'gaussian, structured, fourier or mask', def.operator.name);
  }
}

/**
 * Runs one trial: draws the signal and operator from the problem seed, measures, reconstructs
 * with the method, scores. Never throws: any failure becomes a 'failed' row so a sweep goes on.
 */
export function runTrial(def: SweepDefinition, spec: TrialSpec): TrialRow {
  const n = signalSize(def);
  const start = performance.now();
  const base = { ...spec, n };
  try {
    const rng = new Rng(spec.problemSeed);
    const shape = def.signal.family === 'images' ? [def.signal.size, def.signal.size] : [n];
    const x = makeSignal(def, spec.k, spec.structure, spec.trial, rng.fork('signal'));
    const A = buildOperator(def, spec.m, n, shape, rng);
    let y = A.forward(x);
    if (spec.noise > 0) y = addNoise(y, { sigma: spec.noise }, `${spec.problemSeed}|noise`);
    const methodSpec = def.methods.find((ms) => (ms.label ?? ms.method) === spec.method)!;
    const result = reconstructSync({ method: methodSpec.method, operator: A, measurements: y, shape, seed: spec.methodSeed, ...(methodSpec.options as object) });
    const err = allFinite(result.x) ? relativeErrorValue(result.x, x) : Infinity;
    const ok = result.stopReason !== 'diverged' && Number.isFinite(err);
    return {
      ...base,
      status: ok ? 'ok' : 'failed',
      relativeError: Number.isFinite(err) ? err : null,
      success: ok && err < def.success.relativeError,
      iterations: result.iterations,
      stopReason: result.stopReason,
      timeMs: performance.now() - start,
      ...(ok ? {} : { error: `numerical failure (${result.stopReason})` }),
    };
  } catch (e) {
    return failedRow(spec, n, e instanceof Error ? e.message : String(e), performance.now() - start);
  }
}
