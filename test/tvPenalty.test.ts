import { describe, expect, it } from 'vitest';
import { smoothedTv } from '../src/solvers/tvPenalty.js';
import { tvDifferences, tvLayout, tvNorm } from '../src/solvers/tvProx.js';
import { createRng } from '../src/core/rng.js';
import { deepDecoder, fitGeneratorSync, fourier, gaussian, reconstructSync, InvalidArgumentError } from '../src/index.js';
import { psnrValue } from '../src/core/quality.js';

const randomSignal = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.gaussian());
};

describe('smoothedTv (the TV penalty of generator fits)', () => {
  for (const shape of [[17], [6, 7], [3, 5, 4], [5, 6, 2]]) {
    it(`its gradient matches central differences of its value, shape [${shape.join(', ')}]`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const penalty = smoothedTv('test', shape, 0.7, 0.05);
      const x = randomSignal(n, 3);
      const grad = new Float64Array(n);
      penalty.addGradient(x, grad, 2);
      const value = (v: Float64Array) => penalty.addGradient(v, new Float64Array(n), 1);
      let worst = 0;
      const h = 1e-6;
      for (let i = 0; i < n; i++) {
        const up = x.slice();
        up[i]! += h;
        const down = x.slice();
        down[i]! -= h;
        const fd = (2 * (value(up) - value(down))) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - grad[i]!) / (1 + Math.abs(fd)));
      }
      expect(worst).toBeLessThan(1e-6); // measured 2.2e-9 to 6.0e-9 on the four shapes
    });
  }

  it('is the weighted TV of tvProx for differences far above the smoothing, and 0 on a constant', () => {
    const shape = [8, 9];
    const x = randomSignal(72, 5);
    const D = tvDifferences(tvLayout('test', shape));
    const q = new Float64Array(D.gradSize);
    D.grad(x, q);
    const exact = tvNorm(q, D.P, D.groups);
    const value = smoothedTv('test', shape, 2, 1e-9).addGradient(x, new Float64Array(72), 1);
    expect(Math.abs(value - 2 * exact) / exact).toBeLessThan(1e-8); // measured 1.3e-9 (the -eps per pixel)
    expect(smoothedTv('test', shape, 2, 1e-3).addGradient(new Float64Array(72).fill(0.4), new Float64Array(72), 1)).toBe(0);
  });
});

describe('tvPenalty in generator fits', () => {
  // A piecewise-constant 16x16 image from 25% Gaussian measurements: the network alone leaves the
  // operator's null space to its architecture, the penalty prefers the flat solution there.
  const size = 16;
  const truth = new Float64Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) truth[r * size + c] = (r < 9 ? 0.2 : 0.7) + (c > 4 && c < 11 && r > 3 && r < 12 ? 0.25 : 0);
  const A = gaussian({ inShape: [size, size], m: 64, seed: 11 });
  const y = A.apply(truth);

  it('reconstruct: a relative weight is scaled by the estimated signal level and recorded (0.015 n / m by default), and it helps on a piecewise-constant image', () => {
    const base = { method: 'deep-decoder' as const, operator: A, measurements: y, shape: [size, size], seed: 4, iterations: 600, generator: { channels: 16, depth: 3 } };
    const plain = reconstructSync({ ...base, tvPenalty: 0 });
    const penalised = reconstructSync({ ...base, tvPenalty: 0.1 });
    const info = penalised.info as unknown as { tvPenalty: { weight: number; relative: number; rms: number } };
    const rms = Math.sqrt(truth.reduce((s, v) => s + v * v, 0) / truth.length);
    expect(Math.abs(info.tvPenalty.rms - rms) / rms).toBeLessThan(0.05); // measured 0.006 (0.537 against 0.534)
    expect(info.tvPenalty.weight).toBeCloseTo(0.1 * info.tvPenalty.rms, 12);
    expect(plain.info).not.toHaveProperty('tvPenalty');
    // Without the option, the default for a compressive fit of an image: 0.015 n / m = 0.06 here.
    const byDefault = reconstructSync({ ...base, iterations: 2 }).info as unknown as { tvPenalty: { relative: number } };
    expect(byDefault.tvPenalty.relative).toBeCloseTo(0.06, 12);
    const gain = psnrValue(penalised.x, truth) - psnrValue(plain.x, truth);
    expect(gain).toBeGreaterThan(2); // measured +4.78 dB (23.34 -> 28.11)
  });

  it('a zero weight is the fit without it, to the bit', () => {
    const gen = () => deepDecoder({ outShape: [size, size], channels: 8, depth: 2, seed: 2 });
    const a = fitGeneratorSync({ generator: gen(), operator: A, measurements: y, iterations: 30 });
    const b = fitGeneratorSync({ generator: gen(), operator: A, measurements: y, iterations: 30, tvPenalty: { weight: 0 } });
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
  });

  it('reconstruct rejects a bad weight', () => {
    const base = { method: 'deep-decoder' as const, operator: A, measurements: y, shape: [size, size], iterations: 2 };
    expect(() => reconstructSync({ ...base, tvPenalty: -0.1 })).toThrow(InvalidArgumentError);
    const F = fourier({ shape: [32], complexInput: true, mask: Uint8Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 1 : 0)) });
    const yc = F.apply(new Float64Array(64).fill(0.5));
    expect(() => reconstructSync({ method: 'deep-decoder', operator: F, measurements: yc, shape: [32], iterations: 2, tvPenalty: 0.1 })).toThrow(/tvPenalty.*complex 1D/);
    expect(() => reconstructSync({ ...base, tvPenalty: 'auto' as never })).toThrow(/reconstruct: argument 'tvPenalty' expected a finite number >= 0, got 'auto'/);
    expect(() => reconstructSync({ method: 'tv', operator: A, measurements: y, shape: [size, size], tvPenalty: 0.1 } as never)).toThrow(/tvPenalty/);
  });
});
