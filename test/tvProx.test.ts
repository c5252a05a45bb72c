import { describe, expect, it, vi } from 'vitest';
import { nativeAddon, nativeAvailable, type NativeAddon } from '../src/core/native.js';
import { identity } from '../src/operators/elementwise.js';
import { scale } from '../src/operators/algebra.js';
import { tv } from '../src/solvers/tv.js';
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

  it('a NaN weight (a diverged operator norm) ends the solve as diverged, on the native path too, not with an argument error', () => {
    // ||A||^2 overflows to Infinity, so the step 1/L and the weight mu = lambda / L are 0 and NaN follows.
    const r = tv({ operator: scale(identity({ shape: [4, 4] }), 1e200), measurements: new Float64Array(16).fill(1), shape: [4, 4], lambda: 0.1, iterations: 5 });
    expect(r.stopReason).toBe('diverged');
  });

  const native = nativeAddon();
  it('an addon built from this checkout has the kernel (npm install builds native/tvprox.c with the rest)', () => {
    if (nativeAvailable()) expect(typeof native!.tvProx).toBe('function');
  });

  describe.runIf(native !== null && typeof native.tvProx === 'function')('native/tvprox.c', () => {
    it.each(SHAPES)('gives the same bits as the JavaScript on shape %j (x >= 0 or not, 1 to 25 inner steps, warm-started dual)', (...shape) => {
      for (const nonNeg of [false, true]) {
        for (const inner of [0, 1, 10, 25]) {
          for (const mu of [1e-3, 0.2, 5]) {
            const { D, b, q, n } = problem(shape, 11 + inner);
            const qJs = Float64Array.from(q);
            const outJs = new Float64Array(n);
            tvProxJs(D, b, mu, qJs, inner, nonNeg, outJs, work(D, n));
            const qNative = Float64Array.from(q);
            const outNative = new Float64Array(n);
            const w = work(D, n);
            const { dims, comps, inner: interleaved } = D.layout;
            native!.tvProx!(b, mu, qNative, inner, nonNeg, outNative, w.r, w.prev, w.g, D.nd === 2 ? dims[0]! : 1, dims[D.nd - 1]!, D.nd, comps, interleaved);
            const where = `shape ${shape}, nonNeg ${nonNeg}, inner ${inner}, mu ${mu}`;
            // Object.is per entry: +0 and -0 count as different.
            expect(Array.from(outNative).every((v, i) => Object.is(v, outJs[i])), where).toBe(true);
            expect(Array.from(qNative).every((v, i) => Object.is(v, qJs[i])), where).toBe(true);
          }
        }
      }
    });

    it('tvProx dispatches to it for a positive weight and keeps mu = 0 (the identity, or the projection on x >= 0) in JavaScript', () => {
      const spy = vi.spyOn(native as Required<NativeAddon>, 'tvProx');
      try {
        const { D, b, q, n } = problem([6, 5], 2);
        const out = new Float64Array(n);
        tvProx(D, b, 0.1, Float64Array.from(q), 10, false, out, work(D, n));
        expect(spy).toHaveBeenCalledTimes(1);
        tvProx(D, b, 0, q, 10, true, out, work(D, n));
        expect(spy).toHaveBeenCalledTimes(1);
        expect(Array.from(out)).toEqual(Array.from(b, (v) => (v < 0 ? 0 : v)));
      } finally {
        spy.mockRestore();
      }
    });

    it('rejects short, overlapping or overflowing arguments, a bad layout and mu <= 0 with a message naming tvProx', () => {
      const { D, b, q, n } = problem([6, 5], 2);
      const w = work(D, n);
      type Over = Partial<{ b: Float64Array; q: Float64Array; out: Float64Array; r: Float64Array; mu: number; h: number; w: number; nd: number; comps: number; inner: number }>;
      const call = (o: Over) => () =>
        native!.tvProx!(o.b ?? b, o.mu ?? 0.1, o.q ?? q, o.inner ?? 5, false, o.out ?? new Float64Array(n), o.r ?? w.r, w.prev, w.g,
          o.h ?? 6, o.w ?? 5, o.nd ?? 2, o.comps ?? 1, false);
      expect(call({})).not.toThrow();
      expect(call({ b: new Float64Array(n - 1) })).toThrow(/tvProx/);
      expect(call({ q: new Float64Array(D.gradSize - 1) })).toThrow(/tvProx/);
      expect(call({ h: 7 })).toThrow(/tvProx/);
      expect(call({ nd: 3 })).toThrow(/tvProx/);
      expect(call({ nd: 1 })).toThrow(/tvProx/); // 1D needs h = 1
      expect(call({ comps: 0 })).toThrow(/tvProx/);
      expect(call({ mu: 0 })).toThrow(/tvProx/);
      expect(call({ mu: NaN })).toThrow(/tvProx/);
      expect(call({ inner: -1 })).toThrow(/tvProx/);
      expect(call({ inner: 2 ** 32 + 1 })).toThrow(/tvProx/);
      // h w wraps modulo 2^64 without the check, and tiny arrays would pass the length test.
      expect(call({ h: 2 ** 32, w: 2 ** 32 })).toThrow(/tvProx/);
      expect(call({ h: 2 ** 33, w: 2 ** 31 })).toThrow(/tvProx/);
      expect(call({ r: w.prev })).toThrow(/overlap/);
      expect(call({ out: b })).toThrow(/overlap/);
      const shared = new Float64Array(2 * D.gradSize); // adjacent views of one buffer do not overlap
      expect(call({ r: shared.subarray(0, D.gradSize), q: shared.subarray(D.gradSize) })).not.toThrow();
    });
  });
});
