import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import type { Seed } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import { checkNumber, checkOneOf, checkOptions, checkShape, isPlainObject, toFloat64 } from '../core/validate.js';
import { chooseKernel, withVariance, type KernelChoice } from './gpKernelChoice.js';
import { KNOWN_OPTIONS, METHODS, type AnyReconstructOptions, type CustomReconstructOptions, type GeneratorReconstructInfo, type GeneratorReconstructOptions, type LassoReconstructOptions, type OmpReconstructOptions, type TvReconstructOptions, type Method, type ReconstructOptions } from './reconstructOptions.js';
import { compose } from '../operators/algebra.js';
import { checkOperator, type LinearOperator } from '../operators/linearOperator.js';
import { planarToInterleaved } from '../operators/permutation.js';
import { convDecoder } from '../priors/convDecoder.js';
import { deepDecoder } from '../priors/deepDecoder.js';
import { deepImagePrior } from '../priors/deepImagePrior.js';
import type { Generator } from '../priors/generator.js';
import { twoLayerGenerator } from '../priors/twoLayerGenerator.js';
import { basisByName } from './bases/bases.js';
import { fista, type LassoInfo } from './fista.js';
import { randomShiftLasso, type RandomShiftLassoInfo } from './randomShiftLasso.js';
import type { WaveletName } from './bases/wavelet.js';
import { fitGeneratorSync } from './fitGenerator.js';
import { leastSquares } from './leastSquares.js';
import { omp, type OmpInfo } from './omp.js';
import type { RecoveryResult } from './result.js';
import { tv, type TvInfo } from './tv.js';
import { gpPosterior } from './gpPosterior.js';
import { dipKernel, rbfKernel, type StationaryKernel } from '../priors/gp/kernels.js';
import { dipScales, generatorDefaults, type GeneratorKind } from './generatorDefaults.js';
import { inferUnitRange, signalMoments, type OutputRangeDecision } from './outputRange.js';

export { METHODS, KNOWN_OPTIONS, type Method, type ReconstructOptions, type CustomReconstructOptions } from './reconstructOptions.js';

