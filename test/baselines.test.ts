import { describe, expect, it } from 'vitest';
import {
  waveletBasis,
  dctBasis,
  daubechiesFilter,
  dotTest,
  leastSquares,
  fista,
  ista,
  lassoOptimality,
  omp,
  tv,
  dataConsistency,
  gaussian,
  identity,
  fourier,
  bernoulliMask,
  compose,
  adjointOf,
  addNoise,
  psnr,
  ssim,
  relativeError,
  nmse,
  Rng,
  InvalidArgumentError,
  ShapeMismatchError,
} from '../src/index.js';
import { maxAbsDiff, randn } from './helpers.js';

describe('wavelet bases', () => {
  it('db4 equals the published Daubechies coefficients (PyWavelets rec_lo)', () => {
    // eslint-disable-next-line no-loss-of-precision -- the reference values as PyWavelets prints them
    const ref = [0.2303778133088964, 0.7148465705529154, 0.6308807679298587, -0.027983769416859854, -0.18703481171909309, 0.030841381835560764, 0.0328830116668852, -0.010597401785069032];
    expect(maxAbsDiff(daubechiesFilter(4), ref)).toBeLessThan(1e-12);
  });
  const cases: [string, number[], string, number][] = [
    ['haar 1D', [64], 'haar', 6],
    ['db2 1D', [48], 'db2', 3],
    ['db4 2D', [32, 16], 'db4', 3],
    ['db8 2D', [16, 16], 'db8', 2],
    ['db6 1D deep (filter longer than the coarse signal)', [32], 'db6', 4],
  ];
  it.each(cases)('%s: orthonormal, perfect reconstruction, adjoint test', (_, shape, wavelet, levels) => {
    const W = waveletBasis({ shape, wavelet: wavelet as 'haar', levels });
    const x = randn(W.inSize, 3);
    const c = W.forward(x);
    // measured ~1e-15
    expect(maxAbsDiff(W.adjoint(c), x)).toBeLessThan(1e-12);
    const e2 = (v: Float64Array) => v.reduce((s, a) => s + a * a, 0);
    expect(Math.abs(e2(c) - e2(x)) / e2(x)).toBeLessThan(1e-13);
    expect(dotTest(W, { seed: 2 })).toBeLessThan(1e-10);
  });
  it('a smooth signal is compressible (energy concentrates in few coefficients)', () => {
    const n = 256;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / n) + (i > 100 ? 0.5 : 0));
    const c = waveletBasis({ shape: [n], wavelet: 'db4', levels: 5 }).forward(x);
    const sorted = Array.from(c, Math.abs).sort((a, b) => b - a);
    const top = sorted.slice(0, 32).reduce((s, v) => s + v * v, 0);
    expect(top / sorted.reduce((s, v) => s + v * v, 0)).toBeGreaterThan(0.999);
  });
  it('default depth: as deep as the shorter side allows, short of padding a side by more than 1/8', () => {
    const depth = (shape: number[], pad?: boolean) => Number(/(\d+) levels/.exec(waveletBasis({ shape, ...(pad === undefined ? {} : { pad }) }).name)![1]);
    expect(depth([64, 64])).toBe(6);
    expect(depth([1000])).toBe(9); // padded to 1024
    expect(depth([256, 258])).toBe(5); // 258 -> 288 (+11.6%); 6 levels would pad it to 320
    expect(depth([640, 368])).toBe(7); // 368 -> 384
    expect(depth([96], false)).toBe(5); // 96 = 3 * 2^5
    const W = waveletBasis({ shape: [64, 64] });
    const x = randn(W.inSize, 4);
    expect(maxAbsDiff(W.adjoint(W.forward(x)), x)).toBeLessThan(1e-12);
    expect(dotTest(W, { seed: 3 })).toBeLessThan(1e-10);
  });
  it('DCT basis is orthonormal', () => {
    expect(dotTest(dctBasis({ shape: [7, 5] }), { seed: 1 })).toBeLessThan(1e-10);
  });
  it('rejects bad input', () => {
    expect(() => waveletBasis({ shape: [30], levels: 2, pad: false })).toThrow(/divisible by 2\^levels = 4/);
    expect(() => waveletBasis({ shape: [32], wavelet: 'sym4' as never })).toThrow(InvalidArgumentError);
    expect(() => waveletBasis({ shape: [4, 4, 4] })).toThrow(InvalidArgumentError);
    expect(() => daubechiesFilter(0)).toThrow(InvalidArgumentError);
  });
});

