// A side check of the cs-images experiment (REPRODUCTION.md, "What did not close the gap"): does
// stopping the Deep Decoder without the ground truth beat fitting it to convergence? Fits the
// grid's own problems (same image crops, operators and seeds as the trials) with the library's
// defaults and one `earlyStopping` rule each, and prints one JSON line per fit beside the grid's
// Deep Decoder and TV (oracle weight) readings from the results file.
//
//   npx vite-node reproduction/checks/cs-early-stopping.ts OPERATOR SIZE RATES IMAGES RULES [RESULTS]
//   e.g. npx vite-node reproduction/checks/cs-early-stopping.ts structured 64 0.02,0.05 house.png,boat.png none,holdout,variance
//
// RULES: none (to convergence), holdout (10% of the measurements held out, patience 200, refit on
// all of them for the chosen number of iterations), variance (the output-variance rule). One
// engine thread, as the grid's workers. The test images are found as `reproduce` finds them.
import { setThreads } from '../../src/core/threads.js';
import { reconstructSync } from '../../src/solvers/reconstruct.js';
import type { EarlyStopping } from '../../src/solvers/fitGenerator.js';
import { scores } from '../../src/reproduce/baselines.js';
import { csCheckArgs, csProblems } from './grid.js';

const { operator, size, rates, images, variants, results } = csCheckArgs('cs-early-stopping.ts', 'none|holdout|variance,...');
setThreads(1);
const rules: Record<string, EarlyStopping> = { none: 'none', holdout: { kind: 'holdout', refit: true }, variance: { kind: 'variance' } };
for (const { rate, image, truth, A, y, grid } of csProblems(operator, size, rates, images, results)) {
  for (const rule of variants) {
    if (!(rule in rules)) throw new Error(`unknown rule ${rule}: none, holdout or variance`);
    const start = performance.now();
    const r = reconstructSync({ method: 'deep-decoder', operator: A, measurements: y, shape: [size, size], seed: `cs-images|${image}|deep-decoder`, earlyStopping: rules[rule]!, tvPenalty: 0 }); // no TV penalty: measured before it became the default
    console.log(
      JSON.stringify({
        operator, size, rate, image, rule,
        psnr: Number(scores(r.x, truth).psnr.toFixed(3)),
        stoppedAt: r.bestIteration,
        gridDeepDecoder: grid('deep-decoder'),
        gridTvOracle: grid('tv'),
        seconds: Math.round((performance.now() - start) / 1000),
      }),
    );
  }
}