/** Methods registered by higher layers (e.g. 'gp' from the Gaussian-process module). */
const extraMethods = new Map<string, (o: AnyReconstructOptions) => RecoveryResult>();
export function registerMethod(name: string, solve: (o: AnyReconstructOptions) => RecoveryResult): void {
  if (typeof name !== 'string' || (METHODS as readonly string[]).includes(name)) throw new InvalidArgumentError('registerMethod', 'name', 'a name that is not a built-in method', name);
  if (typeof solve !== 'function') throw new InvalidArgumentError('registerMethod', 'solve', 'a function (options) => RecoveryResult', solve);
  extraMethods.set(name, solve);
}
/** Whether `name` was registered on this thread (a worker thread would not know it). */
export function isRegisteredMethod(name: unknown): boolean {
  return typeof name === 'string' && extraMethods.has(name);
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

function makeGenerator(kind: string, outShape: number[], seed: Seed, extra: Record<string, unknown>): Generator {
  const base = { outShape, seed, ...extra };
  switch (kind) {
    case 'deep-decoder':
      return deepDecoder(base as Parameters<typeof deepDecoder>[0]);
    case 'conv-decoder':
      return convDecoder(base as Parameters<typeof convDecoder>[0]);
    case 'deep-image-prior':
      return deepImagePrior(base as Parameters<typeof deepImagePrior>[0]);
    case 'two-layer':
      return twoLayerGenerator(base as Parameters<typeof twoLayerGenerator>[0]);
    default:
      throw new InvalidArgumentError('reconstruct', 'prior', "'deep-decoder', 'conv-decoder', 'deep-image-prior' or 'two-layer'", kind);
  }
}

/**
 * The output range of a generator: the caller's `outputRange` ([lo, hi] or 'none'), an explicit
 * `generator.sigmoid`, or, by default, [0, 1] when the measurements say the signal lies there
 * (inferUnitRange) and a linear output otherwise. Complex signals and the two-layer generator
 * (no output nonlinearity) are always linear.
 */
function decideRange(fn: string, kind: string, o: Pick<GeneratorReconstructOptions, 'outputRange' | 'generator'>, A: LinearOperator, y: Float64Array, complex: boolean, seed: Seed): OutputRangeDecision {
  const given = o.outputRange;
  const sigmoid = (o.generator as { sigmoid?: unknown } | undefined)?.sigmoid;
  if (given !== undefined && given !== 'auto') {
    if (given === 'none') return { range: null, rule: 'given' };
    if (!Array.isArray(given) || given.length !== 2 || !given.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(given[1]! > given[0]!)) {
      throw new InvalidArgumentError(fn, 'outputRange', "'auto', 'none' or [lo, hi] with lo < hi", given);
    }
    if (complex || kind === 'two-layer') throw new InvalidArgumentError(fn, 'outputRange', `'auto' or 'none' for ${complex ? 'complex data' : 'the two-layer generator'} (linear output)`, given);
    return { range: [given[0]!, given[1]!], rule: 'given' };
  }
  if (typeof sigmoid === 'boolean') return { range: sigmoid ? [0, 1] : null, rule: 'given' };
  if (complex || kind === 'two-layer') return { range: null, rule: 'auto' };
  return inferUnitRange(A, y, seed);
}

/** Posterior samples drawn by default for method 'gp' (the variance map's Monte Carlo size). */
const GP_DEFAULT_SAMPLES = 8;

/**
 * One entry point for every method on the same operator and measurements; returns the common
 * result record. Complex operators (input [...shape, 2]) are handled for the generator methods
 * by a two-channel (real, imaginary) generator, and for Lasso by a complex basis. Synchronous, on
 * the calling thread; `reconstruct` runs it on a worker thread (offThread/reconstruct.ts).
 */
export function reconstructSync(options: GeneratorReconstructOptions): RecoveryResult<GeneratorReconstructInfo>;
export function reconstructSync(options: LassoReconstructOptions): RecoveryResult<LassoInfo | RandomShiftLassoInfo>;
export function reconstructSync(options: TvReconstructOptions): RecoveryResult<TvInfo>;
export function reconstructSync(options: OmpReconstructOptions): RecoveryResult<OmpInfo>;
export function reconstructSync(options: ReconstructOptions): RecoveryResult;
export function reconstructSync<M extends string>(options: CustomReconstructOptions<M>): RecoveryResult;
export function reconstructSync(options: ReconstructOptions | CustomReconstructOptions): RecoveryResult {
  const fn = 'reconstruct';
  if (!isPlainObject(options)) throw new InvalidArgumentError(fn, 'options', 'an options object', options);
  const o = options as AnyReconstructOptions;
  const method = o.method;
  const extra = extraMethods.get(method);
  if (extra) return extra(o);
  checkOneOf(fn, 'method', method, [...METHODS, ...extraMethods.keys()] as Method[]);
  // A misspelt option ('lamda') must not run silently with the default.
  // Keys set to undefined carry no value (spread option objects often have them): skip those.
  checkOptions(fn, Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)), KNOWN_OPTIONS[method as Method]);
  const A = checkOperator(fn, 'operator', o.operator);
  const geo = geometry(fn, A, o.shape);
  const seed = o.seed ?? 0;
  switch (method as Method) {
    // Every option of the method passes through to its solver (the key check above made sure
    // only that method's options are present).
    case 'least-squares':
      return leastSquares({ operator: A, measurements: o.measurements, tikhonov: o.tikhonov, iterations: o.iterations, tolerance: o.tolerance, x0: o.x0, onProgress: o.onProgress, signal: o.signal });
    case 'lasso': {
      // Complex (MRI) images default to the random-shift solver: on cameraman 128x128 with 1/4 of
      // k-space it reaches 31 dB in seconds where the frame solver stops at 20000 iterations with
      // 27.3 dB after 460 s (BENCHMARKS.md, BART section). Options only the frame solver has keep it.
      const complexImage = geo.complex || (o.shape === undefined && A.inShape.length === 3 && A.inShape[2] === 2);
      const imageShape = geo.complex ? geo.shape : complexImage ? A.inShape.slice(0, 2) : geo.shape;
      const frameOnly = FRAME_ONLY.some((k) => o[k] !== undefined) || !isWaveletName(o.basis ?? 'db4') || (o.lambdaRule ?? 'held-out') !== 'held-out';
      const spin = o.cycleSpinning ?? (complexImage && !frameOnly ? 'random' : undefined);
      if (spin === 'random') return { ...randomShiftFromFrontDoor(o, A, imageShape), method: 'lasso' };
      const basis = typeof o.basis === 'object' ? o.basis : basisByName(o.basis ?? 'db4', geo.shape, o.waveletLevels, fn, spin);
      const r = fista({
        operator: A,
        measurements: o.measurements,
        basis,
        lambda: o.lambda,
        lambdaRatio: o.lambdaRatio,
        noiseSigma: o.noiseSigma,
        lambdaRule: o.lambdaRule,
        seed,
        iterations: o.iterations,
        tolerance: o.tolerance,
        acceleration: o.acceleration,
        restart: o.restart,
        backtracking: o.backtracking as boolean | undefined,
        continuation: o.continuation,
        x0: o.x0,
        onProgress: o.onProgress,
        signal: o.signal,
      });
      return { ...r, method: 'lasso' };
    }
    case 'omp': {
      const basis = o.basis === undefined ? undefined : typeof o.basis === 'object' ? o.basis : basisByName(o.basis, geo.shape, o.waveletLevels, fn);
      return omp({ operator: A, measurements: o.measurements, basis, sparsity: o.sparsity, tolerance: o.tolerance });
    }
    case 'gp': {
      if (geo.complex) throw new InvalidArgumentError(fn, 'method', 'a real-valued problem for the GP posterior', 'complex data');
      const k = o.kernel;
      const noiseVariance = o.noiseVariance ?? Math.max(1e-4, (o.noiseSigma ?? 0) ** 2);
      let kernel: StationaryKernel;
      let variance: number;
      let choice: KernelChoice | null = null;
      if (k === undefined) {
        // No kernel given: choose kernel and prior variance on held-out observed entries.
        choice = chooseKernel(A, toFloat64(fn, 'measurements', o.measurements, A.outSize), geo.shape, noiseVariance, seed);
        kernel = choice.kernel;
        variance = o.signalVariance ?? choice.signalVariance;
      } else {
        kernel =
          typeof (k as StationaryKernel).evaluate === 'function'
            ? (k as StationaryKernel)
            : (k as { kind: string }).kind === 'rbf'
              ? rbfKernel({ lengthScale: (k as { lengthScale: number }).lengthScale })
              : dipKernel({ depth: (k as { depth?: number }).depth ?? 5, sigma: (k as { sigma?: number }).sigma ?? 1 });
        variance = o.signalVariance ?? 0.05;
      }
      const scaled = withVariance(kernel, variance);
      const gpResult = gpPosterior({
        kernel: scaled,
        operator: A,
        measurements: o.measurements,
        noiseVariance,
        shape: geo.shape,
        priorMean: o.priorMean ?? 'auto',
        // The posterior variance comes by default (an uncertainty map is half the point of a GP).
        samples: o.samples ?? GP_DEFAULT_SAMPLES,
        seed,
        iterations: o.iterations,
        tolerance: o.tolerance,
        preconditioner: o.preconditioner,
        exactVariance: o.exactVariance,
      });
      return { ...gpResult, info: { ...gpResult.info, kernel: kernel.name, signalVariance: variance, kernelRule: choice ? 'held-out' : 'given', kernelScores: choice?.scores } };
    }
    case 'tv': {
      const tvShape = geo.complex ? [...geo.shape, 2] : geo.shape;
      // Without lambda, tv chooses it (discrepancy with noiseSigma, else held-out measurements).
      return tv({ operator: A, measurements: o.measurements, lambda: o.lambda, noiseSigma: o.lambda === undefined ? o.noiseSigma : undefined, seed, shape: tvShape, iterations: o.iterations, tolerance: o.tolerance, changeTolerance: o.changeTolerance, nonNegative: o.nonNegative, continuation: o.continuation, innerIterations: o.innerIterations, x0: o.x0, onProgress: o.onProgress, signal: o.signal });
    }
    default: {
      const kind = (method === 'sgld' ? (o.prior ?? 'deep-image-prior') : method) as GeneratorKind;
      const y = toFloat64(fn, 'measurements', o.measurements, A.outSize);
      const defaults = generatorDefaults(kind, { shape: geo.shape, m: A.outSize, complex: geo.complex, method: method as GeneratorKind | 'sgld', iterations: o.iterations, stoppingRule: (o.earlyStopping !== undefined && o.earlyStopping !== 'none') || o.lossTolerance !== undefined });
      const decision = decideRange(fn, kind, o, A, y, geo.complex, seed);
      // Two-channel (re, im) generators feed complex operators through an interleaving map.
      const outShape = geo.complex ? [2, ...geo.shape] : geo.shape;
      // `channels` is the width of every layer; for the DIP hourglass, of every scale.
      const { channels, ...userArchitecture } = o.generator ?? {};
      const architecture: Record<string, unknown> =
        kind === 'deep-image-prior' && typeof channels === 'number'
          ? { ...defaults.generator, ...dipScales(geo.shape, channels), ...userArchitecture }
          : { ...defaults.generator, ...(o.generator ?? {}) };
      if (kind !== 'two-layer') architecture.sigmoid = decision.range !== null;
      const gen = makeGenerator(kind, outShape, seed, architecture);
      const op = geo.complex ? compose(A, planarToInterleaved({ shape: geo.shape })) : A;
      // A sigmoid scaled to [lo, hi]: fit s in [0, 1] to (y - lo A 1) / (hi - lo), then x = lo + (hi - lo) s.
      const [lo, hi] = decision.range ?? [0, 1];
      const affine = decision.range !== null && (lo !== 0 || hi !== 1);
      let yFit: Float64Array = y;
      if (affine) {
        const a1 = A.apply(new Float64Array(A.inSize).fill(1));
        yFit = y.map((v, i) => (v - lo * a1[i]!) / (hi - lo));
      }
      const toSignal = (s: Float64Array) => (affine ? s.map((v) => lo + (hi - lo) * v) : s);
      const tvPenalty = scaledTvPenalty(fn, o.tvPenalty ?? defaults.tvPenalty, op, yFit, seed, decision);
      // The fit's TV reads a [2, n] output as a 2 x n image: differences between the real and imaginary parts.
      if (tvPenalty && geo.complex && geo.shape.length === 1) throw new InvalidArgumentError(fn, 'tvPenalty', '0 for a complex 1D signal (no TV penalty there)', o.tvPenalty);
      const reference = o.reference === undefined || geo.complex ? undefined : affine ? toFloat64(fn, 'reference', o.reference, A.inSize).map((v) => (v - lo) / (hi - lo)) : o.reference;
      const result = fitGeneratorSync({
        generator: gen,
        operator: op,
        measurements: yFit,
        iterations: o.iterations ?? defaults.iterations,
        learningRate: o.learningRate ?? defaults.learningRate,
        optimizer: o.optimizer,
        seed,
        dataRange: o.dataRange,
        backtracking: o.backtracking as number | undefined,
        progressEvery: o.progressEvery,
        reference,
        earlyStopping: o.earlyStopping,
        lossTolerance: o.lossTolerance,
        inputJitter: o.inputJitter ?? defaults.inputJitter,
        outputAveraging: o.outputAveraging ?? defaults.outputAveraging,
        sgld: method === 'sgld' ? { ...defaults.sgld, ...(o.sgld ?? {}) } : undefined,
        onProgress: o.onProgress,
        signal: o.signal,
        checkpoint: o.checkpoint,
        tvPenalty: tvPenalty ? { weight: tvPenalty.weight, smoothing: tvPenalty.smoothing } : undefined,
      });
      const info = { ...result.info, outputRange: decision, ...saturation(result.x, decision), ...(tvPenalty ? { tvPenalty } : {}) };
      if (!geo.complex) return { ...result, method, x: toSignal(result.x), variance: affine && result.variance ? result.variance.map((v) => v * (hi - lo) ** 2) : result.variance, info };
      const inter = planarToInterleaved({ shape: geo.shape });
      return {
        ...result,
        method,
        info,
        x: inter.apply(result.x),
        shape: [...geo.shape, 2],
        variance: result.variance ? inter.apply(result.variance) : undefined,
      };
    }
  }
}

