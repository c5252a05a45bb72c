import type { Seed } from '../core/rng.js';
import type { NumericArray } from '../core/validate.js';
import type { LinearOperator } from '../operators/linearOperator.js';
import type { StationaryKernel } from '../priors/gp/kernels.js';
import type { BasisName } from './bases/bases.js';
import type { Progress } from './driver.js';
import type { EarlyStopping, FitCheckpointOptions, GeneratorFitInfo, SgldOptions } from './fitGenerator.js';
import type { LassoOptions } from './fista.js';
import type { TvOptions } from './tv.js';
import type { OutputRangeDecision } from './outputRange.js';

/**
 * The options of reconstruct, one type per method (a discriminated union on `method`), so that
 * editors complete the options of the chosen method and a misspelt or foreign option is a type
 * error; at run time the same lists reject unknown keys with the known ones named.
 */

export const METHODS = ['deep-decoder', 'conv-decoder', 'deep-image-prior', 'two-layer', 'sgld', 'lasso', 'omp', 'tv', 'least-squares', 'gp'] as const;
export type Method = (typeof METHODS)[number];
export type GeneratorMethod = 'deep-decoder' | 'conv-decoder' | 'deep-image-prior' | 'two-layer' | 'sgld';

interface CommonOptions {
  operator: LinearOperator;
  measurements: NumericArray;
  /** Signal shape (without the complex trailing 2); defaults from the operator's input. */
  shape?: readonly number[];
  seed?: Seed;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface GeneratorReconstructOptions extends CommonOptions {
  method: GeneratorMethod;
  /**
   * Iteration budget. Defaults per method (generatorDefaults): the Deep Decoder fitted to
   * convergence grows with the image (3000 up to 64x64, 8000 at 128x128, 20000 from 256x256 or
   * from 128x128 for complex images; convergenceBudget), 3000 with a stopping rule; ConvDecoder
   * 3000 (complex images: as the Deep Decoder); DIP 1800; SGLD 20000; two-layer 2000.
   */
  iterations?: number;
  learningRate?: number;
  optimizer?: 'adam' | 'sgd';
  earlyStopping?: EarlyStopping;
  lossTolerance?: number;
  /** Ground truth, to record PSNR per iteration (never used for fitting or stopping). */
  reference?: NumericArray;
  dataRange?: number;
  inputJitter?: number;
  /**
   * Exponential output averaging weight (0 turns it off). Defaults: 0.99 for the DIP, and for the
   * Deep Decoder fitted to convergence (1000 iterations or more, no early stopping or loss tolerance).
   */
  outputAveraging?: number;
  /** DIP backtracking factor (restore the last parameters when the loss jumps by it). */
  backtracking?: number;
  sgld?: SgldOptions;
  progressEvery?: number;
  /** A resumable fit: its state written to a file every so many iterations and on abort (see fitGenerator). */
  checkpoint?: FitCheckpointOptions;
  /** Generator architecture options passed to the prior factory (channels, depth, ...). */
  generator?: Record<string, unknown>;
  /**
   * Output range: [lo, hi] ends the generator in a sigmoid scaled to that range (a box
   * constraint), 'none' keeps it linear, 'auto' (default) uses [0, 1] when the measurements show
   * that the signal lies there (e.g. an image read from a file) and a linear output otherwise.
   */
  outputRange?: 'auto' | 'none' | readonly [number, number];
  /** For 'sgld': the prior to sample ('deep-image-prior' by default). */
  prior?: 'deep-decoder' | 'conv-decoder' | 'deep-image-prior' | 'two-layer';
  /**
   * A total-variation penalty on the generator's output, relative to the signal's scale: the fit
   * minimises ||A x - y||^2 + w TV(x) with w = tvPenalty times the signal's root mean square as
   * estimated from the measurements (so one number serves any scale; TV smoothed at 0.002 times
   * it). 0 turns it off. Default: 0.015 n / m for the Deep Decoder fitted to convergence on a real
   * image from m < n measurements (compressiveTvPenalty), off otherwise. The weight used is
   * recorded in result.info.tvPenalty. Not for complex 1D signals (an argument error).
   */
  tvPenalty?: number;
}

/** The solver's own options (documented on `LassoOptions`), with the basis also accepted by name. */
export interface LassoReconstructOptions
  extends CommonOptions,
  Pick<LassoOptions, 'waveletLevels' | 'lambda' | 'lambdaRatio' | 'noiseSigma' | 'lambdaRule' | 'iterations' | 'tolerance' | 'acceleration' | 'restart' | 'backtracking' | 'continuation' | 'x0'> {
  method: 'lasso';
  /** Basis name ('db4' by default; 'dct', 'haar', 'db1'..'db20', 'identity') or an operator. */
  basis?: BasisName | LinearOperator;
  /**
   * Shift invariance of a wavelet basis: k (shifts 0..k-1 per axis stacked into a frame, FISTA on
   * the synthesis problem; default 1: off) or 'random' (a fresh random shift of the wavelet grid
   * at every iteration, as BART's pics does: see randomShiftLasso; seeded by `seed`). Default:
   * 'random' for complex images (MRI) with a wavelet basis, unless an option only the frame solver
   * has is given (noiseSigma, acceleration, restart, backtracking, continuation, a lambdaRule
   * other than 'held-out'); 1 otherwise. With 'random', `tolerance` bounds the relative change
   * between consecutive epoch means (default 2e-2) and `iterations` defaults to 2000.
   */
  cycleSpinning?: number | 'random';
}

export interface OmpReconstructOptions extends CommonOptions {
  method: 'omp';
  basis?: BasisName | LinearOperator;
  waveletLevels?: number;
  sparsity?: number;
  tolerance?: number;
}

/** The solver's own options (documented on `TvOptions`). */
export interface TvReconstructOptions
  extends CommonOptions,
  Pick<TvOptions, 'lambda' | 'noiseSigma' | 'iterations' | 'tolerance' | 'changeTolerance' | 'nonNegative' | 'continuation' | 'innerIterations' | 'x0'> {
  method: 'tv';
}

export interface LeastSquaresReconstructOptions extends CommonOptions {
  method: 'least-squares';
  tikhonov?: number;
  iterations?: number;
  tolerance?: number;
  x0?: NumericArray;
}

export interface GpReconstructOptions extends CommonOptions {
  method: 'gp';
  /** A kernel object, or {kind: 'rbf', lengthScale} / {kind: 'dip', depth, sigma}. */
  kernel?: StationaryKernel | { kind: 'rbf'; lengthScale: number } | { kind: 'dip'; depth?: number; sigma?: number };
  signalVariance?: number;
  noiseVariance?: number;
  noiseSigma?: number;
  priorMean?: number | 'auto';
  /** Posterior samples for the per-pixel variance (default 8; 0 for the mean only). */
  samples?: number;
  iterations?: number;
  tolerance?: number;
  preconditioner?: boolean;
  exactVariance?: boolean;
}

export type ReconstructOptions =
  | GeneratorReconstructOptions
  | LassoReconstructOptions
  | OmpReconstructOptions
  | TvReconstructOptions
  | LeastSquaresReconstructOptions
  | GpReconstructOptions;

/** Options of a method added with registerMethod (any name that is not built in). */
export type CustomReconstructOptions<M extends string = string> = {
  method: M extends Method ? never : M;
  operator: LinearOperator;
  measurements: NumericArray;
  [key: string]: unknown;
};

/** Every option as one loose record: what the implementation reads after the key check. */
type Loose<T> = Partial<Omit<T, 'method' | 'backtracking'>>;
export type AnyReconstructOptions = Loose<GeneratorReconstructOptions> &
  Loose<LassoReconstructOptions> &
  Loose<OmpReconstructOptions> &
  Loose<TvReconstructOptions> &
  Loose<LeastSquaresReconstructOptions> &
  Loose<GpReconstructOptions> & {
  /** A number for the generator methods (loss-jump factor), a boolean for Lasso. */
  backtracking?: number | boolean;
  method: string;
  operator: LinearOperator;
  measurements: NumericArray;
  [key: string]: unknown;
};

const COMMON = ['method', 'operator', 'measurements', 'shape', 'seed', 'onProgress', 'signal'] as const;
const GENERATOR = [...COMMON, 'iterations', 'learningRate', 'optimizer', 'earlyStopping', 'lossTolerance', 'reference', 'dataRange', 'inputJitter', 'outputAveraging', 'backtracking', 'sgld', 'progressEvery', 'checkpoint', 'generator', 'outputRange', 'prior', 'tvPenalty'];

/** The option names each method accepts (the run-time twin of the types above). */
export const KNOWN_OPTIONS: Record<Method, readonly string[]> = {
  'deep-decoder': GENERATOR,
  'conv-decoder': GENERATOR,
  'deep-image-prior': GENERATOR,
  'two-layer': GENERATOR,
  sgld: GENERATOR,
  lasso: [...COMMON, 'basis', 'waveletLevels', 'cycleSpinning', 'lambda', 'lambdaRatio', 'noiseSigma', 'lambdaRule', 'iterations', 'tolerance', 'acceleration', 'restart', 'backtracking', 'continuation', 'x0'],
  omp: [...COMMON, 'basis', 'waveletLevels', 'sparsity', 'tolerance'],
  tv: [...COMMON, 'lambda', 'noiseSigma', 'iterations', 'tolerance', 'changeTolerance', 'nonNegative', 'continuation', 'innerIterations', 'x0'],
  'least-squares': [...COMMON, 'tikhonov', 'iterations', 'tolerance', 'x0'],
  gp: [...COMMON, 'kernel', 'signalVariance', 'noiseVariance', 'noiseSigma', 'priorMean', 'samples', 'iterations', 'tolerance', 'preconditioner', 'exactVariance'],
};

/** result.info of a generator method through reconstruct: the fit's diagnostics and the output range it chose. */
export type GeneratorReconstructInfo = GeneratorFitInfo & {
  /** Whether the output ends in a sigmoid scaled to a range, and why. */
  outputRange: OutputRangeDecision;
  /** Share of the output within 0.1% of the range's bounds (sigmoid outputs only). */
  saturated?: number;
  /** Set when more than 5% of the output sits at the bounds. */
  warnings?: string[];
  /** The TV penalty the fit used: `relative` (the option) times the estimated `rms` is its `weight`. */
  tvPenalty?: { weight: number; smoothing: number; relative: number; rms: number };
};
