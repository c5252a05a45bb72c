import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import type { Seed } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import { checkOneOf, checkShape, isPlainObject, type NumericArray } from '../core/validate.js';
import { compose } from '../operators/algebra.js';
import { checkOperator, type LinearOperator } from '../operators/linearOperator.js';
import { planarToInterleaved } from '../operators/permutation.js';
import { convDecoder } from '../priors/convDecoder.js';
import { deepDecoder } from '../priors/deepDecoder.js';
import { deepImagePrior } from '../priors/deepImagePrior.js';
import type { Generator } from '../priors/generator.js';
import { twoLayerGenerator } from '../priors/twoLayerGenerator.js';
import { basisByName } from './bases/bases.js';
import { fista } from './fista.js';
import { fitGeneratorSync, type EarlyStopping, type FitProgress, type SgldOptions } from './fitGenerator.js';
import { leastSquares } from './leastSquares.js';
import { omp } from './omp.js';
import type { RecoveryResult } from './result.js';
import { tv } from './tv.js';
import { gpPosterior } from './gpPosterior.js';
import { dipKernel, rbfKernel, type StationaryKernel } from '../priors/gp/kernels.js';

export const METHODS = ['deep-decoder', 'conv-decoder', 'deep-image-prior', 'two-layer', 'sgld', 'lasso', 'omp', 'tv', 'least-squares', 'gp'] as const;
export type Method = (typeof METHODS)[number];

/** Methods registered by higher layers (e.g. 'gp' from the Gaussian-process module). */
const extraMethods = new Map<string, (o: ReconstructOptions) => RecoveryResult>();
export function registerMethod(name: string, solve: (o: ReconstructOptions) => RecoveryResult): void {
  extraMethods.set(name, solve);
}
/** Whether `name` was registered on this thread (a worker thread would not know it). */
export function isRegisteredMethod(name: unknown): boolean {
  return typeof name === 'string' && extraMethods.has(name);
}

export interface ReconstructOptions {
  method: Method | string;
  operator: LinearOperator;
  measurements: NumericArray;
  /** Signal shape (without the complex trailing 2); defaults from the operator's input. */
  shape?: number[];
  seed?: Seed;
  iterations?: number;
  /** Generator methods: fitting options. */
  learningRate?: number;
  earlyStopping?: EarlyStopping;
  lossTolerance?: number;
  reference?: NumericArray;
  inputJitter?: number;
  outputAveraging?: number;
  sgld?: SgldOptions;
  /** Generator architecture options passed to the prior factory (channels, depth, ...). */
  generator?: Record<string, unknown>;
  /** For 'sgld': the prior to sample ('deep-image-prior' by default). */
  prior?: 'deep-decoder' | 'conv-decoder' | 'deep-image-prior' | 'two-layer';
  onProgress?: (p: FitProgress) => void;
  signal?: AbortSignal;
  /** Lasso / OMP: basis name ('dct', 'haar', 'db4', 'identity') or an operator. */
  basis?: string | LinearOperator;
  waveletLevels?: number;
  lambda?: number;
  lambdaRatio?: number;
  noiseSigma?: number;
  sparsity?: number;
  tolerance?: number;
  /** Least squares: Tikhonov weight. */
  tikhonov?: number;
  /** TV: non-negativity of the image. */
  nonNegative?: boolean;
  /** Extra options of registered methods. */
  [key: string]: unknown;
}

interface Geometry {
  shape: number[];
  complex: boolean;
}

function geometry(fn: string, A: LinearOperator, shape: unknown): Geometry {
  if (shape === undefined) {
    const s = A.inShape.slice();
    return { shape: s, complex: false };
  }
  const s = checkShape(fn, 'shape', shape);
  const n = sizeOf(s);
  if (n === A.inSize) return { shape: s, complex: false };
  if (2 * n === A.inSize) return { shape: s, complex: true };
  throw new ShapeMismatchError(fn, 'shape', `size ${A.inSize} (or ${A.inSize / 2} for complex data), the operator's input`, s);
}

function makeGenerator(kind: string, outShape: number[], seed: Seed, extra: Record<string, unknown>, complex: boolean): Generator {
  const base = { outShape, seed, ...extra };
  switch (kind) {
    case 'deep-decoder':
      return deepDecoder({ sigmoid: !complex, ...base } as Parameters<typeof deepDecoder>[0]);
    case 'conv-decoder':
      return convDecoder(base as Parameters<typeof convDecoder>[0]);
    case 'deep-image-prior':
      return deepImagePrior({ sigmoid: !complex, ...base } as Parameters<typeof deepImagePrior>[0]);
    case 'two-layer':
      return twoLayerGenerator(base as Parameters<typeof twoLayerGenerator>[0]);
    default:
      throw new InvalidArgumentError('reconstruct', 'prior', "'deep-decoder', 'conv-decoder', 'deep-image-prior' or 'two-layer'", kind);
  }
}

const GENERATOR_DEFAULT_ITERATIONS: Record<string, number> = { 'deep-decoder': 3000, 'conv-decoder': 3000, 'deep-image-prior': 3000, 'two-layer': 2000 };

/**
 * One entry point for every method on the same operator and measurements; returns the common
 * result record. Complex operators (input [...shape, 2]) are handled for the generator methods
 * by a two-channel (real, imaginary) generator, and for Lasso by a complex basis. Synchronous, on
 * the calling thread; `reconstruct` runs it on a worker thread (offThread/reconstruct.ts).
 */
