import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../src/core/errors.js';
import { cartesianMask, variableDensityMask } from '../src/operators/masks.js';
import { fourier } from '../src/operators/fourier.js';
import { gaussian } from '../src/operators/gaussian.js';
import { randomShiftLasso } from '../src/solvers/randomShiftLasso.js';
import { reconstructSync } from '../src/solvers/reconstruct.js';

/** A piecewise-constant complex phantom (real part: two blocks and a disc on a floor). */
function phantom(h: number, w: number): Float64Array {
  const x = new Float64Array(2 * h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let v = 0.2;
      if (i > h / 4 && i < (3 * h) / 4 && j > w / 5 && j < w / 2) v = 0.8;
      if ((i - 0.6 * h) ** 2 + (j - 0.7 * w) ** 2 < (0.15 * h) ** 2) v = 0.5;
      x[2 * (i * w + j)] = v;
    }
  }
  return x;
}
function relErr(a: Float64Array, b: Float64Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    n += b[i]! ** 2;
  }
  return Math.sqrt(d / n);
}
function mri(h: number, w: number, rate: number) {
  const truth = phantom(h, w);
  const mask = variableDensityMask({ shape: [h, w], rate, seed: 3 });
  const A = fourier({ shape: [h, w], mask, complexInput: true });
  return { truth, A, y: A.apply(truth), zf: A.adjoint(A.apply(truth)) };
}

