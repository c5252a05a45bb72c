import { InvalidArgumentError } from '../core/errors.js';
import { METHODS } from '../solvers/reconstruct.js';
import type { AnyReconstructOptions, ReconstructOptions } from '../solvers/reconstructOptions.js';
import type { BasisName } from '../solvers/bases/bases.js';
import { reconstruct } from '../solvers/offThread/reconstruct.js';
import { cliInterrupt } from './interrupt.js';
import type { RecoveryResult } from '../solvers/result.js';
import type { EarlyStopping } from '../solvers/fitGenerator.js';
import { psnr, relativeError } from '../metrics/metrics.js';
import { ssim } from '../metrics/ssim.js';
import { Progress } from './progress.js';
import type { Problem } from './problem.js';
import { generatorDefaults, type GeneratorKind } from '../solvers/generatorDefaults.js';

export interface SolveFlags {
  iterations?: number;
  channels?: number;
  learningRate?: number;
  /** Generator fits: the TV penalty on the output, relative to the signal's level (reconstruct's tvPenalty). */
  tvPenalty?: number;
  earlyStopping?: 'none' | 'holdout' | 'variance';
  lambda?: number;
  basis?: string;
  noiseSigma?: number;
  seed: number;
  quiet?: boolean;
  /** Generator fits: the checkpoint file (written every 500 iterations and on Ctrl-C; resumed from when present). */
  checkpoint?: string;
}

/**
 * The options the command line passes for a method: only what the user set (the library's
 * defaults, chosen by the reproduction of the papers, do the rest), plus the facts the CLI knows
 * about its images (non-negative, so TV may use it).
 */
export function methodOptions(method: string, problem: Problem, flags: SolveFlags): Partial<AnyReconstructOptions> {
  const es: EarlyStopping | undefined =
    flags.earlyStopping === 'holdout' ? { kind: 'holdout' } : flags.earlyStopping === 'variance' ? { kind: 'variance' } : undefined;
  const generator = flags.channels !== undefined ? { generator: { channels: flags.channels } } : {};
  const generatorMethod = ['deep-decoder', 'conv-decoder', 'two-layer', 'deep-image-prior', 'sgld'].includes(method);
  if (flags.checkpoint !== undefined && !generatorMethod) {
    throw new InvalidArgumentError('untrained-cs', '--checkpoint', 'a generator method (deep-decoder, conv-decoder, two-layer, deep-image-prior, sgld)', method);
  }
  const checkpoint = flags.checkpoint !== undefined ? { checkpoint: { path: flags.checkpoint } } : {};
  if (flags.tvPenalty !== undefined && !generatorMethod) {
    throw new InvalidArgumentError('untrained-cs', '--tv-penalty', 'a generator method (deep-decoder, conv-decoder, two-layer, deep-image-prior, sgld)', method);
  }
  const tvPenalty = flags.tvPenalty !== undefined ? { tvPenalty: flags.tvPenalty } : {};
  switch (method) {
    case 'deep-decoder':
    case 'conv-decoder':
    case 'two-layer':
    case 'deep-image-prior':
      return { ...generator, ...checkpoint, ...tvPenalty, iterations: flags.iterations, learningRate: flags.learningRate, earlyStopping: es };
    case 'sgld':
      return { ...generator, ...checkpoint, ...tvPenalty, prior: 'deep-image-prior', iterations: flags.iterations, learningRate: flags.learningRate };
    case 'lasso':
      return {
        basis: (flags.basis ?? 'db4') as BasisName,
        iterations: flags.iterations,
        ...(flags.lambda !== undefined ? { lambda: flags.lambda } : flags.noiseSigma ? { noiseSigma: flags.noiseSigma } : {}),
      };
    case 'omp':
      return { basis: (flags.basis ?? 'db4') as BasisName, sparsity: Math.max(1, Math.floor(problem.operator.outSize / 4)) };
    case 'tv':
      return { lambda: flags.lambda, noiseSigma: flags.lambda === undefined ? flags.noiseSigma : undefined, iterations: flags.iterations, nonNegative: true };
    default:
      return { iterations: flags.iterations };
  }
}

export interface Scored {
  result: RecoveryResult;
  psnr: number;
  ssim: number;
  relativeError: number;
}

export function score(problem: Problem, x: Float64Array): { psnr: number; ssim: number; relativeError: number } {
  const shape = problem.truth.shape;
  const clipped = x.map((v) => Math.min(1, Math.max(0, v)));
  return {
    psnr: psnr(clipped, problem.truth.data),
    ssim: Math.min(...shape.slice(-2)) > 11 ? ssim(clipped, problem.truth.data, { shape }) : NaN,
    relativeError: relativeError(x, problem.truth.data),
  };
}

/**
 * Runs one method on a worker thread with a progress line. Ctrl-C (the run's interrupt) stops a
 * fit within one iteration and keeps its best iterate; a second Ctrl-C exits at once.
 */
export async function solve(method: string, problem: Problem, flags: SolveFlags, label = method): Promise<Scored> {
  if (!(METHODS as readonly string[]).includes(method) && method !== 'gp') {
    throw new InvalidArgumentError('untrained-cs', '--method', METHODS.join(', '), method);
  }
  const opts = methodOptions(method, problem, flags);
  const bar = flags.quiet ? null : new Progress(label, (opts.iterations as number | undefined) ?? defaultIterations(method, problem, opts));
  const generatorMethod = !['lasso', 'omp', 'tv', 'least-squares', 'gp'].includes(method);
  const result = await reconstruct({
    method,
    operator: problem.operator,
    measurements: problem.measurements,
    shape: problem.truth.shape,
    seed: flags.seed,
    // Only the generator fits record a PSNR trajectory; the other methods reject the option.
    ...(generatorMethod ? { reference: problem.truth.data } : {}),
    signal: cliInterrupt().signal,
    onProgress: bar ? (p) => bar.update(p.iteration, `loss ${p.loss.toExponential(2)}${p.psnr !== undefined ? ` psnr ${p.psnr.toFixed(2)}` : ''}`) : undefined,
    ...opts,
  } as ReconstructOptions);
  bar?.finish(`(${result.stopReason})`);
  return { result, ...score(problem, result.x) };
}

/** The iteration budget the library will use (for the progress bar), or 1 for non-generator methods. */
function defaultIterations(method: string, problem: Problem, opts: Record<string, unknown>): number {
  const kind = method === 'sgld' ? 'deep-image-prior' : method;
  if (!['deep-decoder', 'conv-decoder', 'deep-image-prior', 'two-layer'].includes(kind)) return 1;
  const shape = problem.truth.shape.slice(-2);
  const stoppingRule = (opts.earlyStopping !== undefined && opts.earlyStopping !== 'none') || opts.lossTolerance !== undefined;
  return generatorDefaults(kind as GeneratorKind, { shape, m: problem.operator.outSize, complex: false, method: method as 'sgld', stoppingRule }).iterations;
}
