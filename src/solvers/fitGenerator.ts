import { CheckpointMismatchError, InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import { philoxKey, philoxNormalRow } from '../core/philox.js';
import { Rng, type Seed } from '../core/rng.js';
import { psnrValue } from '../core/quality.js';
import type { FloatArray } from '../core/vector.js';
import { checkInteger, checkNumber, checkOneOf, checkOptions, checkSeed, isPlainObject, toFloat64, type NumericArray } from '../core/validate.js';
import { Adam, Sgd } from '../engine/adam.js';
import { checkOperator, type LinearOperator } from '../operators/linearOperator.js';
import type { Generator } from '../priors/generator.js';
import { tvLayout } from './tvProx.js';
import { smoothedTv } from './tvPenalty.js';
import type { RecoveryResult, StopReason } from './result.js';
import { below, runIterations, type DriverResult, type Measures, type StepOutcome, type StopRule } from './driver.js';
import { BestIterate, heldOutPatience, OutputVariance, SampleAccumulator, variancePatience } from './earlyStopping.js';
import { arrayDigest, checkWritableFolder, fingerprintDifferences, operatorProbe, readCheckpoint, removeCheckpoint, writeCheckpoint, type CheckpointArray, type CheckpointJson } from './fitCheckpoint.js';

export type EarlyStopping =
  | 'none'
  | {
      kind: 'holdout';
      /** Fraction of the measurements held out for validation (default 0.1). */
      fraction?: number;
      /** Stop after this many iterations without a better validation loss (default 200). */
      patience?: number;
      /** Refit on all measurements for the best number of iterations (default false). */
      refit?: boolean;
      /**
       * A label per measurement (per complex pair when the operator's output ends in 2): the
       * rule holds out `fraction` of the distinct labels >= 0, every measurement of a held-out
       * label together, and never holds out a negative label. Without it, single measurements
       * are drawn uniformly. The held-out set should look like the unmeasured data: on Cartesian
       * MRI, whole phase-encoding columns outside the fully sampled centre (see
       * cartesianHoldoutGroups), not points of the centre, which every fit reproduces anyway.
       */
      groups?: ArrayLike<number>;
    }
  | {
      kind: 'variance';
      /** Window of outputs whose running variance is tracked (default 100). */
      window?: number;
      /** Stop after this many iterations without a new minimum of the variance (default 500). */
      patience?: number;
    };

export interface SgldOptions {
  /** Weight-noise standard deviation as a multiple of the learning rate (default 2, as Cheng et al.). */
  noiseScale?: number;
  /** Iterations before samples are averaged (default half the iterations). */
  burnIn?: number;
  /** Use every `thinning`-th iterate after burn-in (default 1). */
  thinning?: number;
}

export interface FitProgress {
  iteration: number;
  iterations: number;
  loss: number;
  valLoss?: number;
  psnr?: number;
  elapsedMs: number;
}

/** Diagnostics of a generator fit in `result.info` (each field present only when it applies). */
export type GeneratorFitInfo = {
  /** Why the fit stopped early on numerical trouble (non-finite output or loss), with the iteration. */
  divergence?: string;
  /** Iterates rejected by the `backtracking` option (parameters restored, then stepped with the rejected iterate's gradient). */
  backtracks?: number;
  /**
   * The rejected iterates' iteration numbers (1-based, as `history` is indexed + 1), to tell
   * where a fit ran into trouble; rederived from `history.loss` by the same rule, so a fit
   * resumed from a checkpoint lists the rejections before the resume too.
   */
  backtrackIterations?: number[];
  /** SGLD: how many iterates the posterior mean and variance average. */
  samples?: number;
  /** A checkpoint that could not be written (the fit went on without further checkpoints). */
  checkpointError?: string;
  /** Hold-out with refit: the iteration the held-out loss chose, and the refit's length on all measurements. */
  heldOutBestIteration?: number;
  refitIterations?: number;
};

export interface FitGeneratorOptions {
  generator: Generator;
  operator: LinearOperator;
  measurements: NumericArray;
  /** Maximum number of gradient steps. */
  iterations: number;
  learningRate?: number;
  optimizer?: 'adam' | 'sgd';
  /** Seed for the hold-out split, input jitter and SGLD noise (default: the generator's seed). */
  seed?: Seed;
  /** Ground truth, to record PSNR per iteration (never used for fitting or stopping). */
  reference?: NumericArray;
  dataRange?: number;
  earlyStopping?: EarlyStopping;
  /** Stop ("converged") when the training loss falls below this. */
  lossTolerance?: number;
  /** DIP input jitter: the input gets N(0, sigma^2) noise afresh at every step (e.g. 1/30). */
  inputJitter?: number;
  /**
   * DIP output averaging: x_avg <- beta x_avg + (1 - beta) x (e.g. 0.99). The average is what the
   * fit returns (and what early stopping keeps); the variance rule still measures the raw iterates.
   */
  outputAveraging?: number;
  /**
   * DIP backtracking: when the loss jumps by this factor over the last accepted iterate's (e.g. 3),
   * restore that iterate's parameters and take the step from them with the rejected iterate's
   * gradient, as the DIP and Bayesian-DIP notebooks do. Adam's moments are not restored (nor are
   * they there). The rejected iterate is recorded in the history, never returned as the best.
   * Once the loss is tiny the rule can trap a fit: every fixed-size Adam step from the restored
   * parameters jumps again, and most later iterates are rejected (`info.backtracks` counts them;
   * measured on a 128x128 DIP inpainting fit in REPRODUCTION.md, bayesian-dip).
   */
  backtracking?: number;
  /** Bayesian DIP: stochastic gradient Langevin dynamics; returns mean and variance. */
  sgld?: SgldOptions | boolean;
  /**
   * A smoothed total-variation penalty on the output: the fit minimises
   * (||P(A x - y)||^2 + weight * TV_eps(x)) / m, TV_eps(x) = sum_p (sqrt(|grad x|_p^2 + eps^2) - eps)
   * over the output's pixels (channels, or the real and imaginary parts, jointly), eps =
   * `smoothing` (default 1e-3, in the output's units). `history.loss` stays the data term.
   */
  tvPenalty?: { weight: number; smoothing?: number };
  onProgress?: (p: FitProgress) => void;
  /**
   * Called after every iteration with that iteration's output (a view, valid during the call
   * only) and its number: per-iteration measures the fit cannot know, e.g. the PSNR of an MRI
   * image after data consistency. Runs on the caller's thread (fitGenerator runs the fit there).
   * A number it returns (at every iteration, or the entries will not line up with them) is
   * recorded in `history.monitor`, which checkpoints keep: a resumed fit returns the whole curve,
   * where values gathered by the callback itself would lack the iterations before the resume.
   */
  onIterate?: (x: Float64Array, iteration: number) => number | void;
  /** Call onProgress every this many iterations (default 10). */
  progressEvery?: number;
  signal?: AbortSignal;
  /**
   * A resumable fit: its whole state (parameters, optimizer moments, random streams, averages,
   * history) is written to `path` every `every` iterations (default 500) and when the fit is
   * aborted, and a fit started with that file present continues from it, returning what the
   * uninterrupted fit would have, to the bit (on the same engine). The file is removed when the
   * fit ends, unless `keep` (then a fit that ran all its iterations writes its final state: the
   * same fit run again returns at once, e.g. the first of several fits in a resumable job). A
   * checkpoint of another fit (generator, operator, measurements, seed or options) is refused
   * with CheckpointMismatchError. Not with hold-out refit; a device engine (tfjs) then trains
   * through the host, so the state can be written.
   */
  checkpoint?: FitCheckpointOptions;
}

export interface FitCheckpointOptions {
  path: string;
  every?: number;
  keep?: boolean;
}

const KNOWN = [
  'generator',
  'operator',
  'measurements',
  'iterations',
  'learningRate',
  'optimizer',
  'seed',
  'reference',
  'dataRange',
  'earlyStopping',
  'lossTolerance',
  'inputJitter',
  'outputAveraging',
  'backtracking',
  'sgld',
  'tvPenalty',
  'onProgress',
  'onIterate',
  'progressEvery',
  'signal',
  'checkpoint',
];

function checkGenerator(fn: string, g: unknown): Generator {
  const gen = g as Generator;
  if (!gen || typeof gen.forward !== 'function' || typeof gen.initialParams !== 'function' || !Array.isArray(gen.outShape)) {
    throw new InvalidArgumentError(fn, 'generator', 'a Generator (deepDecoder, convDecoder, deepImagePrior, twoLayerGenerator)', g);
  }
  return gen;
}

/** The split of measurement entries into training and validation (complex pairs kept together). */
function holdoutWeights(m: number, pairSize: number, fraction: number, rng: Rng, groups: Int32Array | null): Uint8Array {
  const units = m / pairSize;
  const w = new Uint8Array(m).fill(1);
  if (!groups) {
    const val = Math.max(1, Math.round(fraction * units));
    if (val >= units) throw new InvalidArgumentError('fitGenerator', 'earlyStopping.fraction', `a fraction leaving training measurements (${units} in all)`, fraction);
    for (const g of rng.sample(units, val)) for (let e = 0; e < pairSize; e++) w[g * pairSize + e] = 0;
    return w;
  }
  const labels = [...new Set(Array.from(groups).filter((g) => g >= 0))].sort((a, b) => a - b);
  const val = Math.max(1, Math.round(fraction * labels.length));
  if (labels.length < 2 || val >= labels.length) {
    throw new InvalidArgumentError('fitGenerator', 'earlyStopping.groups', `at least two labels >= 0 and a fraction leaving some for training (${labels.length} labels, fraction ${fraction})`, labels.length);
  }
  const held = new Set(Array.from(rng.sample(labels.length, val), (i) => labels[i]!));
  for (let u = 0; u < units; u++) if (held.has(groups[u]!)) for (let e = 0; e < pairSize; e++) w[u * pairSize + e] = 0;
  return w;
}

/** One integer label per measurement unit (complex pair or real entry) of A's output. */
function checkGroups(fn: string, groups: unknown, A: LinearOperator): Int32Array {
  const pairSize = A.outShape[A.outShape.length - 1] === 2 && A.outShape.length > 1 ? 2 : 1;
  const units = A.outSize / pairSize;
  const g = groups as ArrayLike<number>;
  if (!g || typeof g !== 'object' || typeof g.length !== 'number') throw new InvalidArgumentError(fn, 'earlyStopping.groups', `an array of ${units} integer labels`, groups);
  if (g.length !== units) throw new ShapeMismatchError(fn, 'earlyStopping.groups', `${units} labels (one per ${pairSize === 2 ? 'complex measurement' : 'measurement'})`, `length ${g.length}`);
  const out = new Int32Array(units);
  for (let i = 0; i < units; i++) {
    const v = g[i]!;
    if (!Number.isInteger(v)) throw new InvalidArgumentError(fn, 'earlyStopping.groups', 'integer labels (negative: never held out)', v);
    out[i] = v;
  }
  return out;
}

/**
 * Fits G(theta) to y by minimising (1/m) ||A G(theta) - y||^2 with Adam (or SGD), for any
 * operator A: the gradient flows back through A.adjoint. Runs to convergence (the compressive
 * sensing regime) or stops early without the ground truth (held-out measurements, or the running
 * variance of the outputs); optional DIP tricks and SGLD sampling. Never throws on numerical
 * trouble: divergence is reported as stopReason 'diverged' with the best iterate so far.
 * Synchronous, on the calling thread (sweep workers, tests); `fitGenerator` runs it on a worker
 * thread and returns a Promise (offThread/fitGenerator.ts).
 */
export function fitGeneratorSync(options: FitGeneratorOptions): RecoveryResult<GeneratorFitInfo> {
  const fn = 'fitGenerator';
  checkOptions(fn, options, KNOWN);
  const gen = checkGenerator(fn, options.generator);
  const A = checkOperator(fn, 'operator', options.operator);
  if (A.inSize !== gen.outSize) {
    throw new ShapeMismatchError(fn, 'operator', `an input of size ${gen.outSize} (generator output [${gen.outShape.join(', ')}])`, `input [${A.inShape.join(', ')}]`);
  }
  const y = toFloat64(fn, 'measurements', options.measurements, A.outSize, { copy: true });
  const iterations = checkInteger(fn, 'iterations', options.iterations, 1);
  const lr = checkNumber(fn, 'learningRate', options.learningRate ?? 0.01, { min: 0, exclusiveMin: true });
  const optimizerKind = checkOneOf(fn, 'optimizer', options.optimizer ?? 'adam', ['adam', 'sgd'] as const);
  const seed = checkSeed(fn, options.seed ?? gen.seed);
  const reference = options.reference === undefined ? null : toFloat64(fn, 'reference', options.reference, gen.outSize);
  const dataRange = checkNumber(fn, 'dataRange', options.dataRange ?? 1, { min: 0, exclusiveMin: true });
  const lossTolerance = options.lossTolerance === undefined ? -1 : checkNumber(fn, 'lossTolerance', options.lossTolerance, { min: 0 });
  const jitter = options.inputJitter === undefined ? 0 : checkNumber(fn, 'inputJitter', options.inputJitter, { min: 0 });
  const ema = options.outputAveraging === undefined ? 0 : checkNumber(fn, 'outputAveraging', options.outputAveraging, { min: 0, max: 1, exclusiveMax: true });
  const backtrack = options.backtracking === undefined ? 0 : checkNumber(fn, 'backtracking', options.backtracking, { min: 1, exclusiveMin: true });
  const progressEvery = checkInteger(fn, 'progressEvery', options.progressEvery ?? 10, 1);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new InvalidArgumentError(fn, 'onProgress', 'a function', options.onProgress);
  }
  if (options.onIterate !== undefined && typeof options.onIterate !== 'function') {
    throw new InvalidArgumentError(fn, 'onIterate', 'a function', options.onIterate);
  }
  if (jitter > 0 && !gen.input) throw new InvalidArgumentError(fn, 'inputJitter', 'a generator with a fixed input', gen.name);

  const es = options.earlyStopping ?? 'none';
  let holdout: { fraction: number; patience: number; refit: boolean; groups: Int32Array | null } | null = null;
  let varianceRule: { window: number; patience: number } | null = null;
  if (es !== 'none') {
    if (!isPlainObject(es)) throw new InvalidArgumentError(fn, 'earlyStopping', "'none', {kind: 'holdout', ...} or {kind: 'variance', ...}", es);
    const kind = checkOneOf(fn, 'earlyStopping.kind', (es as { kind: unknown }).kind, ['holdout', 'variance'] as const);
    if (kind === 'holdout') {
      const h = es as { fraction?: number; patience?: number; refit?: boolean; groups?: ArrayLike<number> };
      checkOptions(`${fn}: earlyStopping`, es, ['kind', 'fraction', 'patience', 'refit', 'groups']);
      holdout = {
        fraction: checkNumber(fn, 'earlyStopping.fraction', h.fraction ?? 0.1, { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true }),
        patience: checkInteger(fn, 'earlyStopping.patience', h.patience ?? 200, 1),
        refit: h.refit ?? false,
        groups: h.groups === undefined ? null : checkGroups(fn, h.groups, A),
      };
    } else {
      const v = es as { window?: number; patience?: number };
      checkOptions(`${fn}: earlyStopping`, es, ['kind', 'window', 'patience']);
      varianceRule = { window: checkInteger(fn, 'earlyStopping.window', v.window ?? 100, 2), patience: checkInteger(fn, 'earlyStopping.patience', v.patience ?? 500, 1) };
    }
  }
  let sgld: { noiseScale: number; burnIn: number; thinning: number } | null = null;
  if (options.sgld) {
    const s = options.sgld === true ? {} : options.sgld;
    if (!isPlainObject(s)) throw new InvalidArgumentError(fn, 'sgld', 'true or {noiseScale, burnIn, thinning}', s);
    checkOptions(`${fn}: sgld`, s, ['noiseScale', 'burnIn', 'thinning']);
    sgld = {
      noiseScale: checkNumber(fn, 'sgld.noiseScale', s.noiseScale ?? 2, { min: 0 }),
      burnIn: checkInteger(fn, 'sgld.burnIn', s.burnIn ?? Math.floor(iterations / 2), 0, iterations - 1),
      thinning: checkInteger(fn, 'sgld.thinning', s.thinning ?? 1, 1),
    };
    if (holdout || varianceRule) throw new InvalidArgumentError(fn, 'earlyStopping', "'none' with SGLD (the sample average replaces early stopping)", es);
  }
  let tvPenalty: { weight: number; smoothing: number } | null = null;
  if (options.tvPenalty !== undefined) {
    const t = options.tvPenalty;
    if (!isPlainObject(t)) throw new InvalidArgumentError(fn, 'tvPenalty', '{weight, smoothing?}', t);
    checkOptions(`${fn}: tvPenalty`, t, ['weight', 'smoothing']);
    const weight = checkNumber(fn, 'tvPenalty.weight', t.weight, { min: 0 });
    const smoothing = checkNumber(fn, 'tvPenalty.smoothing', t.smoothing ?? 1e-3, { min: 0, exclusiveMin: true });
    if (weight > 0) tvPenalty = { weight, smoothing };
    if (tvPenalty) tvLayout(fn, gen.outShape); // the output must have a TV: [n], [h, w], [c, h, w]
  }
  let checkpoint: { path: string; every: number; keep: boolean } | null = null;
  if (options.checkpoint !== undefined) {
    const c = options.checkpoint;
    if (!isPlainObject(c)) throw new InvalidArgumentError(fn, 'checkpoint', '{path, every?, keep?}', c);
    checkOptions(`${fn}: checkpoint`, c, ['path', 'every', 'keep']);
    if (typeof c.path !== 'string' || c.path.length === 0) throw new InvalidArgumentError(fn, 'checkpoint.path', 'a file path', c.path);
    if (c.keep !== undefined && typeof c.keep !== 'boolean') throw new InvalidArgumentError(fn, 'checkpoint.keep', 'a boolean', c.keep);
    checkpoint = { path: c.path, every: checkInteger(fn, 'checkpoint.every', c.every ?? 500, 1), keep: c.keep ?? false };
    // Found now, not at the first write hours into the fit.
    checkWritableFolder(fn, 'checkpoint.path', c.path);
    if (holdout?.refit) throw new InvalidArgumentError(fn, 'checkpoint', 'no checkpoint with earlyStopping.refit (a fit in two runs)', c);
  }

  const recordedOptions = {
    generator: gen.name,
    generatorConfig: gen.config,
    numParams: gen.numParams,
    operator: A.name,
    iterations,
    learningRate: lr,
    optimizer: optimizerKind,
    earlyStopping: es,
    lossTolerance: options.lossTolerance,
    inputJitter: jitter || undefined,
    outputAveraging: ema || undefined,
    backtracking: backtrack || undefined,
    sgld: sgld ?? undefined,
    tvPenalty: tvPenalty ?? undefined,
  };

  // What a checkpoint must match: the options as validated (defaults filled in, key order fixed)
  // and digests of the data; the operator by its action on a fixed probe (see fitCheckpoint.ts).
  const checkpointFingerprint = () => ({
    ...recordedOptions,
    earlyStopping: holdout ? { kind: 'holdout', fraction: holdout.fraction, patience: holdout.patience, groups: holdout.groups ? arrayDigest(holdout.groups) : null } : varianceRule ? { kind: 'variance', window: varianceRule.window, patience: varianceRule.patience } : 'none',
    lossTolerance: options.lossTolerance ?? null,
    seed,
    measurements: arrayDigest(y),
    reference: reference ? arrayDigest(reference) : null,
    dataRange,
    input: gen.input ? arrayDigest(gen.input) : null,
    operator: operatorProbe(A),
  });

  const run = (iters: number, weights: Uint8Array | null, allowEarlyStop: boolean) =>
    fitLoop({
      gen, A, y, iters, lr, optimizerKind, seed, reference, dataRange, lossTolerance, jitter, ema, backtrack, sgld, weights, tvPenalty,
      holdout: allowEarlyStop ? holdout : null,
      varianceRule: allowEarlyStop ? varianceRule : null,
      onProgress: options.onProgress,
      onIterate: options.onIterate,
      progressEvery,
      signal: options.signal,
      checkpoint: allowEarlyStop ? checkpoint : null,
      fingerprint: checkpoint ? checkpointFingerprint() : {},
    });

  const start = performance.now();
  const rng = new Rng(seed);
  const pairSize = A.outShape[A.outShape.length - 1] === 2 && A.outShape.length > 1 ? 2 : 1;
  const weights = holdout ? holdoutWeights(A.outSize, pairSize, holdout.fraction, rng.fork('holdout'), holdout.groups) : null;
  let out = run(iterations, weights, true);
  let info: GeneratorFitInfo = { ...out.info };
  if (holdout?.refit && out.stopReason !== 'diverged' && out.stopReason !== 'aborted') {
    const refit = run(Math.max(1, out.bestIteration), null, false);
    info = { ...info, refitIterations: refit.iterations, heldOutBestIteration: out.bestIteration };
    out = { ...refit, stopReason: out.stopReason, bestIteration: out.bestIteration, history: { ...out.history, refitLoss: refit.history.loss } };
  }
  return {
    method: sgld ? 'sgld' : gen.name,
    x: out.x,
    shape: gen.outShape.slice(),
    iterations: out.iterations,
    stopReason: out.stopReason,
    bestIteration: out.bestIteration,
    history: out.history,
    timeMs: performance.now() - start,
    seed,
    options: recordedOptions,
    variance: out.variance,
    info,
  };
}

