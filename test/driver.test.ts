import { describe, expect, it } from 'vitest';
import { below, divergence, patience, runIterations, type StepOutcome } from '../src/solvers/driver.js';

describe('iteration driver', () => {
  it('stops at maxIterations and records every measure', () => {
    const r = runIterations((k) => ({ loss: 10 - k, change: 1 }), { maxIterations: 5 });
    expect(r.iterations).toBe(5);
    expect(r.stopReason).toBe('max-iterations');
    expect(r.history.loss).toEqual([10, 9, 8, 7, 6]);
    expect(r.history.change).toHaveLength(5);
  });
  it('below: converged once the measure reaches the tolerance; NaN never converges', () => {
    const r = runIterations((k) => ({ loss: 1, change: k === 0 ? NaN : 1 / 2 ** k }), { maxIterations: 50, rules: [below('change', 1e-2)] });
    expect(r.stopReason).toBe('converged');
    expect(r.iterations).toBe(8); // 1/2^7 = 0.0078 at the 8th step
    expect(() => below('change', -1)).toThrow(/tolerance/);
  });
  it('divergence: a non-finite measure stops with diverged, checked before convergence', () => {
    const r = runIterations((k) => ({ loss: k === 3 ? Infinity : 1, change: 0 }), { maxIterations: 10, rules: [divergence('loss'), below('change', 1)] });
    expect(r.stopReason).toBe('converged'); // first step converged already
    const d = runIterations((k) => ({ loss: k === 3 ? NaN : 1, change: 1 }), { maxIterations: 10, rules: [divergence('loss'), below('change', 1e-3)] });
    expect(d.stopReason).toBe('diverged');
    expect(d.iterations).toBe(4);
  });
  it('patience: early-stopped after N iterations without a new minimum, reporting the best', () => {
    const seen: number[] = [];
    const rule = patience('valLoss', 3, (s) => seen.push(s.iteration));
    const vals = [5, 4, 3, 3.5, 3.2, 3.1, 3.3, 1];
    const r = runIterations((k) => ({ loss: 0, valLoss: vals[k]! }), { maxIterations: 8, rules: [rule] });
    expect(r.stopReason).toBe('early-stopped');
    expect(r.iterations).toBe(6);
    expect(rule.best()).toEqual({ value: 3, iteration: 3 });
    expect(seen).toEqual([1, 2, 3]);
  });
  it('abort, progress cadence, callbacks, thinned history', () => {
    const ctl = new AbortController();
    const progress: number[] = [];
    const r = runIterations((k) => ({ loss: k }), {
      maxIterations: 100,
      signal: ctl.signal,
      progressEvery: 4,
      onProgress: (p) => progress.push(p.iteration),
      callback: (s) => {
        if (s.iteration === 10) ctl.abort();
      },
      recordEvery: 3,
    });
    expect(r.stopReason).toBe('aborted');
    expect(r.iterations).toBe(10);
    expect(progress).toEqual([1, 5, 9]);
    expect(r.history.iteration).toEqual([1, 3, 6, 9]);
    expect(r.history.loss).toEqual([0, 2, 5, 8]);
  });
  it('a throwing callback propagates (solvers clean up in finally)', () => {
    expect(() =>
      runIterations(() => ({ loss: 0 }), {
        maxIterations: 3,
        callback: () => {
          throw new Error('stop');
        },
      }),
    ).toThrow('stop');
  });
  it('a rejected step (null) is counted but not recorded, shown or checked; { stop } ends the run before recording', () => {
    const seen: number[] = [];
    const checked: number[] = [];
    const rule = { name: 'watch', check: (s: { iteration: number }) => (checked.push(s.iteration), null) };
    const r = runIterations((k) => (k === 1 ? null : { loss: k }), { maxIterations: 4, progressEvery: 1, onProgress: (p) => seen.push(p.iteration), rules: [rule] });
    expect(r.iterations).toBe(4);
    expect(r.history.loss).toEqual([0, 2, 3]);
    expect(seen).toEqual([1, 3, 4]);
    expect(checked).toEqual([1, 3, 4]);
    const d = runIterations((k): StepOutcome => (k === 2 ? { stop: 'diverged' } : { loss: k }), { maxIterations: 10 });
    expect(d.stopReason).toBe('diverged');
    expect(d.iterations).toBe(2);
    expect(d.history.loss).toEqual([0, 1]);
  });
});
