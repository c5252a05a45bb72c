import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorFromData } from '../../core/errorTransfer.js';
import { getThreads } from '../../core/threads.js';
import type { LinearOperator } from '../../operators/linearOperator.js';
import type { FitProgress } from '../fitGenerator.js';
import type { RecoveryResult } from '../result.js';
import { bridgeLength, operatorShape, serveOperatorCall } from './operatorBridge.js';
import { ABORT, CONTROL_SLOTS, type FitJob, type JobMessage, type ReconstructJob, type WorkerMessage } from './protocol.js';

/** The built worker entry, from dist/ (any bundle) or, under a TypeScript runner, the package's dist/. */
export function fitWorkerScript(): string | null {
  for (const rel of ['./solvers/fitWorker.js', '../solvers/fitWorker.js', './fitWorker.js', '../../../dist/solvers/fitWorker.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/** Engines a worker thread can select by name; anything else (a custom Kernels) stays on its thread. */
export function engineOfKernels(name: string): 'native' | 'wasm' | 'portable' | null {
  const prefix = name.split('-')[0];
  return prefix === 'native' || prefix === 'wasm' || prefix === 'portable' ? prefix : null;
}

/**
 * Finished workers kept for the next job: starting one (a thread and this package's modules)
 * costs ~0.3-1 s, more than a small fit. Only workers holding little memory are kept, at most
 * two, unreferenced (they never keep the process alive) and only for a few seconds.
 */
const warm: Worker[] = [];
const WARM_MAX = 2;
const WARM_MS = 5000;
const WARM_MAX_BYTES = 64 * 2 ** 20;
const warmTimers = new WeakMap<Worker, NodeJS.Timeout>();

/** Drops our listeners only: Worker keeps its own 'newListener' hooks, which ref its message port. */
function detach(w: Worker): void {
  for (const event of ['message', 'error', 'exit']) w.removeAllListeners(event);
}

function takeWorker(script: string): Worker {
  const w = warm.pop();
  if (!w) return new Worker(script);
  clearTimeout(warmTimers.get(w));
  detach(w);
  w.ref();
  return w;
}

function keepWarm(w: Worker, retainedBytes: number): void {
  detach(w);
  w.unref();
  if (warm.length >= WARM_MAX || retainedBytes > WARM_MAX_BYTES) {
    void w.terminate();
    return;
  }
  w.on('error', () => undefined);
  w.on('exit', () => {
    const i = warm.indexOf(w);
    if (i >= 0) warm.splice(i, 1);
  });
  const t = setTimeout(() => {
    const i = warm.indexOf(w);
    if (i >= 0) warm.splice(i, 1);
    void w.terminate();
  }, WARM_MS);
  t.unref();
  warmTimers.set(w, t);
  warm.push(w);
}

export interface OffThreadHooks {
  kernels: string;
  onProgress?: (p: FitProgress) => void;
  signal?: AbortSignal;
}

/**
 * Runs one job on a new worker thread and resolves with its result. The caller's event loop
 * stays free: it only answers the worker's operator requests and progress messages. The
 * AbortSignal raises a shared flag the worker reads every iteration, so a fit stops within one
 * iteration and resolves with its best iterate (stopReason 'aborted'). Returns null when the job
 * cannot go to a worker (no built worker script, or options that cannot be copied to a thread);
 * the caller then runs it on its own thread.
 */
export function runOffThread(job: FitJob | ReconstructJob, operators: LinearOperator[], hooks: OffThreadHooks): Promise<RecoveryResult> | null {
  const script = fitWorkerScript();
  if (!script) return null;
  const length = bridgeLength(operators);
  const message: JobMessage = {
    job,
    kernels: hooks.kernels,
    threads: getThreads(),
    control: new SharedArrayBuffer(4 * CONTROL_SLOTS),
    input: new SharedArrayBuffer(8 * length),
    output: new SharedArrayBuffer(8 * length),
    operators: operators.map(operatorShape),
    progress: hooks.onProgress !== undefined,
  };
  const control = new Int32Array(message.control);
  // Before posting: a warm worker starts the job at once, on its own thread.
  if (hooks.signal?.aborted) Atomics.store(control, ABORT, 1);
  const worker = takeWorker(script);
  try {
    worker.postMessage(message);
  } catch (e) {
    // Options that cannot be copied to a thread (e.g. functions): the caller's thread runs it.
    keepWarm(worker, 0);
    if ((e as Error).name === 'DataCloneError') return null;
    throw e;
  }
  const { signal, onProgress } = hooks;
  return new Promise<RecoveryResult>((resolve, reject) => {
    // The first exception of the caller's own code (its operator or onProgress) wins.
    let failure: unknown = null;
    let settled = false;
    const abort = () => Atomics.store(control, ABORT, 1);
    /** `retained`: bytes the worker still holds after a completed job; undefined when it died. */
    const finish = (error: unknown, result?: RecoveryResult, retained?: number) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      if (retained === undefined) {
        detach(worker);
        void worker.terminate();
      } else keepWarm(worker, retained);
      if (failure !== null || error !== null) reject(failure ?? error);
      else resolve(result!);
    };
    if (!signal?.aborted) signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'op') {
        const err = serveOperatorCall(operators, m.op, m.call, control, message.input, message.output);
        if (err !== null && failure === null) failure = err;
      } else if (m.type === 'progress') {
        if (settled || failure !== null) return;
        try {
          onProgress?.(m.progress);
        } catch (e) {
          failure = e;
          abort();
        }
      } else if (m.type === 'result') finish(null, m.result, m.retainedBytes);
      else finish(errorFromData(m.error), undefined, m.retainedBytes);
    });
    worker.on('error', (e) => finish(e));
    worker.on('exit', (code) => finish(new Error(`untrained-cs: the fit's worker thread exited (code ${code}) before returning a result`)));
  });
}
