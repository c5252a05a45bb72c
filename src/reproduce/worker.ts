// Worker-thread entry of `untrained-cs reproduce`: runs trials one at a time, the engine on the
// threads the run asked for (one by default).
import { parentPort } from 'node:worker_threads';
import { setThreads } from '../core/threads.js';
import { runReproTrial } from './trial.js';
import type { ReproTrial, TrialContext } from './types.js';

parentPort!.on('message', (msg: { trial: ReproTrial; ctx: TrialContext }) => {
  setThreads(msg.ctx.engineThreads ?? 1);
  parentPort!.postMessage(runReproTrial(msg.trial, msg.ctx));
});