describe('randomShiftLasso (BART-style random wavelet shifts)', () => {
  it('recovers a piecewise-constant phantom from 1/3 of its k-space and stops on the epoch rule', () => {
    const { truth, A, y, zf } = mri(32, 32, 0.33);
    const r = randomShiftLasso({ operator: A, measurements: y, wavelet: 'haar', lambda: 1e-3 });
    expect(relErr(zf, truth)).toBeGreaterThan(0.15); // zero-filled: 0.167
    expect(relErr(r.x, truth)).toBeLessThan(0.01); // measured 1.4e-3 (94 iterations: 44 of continuation, epochs of 20 and 30; last change 3.6e-4)
    expect(r.stopReason).toBe('converged');
    expect(r.info!.averageChange).toBeLessThanOrEqual(2e-2);
    const epochEnds = r.history.averageChange!.filter((v) => !Number.isNaN(v));
    expect(epochEnds[epochEnds.length - 1]).toBe(r.info!.averageChange);
    expect(r.history.loss).toHaveLength(r.iterations);
    // Cold start: continuation from 100 lambda down to lambda (0.9 per iteration), not averaged.
    expect(r.history.lambda![0]).toBeCloseTo(0.1, 12);
    expect(r.history.lambda![r.iterations - 1]).toBe(1e-3);
    expect(r.info!.averaged).toBe(30);
  });
  it('odd sizes: the unknown lives on the padded grid, the result on the image grid', () => {
    const { truth, A, y, zf } = mri(21, 13, 0.4);
    const r = randomShiftLasso({ operator: A, measurements: y, wavelet: 'db2', levels: 2, lambda: 1e-3 });
    expect(r.x).toHaveLength(2 * 21 * 13);
    expect(r.info!.paddedShape).toEqual([24, 16]);
    expect(relErr(r.x, truth)).toBeLessThan(0.5 * relErr(zf, truth)); // measured 0.055 against 0.142 zero-filled
  });
  it('real data, weight from held-out measurements by default', () => {
    const n = 32;
    const x = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) x[i * n + j] = i > 8 && i < 20 && j > 5 && j < 25 ? 1 : 0;
    const A = gaussian({ inShape: [n, n], m: 400, seed: 2 });
    const r = randomShiftLasso({ operator: A, measurements: A.apply(x), wavelet: 'haar' });
    expect(r.info!.lambdaRule).toBe('held-out');
    expect(r.info!.path!.lambda.length).toBeGreaterThan(3);
    expect(relErr(r.x, x)).toBeLessThan(1e-3); // measured 1.9e-7 (noiseless: the rule lands at 1e-7 lambda_max)
  });
  it('held-out rule: falls back to a fixed ratio, and says so, when no weight predicts the held-out samples', () => {
    // White noise has no structure to predict missing k-space from: every weight scores about
    // as the zero image does (measured 1.02 of it), so the path cannot choose.
    const n = 32;
    let state = 12345;
    const noise = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
    const truth = new Float64Array(2 * n * n).map(() => noise());
    const A = fourier({ shape: [n, n], mask: cartesianMask({ shape: [n, n], acceleration: 4, seed: 1 }), complexInput: true });
    const r = randomShiftLasso({ operator: A, measurements: A.apply(truth) });
    expect(r.info!.lambdaRule).toBe('held-out');
    expect(r.info!.fallback).toMatch(/no weight predicted the held-out measurements/);
    expect(r.info!.lambda / r.info!.lambdaMax).toBeCloseTo(1e-4, 12);
    // A structured image keeps the rule's own choice.
    const { A: B, y } = mri(32, 32, 0.33);
    expect(randomShiftLasso({ operator: B, measurements: y, wavelet: 'haar' }).info!.fallback).toBeUndefined();
  });
  it('1D real signals, and complex operators without a shape', () => {
    const n = 100; // not a multiple of 2^levels: padded to 112
    const x = Float64Array.from({ length: n }, (_, i) => (i < 30 ? 1 : i < 70 ? -0.5 : 0.25));
    const A = gaussian({ n, m: 50, seed: 4 });
    const r = randomShiftLasso({ operator: A, measurements: A.apply(x), wavelet: 'haar', lambda: 1e-2 });
    expect(r.info!.paddedShape).toEqual([112]);
    expect(r.stopReason).toBe('converged');
    // measured 9.2e-3 at 94 iterations; at lambda 1e-3 the same problem (near basis pursuit) needs
    // ~2000 iterations to reach 1.2e-3, the epoch rule rightly refusing to stop before.
    expect(relErr(r.x, x)).toBeLessThan(0.03);
    const { A: F, y } = mri(16, 16, 0.4);
    const c = reconstructSync({ method: 'lasso', operator: F, measurements: y, lambda: 1e-3 });
    expect(c.options.cycleSpinning).toBe('random');
    expect(c.x).toHaveLength(2 * 16 * 16);
  });
  it('seeded: the same seed gives the same image, another seed other shifts; the seed is recorded', () => {
    const { A, y } = mri(16, 16, 0.4);
    const run = (seed: number) => randomShiftLasso({ operator: A, measurements: y, wavelet: 'db2', levels: 2, lambda: 1e-3, seed, iterations: 60 });
    const a = run(7);
    expect(a.seed).toBe(7);
    expect(Array.from(run(7).x)).toEqual(Array.from(a.x));
    expect(Array.from(run(8).x)).not.toEqual(Array.from(a.x));
  });
  it('reconstruct: the default for complex images, cycleSpinning 1 keeps the frame solver, and options that do not apply throw', () => {
    const { A, y } = mri(16, 16, 0.4);
    const r = reconstructSync({ method: 'lasso', operator: A, measurements: y, shape: [16, 16], lambda: 1e-3 });
    expect(r.method).toBe('lasso');
    expect(r.options.cycleSpinning).toBe('random');
    const frame = reconstructSync({ method: 'lasso', operator: A, measurements: y, shape: [16, 16], lambda: 1e-3, cycleSpinning: 1, iterations: 50 });
    expect(frame.info).toHaveProperty('gap');
    // An option only the frame solver has keeps the frame solver by default ...
    const sigma = reconstructSync({ method: 'lasso', operator: A, measurements: y, shape: [16, 16], noiseSigma: 1e-3, iterations: 50 });
    expect(sigma.options.cycleSpinning).toBeUndefined();
    // ... and is refused with an explicit 'random'.
    expect(() => reconstructSync({ method: 'lasso', operator: A, measurements: y, shape: [16, 16], cycleSpinning: 'random', noiseSigma: 1e-3 })).toThrow(/reconstruct: argument 'noiseSigma'/);
    expect(() => reconstructSync({ method: 'lasso', operator: A, measurements: y, shape: [16, 16], cycleSpinning: 'random', basis: 'dct' })).toThrow(/reconstruct: argument 'basis' expected a wavelet/);
    expect(() => reconstructSync({ method: 'lasso', operator: A, measurements: y, shape: [16, 16], cycleSpinning: 'random', lambdaRule: 'sure' })).toThrow(InvalidArgumentError);
  });
  it('bad inputs: typed errors naming the function, the argument, what was expected and what came', () => {
    const { A, y } = mri(16, 16, 0.4);
    expect(() => randomShiftLasso({ operator: A, measurements: y, lamda: 1 } as never)).toThrow(/randomShiftLasso: argument 'lamda' expected one of the known options/);
    expect(() => randomShiftLasso({ operator: A, measurements: y, wavelet: 'sym4' as never })).toThrow(/randomShiftLasso: argument 'wavelet' expected 'haar' or 'db1' ... 'db20', got/);
    expect(() => randomShiftLasso({ operator: A, measurements: y, lambda: 1, lambdaRatio: 0.1 })).toThrow(/argument 'lambda' expected at most one of lambda, lambdaRatio/);
    expect(() => randomShiftLasso({ operator: A, measurements: y, lambdaRule: 'sure' as never })).toThrow(/argument 'lambdaRule' expected one of 'held-out', got/);
    expect(() => randomShiftLasso({ operator: A, measurements: y, shape: [15, 16] })).toThrow(ShapeMismatchError);
    expect(() => randomShiftLasso({ operator: A, measurements: y, levels: 9 })).toThrow(/argument 'levels' expected an integer in \[1, 4\], got 9/);
    expect(() => randomShiftLasso({ operator: A, measurements: y.slice(1) })).toThrow(ShapeMismatchError);
    expect(() => randomShiftLasso({ operator: A, measurements: y, tolerance: -1 })).toThrow(/argument 'tolerance'/);
  });
});
