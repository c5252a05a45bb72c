// A side check of the cs-images experiment: the Deep Decoder fitted to convergence with a smoothed
// TV penalty on its output (reconstruct's `tvPenalty`, a weight relative to the signal's level as
// the measurements tell it), against the grid's Deep Decoder without it and TV at its oracle
// weight. Fits the grid's own problems (same crops, operators, seeds) once per weight with the
// library's defaults otherwise, on one thread, and prints one JSON line per problem.
//
//   npx vite-node reproduction/checks/cs-tv-penalty.ts OPERATOR SIZE RATES IMAGES WEIGHTS [RESULTS]
//   e.g. ... gaussian 64 0.1,0.25 man.png,hill.png 0,0.03,0.06
// The runs the report quotes are in reproduction/checks/results/cs-tv-penalty.jsonl.
import { setThreads } from '../../src/core/threads.js';
import { reconstructSync } from '../../src/solvers/reconstruct.js';
import { scores } from '../../src/reproduce/baselines.js';
import { csCheckArgs, csProblems } from './grid.js';

const { operator, size, rates, images, variants, results } = csCheckArgs('cs-tv-penalty.ts', 'WEIGHT,...');
const weights = variants.map(Number);
if (weights.some((w) => !(w >= 0))) {
  console.error('cs-tv-penalty.ts: weights must be numbers >= 0 (0: no penalty)');
  process.exit(2);
}
setThreads(1);
const psnr = (x: Float64Array, t: Float64Array) => Number(scores(x, t).psnr.toFixed(3));
for (const { rate, image, truth, A, y, grid } of csProblems(operator, size, rates, images, results)) {
  const start = performance.now();
  const byWeight: Record<string, number> = {};
  let level: number | null = null;
  for (const w of weights) {
    const r = reconstructSync({ method: 'deep-decoder', operator: A, measurements: y, shape: [size, size], seed: `cs-images|${image}|deep-decoder`, tvPenalty: w });
    byWeight[String(w)] = psnr(Float64Array.from(r.x), truth);
    level = (r.info as { tvPenalty?: { rms: number } }).tvPenalty?.rms ?? level;
  }
  console.log(JSON.stringify({
    operator, size, rate, image, psnrByWeight: byWeight,
    estimatedRms: level === null ? null : Number(level.toFixed(4)),
    gridDeepDecoder: grid('deep-decoder'), gridTvOracle: grid('tv'), gridLassoDb4Oracle: grid('lasso-db4'), gridLassoDctOracle: grid('lasso-dct'),
    seconds: Math.round((performance.now() - start) / 1000),
  }));
}
