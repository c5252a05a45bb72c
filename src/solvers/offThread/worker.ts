// Worker-thread entry of asynchronous fits (offThread/client.ts starts one per job): rebuilds the
// caller's generator from its recipe on the caller's arena, stands in for the caller's operators,
// runs the synchronous fit and posts the result.
import { parentPort } from 'node:worker_threads';
import { errorToData, type ErrorData } from '../../core/errorTransfer.js';
import { sharedAbortSignal } from '../../core/sharedAbortSignal.js';
import { setThreads } from '../../core/threads.js';
import { onArenaMemory } from '../../engine/arena.js';
import { kernelsFor, setKernels } from '../../engine/select.js';
import { convDecoder } from '../../priors/convDecoder.js';
import { deepDecoder } from '../../priors/deepDecoder.js';
import { deepImagePrior } from '../../priors/deepImagePrior.js';
import type { Generator } from '../../priors/generator.js';
import type { GeneratorFactoryName } from '../../priors/recipe.js';
import { twoLayerGenerator } from '../../priors/twoLayerGenerator.js';
import { fitGeneratorSync, type FitGeneratorOptions, type FitProgress } from '../fitGenerator.js';
import { reconstructSync, type ReconstructOptions } from '../reconstruct.js';
import type { RecoveryResult } from '../result.js';
import { engineOfKernels } from './client.js';
import { proxyOperator } from './operatorBridge.js';
import { ABORT, type JobMessage, type WorkerMessage } from './protocol.js';

const FACTORIES: Record<GeneratorFactoryName, (options: never) => Generator> = { deepDecoder, convDecoder, deepImagePrior, twoLayerGenerator };

function run(msg: JobMessage, post: (m: WorkerMessage) => void) {
  setThreads(msg.threads);
  const engine = engineOfKernels(msg.kernels);
  const kernels = engine ? kernelsFor(engine) : null;
  if (!kernels) throw new Error(`untrained-cs: the kernels '${msg.kernels}' are not available on the fit's worker thread`);
  setKernels(kernels);
  const control = new Int32Array(msg.control);
  const operators = msg.operators.map((shape, i) => proxyOperator(i, shape, control, msg.input, msg.output, post));
  const signal = sharedAbortSignal(control, ABORT);
  const onProgress = msg.progress ? (progress: FitProgress) => post({ type: 'progress', progress }) : undefined;
  const job = msg.job;
  if (job.kind === 'fit') {
    const build = () => FACTORIES[job.factory](job.generatorOptions as never);
    const generator = job.arena ? onArenaMemory(job.arena, build) : build();
    return fitGeneratorSync({ ...(job.options as Partial<FitGeneratorOptions>), generator, operator: operators[0]!, signal, onProgress } as FitGeneratorOptions);
  }
  const basis = job.basisOperator ? operators[1] : job.options.basis;
  return reconstructSync({ ...(job.options as Partial<ReconstructOptions>), operator: operators[0]!, basis, signal, onProgress } as ReconstructOptions);
}

// Jobs one after another: the caller keeps a finished worker warm for its next small fit.
const port = parentPort!;
port.on('message', (msg: JobMessage) => {
  const post = (m: WorkerMessage) => port.postMessage(m);
  let outcome: { type: 'result'; result: RecoveryResult } | { type: 'error'; error: ErrorData };
  try {
    outcome = { type: 'result', result: run(msg, post) };
  } catch (e) {
    outcome = { type: 'error', error: errorToData(e) };
  }
  // Array buffers this thread's heap may still hold until its next GC (a rebuilt arena): the
  // caller does not keep a worker warm that holds much memory.
  post({ ...outcome, retainedBytes: process.memoryUsage().arrayBuffers });
});
