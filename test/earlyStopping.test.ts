import { describe, expect, it } from 'vitest';
import { runIterations } from '../src/solvers/driver.js';
import { BestIterate, heldOutPatience, OutputVariance, SampleAccumulator, variancePatience } from '../src/solvers/earlyStopping.js';

describe('early-stopping parts of the generator fit (units)', () => {
  it('BestIterate keeps the lowest score, its 1-based iteration and a copy of its iterate', () => {
    const b = new BestIterate(2);
    const x = new Float64Array([1, 2]);
    b.offer(3, 1, x);
    x[0] = 9; // the kept copy must not follow the caller's buffer
    b.offer(2, 2, x);
    b.offer(2, 3, new Float64Array([0, 0])); // ties do not replace
    b.offer(5, 4, new Float64Array([0, 0]));
    expect(b.score).toBe(2);
    expect(b.iteration).toBe(2);
    expect(Array.from(b.x)).toEqual([9, 2]);
    expect(b.sinceBest).toBe(2);
  });
  it('OutputVariance: NaN until the window is full, then the mean per-entry variance of the window', () => {
    const v = new OutputVariance(3, 2);
    expect(v.push(new Float64Array([0, 1]), 0)).toBeNaN();
    expect(v.push(new Float64Array([1, 1]), 1)).toBeNaN();
    // window {0, 1, 2} and {1, 1, 1}: variances 2/3 and 0, mean 1/3
    expect(v.push(new Float64Array([2, 1]), 2)).toBeCloseTo(1 / 3, 6);
    // the oldest leaves: {1, 2, 2} and {1, 1, 1}: 2/9 and 0
    expect(v.push(new Float64Array([2, 1]), 3)).toBeCloseTo(1 / 9, 6);
  });
  it('patience rules stop with early-stopped after N accepted iterations without a new best', () => {
    const b = new BestIterate(1);
    const scores = [5, 4, 4.5, 4.2, 4.1, 3];
    const r = runIterations(
      (k) => {
        b.offer(scores[k]!, k + 1, new Float64Array([k]));
        return { loss: scores[k]! };
      },
      { maxIterations: scores.length, rules: [heldOutPatience(b, 3)] },
    );
    expect(r.stopReason).toBe('early-stopped');
    expect(r.iterations).toBe(5);
    expect(b.iteration).toBe(2);
    // The variance rule waits for a full window before patience counts.
    const c = new BestIterate(1);
    const rule = variancePatience(c, 4, 1);
    c.sinceBest = 5;
    expect(rule.check({ iteration: 3, maxIterations: 10, measures: {}, elapsedMs: 0 })).toBeNull();
    expect(rule.check({ iteration: 4, maxIterations: 10, measures: {}, elapsedMs: 0 })).toBe('early-stopped');
  });
  it('SampleAccumulator: Welford mean and population variance of the samples', () => {
    const s = new SampleAccumulator(2);
    for (const v of [[1, 10], [2, 10], [6, 10]]) s.add(new Float64Array(v));
    expect(s.samples).toBe(3);
    expect(Array.from(s.mean)).toEqual([3, 10]);
    expect(s.variance()[0]).toBeCloseTo(14 / 3, 12);
    expect(s.variance()[1]).toBe(0);
  });
});