describe('leastSquares', () => {
  it('matches a direct solve (overdetermined) and gives the minimum-norm solution (underdetermined)', () => {
    const A = gaussian({ m: 40, n: 15, seed: 1 });
    const xTrue = randn(15, 2);
    const y = A.forward(xTrue);
    const r = leastSquares({ operator: A, measurements: y });
    // consistent system: exact recovery, measured 1e-14
    expect(maxAbsDiff(r.x, xTrue)).toBeLessThan(1e-9);
    expect(r.stopReason).toBe('converged');
    const B = gaussian({ m: 10, n: 30, seed: 2 });
    const yb = randn(10, 3);
    const rb = leastSquares({ operator: B, measurements: yb });
    // minimum norm: x lies in the row space, x = B^T z, and B x = y
    expect(maxAbsDiff(B.forward(rb.x), yb)).toBeLessThan(1e-9);
    const z = leastSquares({ operator: compose(B, adjointOf(B)), measurements: yb }).x;
    expect(maxAbsDiff(B.adjoint(z), rb.x)).toBeLessThan(1e-8);
  });
  it('Tikhonov solves (A^T A + lambda I) x = A^T y', () => {
    const A = gaussian({ m: 12, n: 8, seed: 4 });
    const y = randn(12, 5);
    const lambda = 0.3;
    const r = leastSquares({ operator: A, measurements: y, tikhonov: lambda });
    const lhs = A.normal(r.x).map((v, i) => v + lambda * r.x[i]!);
    expect(maxAbsDiff(lhs, A.adjoint(y))).toBeLessThan(1e-9);
  });
  it('rejects bad input', () => {
    const A = identity({ shape: [4] });
    expect(() => leastSquares({ operator: A, measurements: [1, 2, 3] })).toThrow(ShapeMismatchError);
    expect(() => leastSquares({ operator: A, measurements: [1, 2, 3, NaN] })).toThrow(/finite/);
    expect(() => leastSquares({ operator: A, measurements: [1, 2, 3, 4], tikhonov: -1 })).toThrow(InvalidArgumentError);
    expect(() => leastSquares({ operator: {} as never, measurements: [1] })).toThrow(/LinearOperator/);
  });
});

function sparseProblem(n: number, m: number, k: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  for (const j of rng.sample(n, k)) x[j] = rng.bernoulli(0.5) ? 1 + rng.uniform() : -1 - rng.uniform();
  const A = gaussian({ m, n, seed: seed + 1 });
  return { A, x, y: A.forward(x) };
}

