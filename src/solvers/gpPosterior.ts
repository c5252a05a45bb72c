import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import { dot } from '../core/vector.js';
import { checkInteger, checkNumber, checkOptions, checkSeed, checkShape, toFloat64, type NumericArray } from '../core/validate.js';
import { fftNdInPlace } from '../fft/fft.js';
import { nextFastSize } from '../fft/mixedRadix.js';
import { checkOperator, type LinearOperator } from '../operators/linearOperator.js';
import type { StationaryKernel } from '../priors/gp/kernels.js';
import { below, divergence, runIterations } from './driver.js';
import type { RecoveryResult, StopReason } from './result.js';

/**
 * The prior covariance of a stationary kernel on an n-point (1D or 2D) grid, applied by FFT:
 * the Toeplitz matrix is embedded in a circulant of size >= 2n - 1 per axis, so products are
 * exact and cost O(N log N); never an N x N matrix. Also draws prior samples (two per complex
 * FFT) from the embedding, clipping the rare negative eigenvalues.
 */
export class CirculantCovariance {
  readonly shape: number[];
  readonly embed: number[];
  readonly size: number;
  readonly embedSize: number;
  /** Eigenvalues of the embedding (real, from the unnormalised DFT of its first row). */
  readonly spectrum: Float64Array;
  /** Fraction of spectral mass clipped to make the embedding PSD (sampling only). */
  readonly clippedMass: number;
  private readonly buf: Float64Array;

  constructor(kernel: StationaryKernel, shape: number[]) {
    this.shape = shape.slice();
    this.size = sizeOf(shape);
    // The kernel's effective range R: beyond it |K| < 1e-12 K(0). An embedding of n + R points
    // per axis (rounded up to a fast FFT size) keeps every product exact to that level.
    const k0 = Math.abs(kernel.evaluate(0));
    const longest = Math.max(...shape);
    let range = 0;
    for (let r = 1; r < longest; r++) if (Math.abs(kernel.evaluate(r)) > 1e-12 * k0) range = r;
    this.embed = shape.map((n) => (n === 1 ? 1 : nextFastSize(Math.min(n + range + 1, 2 * n - 1))));
    this.embedSize = sizeOf(this.embed);
    const c = new Float64Array(2 * this.embedSize);
    const [Lh, Lw] = this.embed.length === 2 ? (this.embed as [number, number]) : [1, this.embed[0]!];
    for (let i = 0; i < Lh; i++) {
      const dy = Math.min(i, Lh - i);
      for (let j = 0; j < Lw; j++) {
        const dx = Math.min(j, Lw - j);
        c[2 * (i * Lw + j)] = kernel.evaluate(Math.hypot(dy, dx));
      }
    }
    fftNdInPlace(c, this.embed, false);
    const scale = Math.sqrt(this.embedSize); // orthonormal FFT -> eigenvalues
    this.spectrum = new Float64Array(this.embedSize);
    let neg = 0;
    let total = 0;
    for (let i = 0; i < this.embedSize; i++) {
      const v = c[2 * i]! * scale;
      this.spectrum[i] = v;
      total += Math.abs(v);
      if (v < 0) neg += -v;
    }
    this.clippedMass = total > 0 ? neg / total : 0;
    this.buf = new Float64Array(2 * this.embedSize);
  }

  private pad(v: ArrayLike<number>, im?: ArrayLike<number>): void {
    const b = this.buf;
    b.fill(0);
    const [h, w] = this.shape.length === 2 ? (this.shape as [number, number]) : [1, this.shape[0]!];
    const Lw = this.embed[this.embed.length - 1]!;
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        b[2 * (i * Lw + j)] = v[i * w + j]!;
        if (im) b[2 * (i * Lw + j) + 1] = im[i * w + j]!;
      }
  }

  private crop(out: Float64Array, part: 0 | 1): void {
    const [h, w] = this.shape.length === 2 ? (this.shape as [number, number]) : [1, this.shape[0]!];
    const Lw = this.embed[this.embed.length - 1]!;
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[i * w + j] = this.buf[2 * (i * Lw + j) + part]!;
  }

  /** out = f(C) v for a spectral function f of the eigenvalues (identity: the covariance). */
  applySpectral(v: ArrayLike<number>, f: (lambda: number) => number, out = new Float64Array(this.size)): Float64Array {
    this.pad(v);
    fftNdInPlace(this.buf, this.embed, false);
    for (let i = 0; i < this.embedSize; i++) {
      const g = f(this.spectrum[i]!);
      this.buf[2 * i]! *= g;
      this.buf[2 * i + 1]! *= g;
    }
    fftNdInPlace(this.buf, this.embed, true);
    this.crop(out, 0);
    return out;
  }

  /** K v. Two real vectors share one complex transform when `w` is given. */
  apply(v: ArrayLike<number>, out = new Float64Array(this.size)): Float64Array {
    return this.applySpectral(v, (l) => l, out);
  }

  /** Two independent prior samples on the grid. */
  sample(rng: Rng): [Float64Array, Float64Array] {
    const b = this.buf;
    for (let i = 0; i < this.embedSize; i++) {
      const s = Math.sqrt(Math.max(0, this.spectrum[i]!));
      b[2 * i] = s * rng.gaussian();
      b[2 * i + 1] = s * rng.gaussian();
    }
    fftNdInPlace(b, this.embed, true);
    const a = new Float64Array(this.size);
    const c = new Float64Array(this.size);
    this.crop(a, 0);
    this.crop(c, 1);
    return [a, c];
  }
}

