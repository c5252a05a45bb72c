import { describe, expect, it } from 'vitest';
import { cartesianHoldoutGroups, cartesianMask, deepDecoder, fitGeneratorSync, fourier, identity, InvalidArgumentError, ShapeMismatchError } from '../src/index.js';

/**
 * Hold-out early stopping on groups of measurements (whole k-space columns outside the centre,
 * for Cartesian MRI) and the per-iteration hook the MRI reproduction reads its curves from.
 */
describe('cartesianHoldoutGroups', () => {
  it('labels outer sampled columns by column index and the centre band -1, in the Fourier operator order, per coil', () => {
    const [h, w] = [4, 32];
    const mask = cartesianMask({ shape: [h, w], acceleration: 4, centerFraction: 0.125, seed: 3 });
    const coils = 3;
    const g = cartesianHoldoutGroups({ shape: [h, w], mask, coils });
    const kept = [...mask.keys()].filter((i) => mask[i] === 1);
    const op = fourier({ shape: [h, w], mask, complexInput: true, sensitivities: new Float64Array(coils * h * w * 2).fill(0.5) });
    expect(g.length).toBe(op.outSize / 2);
    // the centre band: 4 columns from floor((32 - 4 + 1) / 2) = 14
    const centre = new Set([14, 15, 16, 17]);
    for (let c = 0; c < coils; c++)
      kept.forEach((k, i) => {
        const col = k % w;
        expect(g[c * kept.length + i]).toBe(centre.has(col) ? -1 : col);
      });
    expect(new Set(g).size).toBeGreaterThan(2);
  });

  it('rejects bad input', () => {
    const mask = cartesianMask({ shape: [4, 16], acceleration: 4, seed: 1 });
    expect(() => cartesianHoldoutGroups({ shape: [4, 16, 2], mask })).toThrow(/\[h, w\]/);
    expect(() => cartesianHoldoutGroups({ shape: [4, 16], mask: mask.subarray(1) })).toThrow(ShapeMismatchError);
    expect(() => cartesianHoldoutGroups({ shape: [4, 16], mask, coils: 0 })).toThrow(/coils/);
    expect(() => cartesianHoldoutGroups({ shape: [4, 16], mask, coil: 2 } as never)).toThrow(/unknown option 'coil'/);
  });
});

describe('fitGeneratorSync: hold-out groups and onIterate', () => {
  const n = 64;
  // 32 entries that must never be held out (label -1), then 8 labels of 4 entries each.
  const groups = Array.from({ length: n }, (_, i) => (i < 32 ? -1 : (i - 32) >> 2));
  // A value of 100 on the never-held-out entries would dominate any validation loss containing one.
  const y = Float64Array.from(groups, (g) => (g < 0 ? 100 : 0.1 * g));
  const gen = () => deepDecoder({ outShape: [n], channels: 4, depth: 2, seed: 5 });

  it('holds out whole labels (round(fraction x labels) of them) and never a negative label', () => {
    let first: Float64Array | null = null;
    const r = fitGeneratorSync({
      generator: gen(),
      operator: identity({ shape: [n] }),
      measurements: y,
      iterations: 1,
      earlyStopping: { kind: 'holdout', fraction: 0.25, groups },
      onIterate: (x) => {
        first ??= x.slice();
      },
    });
    const val = r.history.valLoss![0]!;
    // the validation loss must be the mean squared residual over exactly two whole labels
    const residualOf = (label: number) => [0, 1, 2, 3].map((e) => (first![32 + 4 * label + e]! - y[32 + 4 * label + e]!) ** 2);
    const matches: [number, number][] = [];
    const meanOf = (a: number, b: number) => [...residualOf(a), ...residualOf(b)].reduce((s, v) => s + v, 0) / 8;
    for (let a = 0; a < 8; a++) for (let b = a + 1; b < 8; b++) if (Math.abs(meanOf(a, b) - val) <= 1e-12 * val) matches.push([a, b]);
    expect(matches.length).toBeGreaterThan(0);
    expect(val).toBeLessThan(10);
  });

  it('calls onIterate once per iteration with that iteration output; the returned iterate is one of them', () => {
    const seen: number[] = [];
    const outputs: Float64Array[] = [];
    const r = fitGeneratorSync({
      generator: gen(),
      operator: identity({ shape: [n] }),
      measurements: y,
      iterations: 12,
      onIterate: (x, it) => {
        seen.push(it);
        outputs.push(x.slice());
      },
    });
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(Array.from(outputs[r.bestIteration - 1]!)).toEqual(Array.from(r.x));
  });

  it('rejects bad groups and a non-function onIterate', () => {
    const base = { generator: gen(), operator: identity({ shape: [n] }), measurements: y, iterations: 2 };
    expect(() => fitGeneratorSync({ ...base, earlyStopping: { kind: 'holdout', groups: groups.slice(1) } })).toThrow(ShapeMismatchError);
    expect(() => fitGeneratorSync({ ...base, earlyStopping: { kind: 'holdout', groups: groups.map((g) => g + 0.5) } })).toThrow(/integer labels/);
    expect(() => fitGeneratorSync({ ...base, earlyStopping: { kind: 'holdout', groups: groups.map((g) => (g < 0 ? g : 0)) } })).toThrow(/at least two labels/);
    expect(() => fitGeneratorSync({ ...base, earlyStopping: { kind: 'holdout', groups: 'abc' as never } })).toThrow(InvalidArgumentError);
    expect(() => fitGeneratorSync({ ...base, onIterate: 3 as never })).toThrow(/onIterate/);
  });
});