interface LoopArgs {
  gen: Generator;
  A: LinearOperator;
  y: Float64Array;
  iters: number;
  lr: number;
  optimizerKind: 'adam' | 'sgd';
  seed: Seed;
  reference: Float64Array | null;
  dataRange: number;
  lossTolerance: number;
  jitter: number;
  ema: number;
  backtrack: number;
  sgld: { noiseScale: number; burnIn: number; thinning: number } | null;
  weights: Uint8Array | null;
  tvPenalty: { weight: number; smoothing: number } | null;
  holdout: { patience: number } | null;
  varianceRule: { window: number; patience: number } | null;
  onProgress?: (p: FitProgress) => void;
  onIterate?: (x: Float64Array, iteration: number) => number | void;
  progressEvery: number;
  signal?: AbortSignal;
  checkpoint: { path: string; every: number; keep: boolean } | null;
  /** What the fit is, for its checkpoint (the initial parameters are added in the loop). */
  fingerprint: { [key: string]: unknown };
}

interface LoopResult {
  x: Float64Array;
  iterations: number;
  stopReason: StopReason;
  bestIteration: number;
  history: RecoveryResult['history'];
  variance?: Float64Array;
  info: GeneratorFitInfo;
}

/**
 * One fit on the shared driver (runIterations): the step is the generator forward, the losses and
 * the selection of the returned iterate; the gradient update of an accepted step runs at the
 * start of the next one (or after the loop), so a rule that stops the run skips it exactly as a
 * hand-written loop breaking before its update would. Early stopping, the output variance and
 * the SGLD average are the parts in earlyStopping.ts.
 */
