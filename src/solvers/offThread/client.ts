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
  const worker = new Worker(script);
  try {
    worker.postMessage(message);
  } catch (e) {
    // Options that cannot be copied to a thread (e.g. functions): the caller's thread runs it.
    void worker.terminate();
    if ((e as Error).name === 'DataCloneError') return null;
    throw e;
  }
  const { signal, onProgress } = hooks;
  return new Promise<RecoveryResult>((resolve, reject) => {
    // The first exception of the caller's own code (its operator or onProgress) wins.
    let failure: unknown = null;
    let settled = false;
    const abort = () => Atomics.store(control, ABORT, 1);
    const finish = (error: unknown, result?: RecoveryResult) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      // Done with it: it must never hold the process open (it exits by itself after a result).
      worker.unref();
      if (failure !== null || error !== null) reject(failure ?? error);
      else resolve(result!);
    };
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
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
      } else if (m.type === 'result') finish(null, m.result);
      else finish(errorFromData(m.error));
    });
    worker.on('error', (e) => finish(e));
    worker.on('exit', (code) => finish(new Error(`untrained-cs: the fit's worker thread exited (code ${code}) before returning a result`)));
  });
}