/**
 * reconstruct's TV penalty on a generator's output: `relative` times the signal's root mean square
 * as the measurements tell it (signalMoments), so that the balance with the data term does not
 * depend on the signal's scale (||A x - y||^2 grows with its square, TV with it).
 */
function scaledTvPenalty(fn: string, relative: number | undefined, A: LinearOperator, y: Float64Array, seed: Seed, decision: OutputRangeDecision): { weight: number; smoothing: number; relative: number; rms: number } | null {
  if (relative === undefined) return null;
  const c = checkNumber(fn, 'tvPenalty', relative, { min: 0 });
  if (c === 0) return null;
  // The output-range rule estimated the same moments from the same operator and data when it ran.
  const moments = decision.meanSquare !== undefined ? { meanSquare: decision.meanSquare } : signalMoments(A, y, seed);
  const rms = moments ? Math.sqrt(Math.max(0, moments.meanSquare)) : 0;
  if (!(rms > 0)) return null;
  return { weight: c * rms, smoothing: 2e-3 * rms, relative: c, rms };
}

/**
 * reconstruct's Lasso with cycleSpinning: 'random' goes to randomShiftLasso; the options of the
 * frame solver that have no meaning there are refused rather than ignored.
 */
/** Options of the frame (synthesis) Lasso that the random-shift solver does not have. */
const FRAME_ONLY = ['noiseSigma', 'acceleration', 'restart', 'backtracking', 'continuation'] as const;
const isWaveletName = (b: unknown) => typeof b === 'string' && (b === 'haar' || /^db\d+$/.test(b));

