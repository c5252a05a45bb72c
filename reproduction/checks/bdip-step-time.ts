// Time per step of the bayesian-dip experiment's three variants on a full-size trial's problem
// (Peppers 256x256 inpainting, run 0: the same network, mask and settings as the trials), to plan
// chains and to measure changes to the fit loop. Prints one line per variant: the mean wall time
// per step over the iterations after the first WARMUP (first touches of the network's arena).
//
//   npx vite-node reproduction/checks/bdip-step-time.ts THREADS ITERATIONS VARIANTS
//   e.g. npx vite-node reproduction/checks/bdip-step-time.ts 2 60 sgd,sgd-input-avg,sgld
//
// Run it on a quiet machine: the second core's load moves two-thread timings by tens of percent.
import { setThreads } from '../../src/core/threads.js';
import { fitGeneratorSync } from '../../src/solvers/fitGenerator.js';
import { findData } from '../../src/reproduce/data.js';
import { bayesianDipProblem } from '../../src/reproduce/experiments/bayesianDip.js';

const WARMUP = 10;
const [threadsArg, itersArg, variantsArg] = process.argv.slice(2);
const threads = Number(threadsArg);
const iterations = Number(itersArg);
const variants = (variantsArg ?? '').split(',');
if (!(threads === 1 || threads === 2) || !(Number.isInteger(iterations) && iterations > WARMUP) || !variants.every((v) => ['sgd', 'sgd-input-avg', 'sgld'].includes(v))) {
  console.error(`usage: bdip-step-time.ts 1|2 ITERATIONS(>${WARMUP}) sgd,sgd-input-avg,sgld`);
  process.exit(2);
}
setThreads(threads);
for (const variant of variants) {
  const { operator, y, generator, seed, truth } = bayesianDipProblem({ task: 'inpainting', image: 'peppers256.png', run: 0, h: 256, w: 256 }, findData());
  let warm = 0;
  const t0 = performance.now();
  fitGeneratorSync({
    generator,
    operator,
    measurements: y,
    iterations,
    learningRate: 0.01,
    reference: truth.data,
    backtracking: Math.sqrt(10),
    inputJitter: variant === 'sgd' ? undefined : 1 / 30,
    outputAveraging: variant === 'sgd-input-avg' ? 0.99 : undefined,
    // burn-in and thinning as a chain's sampling phase (a sample every 50th step)
    sgld: variant === 'sgld' ? { noiseScale: 2, burnIn: 0, thinning: 50 } : undefined,
    seed,
    progressEvery: 1,
    onProgress: (p) => {
      if (p.iteration === WARMUP) warm = performance.now();
    },
  });
  const ms = (performance.now() - warm) / (iterations - WARMUP);
  console.log(`${variant}: ${ms.toFixed(0)} ms per step on ${threads} thread(s) (${iterations - WARMUP} steps after ${WARMUP}; ${((performance.now() - t0) / 1000).toFixed(0)} s in all)`);
}
