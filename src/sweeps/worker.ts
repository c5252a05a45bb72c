// Worker-thread entry of the local sweep pool: runs trials, one at a time, engine single-threaded.
import { parentPort } from 'node:worker_threads';
import { setThreads } from '../core/threads.js';
import { runTrial } from './trial.js';
import type { SweepDefinition, TrialSpec } from './definition.js';

setThreads(1);
parentPort!.on('message', (msg: { def: SweepDefinition; spec: TrialSpec }) => {
  parentPort!.postMessage(runTrial(msg.def, msg.spec));
});
