import { describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { gaussian } from '../src/operators/gaussian.js';
import { identity, mask } from '../src/operators/elementwise.js';
import { structuredRandom } from '../src/operators/structuredRandom.js';
import { bernoulliMask } from '../src/operators/masks.js';
import { inferUnitRange } from '../src/solvers/outputRange.js';
import { deepDecoderDepth, convergenceBudget, deepDecoderWidth, dipScales, generatorDefaults } from '../src/solvers/generatorDefaults.js';
import { reconstructSync } from '../src/solvers/reconstruct.js';
import { reconstruct } from '../src/solvers/offThread/reconstruct.js';
import { relativeError } from '../src/metrics/metrics.js';
import { InvalidArgumentError } from '../src/core/errors.js';

/** A smooth random 1D signal rescaled to [lo, hi] (the example: [-1.5, 2]). */
function smooth1d(n: number, seed: number, lo: number, hi: number): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  for (let f = 0; f <= 6; f++) {
    const a = rng.gaussian() / (1 + f);
    const b = rng.gaussian() / (1 + f);
    for (let i = 0; i < n; i++) x[i]! += a * Math.cos((2 * Math.PI * f * i) / n) + b * Math.sin((2 * Math.PI * f * i) / n);
  }
  const min = Math.min(...x);
  const max = Math.max(...x);
  return x.map((v) => lo + ((hi - lo) * (v - min)) / (max - min));
}

/** An image-like signal in [0, 1]: smooth background, an edge, a bright disc. */
function imageLike(h: number, w: number): Float64Array {
  const x = new Float64Array(h * w);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      let v = 0.3 + 0.2 * Math.sin(i / 7) * Math.cos(j / 9) + (j > w / 2 ? 0.25 : 0);
      if ((i - h / 3) ** 2 + (j - w / 3) ** 2 < (h / 6) ** 2) v = 0.95;
      x[i * w + j] = Math.min(1, Math.max(0, v));
    }
  return x;
}

describe('output range: a sigmoid only when the measurements say the signal lies in [0, 1]', () => {
  const img = imageLike(32, 32);
  it('detects an image in [0, 1] through Gaussian, structured random, mask and identity operators', () => {
    const shape = [32, 32];
    const ops = [
      gaussian({ m: 103, inShape: shape, seed: 1 }),
      gaussian({ m: 512, inShape: shape, seed: 2 }),
      structuredRandom({ m: 256, inShape: shape, seed: 3 }),
      mask({ mask: bernoulliMask({ shape, keep: 0.5, seed: 4 }), shape }),
      identity({ shape }),
    ];
    for (const A of ops) {
      const d = inferUnitRange(A, A.forward(img), 0);
      expect(d.range, A.name).toEqual([0, 1]);
      // the mean is estimated to within a few hundredths (measured: <= 0.02 at m = 103)
      expect(Math.abs(d.mean! - img.reduce((s, v) => s + v, 0) / img.length)).toBeLessThan(0.05);
    }
  });

  it('keeps the output linear for signals outside [0, 1]: zero mean, negative values, large range', () => {
    const n = 1000;
    const A = gaussian({ m: 250, n, seed: 5 });
    for (const x of [smooth1d(n, 3, -1.5, 2), smooth1d(n, 4, -1, 1), smooth1d(n, 5, 0, 3), new Rng(6).gaussianArray(n)]) {
      expect(inferUnitRange(A, A.forward(x), 0).range).toBeNull();
    }
  });

  it('reconstruct recovers a 1D signal in [-1.5, 2] from 250 Gaussian measurements with defaults (issue 11)', async () => {
    const n = 1000;
    const x = smooth1d(n, 3, -1.5, 2);
    const A = gaussian({ m: 250, n, seed: 5 });
    // on a worker thread: a long synchronous fit would starve vitest's RPC on a loaded machine
    const r = await reconstruct({ method: 'deep-decoder', operator: A, measurements: A.forward(x), seed: 1 });
    expect(r.info!.outputRange.range).toBeNull(); // typed: GeneratorReconstructInfo
    // measured 0.0048 with the default width 64 and output averaging (0.0060 without; the issue asks for < 0.15; the old sigmoid gave 0.60)
    expect(relativeError(r.x, x)).toBeLessThan(0.05);
  }, 180_000);

  it('honours outputRange: [lo, hi] bounds the output, and bad ranges are typed errors', () => {
    const n = 256;
    const x = smooth1d(n, 7, -1, 3);
    const A = gaussian({ m: 128, n, seed: 8 });
    const y = A.forward(x);
    const r = reconstructSync({ method: 'deep-decoder', operator: A, measurements: y, seed: 1, iterations: 200, outputRange: [-2, 4] });
    expect(Math.min(...r.x)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...r.x)).toBeLessThanOrEqual(4);
    expect(r.info!.outputRange.rule).toBe('given');
    // the box [-2, 4] is scaled onto the sigmoid, so the fit still recovers x (measured 0.05 at 200 iterations)
    expect(relativeError(r.x, x)).toBeLessThan(0.2);
    for (const bad of [[1, 0], [0], 'wide', [0, Infinity]]) {
      expect(() => reconstructSync({ method: 'deep-decoder', operator: A, measurements: y, iterations: 1, outputRange: bad as never })).toThrow(InvalidArgumentError);
    }
    expect(() => reconstructSync({ method: 'two-layer', operator: A, measurements: y, iterations: 1, outputRange: [0, 1] })).toThrow(/outputRange/);
  }, 60_000);

  it('warns when a sigmoid range pins much of the output to its bounds', () => {
    const n = 256;
    const x = smooth1d(n, 9, -1, 2);
    const A = identity({ shape: [n] });
    const r = reconstructSync({ method: 'deep-decoder', operator: A, measurements: x, seed: 1, iterations: 300, outputRange: [0, 1] });
    const info = r.info!;
    expect(info.saturated).toBeGreaterThan(0.05);
    expect(info.warnings?.[0]).toMatch(/outputRange/);
  }, 60_000);
});