function fitLoop(a: LoopArgs): LoopResult {
  const { gen, A, y, weights } = a;
  const n = gen.outSize;
  const m = y.length;
  // Input jitter and SGLD weight noise of iteration `it` are row `it` of a counter-based
  // (Philox) normal matrix: filled natively in ~2 ms per 2.2 million where one Alea stream took
  // ~35 ms on the fit's thread (a 256x256 SGLD step on two threads: 460 -> 345 ms, BENCHMARKS.md),
  // and a resumed fit needs no stream state.
  const [jitterK0, jitterK1] = philoxKey(a.seed, 'fit:jitter');
  const [noiseK0, noiseK1] = philoxKey(a.seed, 'fit:sgld');
  const params = gen.initialParams();
  const opt = a.optimizerKind === 'adam' ? new Adam(params.length, { learningRate: a.lr }) : new Sgd(params.length, { learningRate: a.lr });
  const mTrain = weights ? weights.reduce((s, w) => s + w, 0) : m;
  const mVal = m - mTrain;
  const inputBase = a.jitter > 0 && gen.input ? new Float64Array(gen.input) : null;
  const jitterNoise = inputBase ? new Float32Array(inputBase.length) : null;
  const weightNoise = a.sgld ? new Float32Array(params.length) : null;
  const x = new Float64Array(n);
  const gradOut = new Float64Array(n);
  const residual = new Float64Array(m);
  const tv = a.tvPenalty ? smoothedTv('fitGenerator', gen.outShape, a.tvPenalty.weight, a.tvPenalty.smoothing) : null;
  const best = new BestIterate(n);
  const avg = a.ema > 0 ? new Float64Array(n) : null;
  const saved = a.backtrack > 0 ? params.slice() : null;
  // A device engine (tfjs) keeps parameters and Adam on the device when the loop never touches them on the host.
  const onEngine = !saved && !a.sgld && !a.checkpoint && gen.trainOnEngine ? gen.trainOnEngine({ kind: a.optimizerKind, learningRate: a.lr, params }) : null;
  const samples = a.sgld ? new SampleAccumulator(n) : null;
  const vr = a.varianceRule;
  const variance = vr ? new OutputVariance(vr.window, n) : null;
  const rules: StopRule[] = [];
  // Order matters: a loss at tolerance is 'converged' even when patience ran out at the same step.
  if (a.lossTolerance >= 0) rules.push(below('loss', a.lossTolerance));
  if (a.holdout) rules.push(heldOutPatience(best, a.holdout.patience));
  if (vr) rules.push(variancePatience(best, vr.window, vr.patience));

  let lastGoodLoss = Infinity;
  let done = 0;
  const info: GeneratorFitInfo = {};
  let backtracks = 0;
  // The step whose gradient update is still due, with its iteration (a rejected one too: backtracking).
  let pending: { step: { backward(g: ArrayLike<number>): FloatArray | undefined }; it: number; rejected: boolean } | null = null;

  // Resumable fits: everything above that changes from step to step, in and out of a file.
  let ck = a.checkpoint;
  // rollBack: a checkpoint of a fit that ran the earlier roll-back (restore, no step) must not be
  // continued under this one; noise: nor one whose jitter or SGLD noise came from the earlier
  // sequential streams (before 2026-12-04).
  const fingerprint = ck
    ? (JSON.parse(JSON.stringify({ format: 1, ...a.fingerprint, ...(saved ? { rollBack: 'restore-then-step' } : {}), ...(inputBase || a.sgld ? { noise: 'philox-rows' } : {}), initialParams: arrayDigest(params) })) as { [key: string]: CheckpointJson })
    : {};
  // The driver appends to this object, so a checkpoint always holds the history so far.
  let driverHistory: Record<string, number[]> = {};
  let resumeAt = 0;
  const saveCheckpoint = (it: number) => {
    if (!ck) return;
    const o = opt.state();
    // x: the last output, which a finished fit resumed from its final state returns (no average, no best yet).
    const arrays: Record<string, CheckpointArray> = { params, optM: o.m, optV: o.v, bestX: best.x, x };
    if (saved) arrays.saved = saved;
    if (avg) arrays.avg = avg;
    if (samples) Object.assign(arrays, { sampleMean: samples.mean, sampleM2: samples.m2 });
    if (variance) Object.assign(arrays, { varRing: variance.ring, varSum: variance.sum, varSq: variance.sq });
    for (const [k, v] of Object.entries(driverHistory)) arrays[`history.${k}`] = Float64Array.from(v);
    const state = {
      iteration: it,
      done,
      backtracks,
      optSteps: o.t,
      lastGoodLoss: String(lastGoodLoss),
      best: { score: String(best.score), iteration: best.iteration, sinceBest: best.sinceBest },
      samples: samples ? samples.samples : 0,
      history: Object.keys(driverHistory),
    };
    // A failed write (disk full, folder removed) must not cost the fit: reported, and no more tried.
    try {
      writeCheckpoint(ck.path, { fingerprint, state, arrays });
    } catch (err) {
      info.checkpointError = `iteration ${it}: ${err instanceof Error ? err.message : String(err)}`;
      ck = null;
    }
  };
  if (ck) {
    const file = readCheckpoint('fitGenerator', ck.path);
    if (file) {
      const differ = fingerprintDifferences(fingerprint, file.fingerprint);
      if (differ.length > 0) {
        throw new CheckpointMismatchError('fitGenerator', 'checkpoint.path', `a checkpoint of this same fit (this file's fit has another ${differ.join(', ')}; delete it to start afresh)`, ck.path);
      }
      const st = file.state as unknown as { iteration: number; done: number; backtracks: number; optSteps: number; lastGoodLoss: string; best: { score: string; iteration: number; sinceBest: number }; samples: number; history: string[] };
      const arr = file.arrays;
      params.set(arr.params!);
      x.set(arr.x!);
      opt.restore({ m: arr.optM as Float64Array, v: arr.optV as Float64Array, t: st.optSteps });
      best.x.set(arr.bestX!);
      best.score = Number(st.best.score);
      best.iteration = st.best.iteration;
      best.sinceBest = st.best.sinceBest;
      if (saved) saved.set(arr.saved!);
      if (avg) avg.set(arr.avg!);
      if (samples) {
        samples.mean.set(arr.sampleMean!);
        samples.m2.set(arr.sampleM2!);
        samples.samples = st.samples;
      }
      if (variance) {
        variance.ring.set(arr.varRing!);
        variance.sum.set(arr.varSum!);
        variance.sq.set(arr.varSq!);
      }
      driverHistory = Object.fromEntries(st.history.map((k) => [k, Array.from(arr[`history.${k}`]!)]));
      lastGoodLoss = Number(st.lastGoodLoss);
      backtracks = st.backtracks;
      done = st.done;
      resumeAt = st.iteration;
    }
  }

  const update = () => {
    if (!pending) return;
    const { step, it, rejected } = pending;
    pending = null;
    // Gradient: d/dx (1/m)||P(Ax - y)||^2 = (2/m) A^T P (Ax - y); x is still this step's output.
    const atr = A.applyAdjoint(residual);
    const scale = 2 / mTrain;
    for (let i = 0; i < n; i++) gradOut[i] = scale * atr[i]!;
    if (tv) tv.addGradient(x, gradOut, 1 / mTrain);
    const grad = step.backward(gradOut);
    if (rejected) params.set(saved!);
    if (onEngine) onEngine.step();
    else if (grad) opt.step(params, grad);
    if (a.sgld) {
      const sigma = a.sgld.noiseScale * a.lr;
      const mask = gen.weightMask;
      philoxNormalRow(noiseK0, noiseK1, it, weightNoise!);
      for (let i = 0; i < params.length; i++) if (mask[i] === 1) params[i]! += sigma * weightNoise![i]!;
      if (!rejected && it >= a.sgld.burnIn && (it - a.sgld.burnIn) % a.sgld.thinning === 0) samples!.add(x);
    }
  };

  const iterate = (it: number): StepOutcome => {
    update();
    if (ck && it > resumeAt && it % ck.every === 0) saveCheckpoint(it);
    if (inputBase && gen.input) {
      const input = gen.input as FloatArray;
      philoxNormalRow(jitterK0, jitterK1, it, jitterNoise!);
      for (let i = 0; i < input.length; i++) input[i] = inputBase[i]! + a.jitter * jitterNoise![i]!;
    }
    const step = onEngine ? onEngine.forward() : gen.forward(params);
    const out = step.output;
    for (let i = 0; i < n; i++) {
      const v = out[i]!;
      if (v - v !== 0) {
        info.divergence = `non-finite generator output at iteration ${it}`;
        return { stop: 'diverged' };
      }
      x[i] = v;
    }
    const ax = A.apply(x);
    let trainLoss = 0;
    let valLoss = 0;
    for (let i = 0; i < m; i++) {
      const r = ax[i]! - y[i]!;
      if (weights && weights[i] === 0) {
        valLoss += r * r;
        residual[i] = 0;
      } else {
        trainLoss += r * r;
        residual[i] = r;
      }
    }
    trainLoss /= mTrain;
    if (mVal > 0) valLoss /= mVal;
    if (!Number.isFinite(trainLoss)) {
      info.divergence = `non-finite loss at iteration ${it}`;
      return { stop: 'diverged' };
    }
    // DIP backtracking as the reference notebooks (DIP, Bayesian DIP) do it: a jump in the loss
    // restores the last good parameters, and the step is then still taken, from them, with the
    // rejected iterate's gradient (their closure calls backward() before the check, and
    // optimizer.step() runs after it; update() restores after its backward for that reason).
    // Restoring without that step retakes the same step from nearly the same Adam state, which
    // can be rejected again. The rejected iterate is counted and recorded like any other (the
    // notebooks' PSNR lists have one entry per call, read by index), but is never the returned
    // best nor an SGLD sample.
    let rejected = false;
    if (saved && it > 0 && trainLoss > a.backtrack * lastGoodLoss) {
      backtracks++;
      rejected = true;
    } else if (saved) {
      saved.set(params);
      lastGoodLoss = trainLoss;
    }
    done = it + 1;
    // The output this iteration contributes (averaged when asked).
    let current: Float64Array = x;
    if (avg) {
      if (it === 0) avg.set(x);
      else for (let i = 0; i < n; i++) avg[i] = a.ema * avg[i]! + (1 - a.ema) * x[i]!;
      current = avg;
    }
    // History fields in their documented order: loss, psnr, valLoss, outputVariance.
    const measures: Measures = { loss: trainLoss };
    if (a.reference) measures.psnr = psnrValue(samples && samples.samples > 0 ? samples.mean : current, a.reference, a.dataRange);
    if (weights) measures.valLoss = valLoss;
    // Selection of the returned iterate.
    let score = weights ? valLoss : trainLoss;
    if (variance) {
      // The raw iterate's instability is the statistic (an average's variance mostly falls, so a rule
      // on it stopped late or never); the averaged output is still what the rule keeps and returns.
      const v = variance.push(x, it);
      measures.outputVariance = v;
      score = Number.isNaN(v) ? Infinity : v;
    }
    if (!rejected) best.offer(score, it + 1, current);
    const monitored = a.onIterate?.(current, it + 1);
    if (typeof monitored === 'number') measures.monitor = monitored;
    pending = { step, it, rejected };
    return measures;
  };

  let run: DriverResult;
  // A throwing callback (onProgress, onIterate, the operator) must not leave the generator's input jittered.
  try {
    run = runIterations(iterate, { maxIterations: a.iters, rules, signal: a.signal, onProgress: a.onProgress, progressEvery: a.progressEvery, resume: { iteration: resumeAt, history: driverHistory } });
    // A run that was not stopped by a rule completed its last update (it counts for SGLD).
    if (run.stopReason === 'max-iterations' || run.stopReason === 'aborted') update();
    // An aborted fit leaves its state to resume from; a finished one has no more use for it,
    // unless kept: then a fit that ran all its iterations leaves its final state, so running it
    // again returns at once (one that stopped on a rule leaves its last checkpoint, from which it
    // stops again at the same iteration).
    if (ck && (run.stopReason === 'aborted' || (ck.keep && run.stopReason === 'max-iterations'))) saveCheckpoint(run.iterations);
    else if (ck && !ck.keep) removeCheckpoint(ck.path);
  } finally {
    onEngine?.dispose();
    if (inputBase && gen.input) (gen.input as FloatArray).set(inputBase);
  }
  const stopReason = run.stopReason;
  const history: RecoveryResult['history'] = { loss: run.history.loss ?? [] };
  if (a.reference) history.psnr = run.history.psnr ?? [];
  if (weights) history.valLoss = run.history.valLoss ?? [];
  if (vr) history.outputVariance = run.history.outputVariance ?? [];
  if (run.history.monitor) history.monitor = run.history.monitor;
  if (backtracks > 0) {
    info.backtracks = backtracks;
    const at = rejectedIterations(history.loss, a.backtrack);
    // the count is the fit's own; a list that disagrees with it would mislead, so none is given
    if (at.length === backtracks) info.backtrackIterations = at;
  }

  let result: Float64Array;
  let posteriorVariance: Float64Array | undefined;
  const bestIteration = best.iteration;
  if (samples && samples.samples > 0) {
    result = new Float64Array(samples.mean);
    posteriorVariance = samples.variance();
    info.samples = samples.samples;
  } else if (bestIteration > 0 && (weights || vr || stopReason === 'diverged' || stopReason === 'aborted' || !avg)) {
    result = new Float64Array(best.x);
  } else {
    result = Float64Array.from(avg ?? x);
  }
  if (a.sgld && samples!.samples === 0 && bestIteration > 0) result = new Float64Array(best.x);
  return { x: result, iterations: done, stopReason, bestIteration, history, variance: posteriorVariance, info };
}

/**
 * The iterates a backtracking fit rejected, from its loss history: iterate i (0-based, i > 0) is
 * rejected when its loss exceeds `factor` times the last accepted iterate's, the fit's own rule.
 * Returns 1-based iteration numbers.
 */
function rejectedIterations(loss: readonly number[], factor: number): number[] {
  const out: number[] = [];
  let lastGood = loss[0] ?? Infinity;
  for (let i = 1; i < loss.length; i++) {
    if (loss[i]! > factor * lastGood) out.push(i + 1);
    else lastGood = loss[i]!;
  }
  return out;
}
