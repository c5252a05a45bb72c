import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../src/core/native.js';
import { createRng } from '../src/core/rng.js';
import { tvDifferences, tvLayout, tvNorm, tvProx, tvProxJs, type TvDifferences } from '../src/solvers/tvProx.js';

// Every layout tv() accepts: 1D, 2D, channels (planar; 5 is past native/tvprox.c's fused path), complex (interleaved re/im), odd sizes.
const SHAPES: number[][] = [[37], [1, 9], [9, 1], [13, 11], [2, 5, 7], [3, 8, 7], [5, 4, 6], [12, 10, 2], [1, 6, 2], [1, 1]];

function problem(shape: number[], seed: number) {
  const D = tvDifferences(tvLayout('test', shape));
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = createRng(seed);
  const b = rng.gaussianArray(n);
  // A warm start as tv() leaves it: inside the unit ball per pixel, some entries on its boundary.
  const q = rng.gaussianArray(D.gradSize).map((v) => 0.7 * Math.tanh(v));
  return { D, b, q, n };
}

function work(D: TvDifferences, n: number) {
  return { r: new Float64Array(D.gradSize), prev: new Float64Array(D.gradSize), g: new Float64Array(D.gradSize), dv: new Float64Array(n) };
}

/** 1/2 ||x - b||^2 + mu TV(x): what the proximal map minimises. */
function proxObjective(D: TvDifferences, x: Float64Array, b: Float64Array, mu: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - b[i]!) ** 2;
  const g = new Float64Array(D.gradSize);
  D.grad(x, g);
  return 0.5 * s + mu * tvNorm(g, D.P, D.groups);
}

describe('tvProx (the TV proximal map of tv())', () => {
  it('the JavaScript map decreases 1/2 ||x - b||^2 + mu TV(x) below its value at b, and more with more inner steps', () => {
    for (const shape of SHAPES.filter((s) => s.reduce((a, b) => a * b, 1) > 2)) {
      const { D, b, n } = problem(shape, 3);
      const mu = 0.3;
      const objective = (inner: number) => {
        const out = new Float64Array(n);
        tvProxJs(D, b, mu, new Float64Array(D.gradSize), inner, false, out, work(D, n));
        return proxObjective(D, out, b, mu);
      };
      const atB = proxObjective(D, b, b, mu);
      const few = objective(5);
      const many = objective(500);
      expect(few, `shape ${shape}`).toBeLessThan(atB);
      expect(many, `shape ${shape}`).toBeLessThanOrEqual(few * (1 + 1e-12));
    }
  });

  const native = nativeAddon();
  describe.runIf(native !== null && typeof native.tvProx === 'function')('native/tvprox.c', () => {
    it.each(SHAPES)('gives the same bits as the JavaScript on shape %j (x >= 0 or not, 1 to 25 inner steps, warm-started dual)', (...shape) => {
      for (const nonNeg of [false, true]) {
        for (const inner of [1, 10, 25]) {
          for (const mu of [1e-3, 0.2, 5]) {
            const { D, b, q, n } = problem(shape, 11 + inner);
            const qJs = Float64Array.from(q);
            const outJs = new Float64Array(n);
            tvProxJs(D, b, mu, qJs, inner, nonNeg, outJs, work(D, n));
            const qNative = Float64Array.from(q);
            const outNative = new Float64Array(n);
            tvProx(D, b, mu, qNative, inner, nonNeg, outNative, work(D, n));
            const where = `shape ${shape}, nonNeg ${nonNeg}, inner ${inner}, mu ${mu}`;
            expect(Array.from(outNative), where).toEqual(Array.from(outJs));
            expect(Array.from(qNative), where).toEqual(Array.from(qJs));
          }
        }
      }
    });

    it('mu = 0 is the identity (or the projection on x >= 0) on both paths, not a division by zero', () => {
      const { D, b, q, n } = problem([6, 5], 2);
      const out = new Float64Array(n);
      tvProx(D, b, 0, q, 10, true, out, work(D, n));
      expect(Array.from(out)).toEqual(Array.from(b, (v) => (v < 0 ? 0 : v)));
    });

    it('rejects arrays too short for the layout, a bad layout and mu <= 0 with a message naming tvProx', () => {
      const { D, b, q, n } = problem([6, 5], 2);
      const w = work(D, n);
      const call = (over: Partial<{ b: Float64Array; q: Float64Array; mu: number; h: number; w: number; nd: number; comps: number }>) => () =>
        native!.tvProx!(over.b ?? b, over.mu ?? 0.1, over.q ?? q, 5, false, new Float64Array(n), w.r, w.prev, w.g, over.h ?? 6, over.w ?? 5, over.nd ?? 2, over.comps ?? 1, false);
      expect(call({})).not.toThrow();
      expect(call({ b: new Float64Array(n - 1) })).toThrow(/tvProx/);
      expect(call({ q: new Float64Array(D.gradSize - 1) })).toThrow(/tvProx/);
      expect(call({ h: 7 })).toThrow(/tvProx/);
      expect(call({ nd: 3 })).toThrow(/tvProx/);
      expect(call({ nd: 1 })).toThrow(/tvProx/); // 1D needs h = 1
      expect(call({ comps: 0 })).toThrow(/tvProx/);
      expect(call({ mu: 0 })).toThrow(/tvProx/);
      expect(call({ mu: NaN })).toThrow(/tvProx/);
    });
  });
});
