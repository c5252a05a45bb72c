// Figures people can read (issue 14): colour bars on maps, compact PNGs, error curves of
// rho-based sweeps that follow one rho across m.
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { errorCurvesSvg, imageGridSvg, parseSweep, svgToPng, viridis, type CellSummary } from '../src/index.js';
import { absoluteError, mapMax } from '../src/cli/outputs.js';

describe('figures', () => {
  it('viridis runs from dark blue to yellow and clips outside [0, 1]', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    expect(viridis(NaN)).toEqual(viridis(0));
  });

  it('a panel with a colour scale gets a colour bar with ticks in the data units', () => {
    const data = Float64Array.from({ length: 64 }, (_, i) => (0.2 * i) / 63);
    const svg = imageGridSvg([{ title: 'error', data, shape: [8, 8], colorScale: { min: 0, max: 0.2, label: '|x - truth|' } }]);
    expect(svg).toContain('linearGradient');
    expect(svg).toContain('|x - truth|');
    for (const tick of ['>0<', '>0.1<', '>0.2<']) expect(svg).toContain(tick);
    expect(() => imageGridSvg([{ title: 'rgb', data: new Float64Array(3 * 64), shape: [3, 8, 8], colorScale: { min: 0, max: 1 } }])).toThrow(/shape/);
  });

  it('maxSize box-averages large panels; figures of gray content are written as gray PNGs', () => {
    const big = Float64Array.from({ length: 512 * 512 }, (_, i) => (i % 512) / 511);
    const small = imageGridSvg([{ title: 'x', data: big, shape: [512, 512] }], { scale: 1, maxSize: 128 });
    expect(small).toMatch(/width='128' height='128'/);
    const png = svgToPng(imageGridSvg([{ title: '', data: big.subarray(0, 64 * 64), shape: [64, 64] }], { scale: 1 }));
    const decoded = PNG.sync.read(png);
    expect(decoded.width).toBeGreaterThan(64);
    // colour type 0: one gray byte per pixel instead of resvg's four (RGBA)
    expect(png[25]).toBe(0);
  });

  it('the colour bar top ignores a few outliers; the absolute error is in the image units', () => {
    const v = new Float64Array(1000).fill(0.01);
    v[3] = 5;
    expect(mapMax(v)).toBeCloseTo(0.01, 12);
    const e = absoluteError([0.5, 1.5, -1, 0.2], [0.25, 1, 0, 0.2], [2, 2]);
    expect([...e.data]).toEqual([0.25, 0, 0, 0]);
    expect(e.shape).toEqual([2, 2]);
  });

  it('error-vs-m curves of a rho-based sweep follow one rho across m', () => {
    const def = parseSweep({
      name: 'rho',
      seed: 1,
      signal: { family: 'sparse', n: 100 },
      operator: { name: 'gaussian' },
      measurements: { counts: [20, 40, 60, 80] },
      sparsity: { rates: [0.1, 0.3] },
      methods: [{ method: 'lasso' }],
      trials: 1,
    });
    const cells: CellSummary[] = [];
    for (const rho of [0.1, 0.3])
      for (const m of [20, 40, 60, 80]) {
        const k = Math.round(rho * m);
        cells.push({ cell: `${m}-${k}`, method: 'lasso', m, n: 100, k, structure: null, noise: 0, trials: 1, successes: 1, failures: 0, unconverged: 0,
          probability: 1, low: 0, high: 1, medianError: rho / m, lowerQuartileError: rho / m, upperQuartileError: rho / m, medianTimeMs: 1 });
      }
    const svg = errorCurvesSvg(cells, def);
    const lines = svg.match(/<polyline[^>]*points='([^']*)'/g) ?? [];
    expect(lines.length).toBe(2);
    for (const l of lines) expect(l.split(' ').filter((p) => /\d,\d/.test(p)).length).toBe(4);
    expect(svg).toContain('lasso, rho=0.1');
    expect(svg).toContain('lasso, rho=0.3');
  });
});
