import { InvalidArgumentError } from '../core/errors.js';
import { checkInteger, checkNumber, checkOneOf, checkOptions, type NumericArray } from '../core/validate.js';
import { norm2 } from '../core/vector.js';
import { compose } from '../operators/algebra.js';
import { opNormSquared } from '../operators/dotTest.js';
import { identity } from '../operators/elementwise.js';
import { adjointOf } from '../operators/algebra.js';
import type { LinearOperator } from '../operators/linearOperator.js';
import { complexBasis, type BasisName } from './bases/bases.js';
import { resolveBasis, solverInputs } from './common.js';
import { heldOutSplit } from './heldOut.js';
import type { Seed } from '../core/rng.js';
import { below, divergence, runIterations, type Progress } from './driver.js';
import type { RecoveryResult } from './result.js';

/**
 * Options of fista / ista: operator, measurements, basis, weight (or the rule choosing it),
 * iterations and tolerances.
 */
export interface LassoOptions {
  operator: LinearOperator;
  measurements: NumericArray;
  /**
   * Analysis operator W with W^T W = I (coefficients = W x), or a basis name ('dct', 'haar',
   * 'db1'...'db20', 'identity'); identity when absent.
   */
  basis?: BasisName | LinearOperator;
  /** Wavelet depth for a wavelet basis given by name (default: automatic). */
  waveletLevels?: number;
  /** Shifts per axis for a wavelet basis given by name (cycle spinning; default 1: off). */
  cycleSpinning?: number;
  /** lambda in 1/2 ||A W^T c - y||^2 + lambda ||c||_1, given directly ... */
  lambda?: number;
  /** ... or as a fraction of lambda_max = ||W A^T y||_inf ... */
  lambdaRatio?: number;
  /** ... or chosen by a rule using this noise standard deviation per entry (see lambdaRule). */
  noiseSigma?: number;
  /**
   * The rule when neither lambda nor lambdaRatio is given: 'sure' (Stein's unbiased risk
   * estimate; the default when noiseSigma is given: on the Gaussian CS test it lands 0.1 dB from
   * the oracle weight where the discrepancy principle, which over-smooths, loses 0.8 dB),
   * 'discrepancy' (||r||^2 = m sigma^2, needs noiseSigma),
   * 'held-out' (10% of the measurements scored; the default without noiseSigma) or 'gcv'
   * (generalised cross-validation).
   */
  lambdaRule?: 'discrepancy' | 'sure' | 'gcv' | 'held-out';
  /** Seed of the held-out split (default 0). */
  seed?: Seed;
  /** Upper bound on the iterations (default 20000; the gap normally stops far earlier). */
  iterations?: number;
  /** Stop when the relative duality gap (P - D) / P is below this (default 1e-6). */
  tolerance?: number;
  /** Accelerated (FISTA, default) or plain (ISTA) proximal gradient. */
  acceleration?: 'fista' | 'ista';
  /** Adaptive restart of the momentum (O'Donoghue & Candes), default true. */
  restart?: boolean;
  /** Check the sufficient-decrease condition and grow L when it fails, default true. */
  backtracking?: boolean;
  /** Homotopy from lambda_max / 2 down to lambda (default: when lambda < 0.01 lambda_max). */
  continuation?: boolean;
  x0?: NumericArray;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Soft thresholding; on complex data (pairs) it shrinks the magnitude. */
function shrink(c: Float64Array, t: number, complex: boolean): void {
  if (complex) {
    for (let i = 0; i < c.length; i += 2) {
      const mag = Math.hypot(c[i]!, c[i + 1]!);
      const s = mag > t ? 1 - t / mag : 0;
      c[i]! *= s;
      c[i + 1]! *= s;
    }
  } else {
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!;
      c[i] = v > t ? v - t : v < -t ? v + t : 0;
    }
  }
}

function maxMagnitude(v: Float64Array, complex: boolean): number {
  let m = 0;
  if (complex) for (let i = 0; i < v.length; i += 2) m = Math.max(m, Math.hypot(v[i]!, v[i + 1]!));
  else for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}

interface Core {
  B: LinearOperator;
  y: Float64Array;
  L: number;
  complex: boolean;
  lambdaMax: number;
}

