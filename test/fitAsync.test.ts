import { describe, expect, it } from 'vitest';
import {
  fitGenerator,
  fitGeneratorSync,
  reconstruct,
  reconstructSync,
  deepDecoder,
  deepImagePrior,
  twoLayerGenerator,
  identity,
  gaussian,
  mask,
  fourier,
  cartesianMask,
  bernoulliMask,
  dctBasis,
  addNoise,
  InvalidArgumentError,
  ShapeMismatchError,
  MemoryLimitError,
  type RecoveryResult,
  type Generator,
} from '../src/index.js';
import { fitWorkerScript } from '../src/solvers/offThread/client.js';

// Issue 13: fits run on a worker thread and leave the caller's event loop free. The worker is the
// built dist/solvers/fitWorker.js (npm test builds first).
const smooth = (h: number, w: number) => new Float64Array(h * w).map((_, i) => 0.5 + 0.3 * Math.sin(Math.floor(i / w) / 5) * Math.cos((i % w) / 7));

function expectSame(a: RecoveryResult, b: RecoveryResult) {
  expect(Array.from(a.x)).toEqual(Array.from(b.x));
  expect(a.history).toEqual(b.history);
  expect([a.iterations, a.stopReason, a.bestIteration, a.method]).toEqual([b.iterations, b.stopReason, b.bestIteration, b.method]);
  expect(a.options).toEqual(b.options);
  if (b.variance) expect(Array.from(a.variance!)).toEqual(Array.from(b.variance));
}

