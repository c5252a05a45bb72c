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

export interface SolveFlags {
  iterations?: number;
  channels?: number;
  learningRate?: number;
  earlyStopping?: 'none' | 'holdout' | 'variance';
  lambda?: number;
  basis?: string;
  noiseSigma?: number;
  seed: number;
  quiet?: boolean;
}

/** Method defaults that suit images of a few hundred pixels a side on a laptop. */
export function methodOptions(method: string, problem: Problem, flags: SolveFlags): Partial<AnyReconstructOptions> {
  const [h, w] = problem.truth.shape.slice(-2) as [number, number];
  const side = Math.min(h, w);
  const es: EarlyStopping | undefined =
    flags.earlyStopping === 'holdout' ? { kind: 'holdout' } : flags.earlyStopping === 'variance' ? { kind: 'variance' } : undefined;
  const k = flags.channels;
  const depth = Math.max(2, Math.min(6, Math.floor(Math.log2(side / 4)) + 1));
  switch (method) {
    case 'deep-decoder':
      return { generator: { channels: k ?? 64, depth }, iterations: flags.iterations ?? 1500, learningRate: flags.learningRate, earlyStopping: es };
    case 'conv-decoder':
      return { generator: { channels: k ?? 48, depth }, iterations: flags.iterations ?? 1500, learningRate: flags.learningRate, earlyStopping: es };
    case 'deep-image-prior':
    case 'sgld': {
      const c = k ?? 32;
      const scales = Math.max(1, Math.min(5, Math.floor(Math.log2(side)) - 2));
      const gen = { inputChannels: 16, channelsDown: Array(scales).fill(c), channelsSkip: Array(scales).fill(4) };
      return {
        generator: gen,
        prior: 'deep-image-prior',
        iterations: flags.iterations ?? 2000,
        learningRate: flags.learningRate,
        inputJitter: 1 / 30,
        outputAveraging: method === 'sgld' ? undefined : 0.99,
        earlyStopping: method === 'sgld' ? undefined : es,
      };
    }
    case 'two-layer':
      return { generator: { channels: k ?? 64, upsampleFactor: 2 }, iterations: flags.iterations ?? 1500, learningRate: flags.learningRate, earlyStopping: es };
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
    case 'least-squares':
      return { iterations: flags.iterations ?? 200 };
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
  const bar = flags.quiet ? null : new Progress(label, (opts.iterations as number | undefined) ?? 1);
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