interface StageOptions {
  iterations: number;
  tolerance: number;
  accel: boolean;
  restart: boolean;
  backtracking: boolean;
  continuation: boolean;
  gapEvery: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

function l1(v: Float64Array, complex: boolean): number {
  let s = 0;
  if (complex) for (let i = 0; i < v.length; i += 2) s += Math.hypot(v[i]!, v[i + 1]!);
  else for (let i = 0; i < v.length; i++) s += Math.abs(v[i]!);
  return s;
}

/**
 * Relative duality gap of the Lasso at c (Bc given): the residual scaled into the dual feasible
 * set gives D = 1/2||y||^2 - 1/2||y - theta||^2 <= P, so (P - D) / P bounds the suboptimality.
 */
function relativeGap(core: Core, c: Float64Array, bc: Float64Array, lambda: number): number {
  const { B, y, complex } = core;
  const r = new Float64Array(y.length);
  let rr = 0;
  let yy = 0;
  for (let i = 0; i < y.length; i++) {
    r[i] = y[i]! - bc[i]!;
    rr += r[i]! * r[i]!;
    yy += y[i]! * y[i]!;
  }
  const P = 0.5 * rr + lambda * l1(c, complex);
  const s = Math.min(1, lambda / Math.max(maxMagnitude(B.applyAdjoint(r), complex), 1e-300));
  let d = 0;
  for (let i = 0; i < y.length; i++) d += (y[i]! - s * r[i]!) ** 2;
  const D = 0.5 * yy - 0.5 * d;
  return Math.max(0, P - D) / Math.max(P, 1e-300);
}

/**
 * FISTA (or ISTA) on one Lasso problem through the shared driver. With continuation the weight
 * starts at lambda_max / 2 and shrinks by CONTINUATION_FACTOR per iteration down to lambda
 * (warm-started homotopy); only iterations at the target weight can converge.
 */
function solveLasso(core: Core, lambda: number, c0: Float64Array, o: StageOptions) {
  const { B, y, complex } = core;
  let L = core.L;
  let c: Float64Array = new Float64Array(c0);
  let bc: Float64Array = B.apply(c);
  let z: Float64Array = new Float64Array(c); // extrapolated point
  let bz: Float64Array = new Float64Array(bc);
  let t = 1;
  let restarts = 0;
  let weight = o.continuation ? Math.max(lambda, core.lambdaMax / 2) : lambda;
  const step = (it: number) => {
    // B z is kept by linear extrapolation (no extra apply); it drifts by round-off, so it is
    // refreshed periodically and before any step-size increase, or near basis pursuit the
    // backtracking test fails on round-off alone and L grows without bound (seen: 10x slower).
    let fresh = it % 50 === 0;
    if (fresh && it > 0) bz = B.apply(z);
    let rz!: Float64Array;
    let fz = 0;
    let grad!: Float64Array;
    const gradientAtZ = () => {
      rz = new Float64Array(y.length);
      fz = 0;
      for (let i = 0; i < y.length; i++) {
        rz[i] = bz[i]! - y[i]!;
        fz += rz[i]! * rz[i]!;
      }
      fz *= 0.5;
      grad = B.applyAdjoint(rz);
    };
    gradientAtZ();
    let next: Float64Array;
    let bnext: Float64Array;
    // Backtracking: grow L until the quadratic model bounds f (a bounded number of times).
    for (let tries = 0; ; tries++) {
      next = new Float64Array(c.length);
      for (let i = 0; i < next.length; i++) next[i] = z[i]! - grad[i]! / L;
      shrink(next, weight / L, complex);
      bnext = B.apply(next);
      if (!o.backtracking) break;
      let fnext = 0;
      for (let i = 0; i < y.length; i++) fnext += (bnext[i]! - y[i]!) ** 2;
      fnext *= 0.5;
      let lin = 0;
      let quad = 0;
      for (let i = 0; i < next.length; i++) {
        const d = next[i]! - z[i]!;
        lin += grad[i]! * d;
        quad += d * d;
      }
      if (fnext <= fz + lin + 0.5 * L * quad + 1e-10 * (Math.abs(fz) + Math.abs(fnext)) || tries >= 30) break;
      if (!fresh) {
        fresh = true;
        bz = B.apply(z);
        gradientAtZ();
        continue;
      }
      L *= 1.5;
    }
    const diff = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) diff[i] = next[i]! - c[i]!;
    const change = norm2(diff) / Math.max(norm2(next), 1e-300);
    let momentum = 0;
    if (o.accel) {
      // Gradient-based adaptive restart: momentum pointing uphill resets t.
      let uphill = 0;
      for (let i = 0; i < c.length; i++) uphill += (z[i]! - next[i]!) * diff[i]!;
      if (o.restart && uphill > 0) {
        t = 1;
        restarts++;
      }
      const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
      momentum = (t - 1) / tNext;
      t = tNext;
    }
    z = new Float64Array(c.length);
    bz = new Float64Array(y.length);
    for (let i = 0; i < c.length; i++) z[i] = next[i]! + momentum * diff[i]!;
    for (let i = 0; i < y.length; i++) bz[i] = bnext[i]! + momentum * (bnext[i]! - bc[i]!);
    c = next;
    bc = bnext;
    let res = 0;
    for (let i = 0; i < y.length; i++) res += (bc[i]! - y[i]!) ** 2;
    const measures = { loss: 0.5 * res + weight * l1(c, complex), lambda: weight, change, gap: NaN };
    if (weight > lambda) {
      weight = Math.max(lambda, weight * CONTINUATION_FACTOR);
      measures.change = Infinity;
    } else if ((it + 1) % o.gapEvery === 0) {
      measures.gap = relativeGap(core, c, bc, lambda);
    }
    return measures;
  };
  const run = runIterations(step, { maxIterations: o.iterations, rules: [divergence('loss'), below('gap', o.tolerance)], onProgress: o.onProgress, signal: o.signal });
  return { c, bc, run, L, restarts };
}