describe('generator defaults', () => {
  it('Deep Decoder width grows with the signal, up to the paper\'s 128', () => {
    expect(deepDecoderWidth([64])).toBe(16);
    expect(deepDecoderWidth([1000])).toBe(64);
    expect(deepDecoderWidth([64, 64])).toBe(128);
    expect(deepDecoderWidth([512, 512])).toBe(128);
  });

  it('the budget of a fit to convergence grows with the image (Deep Decoder; ConvDecoder on k-space) and stays 3000 under a stopping rule', () => {
    expect(convergenceBudget([1000], false)).toBe(3000);
    expect(convergenceBudget([64, 64], false)).toBe(3000);
    expect(convergenceBudget([128, 128], false)).toBe(8000); // what the cs-images grid measured
    expect(convergenceBudget([256, 256], false)).toBe(20000); // the cap, the ConvDecoder paper's count
    expect(convergenceBudget([512, 512], false)).toBe(20000);
    expect(convergenceBudget([64, 64], true)).toBe(8000); // k-space counts four times
    expect(convergenceBudget([128, 128], true)).toBe(20000); // what the mri grid measured
    expect(generatorDefaults('deep-decoder', { shape: [128, 128], m: 1638, complex: false }).iterations).toBe(8000);
    expect(generatorDefaults('deep-decoder', { shape: [128, 128], m: 1638, complex: false, stoppingRule: true }).iterations).toBe(3000);
    expect(generatorDefaults('conv-decoder', { shape: [128, 128], m: 1638, complex: false }).iterations).toBe(3000);
    expect(generatorDefaults('conv-decoder', { shape: [128, 128], m: 32768, complex: true }).iterations).toBe(20000);
    expect(generatorDefaults('conv-decoder', { shape: [128, 128], m: 32768, complex: true, stoppingRule: true }).iterations).toBe(3000);
  });

  it('DIP scales keep the deepest scale at 4 pixels or more', () => {
    expect((dipScales([256, 256]).channelsDown as number[]).length).toBe(5);
    expect((dipScales([32, 32]).channelsDown as number[]).length).toBe(3);
    expect((dipScales([8, 8]).channelsDown as number[]).length).toBe(1);
  });

  it('the Deep Decoder fitted to convergence averages its outputs and sets its depth from m; stopping rules and short fits keep the raw iterate', () => {
    const p = { shape: [64, 64], m: 410, complex: false };
    expect(generatorDefaults('deep-decoder', p).outputAveraging).toBe(0.99);
    expect(generatorDefaults('deep-decoder', { ...p, iterations: 999 }).outputAveraging).toBeUndefined();
    expect(generatorDefaults('deep-decoder', { ...p, stoppingRule: true }).outputAveraging).toBeUndefined();
    expect(generatorDefaults('conv-decoder', p).outputAveraging).toBeUndefined();
    // depth follows m when fitted to convergence (10%, 25%, 50% of 64x64, 50% of 256x256); a stopping rule keeps the paper's 6
    expect(generatorDefaults('deep-decoder', p).generator.depth).toBe(6);
    expect(generatorDefaults('deep-decoder', { ...p, m: 1024 }).generator.depth).toBe(6);
    expect(generatorDefaults('deep-decoder', { ...p, m: 2048 }).generator.depth).toBe(5);
    expect(deepDecoderDepth([256, 256], 32768)).toBe(5);
    expect(generatorDefaults('deep-decoder', { ...p, m: 2048, complex: true }).generator.depth).toBe(6); // 1024 complex samples
    expect(generatorDefaults('deep-decoder', { ...p, m: 4096, stoppingRule: true }).generator.depth).toBe(6);
    expect(deepDecoderDepth([1000], 1000)).toBe(6);
    expect(deepDecoderDepth([64, 64], 4095)).toBe(5);
    expect(deepDecoderDepth([64, 64], 4096)).toBe(6); // denoising: the paper's network
    // reconstruct records what it used
    const A = gaussian({ m: 40, n: 128, seed: 3 });
    const y = A.forward(smooth1d(128, 3, 0.2, 0.8));
    const base = { method: 'deep-decoder' as const, operator: A, measurements: y, seed: 1, generator: { channels: 4, depth: 2 } };
    expect(reconstructSync({ ...base, iterations: 1000 }).options.outputAveraging).toBe(0.99);
    expect(reconstructSync({ ...base, iterations: 1000, lossTolerance: 1e-8 }).options.outputAveraging).toBeUndefined();
    expect(reconstructSync({ ...base, iterations: 1000, outputAveraging: 0 }).options.outputAveraging).toBeUndefined();
  }, 60_000);

  it('SGLD burn-in and thinning follow the chain length (7000 and 50 at 20000)', () => {
    const full = generatorDefaults('deep-image-prior', { shape: [64, 64], m: 4096, complex: false, method: 'sgld' });
    expect(full.iterations).toBe(20000);
    expect(full.sgld).toMatchObject({ burnIn: 7000, thinning: 50, noiseScale: 2 });
    const short = generatorDefaults('deep-image-prior', { shape: [64, 64], m: 4096, complex: false, method: 'sgld', iterations: 400 });
    expect(short.sgld).toMatchObject({ burnIn: 140, thinning: 1 });
  });
});

describe('the Deep Decoder\'s default TV penalty', () => {
  it('is 0.015 n / m for a real image fitted to convergence from m < n measurements, and off otherwise', () => {
    expect(generatorDefaults('deep-decoder', { shape: [64, 64], m: 410, complex: false }).tvPenalty).toBeCloseTo((0.015 * 4096) / 410, 12);
    expect(generatorDefaults('deep-decoder', { shape: [64, 64], m: 1024, complex: false }).tvPenalty).toBeCloseTo(0.06, 12);
    expect(generatorDefaults('deep-decoder', { shape: [64, 64], m: 410, complex: false, stoppingRule: true }).tvPenalty).toBeUndefined();
    expect(generatorDefaults('deep-decoder', { shape: [64, 64], m: 4096, complex: false }).tvPenalty).toBeUndefined();
    expect(generatorDefaults('deep-decoder', { shape: [64, 64], m: 2048, complex: true }).tvPenalty).toBeUndefined();
    expect(generatorDefaults('deep-decoder', { shape: [1000], m: 250, complex: false }).tvPenalty).toBeUndefined();
    expect(generatorDefaults('conv-decoder', { shape: [64, 64], m: 410, complex: false }).tvPenalty).toBeUndefined();
  });
});
