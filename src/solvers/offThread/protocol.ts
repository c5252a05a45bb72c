import type { ErrorData } from '../../core/errorTransfer.js';
import type { ArenaMemory } from '../../engine/arena.js';
import type { GeneratorFactoryName } from '../../priors/recipe.js';
import type { FitProgress } from '../fitGenerator.js';
import type { RecoveryResult } from '../result.js';

/**
 * The messages between a caller and the worker thread that runs its fit. One worker per job;
 * the job arrives in one message, the worker answers with progress, operator requests and,
 * last, a result or an error.
 *
 * Two shared Int32 slots coordinate without the caller ever blocking: STATE carries the
 * operator handshake (the worker sleeps on it with Atomics.wait while the caller applies the
 * operator in its own event loop), ABORT is raised by the caller's AbortSignal and read by the
 * worker at the top of every iteration (a busy worker never sees a message, it sees memory).
 */
export const STATE = 0;
export const ABORT = 1;
export const CONTROL_SLOTS = 4;

export const IDLE = 0;
export const REQUEST = 1;
export const REPLY = 2;
export const FAILED = 3;

export type OperatorCall = 'forward' | 'adjoint' | 'normal';

/** What the worker needs to stand in for a caller's operator. */
export interface OperatorShape {
  name: string;
  inShape: number[];
  outShape: number[];
}

export interface FitJob {
  kind: 'fit';
  factory: GeneratorFactoryName;
  generatorOptions: Record<string, unknown>;
  /** The caller's arena, rebuilt on rather than copied (null: build fresh). */
  arena: ArenaMemory | null;
  /** fitGenerator options without generator, operator, onProgress and signal. */
  options: Record<string, unknown>;
}

export interface ReconstructJob {
  kind: 'reconstruct';
  /** reconstruct options without operator, onProgress and signal (basis only when a name). */
  options: Record<string, unknown>;
  /** The basis is the caller's operator number 1. */
  basisOperator: boolean;
}

export interface JobMessage {
  job: FitJob | ReconstructJob;
  /** Name of the kernels the caller's network (or thread) uses, e.g. 'native-avx512'. */
  kernels: string;
  threads: number;
  control: SharedArrayBuffer;
  /** Operator arguments and results, float64, as long as the longest side of any operator. */
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
  operators: OperatorShape[];
  progress: boolean;
}

export type WorkerMessage =
  | { type: 'op'; op: number; call: OperatorCall }
  | { type: 'progress'; progress: FitProgress }
  | { type: 'result'; result: RecoveryResult; retainedBytes: number }
  | { type: 'error'; error: ErrorData; retainedBytes: number };
