import { describe, expect, it } from 'vitest';
import { bestLambda, dotTest, fista, gaussian, heldOutSplit, identity, InvalidArgumentError, logGrid, psnr, reconstructSync, Rng, structuredRandom, tv, waveletBasis, fourier, bernoulliMask } from '../src/index.js';

function smoothImage(h: number, w: number): Float64Array {
  const x = new Float64Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) x[i * w + j] = 0.5 + 0.3 * Math.sin(i / 5) * Math.cos(j / 7) + ((i - h / 2) ** 2 + (j - w / 3) ** 2 < (h * h) / 16 ? 0.2 : 0);
  return x;
}

describe('wavelets on any size, cycle spinning', () => {
  it.each([
    [[21, 13], 1],
    [[30], 1],
    [[21, 30], 2],
    [[16, 16], 4],
  ])('%j with %i shifts per axis: W^T W = I and the adjoint test', (shape, spins) => {
    const W = waveletBasis({ shape: shape as number[], cycleSpinning: spins as number });
    const x = new Rng(1).gaussianArray(W.inSize);
    const back = W.adjoint(W.forward(x));
    // measured ~4e-16
    expect(Math.max(...back.map((v, i) => Math.abs(v - x[i]!)))).toBeLessThan(1e-12);
    expect(dotTest(W, { seed: 2 })).toBeLessThan(1e-10);
  });
  it('Lasso with default options runs on 101x77 (odd sizes) and recovers a smooth image', () => {
    const [h, w] = [101, 77];
    const x = smoothImage(h, w);
    const A = structuredRandom({ m: Math.round((h * w) / 4), inShape: [h, w], seed: 1 });
    const r = reconstructSync({ method: 'lasso', operator: A, measurements: A.forward(x) });
    expect(r.stopReason).toBe('converged');
    expect(String(r.options.basis)).toContain('padded to 112x80');
    // measured 33.2 dB (held-out weight, 830 iterations at it)
    expect(psnr(r.x, x)).toBeGreaterThan(30);
  });
  it('rejects bad input', () => {
    expect(() => waveletBasis({ shape: [16], cycleSpinning: 0 })).toThrow(InvalidArgumentError);
    expect(() => waveletBasis({ shape: [16], cycleSpinning: 32 })).toThrow(/cycleSpinning/);
  });
});

describe('regularisation rules', () => {
  it('Lasso: GCV without a noise level, SURE and the discrepancy principle with one; the chosen lambda is recorded', () => {
    const n = 256;
    const rng = new Rng(4);
    const x = new Float64Array(n);
    for (const j of rng.sample(n, 12)) x[j] = rng.gaussian();
    const A = gaussian({ m: 100, n, seed: 5 });
    const sigma = 0.01;
    const y = A.forward(x).map((v) => v + sigma * rng.gaussian());
    const oracle = bestLambda({ solve: (l) => fista({ operator: A, measurements: y, lambda: l }), reference: x, grid: logGrid(1e-4, 1, 17) });
    const best = 10 * Math.log10(1 / Math.min(...oracle.errors));
    for (const o of [{}, { lambdaRule: 'gcv' as const }, { noiseSigma: sigma }, { noiseSigma: sigma, lambdaRule: 'discrepancy' as const }]) {
      const r = fista({ operator: A, measurements: y, ...o });
      expect(['held-out', 'gcv', 'sure', 'discrepancy']).toContain(r.info!.lambdaRule);
      expect(r.options.lambda).toBe(r.info!.lambda);
      const db = 10 * Math.log10(1 / (r.x.reduce((s, v, i) => s + (v - x[i]!) ** 2, 0) / n));
      // measured (dB below the oracle weight on the grid): held-out 0.14, gcv 2.14, sure 0.12,
      // discrepancy 0.85
      expect(best - db).toBeLessThan(r.info!.lambdaRule === 'gcv' ? 3 : 1);
    }
    expect(() => fista({ operator: A, measurements: y, lambdaRule: 'sure' })).toThrow(/noiseSigma/);
    expect(() => fista({ operator: A, measurements: y, lambda: 1, lambdaRule: 'gcv' })).toThrow(InvalidArgumentError);
  });
  it('TV: held-out measurements without a noise level, the discrepancy principle with one', () => {
    const [h, w] = [24, 24];
    const x = smoothImage(h, w);
    const A = fourier({ shape: [h, w], mask: bernoulliMask({ shape: [h, w], keep: 0.4, seed: 2 }) });
    const sigma = 0.02;
    const y = A.forward(x).map((v, i) => v + sigma * new Rng(`n${i}`).gaussian());
    const oracle = bestLambda({ solve: (l, prev) => tv({ operator: A, measurements: y, lambda: l, x0: prev?.x }), reference: x, grid: logGrid(1e-4, 1, 13) });
    const best = 10 * Math.log10(1 / Math.min(...oracle.errors));
    for (const o of [{}, { noiseSigma: sigma }]) {
      const r = tv({ operator: A, measurements: y, ...o });
      const db = psnr(r.x, x);
      // measured (dB below the oracle weight): held-out 0.00, discrepancy 0.05
      expect(best - db).toBeLessThan(0.5);
      expect(r.info!.path!.lambda.length).toBeGreaterThan(1);
    }
  });
  it('held-out split keeps complex pairs and rescales to all rows', () => {
    const A = identity({ shape: [10, 2] });
    const s = heldOutSplit(A, new Float64Array(20).map((_, i) => i), 0.2, 1);
    expect(s.validation.outSize).toBe(4);
    expect(s.yValidation[0]! % 2).toBe(0);
    expect(s.yValidation[1]).toBe(s.yValidation[0]! + 1);
    expect(s.scale).toBeCloseTo(20 / 16, 12);
    expect(dotTest(s.train)).toBeLessThan(1e-12);
  });
  it('bestLambda and logGrid reject bad input', () => {
    const solve = () => fista({ operator: identity({ shape: [3] }), measurements: [1, 2, 3], lambda: 0.1 });
    expect(() => bestLambda({ solve, reference: [1, 2, 3], grid: [] })).toThrow(InvalidArgumentError);
    expect(() => bestLambda({ solve, reference: [1, 2], grid: [1] })).toThrow(/reference/);
    expect(() => bestLambda({ solve: 3 as never, reference: [1, 2, 3], grid: [1] })).toThrow(/solve/);
    expect(() => logGrid(0, 1, 3)).toThrow(InvalidArgumentError);
    expect(logGrid(1e-2, 1, 3).map((v) => +v.toPrecision(12))).toEqual([1, 0.1, 0.01]);
  });
});
