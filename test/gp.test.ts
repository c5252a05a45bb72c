import { describe, expect, it } from 'vitest';
import {
  rbfKernel,
  smoothedWhiteNoiseKernel,
  activationKernel,
  downsampleKernel,
  upsampleKernel,
  sumKernels,
  dipKernel,
  correlation,
  empiricalKernel,
  sampleTwoLayerNetwork,
  generatorKernel,
  deepDecoder,
  gpPosterior,
  CirculantCovariance,
  mask,
  identity,
  bernoulliMask,
  reconstructSync,
  Rng,
  InvalidArgumentError,
} from '../src/index.js';

function maxGap(act: 'relu' | 'erf', inputChannels: number) {
  const analytic = activationKernel(smoothedWhiteNoiseKernel({ sigma: 2 }), { activation: act });
  const emp = empiricalKernel((s) => sampleTwoLayerNetwork({ n: 64, channels: 64, inputChannels, activation: act, sigma: 2, seed: `${act}${inputChannels}/${s}` }), { samples: 400, maxLag: 12 });
  const k0 = analytic.evaluate(0);
  let gap = 0;
  let se = 0;
  emp.lags.forEach((l, i) => {
    gap = Math.max(gap, Math.abs(emp.covariance[i]! - analytic.evaluate(l)) / k0);
    se = Math.max(se, emp.standardError[i]! / k0);
  });
  return { gap, se };
}

describe('analytic kernels of random networks', () => {
  it('erf: the analytic kernel matches random two-layer networks better as the channels grow', () => {
    // measured (max over lags 0..12 of |empirical - analytic| / K(0), 400 networks):
    // 1 input channel 0.374, 4 channels 0.131, 64 channels 0.033 (standard error ~0.02)
    const g1 = maxGap('erf', 1);
    const g4 = maxGap('erf', 4);
    const g64 = maxGap('erf', 64);
    expect(g1.gap).toBeGreaterThan(0.2);
    expect(g4.gap).toBeLessThan(g1.gap);
    expect(g64.gap).toBeLessThan(g4.gap);
    expect(g64.gap).toBeLessThan(0.07);
  });

  it('relu: the arc-cosine kernel is exact at any width (positive homogeneity)', () => {
    // measured 0.015-0.054 at 1-256 channels, within 2 standard errors
    const g = maxGap('relu', 4);
    expect(g.gap).toBeLessThan(Math.max(0.08, 3 * g.se));
  });

  it('kernel algebra: scaling maps, skips add, depth makes correlations longer-range', () => {
    const base = rbfKernel({ lengthScale: 2 });
    expect(downsampleKernel(base, 2).evaluate(1)).toBeCloseTo(base.evaluate(2), 14);
    expect(upsampleKernel(base, 2).evaluate(4)).toBeCloseTo(base.evaluate(2), 14);
    expect(sumKernels(base, base).evaluate(1)).toBeCloseTo(2 * base.evaluate(1), 14);
    const shallow = correlation(dipKernel({ depth: 1 }), [4])[0]!;
    const deep = correlation(dipKernel({ depth: 4 }), [4])[0]!;
    expect(deep).toBeGreaterThan(shallow);
    expect(dipKernel({ depth: 3 }).evaluate(0)).toBeCloseTo(1, 12);
    // ReLU of a correlation-1 input keeps the variance halved: K(0) = Kx(0) / 2
    expect(activationKernel(base, { activation: 'relu' }).evaluate(0)).toBeCloseTo(0.5, 12);
    expect(() => rbfKernel({ lengthScale: 0 })).toThrow(InvalidArgumentError);
    expect(() => activationKernel(base, { activation: 'tanh' as never })).toThrow(InvalidArgumentError);
  });

  it('empirical kernel of a Deep Decoder over random initialisations', () => {
    const k = generatorKernel((seed) => deepDecoder({ outShape: [64], channels: 16, depth: 3, sigmoid: false, seed }), { samples: 30, maxLag: 8 });
    expect(k.covariance[0]!).toBeGreaterThan(0);
    // smooth output: neighbours strongly correlated
    expect(k.covariance[1]! / k.covariance[0]!).toBeGreaterThan(0.5);
    expect(k.standardError.every((s) => s >= 0)).toBe(true);
  });
});

