// A side check of the cs-images experiment (REPRODUCTION.md, "What did not close the gap"): does
// DIP's input jitter (fresh N(0, sigma^2) noise on the fixed input at every step), which with
// output averaging lifts full-size DIP inpainting by 2.7-4.8 dB in the bayesian-dip experiment, help the
// Deep Decoder fitted to convergence on compressive measurements? Fits the grid's own problems
// (same crops, operators and seeds as the trials) once per jitter level, with the library's
// defaults otherwise (output averaging 0.99 included), and prints one JSON line per fit beside the
// grid's Deep Decoder and TV (oracle weight) readings.
//
//   npx vite-node reproduction/checks/cs-input-jitter.ts OPERATOR SIZE RATES IMAGES SIGMAS [RESULTS]
//   e.g. npx vite-node reproduction/checks/cs-input-jitter.ts gaussian 64 0.1,0.25 man.png,house.png 0,0.01,0.0333
//
// The Deep Decoder's input is U(0, 0.1) (standard deviation 0.029). One engine thread, as the
// grid's workers.
import { setThreads } from '../../src/core/threads.js';
import { reconstructSync } from '../../src/solvers/reconstruct.js';
import { scores } from '../../src/reproduce/baselines.js';
import { csCheckArgs, csProblems } from './grid.js';

const { operator, size, rates, images, variants, results } = csCheckArgs('cs-input-jitter.ts', 'SIGMA,...');
setThreads(1);
const sigmas = variants.map(Number);
if (sigmas.some((sigma) => !(sigma >= 0))) throw new Error(`cs-input-jitter.ts: SIGMA must be >= 0 (0: no jitter), got ${variants.join(',')}`);
for (const { rate, image, truth, A, y, grid } of csProblems(operator, size, rates, images, results)) {
  for (const sigma of sigmas) {
    const start = performance.now();
    const r = reconstructSync({
      method: 'deep-decoder', operator: A, measurements: y, shape: [size, size], seed: `cs-images|${image}|deep-decoder`,
      ...(sigma > 0 ? { inputJitter: sigma } : {}),
      tvPenalty: 0, // measured before the TV penalty became the default
    });
    console.log(
      JSON.stringify({
        operator, size, rate, image, inputJitter: sigma,
        psnr: Number(scores(r.x, truth).psnr.toFixed(3)),
        gridDeepDecoder: grid('deep-decoder'),
        gridTvOracle: grid('tv'),
        seconds: Math.round((performance.now() - start) / 1000),
      }),
    );
  }
}