describe('fitGenerator on a worker thread', () => {
  it('finds its built worker script', () => {
    expect(fitWorkerScript()).toMatch(/dist[/\\]solvers[/\\]fitWorker\.js$/);
  });

  it('gives bit for bit the result of fitGeneratorSync (Deep Decoder + Gaussian CS, DIP tricks, two-layer, SGLD, holdout refit)', async () => {
    const img = smooth(16, 16);
    const A = gaussian({ m: 96, inShape: [16, 16], seed: 2 });
    const y = A.forward(img);
    const cases: { gen: () => Generator; extra: Record<string, unknown> }[] = [
      { gen: () => deepDecoder({ outShape: [16, 16], channels: 8, depth: 3, seed: 1 }), extra: { iterations: 40, inputJitter: 0.02, reference: img } },
      { gen: () => deepImagePrior({ outShape: [16, 16], inputChannels: 4, channelsDown: [8, 8], seed: 2 }), extra: { iterations: 30, inputJitter: 1 / 30, outputAveraging: 0.9, backtracking: 3 } },
      { gen: () => twoLayerGenerator({ outShape: [16, 16], channels: 8, upsampleFactor: 2, seed: 3 }), extra: { iterations: 30, optimizer: 'sgd', learningRate: 0.5 } },
      { gen: () => deepDecoder({ outShape: [16, 16], channels: 8, depth: 3, seed: 4 }), extra: { iterations: 40, sgld: { burnIn: 20 } } },
      { gen: () => deepDecoder({ outShape: [16, 16], channels: 8, depth: 3, seed: 5 }), extra: { iterations: 60, earlyStopping: { kind: 'holdout', patience: 10, refit: true } } },
    ];
    for (const c of cases) {
      const opts = { operator: A, measurements: y, ...c.extra };
      const sync = fitGeneratorSync({ generator: c.gen(), ...opts } as never);
      const seen: number[] = [];
      const off = await fitGenerator({ generator: c.gen(), ...opts, onProgress: (p: { iteration: number }) => seen.push(p.iteration) } as never);
      expectSame(off, sync);
      expect(seen[0]).toBe(1);
    }
  });

  it("a caller's own operator (closures) is applied on the caller's thread, with the same numbers", async () => {
    const n = 64;
    const sig = new Float64Array(n).map((_, i) => 0.5 + 0.3 * Math.sin(i / 6));
    const keep = bernoulliMask({ shape: [n], keep: 0.6, seed: 1 });
    let calls = 0;
    // A plain object: no apply/applyAdjoint, not built by the package.
    const own = {
      name: 'my-subsample',
      inShape: [n],
      outShape: [n],
      forward: (x: Float64Array) => {
        calls++;
        return x.map((v, i) => v * keep[i]!);
      },
      adjoint: (z: Float64Array) => z.map((v, i) => v * keep[i]!),
    };
    const y = own.forward(Float64Array.from(sig));
    const gen = () => deepDecoder({ outShape: [n], channels: 8, depth: 3, seed: 7 });
    const sync = fitGeneratorSync({ generator: gen(), operator: own as never, measurements: y, iterations: 25 });
    calls = 0;
    const off = await fitGenerator({ generator: gen(), operator: own as never, measurements: y, iterations: 25 });
    expectSame(off, sync);
    expect(calls).toBe(25);
    expect(off.options.operator).toBe('my-subsample');
  });

  it('an AbortSignal fired 1 s into a long fit ends it within 1.5 s (best so far, aborted) while a 50 ms timer keeps ticking', async () => {
    const img = smooth(64, 64);
    const A = mask({ mask: bernoulliMask({ shape: [64, 64], keep: 0.5, seed: 1 }), shape: [64, 64] });
    const controller = new AbortController();
    const ticks: number[] = [];
    const start = performance.now();
    const timer = setInterval(() => ticks.push(performance.now() - start), 50);
    setTimeout(() => controller.abort(), 1000);
    let progressed = 0;
    const r = await fitGenerator({
      generator: deepDecoder({ outShape: [64, 64], channels: 16, depth: 4, seed: 1 }),
      operator: A,
      measurements: A.forward(img),
      iterations: 1_000_000,
      signal: controller.signal,
      onProgress: () => progressed++,
    });
    const elapsed = performance.now() - start;
    clearInterval(timer);
    expect(r.stopReason).toBe('aborted');
    expect(elapsed).toBeLessThan(1500);
    expect(r.iterations).toBeGreaterThan(0);
    expect(r.bestIteration).toBeGreaterThan(0);
    expect(r.x.every(Number.isFinite)).toBe(true);
    expect(progressed).toBeGreaterThan(0);
    // 20 a second when idle; at least 10 a second over the fit.
    expect(ticks.length / (elapsed / 1000)).toBeGreaterThanOrEqual(10);
    // No gap between ticks longer than a few timer periods: the loop was never blocked.
    const gaps = ticks.map((t, i) => t - (ticks[i - 1] ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(300);
  });

  it('an already aborted signal returns at once with the initial state', async () => {
    const c = new AbortController();
    c.abort();
    const r = await fitGenerator({ generator: deepDecoder({ outShape: [32], channels: 4, depth: 2, seed: 1 }), operator: identity({ shape: [32] }), measurements: new Float64Array(32).fill(0.5), iterations: 1000, signal: c.signal });
    expect(r.stopReason).toBe('aborted');
    expect(r.iterations).toBe(0);
  });

  it('rejects with the typed errors of the synchronous fit, and with the exceptions of the caller’s own code', async () => {
    const n = 32;
    const g = () => deepDecoder({ outShape: [n], channels: 4, depth: 2, seed: 1 });
    const base = { operator: identity({ shape: [n] }), measurements: new Float64Array(n).fill(0.5), iterations: 5 };
    await expect(fitGenerator({ ...base, generator: g(), iterations: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(fitGenerator({ ...base, generator: g(), iterations: 0 })).rejects.toThrow("fitGenerator: argument 'iterations' expected an integer >= 1, got 0");
    await expect(fitGenerator({ ...base, generator: g(), measurements: new Float64Array(n - 1) })).rejects.toThrow(ShapeMismatchError);
    await expect(fitGenerator({ ...base, generator: g(), iters: 3 } as never)).rejects.toThrow(/unknown option 'iters'/);
    await expect(fitGenerator({ ...base, generator: g(), onProgress: 3 } as never)).rejects.toThrow(/'onProgress' expected a function/);
    await expect(fitGenerator({ ...base, generator: g(), signal: {} } as never)).rejects.toThrow(/'signal' expected an AbortSignal/);
    await expect(fitGenerator({ ...base, generator: {} } as never)).rejects.toThrow(/Generator/);
    await expect(fitGenerator(null as never)).rejects.toThrow(InvalidArgumentError);
    const failing = { name: 'broken', inShape: [n], outShape: [n], forward: () => { throw new RangeError('my operator broke'); }, adjoint: (x: Float64Array) => x };
    await expect(fitGenerator({ ...base, generator: g(), operator: failing as never })).rejects.toThrow('my operator broke');
    await expect(fitGenerator({ ...base, generator: g(), onProgress: () => { throw new Error('progress broke'); } })).rejects.toThrow('progress broke');
    // One fit at a time per generator: they share its arena.
    const shared = g();
    const first = fitGenerator({ ...base, generator: shared, iterations: 50 });
    await expect(fitGenerator({ ...base, generator: shared })).rejects.toThrow(/not already being fitted/);
    expect((await first).iterations).toBe(50);
  });

  it('generators not built by the factories run on the calling thread', async () => {
    const inner = deepDecoder({ outShape: [32], channels: 4, depth: 2, seed: 1 });
    const custom: Generator = { ...inner, forward: (p) => inner.forward(p), initialParams: () => inner.initialParams() };
    const y = new Float64Array(32).fill(0.4);
    const r = await fitGenerator({ generator: custom, operator: identity({ shape: [32] }), measurements: y, iterations: 10 });
    expectSame(r, fitGeneratorSync({ generator: deepDecoder({ outShape: [32], channels: 4, depth: 2, seed: 1 }), operator: identity({ shape: [32] }), measurements: y, iterations: 10 }));
  });
});

describe('reconstruct on a worker thread', () => {
  it('equals reconstructSync for generator and classical methods, complex data and a basis operator', async () => {
    const img = smooth(16, 16);
    const F = fourier({ shape: [16, 16], mask: cartesianMask({ shape: [16, 16], acceleration: 2, seed: 1 }) });
    const yF = F.forward(img);
    const G = gaussian({ m: 128, inShape: [16, 16], seed: 3 });
    const yG = addNoise(G.forward(img), { sigma: 0.01 }, 1);
    const cases: Record<string, unknown>[] = [
      { method: 'deep-decoder', operator: F, measurements: yF, shape: [16, 16], generator: { channels: 8, depth: 3 }, iterations: 30, seed: 2 },
      { method: 'sgld', operator: G, measurements: yG, prior: 'deep-decoder', generator: { channels: 8, depth: 3 }, iterations: 30, sgld: { burnIn: 10 } },
      { method: 'lasso', operator: G, measurements: yG, basis: 'db4', iterations: 60 },
      { method: 'lasso', operator: G, measurements: yG, basis: dctBasis({ shape: [16, 16] }), iterations: 60 },
      { method: 'tv', operator: F, measurements: yF, shape: [16, 16], lambda: 0.01, iterations: 40 },
      { method: 'least-squares', operator: G, measurements: yG, iterations: 30 },
    ];
    for (const c of cases) {
      const off = await reconstruct(c as never);
      const sync = reconstructSync(c as never);
      expect(Array.from(off.x)).toEqual(Array.from(sync.x));
      expect([off.method, off.iterations, off.stopReason]).toEqual([sync.method, sync.iterations, sync.stopReason]);
    }
    await expect(reconstruct({ method: 'magic', operator: G, measurements: yG } as never)).rejects.toThrow(InvalidArgumentError);
    // A network too large for the machine, found on the worker: the same typed error, fields kept.
    const huge = reconstruct({ method: 'deep-decoder', operator: G, measurements: yG, generator: { channels: 1_000_000 } });
    await expect(huge).rejects.toThrow(MemoryLimitError);
    await expect(huge).rejects.toMatchObject({ fn: 'deepDecoder', argument: 'options', bytesNeeded: expect.any(Number) });
  });

  it('an AbortSignal stops an iterative classical method on the worker too', async () => {
    const G = gaussian({ m: 600, inShape: [32, 32], seed: 4 });
    const y = addNoise(G.forward(smooth(32, 32)), { sigma: 0.01 }, 2);
    const c = new AbortController();
    setTimeout(() => c.abort(), 700);
    const start = performance.now();
    const r = await reconstruct({ method: 'lasso', operator: G, measurements: y, basis: 'db4', lambdaRatio: 1e-7, tolerance: 0, iterations: 1e7, signal: c.signal });
    expect(r.stopReason).toBe('aborted');
    expect(r.iterations).toBeGreaterThan(0);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
