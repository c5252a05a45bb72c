import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointMismatchError, deepDecoder, deepImagePrior, fitGeneratorSync, identity, InvalidArgumentError, mask, Rng, type FitGeneratorOptions } from '../src/index.js';
import { fitResumable } from '../src/reproduce/common.js';
import { readCheckpoint, writeCheckpoint } from '../src/solvers/fitCheckpoint.js';
import { reconstructSync as reconstruct } from '../src/solvers/reconstruct.js';

const dir = mkdtempSync(join(tmpdir(), 'ucs-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const img = (h: number, w: number) => Float64Array.from({ length: h * w }, (_, i) => 0.5 + 0.3 * Math.sin((i % w) / 3) * Math.cos(Math.floor(i / w) / 4));

/** Everything a fit returns that must survive an interruption: the output, the posterior, the curves. */
function expectSameFit(a: ReturnType<typeof fitGeneratorSync>, b: ReturnType<typeof fitGeneratorSync>) {
  expect(b.iterations).toBe(a.iterations);
  expect(b.stopReason).toBe(a.stopReason);
  expect(b.bestIteration).toBe(a.bestIteration);
  expect(Array.from(b.x)).toEqual(Array.from(a.x));
  expect(b.variance ? Array.from(b.variance) : null).toEqual(a.variance ? Array.from(a.variance) : null);
  expect(b.history).toEqual(a.history);
  expect(b.info).toEqual(a.info);
}

describe('fitGenerator checkpoints: an interrupted fit resumes to the same bits', () => {
  // A small Bayesian-DIP inpainting problem with every piece of state a chain carries: Adam
  // moments, weight noise and input jitter (two counter-based noise matrices), roll-backs, the sample average.
  const [h, w] = [16, 16];
  const truth = img(h, w);
  const rng = new Rng('ckpt-mask');
  const keep = Uint8Array.from({ length: h * w }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const A = mask({ mask: keep, shape: [h, w] });
  const sgldFit = (extra: Partial<FitGeneratorOptions>) =>
    fitGeneratorSync({
      generator: deepImagePrior({ outShape: [h, w], inputChannels: 4, channelsDown: [4, 4], channelsSkip: [2, 2], seed: 3 }),
      operator: A,
      measurements: A.forward(truth),
      iterations: 60,
      learningRate: 0.05,
      reference: truth,
      inputJitter: 1 / 30,
      // rolls back in this run (checked below); a factor near 1 would reject nearly every
      // step and leave the weight noise without effect on the result
      backtracking: 2,
      sgld: { burnIn: 20, thinning: 5 },
      seed: 'ckpt',
      ...extra,
    });

  it('SGLD with jitter and roll-backs: aborted at 37, resumed from the abort checkpoint', () => {
    const reference = sgldFit({});
    expect(reference.info!.backtracks).toBeGreaterThan(0);
    expect(reference.info!.backtrackIterations!.length).toBe(reference.info!.backtracks);
    expect(reference.info!.samples).toBeGreaterThan(4);
    const path = join(dir, 'sgld.ckpt');
    const ac = new AbortController();
    const first = sgldFit({ checkpoint: { path, every: 10 }, signal: ac.signal, progressEvery: 1, onProgress: (p) => p.iteration >= 37 && ac.abort() });
    expect(first.stopReason).toBe('aborted');
    expect(existsSync(path)).toBe(true);
    const resumed = sgldFit({ checkpoint: { path, every: 10 } });
    expectSameFit(reference, resumed);
    // a finished fit removes its checkpoint
    expect(existsSync(path)).toBe(false);
  });

  it("onIterate's own measure (history.monitor) survives the resume: the whole curve, not the part after it", () => {
    const measure = (x: Float64Array, it: number) => x[0]! + it;
    const reference = sgldFit({ onIterate: measure });
    // one entry per iteration (rolled-back iterates included)
    expect(reference.history.monitor!.length).toBe(reference.history.loss.length);
    const path = join(dir, 'monitor.ckpt');
    const ac = new AbortController();
    const first = sgldFit({ onIterate: measure, checkpoint: { path, every: 10 }, signal: ac.signal, progressEvery: 1, onProgress: (p) => p.iteration >= 37 && ac.abort() });
    expect(first.stopReason).toBe('aborted');
    const seen: number[] = [];
    const resumed = sgldFit({ onIterate: (x, it) => (seen.push(it), measure(x, it)), checkpoint: { path, every: 10 } });
    expectSameFit(reference, resumed);
    // the callback ran only after the resume point, yet the curve is whole
    expect(seen[0]).toBeGreaterThan(30);
    // without a returned number there is no such field
    expect(sgldFit({ iterations: 25, onIterate: () => undefined }).history.monitor).toBeUndefined();
  });

  it('a crash between checkpoints resumes from the last one (Deep Decoder, output averaging, variance rule)', () => {
    const n = 16 * 16;
    const x0 = img(16, 16);
    const op = identity({ shape: [16, 16] });
    const y = x0.map((v, i) => v + 0.1 * Math.sin(7 * i));
    const fit = (extra: Partial<FitGeneratorOptions>) =>
      fitGeneratorSync({
        generator: deepDecoder({ outShape: [16, 16], channels: 8, depth: 3, seed: 5 }),
        operator: op,
        measurements: y,
        iterations: 80,
        reference: x0,
        outputAveraging: 0.9,
        earlyStopping: { kind: 'variance', window: 8, patience: 1000 },
        ...extra,
      });
    const reference = fit({});
    expect(reference.x.length).toBe(n);
    const path = join(dir, 'dd.ckpt');
    // onIterate throwing stands for a kill: nothing is written at the crash, the checkpoint of 40 stays
    expect(() => fit({ checkpoint: { path, every: 20 }, onIterate: (_x, it) => { if (it === 53) throw new Error('killed'); } })).toThrow('killed');
    expect(existsSync(path)).toBe(true);
    expectSameFit(reference, fit({ checkpoint: { path, every: 20, keep: true } }));
    // keep: the file stays after the fit ends, and the same fit then returns at once, unchanged
    expect(existsSync(path)).toBe(true);
    let steps = 0;
    expectSameFit(reference, fit({ checkpoint: { path, keep: true }, onIterate: () => steps++ }));
    expect(steps).toBe(0);
  });

  it('refuses a checkpoint of another fit, and a file that is not one', () => {
    const path = join(dir, 'other.ckpt');
    const ac = new AbortController();
    sgldFit({ checkpoint: { path }, signal: ac.signal, progressEvery: 1, onProgress: (p) => p.iteration === 5 && ac.abort() });
    expect(() => sgldFit({ checkpoint: { path }, seed: 'another' })).toThrow(/checkpoint of this same fit.*another seed/);
    expect(() => sgldFit({ checkpoint: { path }, learningRate: 0.02 })).toThrow(/learningRate/);
    // A checkpoint written before the jitter and SGLD noise became counter-based (no 'noise' in
    // its fingerprint) would continue other draws: refused, naming the difference.
    const file = readCheckpoint('test', path)!;
    delete (file.fingerprint as Record<string, unknown>).noise;
    writeCheckpoint(path, file);
    expect(() => sgldFit({ checkpoint: { path } })).toThrow(/another noise/);
    const junk = join(dir, 'junk.ckpt');
    writeFileSync(junk, 'hello');
    expect(() => sgldFit({ checkpoint: { path: junk } })).toThrow(/not a checkpoint file/);
  });

  it('a kept final state with no average and no best iterate yet still returns the last output', () => {
    const op = identity({ shape: [16, 16] });
    const path = join(dir, 'short.ckpt');
    // iterations < window: the variance rule never scores an iterate, so the fit returns its last output
    const fit = () => fitGeneratorSync({ generator: deepDecoder({ outShape: [16, 16], channels: 4, depth: 2, seed: 1 }), operator: op, measurements: img(16, 16), iterations: 6, earlyStopping: { kind: 'variance', window: 10 }, checkpoint: { path, keep: true } });
    const first = fit();
    expect(first.bestIteration).toBe(0);
    expect(Array.from(fit().x)).toEqual(Array.from(first.x));
  });

  it('accepts the same fit written differently, refuses another operator of the same size', () => {
    const op = identity({ shape: [16, 16] });
    const path = join(dir, 'norm.ckpt');
    const base = { generator: deepDecoder({ outShape: [16, 16], channels: 4, depth: 2, seed: 1 }), measurements: img(16, 16), iterations: 8 };
    fitGeneratorSync({ ...base, operator: op, earlyStopping: { kind: 'variance' }, checkpoint: { path, keep: true } });
    // the defaults spelled out, keys in another order: the same fit
    expect(() => fitGeneratorSync({ ...base, operator: op, earlyStopping: { patience: 500, window: 100, kind: 'variance' }, checkpoint: { path, keep: true } })).not.toThrow();
    const scaled = mask({ mask: new Uint8Array(256).fill(1), shape: [16, 16] });
    const other = { ...scaled, name: op.name, apply: (v: Float64Array) => scaled.apply(v).map((t: number) => 2 * t) } as never;
    expect(() => fitGeneratorSync({ ...base, operator: other, earlyStopping: { kind: 'variance' }, checkpoint: { path, keep: true } })).toThrow(CheckpointMismatchError);
  });

  it('checks the folder at the start, and a write that fails later is reported, not thrown', () => {
    const op = identity({ shape: [16, 16] });
    const base = { generator: deepDecoder({ outShape: [16, 16], channels: 4, depth: 2, seed: 1 }), operator: op, measurements: img(16, 16), iterations: 12 };
    expect(() => fitGeneratorSync({ ...base, checkpoint: { path: join(dir, 'no-such-folder', 'f.ckpt') } })).toThrow(/existing, writable folder/);
    const sub = join(dir, 'vanishing');
    mkdirSync(sub);
    const r = fitGeneratorSync({ ...base, checkpoint: { path: join(sub, 'f.ckpt'), every: 6 }, onIterate: (_x, it) => { if (it === 3) rmSync(sub, { recursive: true }); } });
    expect(r.iterations).toBe(12);
    expect(r.info!.checkpointError).toMatch(/^iteration 6: /);
  });

  it('reproduce trials discard a checkpoint that does not match instead of failing', () => {
    const op = identity({ shape: [16, 16] });
    const path = join(dir, 'stale.ckpt');
    const base = { generator: deepDecoder({ outShape: [16, 16], channels: 4, depth: 2, seed: 1 }), operator: op, measurements: img(16, 16), iterations: 10 };
    writeFileSync(path, 'an older protocol');
    const r = fitResumable({ ...base, checkpoint: { path } });
    expect(Array.from(r.x)).toEqual(Array.from(fitGeneratorSync(base).x));
    expect(existsSync(path)).toBe(false);
  });

  it('rejects bad checkpoint options with the argument named', () => {
    const bad: unknown[] = ['file.ckpt', { path: '' }, { path: 3 }, { path: join(dir, 'a'), every: 0 }, { path: join(dir, 'a'), every: 2.5 }, { path: join(dir, 'a'), keep: 'yes' }, { path: join(dir, 'a'), often: 1 }];
    for (const checkpoint of bad) expect(() => sgldFit({ checkpoint: checkpoint as never }), JSON.stringify(checkpoint)).toThrow(InvalidArgumentError);
    const op = identity({ shape: [16, 16] });
    expect(() =>
      fitGeneratorSync({ generator: deepDecoder({ outShape: [16, 16], channels: 4, depth: 2, seed: 1 }), operator: op, measurements: img(16, 16), iterations: 10, earlyStopping: { kind: 'holdout', refit: true }, checkpoint: { path: join(dir, 'r') } }),
    ).toThrow(/refit/);
  });

  it('reconstruct passes the checkpoint to its generator fit', () => {
    const path = join(dir, 'recon.ckpt');
    const op = identity({ shape: [16, 16] });
    const base = { method: 'deep-decoder' as const, operator: op, measurements: img(16, 16), iterations: 30, seed: 2 };
    const reference = reconstruct(base);
    const ac = new AbortController();
    reconstruct({ ...base, checkpoint: { path, every: 5 }, signal: ac.signal, progressEvery: 1, onProgress: (p) => p.iteration === 12 && ac.abort() });
    expect(existsSync(path)).toBe(true);
    const resumed = reconstruct({ ...base, checkpoint: { path, every: 5 } });
    expect(Array.from(resumed.x)).toEqual(Array.from(reference.x));
  });
});

describe('Rng state', () => {
  it('continues the stream exactly, Gaussian spare included', () => {
    const a = new Rng('s');
    for (let i = 0; i < 7; i++) a.gaussian();
    const b = Rng.fromState(JSON.parse(JSON.stringify(a.state())));
    for (let i = 0; i < 9; i++) expect(b.gaussian()).toBe(a.gaussian());
    expect(b.uniform()).toBe(a.uniform());
    expect(() => Rng.fromState({ seed: 1, alea: [1, 2], spare: null })).toThrow(InvalidArgumentError);
  });
});