export function reconstructSync(options: ReconstructOptions): RecoveryResult {
  const fn = 'reconstruct';
  if (!isPlainObject(options)) throw new InvalidArgumentError(fn, 'options', 'an options object', options);
  const method = options.method;
  const extra = extraMethods.get(method as string);
  if (extra) return extra(options);
  checkOneOf(fn, 'method', method, [...METHODS, ...extraMethods.keys()] as Method[]);
  const A = checkOperator(fn, 'operator', options.operator);
  const geo = geometry(fn, A, options.shape);
  const seed = options.seed ?? 0;
  const o = options;
  switch (method as Method) {
    case 'least-squares':
      return leastSquares({ operator: A, measurements: o.measurements, tikhonov: o.tikhonov, iterations: o.iterations, tolerance: o.tolerance, onProgress: o.onProgress, signal: o.signal });
    case 'lasso': {
      const basis = typeof o.basis === 'object' ? o.basis : basisByName(o.basis ?? 'db4', geo.shape, o.waveletLevels, fn, o.cycleSpinning as number | undefined);
      const r = fista({ operator: A, measurements: o.measurements, basis, lambda: o.lambda, lambdaRatio: o.lambdaRatio, noiseSigma: o.noiseSigma, lambdaRule: o.lambdaRule as 'gcv' | undefined, iterations: o.iterations, tolerance: o.tolerance, onProgress: o.onProgress, signal: o.signal });
      return { ...r, method: 'lasso' };
    }
    case 'omp': {
      const basis = o.basis === undefined ? undefined : typeof o.basis === 'object' ? o.basis : basisByName(o.basis, geo.shape, o.waveletLevels);
      return omp({ operator: A, measurements: o.measurements, basis, sparsity: o.sparsity, tolerance: o.tolerance });
    }
    case 'gp': {
      if (geo.complex) throw new InvalidArgumentError(fn, 'method', 'a real-valued problem for the GP posterior', 'complex data');
      const k = o.kernel as StationaryKernel | { kind: 'rbf'; lengthScale: number } | { kind: 'dip'; depth?: number; sigma?: number } | undefined;
      const kernel: StationaryKernel =
        k && typeof (k as StationaryKernel).evaluate === 'function'
          ? (k as StationaryKernel)
          : k && (k as { kind: string }).kind === 'rbf'
            ? rbfKernel({ lengthScale: (k as { lengthScale: number }).lengthScale })
            : dipKernel({ depth: (k as { depth?: number } | undefined)?.depth ?? 5, sigma: (k as { sigma?: number } | undefined)?.sigma ?? 1 });
      const variance = (o.signalVariance as number | undefined) ?? 0.05;
      const scaled: StationaryKernel = { name: kernel.name, evaluate: (r) => (variance * kernel.evaluate(r)) / kernel.evaluate(0) };
      return gpPosterior({
        kernel: scaled,
        operator: A,
        measurements: o.measurements,
        noiseVariance: (o.noiseVariance as number | undefined) ?? Math.max(1e-4, (o.noiseSigma ?? 0) ** 2),
        shape: geo.shape,
        priorMean: (o.priorMean as number | 'auto' | undefined) ?? 'auto',
        samples: (o.samples as number | undefined) ?? 0,
        seed,
        iterations: o.iterations,
        tolerance: o.tolerance,
      });
    }
    case 'tv': {
      const tvShape = geo.complex ? [...geo.shape, 2] : geo.shape;
      // Without lambda, tv chooses it (discrepancy with noiseSigma, else held-out measurements).
      return tv({ operator: A, measurements: o.measurements, lambda: o.lambda, noiseSigma: o.lambda === undefined ? o.noiseSigma : undefined, seed, shape: tvShape, iterations: o.iterations, tolerance: o.tolerance, nonNegative: o.nonNegative, onProgress: o.onProgress, signal: o.signal });
    }
    default: {
      const kind = method === 'sgld' ? (o.prior ?? 'deep-image-prior') : method;
      // Two-channel (re, im) generators feed complex operators through an interleaving map.
      const outShape = geo.complex ? [2, ...geo.shape] : geo.shape;
      const gen = makeGenerator(kind, outShape, seed, o.generator ?? {}, geo.complex);
      const op = geo.complex ? compose(A, planarToInterleaved({ shape: geo.shape })) : A;
      const result = fitGeneratorSync({
        generator: gen,
        operator: op,
        measurements: o.measurements,
        iterations: o.iterations ?? GENERATOR_DEFAULT_ITERATIONS[kind] ?? 2000,
        learningRate: o.learningRate,
        seed,
        reference: o.reference === undefined || geo.complex ? undefined : o.reference,
        earlyStopping: o.earlyStopping,
        lossTolerance: o.lossTolerance,
        inputJitter: o.inputJitter,
        outputAveraging: o.outputAveraging,
        sgld: method === 'sgld' ? (o.sgld ?? {}) : undefined,
        onProgress: o.onProgress,
        signal: o.signal,
      });
      if (!geo.complex) return { ...result, method };
      const inter = planarToInterleaved({ shape: geo.shape });
      return {
        ...result,
        method,
        x: inter.apply(result.x),
        shape: [...geo.shape, 2],
        variance: result.variance ? inter.apply(result.variance) : undefined,
      };
    }
  }
}
