import type { Command } from 'commander';
import { resultToJSON } from '../../solvers/result.js';
import { METHODS } from '../../solvers/reconstruct.js';
import { num, oneOf } from '../args.js';
import { writeOutputs } from '../outputs.js';
import { buildProblem, loadImage, MASKS, OPERATORS, type ProblemOptions } from '../problem.js';
import { solve, type SolveFlags } from '../solve.js';

export function addProblemOptions(cmd: Command): Command {
  return cmd
    .option('--image <path>', "input image (PNG/JPEG/PGM), or 'builtin' for the shipped cameraman", 'builtin')
    .option('--color', 'keep colour (default: convert to gray)')
    .option('--operator <name>', `measurement operator: ${OPERATORS.join(', ')}`, oneOf('--operator', OPERATORS), 'fourier')
    .option('--rate <r>', 'sampling rate m/n (or kept fraction for masks)', num('--rate', { min: 0, max: 1 }))
    .option('--mask <kind>', `sampling mask: ${MASKS.join(', ')}`, oneOf('--mask', MASKS))
    .option('--acceleration <a>', 'MRI acceleration (cartesian mask), 1/rate', num('--acceleration', { min: 1 }))
    .option('--noise-sigma <s>', 'standard deviation of additive Gaussian noise on the measurements', num('--noise-sigma', { min: 0 }))
    .option('--blur-sigma <s>', 'width of the Gaussian blur for --operator blur', num('--blur-sigma', { min: 0 }))
    .option('--measurements <file.npy>', 'read the measurements instead of simulating them')
    .option('--seed <n>', 'seed of the operator, noise and fit', num('--seed', { integer: true }), 0)
    .option('--iterations <n>', 'iterations of the solver', num('--iterations', { min: 1, integer: true }))
    .option('--channels <k>', 'channels of the generator', num('--channels', { min: 1, integer: true }))
    .option('--learning-rate <lr>', 'Adam step size', num('--learning-rate', { min: 0 }))
    .option('--tv-penalty <c>', 'generator fits: a total-variation penalty on the output, c times the signal level estimated from the measurements; default 0.015 / rate for the Deep Decoder fitted to convergence on an image from fewer measurements than pixels, none otherwise; 0 turns it off', num('--tv-penalty', { min: 0 }))
    .option('--early-stopping <rule>', 'none, holdout or variance', oneOf('--early-stopping', ['none', 'holdout', 'variance'] as const))
    .option('--lambda <l>', 'regularisation weight (lasso, tv)', num('--lambda', { min: 0 }))
    .option('--basis <name>', 'sparsifying basis for lasso/omp: dct, haar, db2..db8, identity');
}

export interface ProblemCliOptions extends Omit<SolveFlags, 'noiseSigma' | 'quiet'> {
  image: string;
  color?: boolean;
  operator: ProblemOptions['operator'];
  rate?: number;
  mask?: ProblemOptions['mask'];
  acceleration?: number;
  noiseSigma?: number;
  blurSigma?: number;
  measurements?: string;
  json?: boolean;
  quiet?: boolean;
}

export function problemFrom(o: ProblemCliOptions) {
  const truth = loadImage(o.image, Boolean(o.color));
  return buildProblem(truth, {
    operator: o.operator,
    rate: o.rate,
    mask: o.mask,
    acceleration: o.acceleration,
    noiseSigma: o.noiseSigma,
    blurSigma: o.blurSigma,
    seed: o.seed,
    measurementsPath: o.measurements,
  });
}

export function flagsFrom(o: ProblemCliOptions): SolveFlags {
  return {
    iterations: o.iterations,
    channels: o.channels,
    learningRate: o.learningRate,
    tvPenalty: o.tvPenalty,
    earlyStopping: o.earlyStopping,
    lambda: o.lambda,
    basis: o.basis,
    noiseSigma: o.noiseSigma,
    seed: o.seed,
    quiet: o.json || o.quiet,
  };
}

export function registerReconstruct(program: Command): void {
  const cmd = program.command('reconstruct').description('simulate measurements of an image, reconstruct it, write the image, its error map and metrics');
  addProblemOptions(cmd)
    .option('--method <m>', `one of ${METHODS.join(', ')}`, oneOf('--method', [...METHODS, 'gp'] as const), 'deep-decoder')
    .option('--out <file.png>', 'output image (also writes -error and, for sgld/gp, -uncertainty)', 'reconstruction.png')
    .option('--json', 'print one JSON object instead of text')
    .option('--quiet', 'no progress line')
    .option('--checkpoint <file>', 'generator fits: save the fit to FILE every 500 iterations and on Ctrl-C; the same command run again continues from it')
    .action(async (o: ProblemCliOptions & { method: string; out: string; checkpoint?: string }) => {
      const problem = problemFrom(o);
      const scored = await solve(o.method, problem, { ...flagsFrom(o), checkpoint: o.checkpoint });
      const files = writeOutputs(o.out, problem, scored);
      const summary = {
        method: o.method,
        problem: problem.description,
        psnr: scored.psnr,
        ssim: scored.ssim,
        relativeError: scored.relativeError,
        timeMs: scored.result.timeMs,
        iterations: scored.result.iterations,
        stopReason: scored.result.stopReason,
        files,
      };
      if (o.json) {
        const full = resultToJSON(scored.result);
        delete full.x;
        delete full.variance;
        console.log(JSON.stringify({ ...summary, result: full }));
      } else {
        console.log(`${problem.description}`);
        console.log(`${o.method}: PSNR ${scored.psnr.toFixed(2)} dB  SSIM ${scored.ssim.toFixed(4)}  relative error ${scored.relativeError.toFixed(4)}  ${(scored.result.timeMs / 1000).toFixed(1)} s  (${scored.result.iterations} iterations, ${scored.result.stopReason})`);
        console.log(`wrote ${Object.values(files).join(', ')}`);
        if (o.checkpoint && scored.result.stopReason === 'aborted') console.log(`fit saved to ${o.checkpoint}: run the same command again to continue it`);
      }
    });
}
