// A side check of the bayesian-dip experiment (REPRODUCTION.md): why do plain SGD fits on the
// 128x128 Cameraman inpainting crop roll back thousands of times (runs 0 and 1: 2450 and 1887 of
// 5000 iterates) where the full-size fits roll back none? Re-fits a trial's problem (same image,
// crop, mask and network seed) with plain SGD (the SGD variant's settings) under each roll-back
// factor given, and prints one JSON line per fit: the PSNR at the read-outs, the training loss
// along the fit, and where the roll-backs fall. `off` fits without the roll-back; its loss curve
// is then replayed through the notebook's rule (a loss above sqrt(10) times the last accepted
// one's) to count the jumps the rule would have seen.
//
//   npx vite-node reproduction/checks/bdip-rollback.ts TASK IMAGE RUN SIZE ITERATIONS FACTORS
//   e.g. npx vite-node reproduction/checks/bdip-rollback.ts inpainting Cameraman256.png 0 128 5000 off,3.1623
//
// SIZE 128 is the crop check, 256 the full-size image. One engine thread, as the trials.
import { setThreads } from '../../src/core/threads.js';
import { psnrValue } from '../../src/core/quality.js';
import { fitGeneratorSync } from '../../src/solvers/fitGenerator.js';
import { findData } from '../../src/reproduce/data.js';
import { bayesianDipProblem } from '../../src/reproduce/experiments/bayesianDip.js';

const [task, image, runArg, sizeArg, itersArg, factorsArg] = process.argv.slice(2);
if (!(task === 'denoising' || task === 'inpainting') || !image || !runArg || !sizeArg || !itersArg || !factorsArg) {
  console.error('usage: bdip-rollback.ts denoising|inpainting IMAGE RUN SIZE ITERATIONS off|FACTOR,...');
  process.exit(2);
}
setThreads(1);
const size = Number(sizeArg);
const iterations = Number(itersArg);
const params = { task, image, run: Number(runArg), h: size, w: size, ...(size < 256 ? { crop: size } : {}) };
const NOTEBOOK_FACTOR = Math.sqrt(10);

/** The iterations (1-based) the notebook's rule rejects along a loss curve, replayed. */
function replay(loss: ArrayLike<number>, factor: number): number[] {
  const rejected: number[] = [];
  let last = Infinity;
  for (let i = 0; i < loss.length; i++) {
    if (i > 0 && loss[i]! > factor * last) rejected.push(i + 1);
    else last = loss[i]!;
  }
  return rejected;
}

for (const f of factorsArg.split(',')) {
  const factor = f === 'off' ? undefined : Number(f);
  if (factor !== undefined && !(factor > 1)) throw new Error(`factor ${f}: off or a number above 1`);
  const { truth, operator, y, generator, seed } = bayesianDipProblem(params, findData());
  const start = performance.now();
  const r = fitGeneratorSync({ generator, operator, measurements: y, iterations, learningRate: 0.01, reference: truth.data, backtracking: factor, seed });
  const loss = r.history.loss;
  const psnr = r.history.psnr ?? [];
  const at = (curve: ArrayLike<number>, k: number) => (curve.length >= k ? Number(curve[k - 1]!.toPrecision(4)) : null);
  const reads = [500, 1000, 1800, 2500, 3000, 4000, 5000].filter((k) => k <= iterations);
  const rejected = replay(loss, factor ?? NOTEBOOK_FACTOR);
  let minLoss = Infinity;
  for (let i = 0; i < loss.length; i++) minLoss = Math.min(minLoss, loss[i]!);
  console.log(
    JSON.stringify({
      task, image, run: params.run, size, iterations,
      factor: f,
      backtracks: (r.info?.backtracks as number | undefined) ?? 0,
      jumpsUnderNotebookRule: rejected.length,
      firstJumps: rejected.slice(0, 10),
      psnr: Object.fromEntries(reads.map((k) => [k, at(psnr, k)])),
      loss: Object.fromEntries(reads.map((k) => [k, at(loss, k)])),
      minLoss: Number(minLoss.toPrecision(3)),
      finalPsnr: Number(psnrValue(r.x, truth.data).toFixed(3)),
      seconds: Math.round((performance.now() - start) / 1000),
    }),
  );
}