/** Per-iteration shrink of the continuation weight (lambda_max/2 to 1e-5 lambda_max in ~210). */
const CONTINUATION_FACTOR = 0.95;
/** Continuation pays off below this fraction of lambda_max (above, FISTA converges fast anyway). */
const CONTINUATION_BELOW = 1e-2;

/**
 * Lasso details in a result: the weight used, how it was chosen, duality gap and continuation
 * path.
 */
export type LassoInfo = {
  lambda: number;
  lambdaMax: number;
  /** How lambda was set: given, a ratio of lambda_max, or a rule (see LassoOptions.lambdaRule). */
  lambdaRule: 'given' | 'ratio' | 'discrepancy' | 'sure' | 'gcv' | 'held-out';
  /** The weights tried by the sure/gcv path with their scores and degrees of freedom. */
  path?: { lambda: number[]; score: number[]; nonZeros: number[] };
  lipschitz: number;
  nonZeros: number;
  restarts: number;
  /** Relative duality gap at the returned iterate. */
  gap: number;
  continuation: boolean;
  discrepancyTarget?: number;
  coefficients: Float64Array;
};

/**
 * l1-synthesis Lasso, min 1/2 ||A W^T c - y||^2 + lambda ||c||_1, by FISTA (or ISTA) with
 * step 1/L from power iteration, backtracking and adaptive restart, continuation in lambda for
 * small lambda, and a stop on the relative duality gap (a certificate of optimality, unlike a
 * fixed count). Complex data (A acting on interleaved complex images with a real basis) shrinks
 * complex magnitudes. Returns x = W^T c.
 */