describe('OMP and FISTA', () => {
  it('OMP recovers a k-sparse vector exactly with m well above k log n', () => {
    const { A, x, y } = sparseProblem(256, 80, 8, 1);
    const r = omp({ operator: A, measurements: y, sparsity: 8 });
    expect(maxAbsDiff(r.x, x)).toBeLessThan(1e-10);
  });

  it('FISTA satisfies the Lasso optimality conditions and agrees with OMP on a sparse problem', () => {
    const { A, x, y } = sparseProblem(200, 80, 6, 3);
    const r = fista({ operator: A, measurements: y, lambdaRatio: 1e-4, iterations: 5000, tolerance: 1e-12 });
    const c = r.info!.coefficients as Float64Array;
    // KKT residual relative to lambda, measured ~1e-6
    expect(lassoOptimality(A, y, c, r.info!.lambda as number)).toBeLessThan(1e-3);
    const o = omp({ operator: A, measurements: y, sparsity: 6 });
    // tiny lambda: the Lasso solution is within O(lambda) of the sparse truth
    expect(relativeError(r.x, o.x)).toBeLessThan(1e-3);
    expect(relativeError(o.x, x)).toBeLessThan(1e-10);
    const slow = ista({ operator: A, measurements: y, lambdaRatio: 1e-4, iterations: 300 });
    const fast = fista({ operator: A, measurements: y, lambdaRatio: 1e-4, iterations: 300 });
    expect(relativeError(fast.x, x)).toBeLessThan(relativeError(slow.x, x));
  });

  it('FISTA in a wavelet basis, with the discrepancy principle for noisy data', () => {
    const n = 128;
    const W = waveletBasis({ shape: [n], wavelet: 'haar', levels: 5 });
    const xTrue = Float64Array.from({ length: n }, (_, i) => (i < 40 ? 1 : i < 90 ? -0.5 : 0.25));
    const A = gaussian({ m: 60, n, seed: 5 });
    const sigma = 0.01;
    const y = addNoise(A.forward(xTrue), { sigma }, 6);
    const r = fista({ operator: A, measurements: y, basis: W, noiseSigma: sigma, lambdaRule: 'discrepancy', iterations: 2000 });
    const res = A.forward(r.x).reduce((s, v, i) => s + (v - y[i]!) ** 2, 0);
    // the residual matches m sigma^2 (= 0.006) within 25%
    expect(Math.abs(res / (60 * sigma * sigma) - 1)).toBeLessThan(0.25);
    expect(relativeError(r.x, xTrue)).toBeLessThan(0.1);
  });

  it('FISTA handles complex (MRI) data with a real basis', () => {
    const h = 16;
    const w = 16;
    const img = new Float64Array(2 * h * w);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) img[2 * (r * w + c)] = r >= 4 && r < 12 && c >= 8 && c < 16 ? 1 : 0.25; // Haar-sparse
    const A = fourier({ shape: [h, w], mask: bernoulliMask({ shape: [h, w], keep: 0.6, seed: 1 }), complexInput: true });
    const r = fista({ operator: A, measurements: A.forward(img), basis: waveletBasis({ shape: [h, w], wavelet: 'haar', levels: 3 }), lambdaRatio: 1e-4, iterations: 3000 });
    expect(relativeError(r.x, img)).toBeLessThan(0.05);
  });

  it('reject bad input', () => {
    const { A, y } = sparseProblem(20, 10, 2, 1);
    expect(() => omp({ operator: A, measurements: y, sparsity: 0 })).toThrow(InvalidArgumentError);
    expect(() => omp({ operator: A, measurements: y, sparsity: 11 })).toThrow(InvalidArgumentError);
    expect(() => fista({ operator: A, measurements: y, lambda: 1, lambdaRatio: 0.1 })).toThrow(/at most one/);
    expect(() => fista({ operator: A, measurements: y, basis: identity({ shape: [7] }) })).toThrow(ShapeMismatchError);
    expect(() => fista({ operator: A, measurements: y, noiseSigma: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('TV', () => {
  it('denoising a piecewise-constant image improves PSNR', () => {
    const h = 32;
    const w = 32;
    const clean = new Float64Array(h * w);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) clean[r * w + c] = (r > 8 && r < 24 && c > 6 && c < 20 ? 0.8 : 0.2) + (c > 24 ? 0.1 : 0);
    const noisy = addNoise(clean, { sigma: 0.1 }, 1);
    const r = tv({ operator: identity({ shape: [h, w] }), measurements: noisy, lambda: 0.08, iterations: 300 });
    // measured 20.0 -> 28.9 dB
    expect(psnr(r.x, clean)).toBeGreaterThan(psnr(noisy, clean) + 5);
  });
  it('recovers a piecewise-constant 1D signal from Gaussian measurements, and a colour image channel-wise', () => {
    const n = 64;
    const x = Float64Array.from({ length: n }, (_, i) => (i < 20 ? 1 : i < 45 ? 0 : 0.5));
    const A = gaussian({ m: 32, n, seed: 2 });
    const r = tv({ operator: A, measurements: A.forward(x), lambda: 1e-2, iterations: 3000, tolerance: 1e-9 });
    // measured 1.0e-3
    expect(relativeError(r.x, x)).toBeLessThan(0.01);
    const rgb = new Float64Array(3 * 8 * 8).map((_, i) => (i % 8 < 4 ? 0.2 : 0.7));
    const c = tv({ operator: identity({ shape: [3, 8, 8] }), measurements: addNoise(rgb, { sigma: 0.05 }, 2), lambda: 0.05, iterations: 200 });
    expect(c.x.length).toBe(3 * 64);
  });
  it('rejects bad input', () => {
    expect(() => tv({ operator: identity({ shape: [4] }), measurements: [1, 2, 3, 4], lambda: -1 })).toThrow(InvalidArgumentError);
    expect(() => tv({ operator: identity({ shape: [4] }), measurements: [1, 2, 3, 4], lambda: 1, shape: [3] })).toThrow(InvalidArgumentError);
  });
});

describe('data consistency', () => {
  it('replaces the sampled k-space values by the measured ones', () => {
    const shape = [8, 8];
    const A = fourier({ shape, mask: bernoulliMask({ shape, keep: 0.4, seed: 3 }), complexInput: true });
    const truth = randn(128, 1);
    const y = A.forward(truth);
    const guess = randn(128, 2);
    const dc = dataConsistency({ x: guess, operator: A, measurements: y });
    expect(maxAbsDiff(A.forward(dc), y)).toBeLessThan(1e-12);
    // unsampled k-space values are those of the guess
    const full = fourier({ shape, complexInput: true });
    const kd = full.forward(dc);
    const kg = full.forward(guess);
    const mask = bernoulliMask({ shape, keep: 0.4, seed: 3 });
    for (let i = 0; i < 64; i++) if (!mask[i]) expect(Math.abs(kd[2 * i]! - kg[2 * i]!)).toBeLessThan(1e-12);
    expect(() => dataConsistency({ x: [1], operator: A, measurements: y })).toThrow(ShapeMismatchError);
  });
});

describe('metrics', () => {
  const h = 40;
  const w = 52;
  const x = new Float64Array(h * w);
  const y = new Float64Array(h * w);
  const y2 = new Float64Array(h * w);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      x[i * w + j] = 0.5 + 0.4 * Math.sin(0.3 * i) * Math.cos(0.2 * j);
      y[i * w + j] = x[i * w + j]! + 0.1 * Math.sin(1.7 * i + 0.9 * j);
      y2[i * w + j] = Math.min(1, Math.max(0, x[i * w + j]! * 0.8 + 0.05 * Math.cos((0.7 * i * j) / 13)));
    }
  it('SSIM matches scikit-image (gaussian_weights, sigma 1.5, population covariance) to 1e-3', () => {
    // Values computed with skimage 0.19.3 structural_similarity on the same arrays.
    expect(Math.abs(ssim(y, x, { shape: [h, w] }) - 0.7777619825187625)).toBeLessThan(1e-6);
    expect(Math.abs(ssim(y2, x, { shape: [h, w] }) - 0.8771301943794679)).toBeLessThan(1e-6);
    expect(Math.abs(ssim(y, x, { shape: [h, w], dataRange: 2 }) - 0.8040870747418786)).toBeLessThan(1e-6);
    const X = new Float64Array([...x, ...x.map((v) => v * v), ...x.map((v) => 1 - v)]);
    const Y = new Float64Array([...y, ...y2, ...y.map((v) => 1 - v)]);
    expect(Math.abs(ssim(Y, X, { shape: [3, h, w] }) - 0.7683480375956826)).toBeLessThan(1e-6);
    expect(ssim(x, x, { shape: [h, w] })).toBeCloseTo(1, 12);
  });
  it('PSNR, relative error, NMSE, centre crop', () => {
    expect(psnr([0.5, 0.5], [0.6, 0.4])).toBeCloseTo(20, 10);
    expect(psnr([1, 2], [1, 2])).toBe(Infinity);
    expect(relativeError([3, 4], [0, 5])).toBeCloseTo(Math.sqrt(10) / 5, 12);
    expect(nmse([3, 4], [0, 5])).toBeCloseTo(10 / 25, 12);
    const big = new Float64Array(36).fill(0);
    const ref = new Float64Array(36).fill(0);
    big[0] = 1; // outside the centre 2x2 crop
    expect(psnr(big, ref, { shape: [6, 6], crop: [2, 2] })).toBe(Infinity);
  });
  it('reject bad input', () => {
    expect(() => psnr([1, 2], [1])).toThrow(ShapeMismatchError);
    expect(() => psnr([1, 2], [1, 2], { dataRange: 0 })).toThrow(InvalidArgumentError);
    expect(() => ssim([1, 2], [1, 2])).toThrow(InvalidArgumentError);
    expect(() => psnr(new Float64Array(36), new Float64Array(36), { shape: [6, 6], crop: [7, 2] })).toThrow(InvalidArgumentError);
    expect(() => relativeError([NaN], [1])).toThrow(/finite/);
  });
});
