// Worker-thread entry of `untrained-cs reproduce`: runs trials one at a time, engine single-threaded.
import { parentPort } from 'node:worker_threads';
import { setThreads } from '../core/threads.js';
import { runReproTrial } from './trial.js';
import type { ReproTrial, TrialContext } from './types.js';

setThreads(1);
parentPort!.on('message', (msg: { trial: ReproTrial; ctx: TrialContext }) => {
  parentPort!.postMessage(runReproTrial(msg.trial, msg.ctx));
});