/** Dense reference: mean = K A^T (A K A^T + s2 I)^-1 y, var = diag(K - K A^T (...)^-1 A K). */
function denseReference(kernel: { evaluate(r: number): number }, h: number, w: number, keep: Uint8Array, y: Float64Array, s2: number) {
  const n = h * w;
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) K[i * n + j] = kernel.evaluate(Math.hypot(Math.floor(i / w) - Math.floor(j / w), (i % w) - (j % w)));
  const idx = Array.from(keep.keys()).filter((i) => keep[i]);
  const m = idx.length;
  const M = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) M[a * m + b] = K[idx[a]! * n + idx[b]!]! + (a === b ? s2 : 0);
  // Cholesky
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = M[i * m + j]!;
      for (let k = 0; k < j; k++) s -= L[i * m + k]! * L[j * m + k]!;
      L[i * m + j] = i === j ? Math.sqrt(s) : s / L[j * m + j]!;
    }
  const solve = (b: Float64Array) => {
    const z = Float64Array.from(b);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < i; k++) z[i]! -= L[i * m + k]! * z[k]!;
      z[i]! /= L[i * m + i]!;
    }
    for (let i = m - 1; i >= 0; i--) {
      for (let k = i + 1; k < m; k++) z[i]! -= L[k * m + i]! * z[k]!;
      z[i]! /= L[i * m + i]!;
    }
    return z;
  };
  const alpha = solve(y);
  const mean = new Float64Array(n);
  const variance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const ki = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      ki[a] = K[i * n + idx[a]!]!;
      s += ki[a]! * alpha[a]!;
    }
    mean[i] = s;
    const v = solve(ki);
    let q = 0;
    for (let a = 0; a < m; a++) q += ki[a]! * v[a]!;
    variance[i] = K[i * n + i]! - q;
  }
  return { mean, variance };
}

describe('GP posterior', () => {
  const h = 16;
  const w = 16;
  const kernel = rbfKernel({ lengthScale: 2.5, variance: 0.3 });
  const keep = bernoulliMask({ shape: [h, w], keep: 0.5, seed: 4 });
  const A = mask({ mask: keep, shape: [h, w] });
  const truth = new Float64Array(h * w).map((_, i) => Math.sin(Math.floor(i / w) / 3) * Math.cos((i % w) / 4));
  const y = A.forward(truth);
  const s2 = 1e-3;
  const ref = denseReference(kernel, h, w, keep, y, s2);

  it('mean and exact variance equal a dense Cholesky solution on 16x16', () => {
    const r = gpPosterior({ kernel, operator: A, measurements: y, noiseVariance: s2, exactVariance: true, tolerance: 1e-11 });
    let em = 0;
    let ev = 0;
    for (let i = 0; i < h * w; i++) {
      em = Math.max(em, Math.abs(r.x[i]! - ref.mean[i]!));
      ev = Math.max(ev, Math.abs(r.variance![i]! - ref.variance[i]!));
    }
    // measured ~1e-12 (mean) and ~1e-12 (variance)
    expect(em).toBeLessThan(1e-8);
    expect(ev).toBeLessThan(1e-8);
    expect(r.stopReason).toBe('converged');
  });

  it('pathwise posterior samples: the sampled variance converges to the exact one', () => {
    const errAt = (samples: number) => {
      const r = gpPosterior({ kernel, operator: A, measurements: y, noiseVariance: s2, samples, seed: 3, tolerance: 1e-10 });
      let e = 0;
      let scale = 0;
      for (let i = 0; i < h * w; i++) {
        e += Math.abs(r.variance![i]! - ref.variance[i]!);
        scale += ref.variance[i]!;
      }
      return e / scale;
    };
    const few = errAt(16);
    const many = errAt(200);
    // relative L1 error: measured 0.244 (16 samples) and 0.082 (200 samples); theory ~sqrt(2/S)
    expect(many).toBeLessThan(0.15);
    expect(many).toBeLessThan(few);
  });

  it('the circulant embedding applies the Toeplitz covariance exactly (1D and 2D)', () => {
    const cov = new CirculantCovariance(kernel, [5, 7]);
    const v = new Rng(1).gaussianArray(35);
    const kv = cov.apply(v);
    for (let i = 0; i < 35; i++) {
      let s = 0;
      for (let j = 0; j < 35; j++) s += kernel.evaluate(Math.hypot(Math.floor(i / 7) - Math.floor(j / 7), (i % 7) - (j % 7))) * v[j]!;
      expect(Math.abs(kv[i]! - s)).toBeLessThan(1e-12);
    }
  });

  it('denoising through reconstructSync(method: gp) beats the noisy input', () => {
    const noise = new Rng('gp-noise').gaussianArray(h * w);
    const noisy = truth.map((v, i) => v + 0.2 * noise[i]!);
    const r = reconstructSync({ method: 'gp', operator: identity({ shape: [h, w] }), measurements: noisy, shape: [h, w], kernel: { kind: 'rbf', lengthScale: 2 }, noiseVariance: 0.04, signalVariance: 0.3, samples: 8 });
    // measured: error 3.23 -> 1.51
    const err = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v, i) => s + (v - truth[i]!) ** 2, 0));
    expect(err(r.x)).toBeLessThan(0.6 * err(noisy));
    expect(r.variance!.length).toBe(h * w);
  });

  it('rejects bad input', () => {
    expect(() => gpPosterior({ kernel, operator: A, measurements: y, noiseVariance: 0 })).toThrow(InvalidArgumentError);
    expect(() => gpPosterior({ kernel: {} as never, operator: A, measurements: y, noiseVariance: 1e-3 })).toThrow(/StationaryKernel/);
    expect(() => gpPosterior({ kernel, operator: A, measurements: y.subarray(1), noiseVariance: 1e-3 })).toThrow(/length/);
    expect(() => gpPosterior({ kernel, operator: A, measurements: y, noiseVariance: 1e-3, shape: [4, 4, 16] })).toThrow(InvalidArgumentError);
  });
});