/**
 * Options of gpPosterior: kernel, operator, measurements, noise variance, prior mean and posterior
 * samples.
 */
export interface GpPosteriorOptions {
  kernel: StationaryKernel;
  operator: LinearOperator;
  measurements: NumericArray;
  /** Variance of the measurement noise (a small nugget such as 1e-4 for noiseless data). */
  noiseVariance: number;
  /** Grid shape of the signal, [n] or [h, w]. Defaults to the operator's input shape. */
  shape?: readonly number[];
  /** Constant prior mean, or 'auto' (least-squares fit of a constant to the data). Default 0. */
  priorMean?: number | 'auto';
  /** Posterior samples for the per-pixel variance (pathwise conditioning); 0 for the mean only. */
  samples?: number;
  seed?: Seed;
  iterations?: number;
  /** Relative residual of the conjugate-gradient solves (default 1e-6). */
  tolerance?: number;
  /** Circulant preconditioner assuming A^T A ~ rho I (default true). */
  preconditioner?: boolean;
  /** Exact per-pixel variance (one solve per pixel: small grids only, at most 4096 pixels). */
  exactVariance?: boolean;
  /**
   * Relative residual of the per-sample solves (default 1e-3): a variance from a handful of
   * samples has a Monte Carlo error far above that, and the tight mean tolerance made each
   * sample cost ~2 s on a 64x64 RBF problem.
   */
  sampleTolerance?: number;
}

/**
 * Exact GP regression y = A f + e, f ~ GP(m, K), e ~ N(0, s^2 I), for any operator A:
 * mean = m + K A^T (A K A^T + s^2 I)^{-1} (y - A m) by preconditioned conjugate gradients with K
 * applied by FFT; per-pixel variance from posterior samples by pathwise conditioning
 * f0 + K A^T (A K A^T + s^2 I)^{-1} (y - A f0 - e0), f0 and e0 prior draws.
 */
