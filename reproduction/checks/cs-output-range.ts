// A side check of the cs-images experiment (REPRODUCTION.md, "What did not close the gap"): does
// the Deep Decoder's output sigmoid, which `outputRange: 'auto'` picks for these images, cost it
// anything against a linear output? Fits the grid's own problems (same image crops, operators and
// seeds as the trials) once per output range and prints one JSON line per fit beside the grid's
// Deep Decoder and TV (oracle weight) readings from the results file.
//
//   npx vite-node reproduction/checks/cs-output-range.ts OPERATOR SIZE RATES IMAGES RANGES [RESULTS]
//   e.g. npx vite-node reproduction/checks/cs-output-range.ts gaussian 64 0.1,0.25 man.png,house.png auto,none
//
// RANGES: auto (the library's default), none (linear output), wide (a sigmoid scaled to
// [-0.25, 1.25]). One engine thread, as the grid's workers.
import { setThreads } from '../../src/core/threads.js';
import { reconstructSync } from '../../src/solvers/reconstruct.js';
import type { GeneratorReconstructInfo } from '../../src/solvers/reconstructOptions.js';
import { scores } from '../../src/reproduce/baselines.js';
import { csCheckArgs, csProblems } from './grid.js';

const { operator, size, rates, images, variants, results } = csCheckArgs('cs-output-range.ts', 'auto|none|wide,...');
setThreads(1);
const ranges = { auto: 'auto', none: 'none', wide: [-0.25, 1.25] } as const;
for (const { rate, image, truth, A, y, grid } of csProblems(operator, size, rates, images, results)) {
  for (const name of variants) {
    if (!(name in ranges)) throw new Error(`unknown range ${name}: auto, none or wide`);
    const start = performance.now();
    const r = reconstructSync({ method: 'deep-decoder', operator: A, measurements: y, shape: [size, size], seed: `cs-images|${image}|deep-decoder`, outputRange: ranges[name as keyof typeof ranges], tvPenalty: 0 }); // no TV penalty: measured before it became the default
    const decided = (r.info as GeneratorReconstructInfo).outputRange.range;
    console.log(
      JSON.stringify({
        operator, size, rate, image, range: name,
        sigmoidRange: decided,
        psnr: Number(scores(r.x, truth).psnr.toFixed(3)),
        gridDeepDecoder: grid('deep-decoder'),
        gridTvOracle: grid('tv'),
        seconds: Math.round((performance.now() - start) / 1000),
      }),
    );
  }
}