export function fista(options: LassoOptions): RecoveryResult<LassoInfo> {
  const fn = options.acceleration === 'ista' ? 'ista' : 'fista';
  checkOptions(fn, options, ['operator', 'measurements', 'basis', 'waveletLevels', 'cycleSpinning', 'lambda', 'lambdaRatio', 'noiseSigma', 'lambdaRule', 'seed', 'iterations', 'tolerance', 'acceleration', 'restart', 'backtracking', 'continuation', 'x0', 'onProgress', 'signal']);
  const { A, y, x0 } = solverInputs(fn, options.operator, options.measurements, options.x0);
  let W = resolveBasis(fn, options.basis, A, options.waveletLevels, options.cycleSpinning) ?? identity({ shape: A.inShape.slice() });
  const complex = W.inSize * 2 === A.inSize;
  if (complex) W = complexBasis(W);
  const given = [options.lambda, options.lambdaRatio, options.noiseSigma].filter((v) => v !== undefined).length;
  if (given > 1) throw new InvalidArgumentError(fn, 'lambda', 'at most one of lambda, lambdaRatio, noiseSigma', options);
  const iterations = checkInteger(fn, 'iterations', options.iterations ?? 20000, 1);
  const tol = checkNumber(fn, 'tolerance', options.tolerance ?? LASSO_TOLERANCE, { min: 0 });
  const accel = checkOneOf(fn, 'acceleration', options.acceleration ?? 'fista', ['fista', 'ista'] as const) === 'fista';
  const restart = options.restart ?? true;
  const backtracking = options.backtracking ?? true;
  const start = performance.now();
  const B = compose(A, adjointOf(W));
  const L = 1.02 * opNormSquared(B, { seed: 1, iterations: 60 });
  const lambdaMax = maxMagnitude(B.applyAdjoint(y), complex);
  const core: Core = { B, y, L: Math.max(L, 1e-300), complex, lambdaMax };
  const c0 = x0 ? W.apply(x0) : new Float64Array(W.outSize);
  const stage = (lambda: number, iters: number, stageTol: number): StageOptions => ({
    iterations: iters,
    tolerance: stageTol,
    accel,
    restart,
    backtracking,
    continuation: options.continuation ?? lambda < CONTINUATION_BELOW * lambdaMax,
    gapEvery: 10,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  let lambda: number;
  let lambdaRule: LassoInfo['lambdaRule'];
  let discrepancyTarget: number | undefined;
  let warm = c0;
  let path: LassoInfo['path'];
  const rule = options.lambdaRule === undefined ? undefined : checkOneOf(fn, 'lambdaRule', options.lambdaRule, ['discrepancy', 'sure', 'gcv', 'held-out'] as const);
  if (rule !== undefined && (options.lambda !== undefined || options.lambdaRatio !== undefined)) throw new InvalidArgumentError(fn, 'lambdaRule', 'no lambdaRule when lambda or lambdaRatio is given', rule);
  if ((rule === 'discrepancy' || rule === 'sure') && options.noiseSigma === undefined) throw new InvalidArgumentError(fn, 'noiseSigma', `the noise level for lambdaRule '${rule}'`, undefined);
  const sigma = options.noiseSigma === undefined ? undefined : checkNumber(fn, 'noiseSigma', options.noiseSigma, { min: 0, exclusiveMin: true });
  if (sigma !== undefined && rule === 'discrepancy') {
    // Discrepancy principle: ||B c - y||^2 = m sigma^2, bisection on log lambda with warm starts
    // from the larger lambda (whose solution is sparser and found faster).
    discrepancyTarget = y.length * sigma * sigma;
    let lo = Math.log(lambdaMax * 1e-7);
    let hi = Math.log(lambdaMax);
    for (let k = 0; k < 14; k++) {
      const mid = (lo + hi) / 2;
      const r = solveLasso(core, Math.exp(mid), warm, { ...stage(Math.exp(mid), Math.max(200, iterations >> 3), 1e-3), continuation: false });
      let res = 0;
      for (let i = 0; i < y.length; i++) res += (r.bc[i]! - y[i]!) ** 2;
      if (res > discrepancyTarget) hi = mid;
      else lo = mid;
      if (res > discrepancyTarget || k === 0) warm = r.c;
    }
    lambda = Math.exp((lo + hi) / 2);
    lambdaRule = 'discrepancy';
  } else if (options.lambda !== undefined) {
    lambda = checkNumber(fn, 'lambda', options.lambda, { min: 0 });
    lambdaRule = 'given';
  } else if (options.lambdaRatio !== undefined) {
    lambda = checkNumber(fn, 'lambdaRatio', options.lambdaRatio, { min: 0 }) * lambdaMax;
    lambdaRule = 'ratio';
  } else {
    // No weight given: a warm-started path of weights from lambda_max down (4 per decade),
    // stopping 3 points after the best score. 'held-out' (default without noiseSigma): fit on
    // 90% of the measurements, score on the rest, rescale the weight by m / m_train. 'sure'
    // (noise known): ||r||^2 - m s^2 + 2 s^2 df; 'gcv': ||r||^2 / (m (1 - df/m)^2); df = the
    // non-zeros (Zou, Hastie & Tibshirani 2007). Measured on a Gaussian CS problem (test/rules):
    // held-out and SURE land within ~0.3 dB of the oracle weight, GCV under-regularises by ~2.7 dB.
    lambdaRule = rule ?? (sigma !== undefined ? 'sure' : 'held-out');
    const split = lambdaRule === 'held-out' ? heldOutSplit(A, y, 0.1, options.seed ?? 0) : null;
    const pathCore: Core = split ? { ...core, B: compose(split.train, adjointOf(W)), y: split.yTrain, lambdaMax: maxMagnitude(compose(split.train, adjointOf(W)).applyAdjoint(split.yTrain), complex) } : core;
    const m = pathCore.y.length;
    path = { lambda: [], score: [], nonZeros: [] };
    let best = { score: Infinity, lambda: pathCore.lambdaMax, c: c0 };
    let worse = 0;
    for (let j = 1; j <= 28 && worse < 3; j++) {
      const lam = pathCore.lambdaMax * 10 ** (-j / 4);
      const r = solveLasso(pathCore, lam, warm, { ...stage(lam, Math.max(100, iterations >> 5), 1e-2), continuation: false });
      warm = r.c;
      let res = 0;
      for (let i = 0; i < m; i++) res += (r.bc[i]! - pathCore.y[i]!) ** 2;
      let df = 0;
      if (complex) for (let i = 0; i < r.c.length; i += 2) df += r.c[i] !== 0 || r.c[i + 1] !== 0 ? 2 : 0;
      else for (const v of r.c) if (v !== 0) df++;
      let score: number;
      if (split) {
        const v = split.validation.apply(W.applyAdjoint(r.c));
        score = 0;
        for (let i = 0; i < v.length; i++) score += (v[i]! - split.yValidation[i]!) ** 2;
      } else if (lambdaRule === 'sure') score = res - m * sigma! * sigma! + 2 * sigma! * sigma! * df;
      else score = df >= m ? Infinity : res / (m * (1 - df / m) ** 2);
      path.lambda.push(lam);
      path.score.push(score);
      path.nonZeros.push(df);
      if (score < best.score) {
        best = { score, lambda: lam, c: r.c };
        worse = 0;
      } else worse++;
    }
    lambda = best.lambda * (split ? split.scale : 1);
    warm = best.c;
  }
  const main = stage(lambda, iterations, tol);
  if (lambdaRule !== 'given' && lambdaRule !== 'ratio') main.continuation = options.continuation ?? false; // warm-started already
  const result = solveLasso(core, lambda, warm, main);
  let nnz = 0;
  for (const v of result.c) if (v !== 0) nnz++;
  const gap = relativeGap(core, result.c, result.bc, lambda);
  return {
    method: accel ? 'fista' : 'ista',
    x: W.applyAdjoint(result.c),
    shape: A.inShape.slice(),
    iterations: result.run.iterations,
    stopReason: result.run.stopReason,
    bestIteration: result.run.iterations,
    history: result.run.history as unknown as RecoveryResult['history'],
    timeMs: performance.now() - start,
    seed: null,
    options: { operator: A.name, basis: W.name, lambda, iterations, tolerance: tol, acceleration: accel ? 'fista' : 'ista', restart, backtracking, continuation: main.continuation, noiseSigma: options.noiseSigma, lambdaRatio: options.lambdaRatio },
    info: { lambda, lambdaMax, lambdaRule, lipschitz: result.L, nonZeros: nnz, restarts: result.restarts, gap, continuation: main.continuation, discrepancyTarget, path, coefficients: result.c },
  };
}

/** Default relative duality gap; see the measurement in the Lasso tests. */
const LASSO_TOLERANCE = 1e-6;

/** Plain proximal gradient (ISTA): fista with acceleration off. */
export function ista(options: Omit<LassoOptions, 'acceleration'>): RecoveryResult {
  return fista({ ...options, acceleration: 'ista' });
}

/** Lasso optimality residual: max over entries of the violation of the KKT conditions. */
export function lassoOptimality(B: LinearOperator, y: Float64Array, c: Float64Array, lambda: number): number {
  const r = B.apply(c);
  for (let i = 0; i < r.length; i++) r[i]! -= y[i]!;
  const g = B.applyAdjoint(r);
  let worst = 0;
  for (let i = 0; i < c.length; i++) {
    const v = c[i]! !== 0 ? Math.abs(g[i]! + lambda * Math.sign(c[i]!)) : Math.max(0, Math.abs(g[i]!) - lambda);
    worst = Math.max(worst, v);
  }
  return worst / Math.max(lambda, 1e-300);
}
