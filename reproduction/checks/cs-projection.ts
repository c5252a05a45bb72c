// A side check of the cs-images experiment: the Deep Decoder's output projected onto the set of
// images that explain the (noiseless) measurements exactly, {x : A x = y}. The truth lies in that
// set and in the box [0, 1]^n, so each orthogonal projection can only bring the estimate closer to
// it; how much closer is the question. Fits the grid's own problems (same crops, operators, seeds)
// once with the library's defaults and prints one JSON line per fit: the raw output, the affine
// projection (CGLS from the output, which converges to the nearest consistent image), and
// alternating projections onto the affine set and the box, beside the grid's TV (oracle) reading.
//
//   npx vite-node reproduction/checks/cs-projection.ts OPERATOR SIZE RATES IMAGES default [RESULTS]
import { setThreads } from '../../src/core/threads.js';
import { reconstructSync } from '../../src/solvers/reconstruct.js';
import { leastSquares } from '../../src/solvers/leastSquares.js';
import { scores } from '../../src/reproduce/baselines.js';
import { csCheckArgs, csProblems } from './grid.js';

const { operator, size, rates, images, results } = csCheckArgs('cs-projection.ts', 'default');
setThreads(1);
const psnr = (x: Float64Array, t: Float64Array) => Number(scores(x, t).psnr.toFixed(3));
for (const { rate, image, truth, A, y, grid } of csProblems(operator, size, rates, images, results)) {
  const start = performance.now();
  const r = reconstructSync({ method: 'deep-decoder', operator: A, measurements: y, shape: [size, size], seed: `cs-images|${image}|deep-decoder`, tvPenalty: 0 }); // no TV penalty: measured before it became the default
  const raw = Float64Array.from(r.x);
  const project = (x: Float64Array) => leastSquares({ operator: A, measurements: y, x0: x, iterations: 200, tolerance: 1e-8 }).x as Float64Array;
  const affine = project(raw);
  let pocs: Float64Array = raw;
  const pocsCurve: number[] = [];
  for (let k = 0; k < 20; k++) {
    pocs = project(pocs.map((v) => Math.min(1, Math.max(0, v))));
    if (k === 0 || k === 4 || k === 19) pocsCurve.push(psnr(pocs.map((v) => Math.min(1, Math.max(0, v))), truth));
  }
  const ax = A.apply(raw);
  let res = 0, yy = 0;
  for (let i = 0; i < y.length; i++) { res += (ax[i]! - y[i]!) ** 2; yy += y[i]! ** 2; }
  console.log(JSON.stringify({
    operator, size, rate, image,
    raw: psnr(raw, truth), affine: psnr(affine, truth), affineClipped: psnr(affine.map((v) => Math.min(1, Math.max(0, v))), truth),
    pocs1_5_20: pocsCurve, relResidual: Number(Math.sqrt(res / yy).toExponential(2)),
    gridDeepDecoder: grid('deep-decoder'), gridTvOracle: grid('tv'),
    seconds: Math.round((performance.now() - start) / 1000),
  }));
}