function randomShiftFromFrontDoor(o: AnyReconstructOptions, A: LinearOperator, shape: number[]): RecoveryResult {
  const fn = 'reconstruct';
  for (const key of FRAME_ONLY) {
    if (o[key] !== undefined) throw new InvalidArgumentError(fn, key, "no such option with cycleSpinning: 'random' (it takes basis, waveletLevels, lambda, lambdaRatio, lambdaRule 'held-out', iterations, tolerance, x0)", o[key]);
  }
  if (o.basis !== undefined && !isWaveletName(o.basis)) {
    throw new InvalidArgumentError(fn, 'basis', "a wavelet by name ('haar', 'db1' ... 'db20') with cycleSpinning: 'random'", typeof o.basis === 'object' ? `operator ${o.basis.name}` : o.basis);
  }
  if (o.lambdaRule !== undefined && o.lambdaRule !== 'held-out') throw new InvalidArgumentError(fn, 'lambdaRule', "'held-out' with cycleSpinning: 'random'", o.lambdaRule);
  return randomShiftLasso({
    operator: A,
    measurements: o.measurements,
    shape,
    wavelet: (o.basis ?? 'db4') as WaveletName,
    levels: o.waveletLevels,
    lambda: o.lambda,
    lambdaRatio: o.lambdaRatio,
    lambdaRule: o.lambdaRule as 'held-out' | undefined,
    seed: o.seed,
    iterations: o.iterations,
    tolerance: o.tolerance,
    x0: o.x0,
    onProgress: o.onProgress,
    signal: o.signal,
  });
}

/** Share of outputs pinned at a bound of the sigmoid: a sign that the range clips the signal. */
function saturation(x: Float64Array, d: OutputRangeDecision): { saturated?: number; warnings?: string[] } {
  if (!d.range) return {};
  const [lo, hi] = d.range;
  const eps = 1e-3 * (hi - lo);
  let pinned = 0;
  for (let i = 0; i < x.length; i++) if (x[i]! <= lo + eps || x[i]! >= hi - eps) pinned++;
  const share = pinned / Math.max(1, x.length);
  return share > 0.05
    ? { saturated: share, warnings: [`${(100 * share).toFixed(1)}% of the output sits at the bounds of outputRange [${lo}, ${hi}]: if the signal extends beyond them, pass outputRange: 'none' or a wider range`] }
    : { saturated: share };
}