export function gpPosterior(options: GpPosteriorOptions): RecoveryResult {
  const fn = 'gpPosterior';
  checkOptions(fn, options, ['kernel', 'operator', 'measurements', 'noiseVariance', 'shape', 'priorMean', 'samples', 'seed', 'iterations', 'tolerance', 'preconditioner', 'exactVariance', 'sampleTolerance']);
  const A = checkOperator(fn, 'operator', options.operator);
  const y = toFloat64(fn, 'measurements', options.measurements, A.outSize, { copy: true });
  if (!options.kernel || typeof options.kernel.evaluate !== 'function') throw new InvalidArgumentError(fn, 'kernel', 'a StationaryKernel (rbfKernel, dipKernel, ...)', options.kernel);
  const s2 = checkNumber(fn, 'noiseVariance', options.noiseVariance, { min: 0, exclusiveMin: true });
  const shape = checkShape(fn, 'shape', options.shape ?? A.inShape.slice());
  if (shape.length > 2 || sizeOf(shape) !== A.inSize) throw new InvalidArgumentError(fn, 'shape', `a 1D or 2D grid of size ${A.inSize}`, shape);
  const samples = checkInteger(fn, 'samples', options.samples ?? 0, 0);
  const iterations = checkInteger(fn, 'iterations', options.iterations ?? 1000, 1);
  const tol = checkNumber(fn, 'tolerance', options.tolerance ?? 1e-6, { min: 0, exclusiveMin: true });
  const seed = checkSeed(fn, options.seed ?? 0);
  const start = performance.now();
  const cov = new CirculantCovariance(options.kernel, shape);
  const n = A.inSize;
  const rng = new Rng(seed);
  // Prior mean
  let m0 = 0;
  if (options.priorMean === 'auto') {
    const a1 = A.apply(new Float64Array(n).fill(1));
    const d = dot(a1, a1);
    m0 = d > 0 ? dot(a1, y) / d : 0;
  } else if (options.priorMean !== undefined) m0 = checkNumber(fn, 'priorMean', options.priorMean);
  const resid = new Float64Array(y);
  if (m0 !== 0) {
    const a1 = A.apply(new Float64Array(n).fill(m0));
    for (let i = 0; i < resid.length; i++) resid[i]! -= a1[i]!;
  }
  // rho ~ trace(A^T A) / n from Rademacher probes, for the preconditioner.
  const probes = new Rng(`${String(seed)}/probes`);
  let rho = 0;
  for (let p = 0; p < 4; p++) {
    const z = Float64Array.from({ length: n }, () => (probes.bernoulli(0.5) ? 1 : -1));
    const az = A.apply(z);
    rho += dot(az, az) / n / 4;
  }
  const usePrec = options.preconditioner ?? true;
  const kMatvec = (v: Float64Array) => {
    const kv = cov.apply(A.applyAdjoint(v));
    const out = A.apply(kv);
    for (let i = 0; i < out.length; i++) out[i]! += s2 * v[i]!;
    return out;
  };
  const precond = (r: Float64Array) => (usePrec ? A.apply(cov.applySpectral(A.applyAdjoint(r), (l) => 1 / (rho * Math.max(l, 0) + s2))) : new Float64Array(r));
  const solve = (b: Float64Array, t = tol) => pcg(kMatvec, precond, b, iterations, t);
  const sampleTol = checkNumber(fn, 'sampleTolerance', options.sampleTolerance ?? Math.max(tol, 1e-3), { min: 0, exclusiveMin: true });
  const main = solve(resid);
  const mean = cov.apply(A.applyAdjoint(main.x));
  for (let i = 0; i < n; i++) mean[i]! += m0;
  let variance: Float64Array | undefined;
  let sampleIterations = 0;
  if (samples > 0) {
    const acc = new Float64Array(n);
    const sd = Math.sqrt(s2);
    for (let s = 0; s < samples; s += 2) {
      const pair = cov.sample(rng.fork(`prior${s}`));
      for (const f0 of pair.slice(0, Math.min(2, samples - s))) {
        // b = y - A (m0 + f0) - e0
        const af = A.apply(f0);
        const b = new Float64Array(resid.length);
        const er = rng.fork(`noise${s}`);
        for (let i = 0; i < b.length; i++) b[i] = resid[i]! - af[i]! - sd * er.gaussian();
        const r = solve(b, sampleTol);
        sampleIterations += r.iterations;
        const upd = cov.apply(A.applyAdjoint(r.x));
        // deviation of this posterior sample from the posterior mean
        for (let i = 0; i < n; i++) {
          const d = f0[i]! + upd[i]! + m0 - mean[i]!;
          acc[i]! += d * d;
        }
      }
    }
    variance = acc.map((v) => v / samples);
  }
  if (options.exactVariance) {
    if (n > 4096) throw new InvalidArgumentError(fn, 'exactVariance', 'a grid of at most 4096 pixels (use samples)', n);
    variance = new Float64Array(n);
    const e = new Float64Array(n);
    const k0 = options.kernel.evaluate(0);
    for (let i = 0; i < n; i++) {
      e.fill(0);
      e[i] = 1;
      const ki = cov.apply(e);
      const aki = A.apply(ki);
      const r = solve(aki);
      variance[i] = Math.max(0, k0 - dot(aki, r.x));
    }
  }
  const stopReason: StopReason = main.converged ? 'converged' : 'max-iterations';
  return {
    method: 'gp',
    x: mean,
    shape: shape.slice(),
    iterations: main.iterations,
    stopReason,
    bestIteration: main.iterations,
    history: main.history,
    timeMs: performance.now() - start,
    seed,
    options: { kernel: options.kernel.name, noiseVariance: s2, priorMean: m0, samples, iterations, tolerance: tol, preconditioner: usePrec },
    variance,
    info: { embedding: cov.embed, clippedSpectralMass: cov.clippedMass, rho, sampleIterations },
  };
}

/** Preconditioned conjugate gradients for an SPD operator, through the shared driver. */
function pcg(apply: (v: Float64Array) => Float64Array, precond: (r: Float64Array) => Float64Array, b: Float64Array, maxIter: number, tol: number) {
  const x = new Float64Array(b.length);
  const r = new Float64Array(b);
  let z = precond(r);
  const p = new Float64Array(z);
  let rz = dot(r, z);
  const bn = Math.sqrt(dot(b, b));
  if (bn === 0) return { x, iterations: 0, converged: true, history: { loss: [] as number[], optimality: [] as number[] } };
  const step = () => {
    const ap = apply(p);
    const alpha = rz / dot(p, ap);
    for (let i = 0; i < x.length; i++) {
      x[i]! += alpha * p[i]!;
      r[i]! -= alpha * ap[i]!;
    }
    const rel = Math.sqrt(dot(r, r)) / bn;
    z = precond(r);
    const rzNew = dot(r, z);
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < p.length; i++) p[i] = z[i]! + beta * p[i]!;
    // The CG quadratic 1/2 a^T M a - b^T a = -1/2 (b^T a + r^T a), which CG decreases monotonically.
    return { loss: -0.5 * (dot(b, x) + dot(r, x)), optimality: rel };
  };
  const run = runIterations(step, { maxIterations: maxIter, rules: [divergence('optimality'), below('optimality', tol)] });
  return { x, iterations: run.iterations, converged: run.stopReason === 'converged', history: run.history as { loss: number[]; optimality: number[] } };
}
