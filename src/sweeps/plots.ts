import { heatmapSvg, lineChartSvg, type Series } from '../io/plot.js';
import type { SweepDefinition } from './definition.js';
import type { CellSummary } from './summarize.js';
import { l1PhaseTransitionCurve } from './theory.js';

/**
 * Phase-transition heat maps (success probability over measurements x sparsity, one per
 * method and noise level) with the theoretical l1 curve, in the sweep's own units: delta = m/n
 * or m horizontally, rho = k/m or k vertically.
 */
export function phaseTransitionSvgs(def: SweepDefinition | null, cells: CellSummary[]): { label: string; svg: string }[] {
  const out: { label: string; svg: string }[] = [];
  const rates = def?.measurements.rates !== undefined;
  const rhoRates = def?.sparsity?.rates !== undefined;
  const groups = new Map<string, CellSummary[]>();
  for (const c of cells) {
    if (c.k === null) continue;
    const key = `${c.method}|${c.noise}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(c);
  }
  for (const [key, g] of groups) {
    const n = g[0]!.n;
    const xOf = (c: CellSummary) => (rates ? c.m / n : c.m);
    const yOf = (c: CellSummary) => (rhoRates ? c.k! / c.m : c.k!);
    const round = (v: number) => Number(v.toPrecision(6));
    const xs = [...new Set(g.map((c) => round(xOf(c))))].sort((a, b) => a - b);
    const ys = [...new Set(g.map((c) => round(yOf(c))))].sort((a, b) => a - b);
    if (xs.length < 2 || ys.length < 2) continue;
    const grid = ys.map((y) => xs.map((x) => g.find((c) => round(xOf(c)) === x && round(yOf(c)) === y)?.probability ?? NaN));
    // Theory: rho*(delta) = k/m at delta = m/n, converted to the axes used.
    const dense = Array.from({ length: 60 }, (_, i) => xs[0]! + ((xs[xs.length - 1]! - xs[0]!) * i) / 59);
    const deltas = dense.map((x) => (rates ? x : x / n)).map((d) => Math.min(1, Math.max(0, d)));
    const rho = l1PhaseTransitionCurve(deltas);
    const curve: Series = { name: 'l1 theory', x: dense, y: dense.map((x, i) => (rhoRates ? rho[i]! : rho[i]! * (rates ? x * n : x))) };
    const [method, noise] = key.split('|');
    out.push({
      label: `${method}${noise !== '0' ? `-noise${noise}` : ''}`,
      svg: heatmapSvg(grid, xs, ys, {
        title: `P(success): ${method}${noise !== '0' ? `, noise ${noise}` : ''} (n = ${n})`,
        xLabel: rates ? 'delta = m / n' : 'measurements m',
        yLabel: rhoRates ? 'rho = k / m' : 'sparsity k',
        curves: [curve],
      }),
    });
  }
  return out;
}

/** The sparsity level a cell belongs to: rho = k/m for rho-based sweeps (k grows with m there), else k, else the structure. */
function levelOf(c: CellSummary, rhoRates: readonly number[] | undefined): string {
  if (c.k === null) return c.structure !== null ? `s=${c.structure}` : '';
  if (!rhoRates || rhoRates.length === 0) return `k=${c.k}`;
  // k = round(rho m): the nearest of the sweep's rates is the cell's rho.
  const r = c.k / c.m;
  const rho = rhoRates.reduce((best, v) => (Math.abs(v - r) < Math.abs(best - r) ? v : best), rhoRates[0]!);
  return `rho=${rho}`;
}

/**
 * Median relative error against the number of measurements, one curve per method and sparsity
 * level (rho = k/m for sweeps defined by sparsity rates, so each curve follows one rho across m),
 * with interquartile bars. At most 8 curves: with more levels, an evenly spread subset of them.
 */
export function errorCurvesSvg(cells: CellSummary[], def: SweepDefinition | null = null): string {
  const rhoRates = def?.sparsity?.rates;
  const groups = new Map<string, { method: string; level: string; noise: number; cells: CellSummary[] }>();
  for (const c of cells) {
    const level = levelOf(c, rhoRates);
    const key = `${c.method}|${level}|${c.noise}`;
    if (!groups.has(key)) groups.set(key, { method: c.method, level, noise: c.noise, cells: [] });
    groups.get(key)!.cells.push(c);
  }
  let chosen = [...groups.values()].filter((g) => g.cells.some((c) => c.medianError !== null));
  if (chosen.length > 8) {
    // Keep every method, with the same evenly spread levels for each.
    const methods = [...new Set(chosen.map((g) => g.method))];
    const levels = [...new Set(chosen.map((g) => `${g.level}|${g.noise}`))];
    const perMethod = Math.max(1, Math.floor(8 / methods.length));
    const keep = new Set(Array.from({ length: Math.min(perMethod, levels.length) }, (_, i) => levels[Math.round((i * (levels.length - 1)) / Math.max(1, perMethod - 1))]!));
    chosen = chosen.filter((g) => keep.has(`${g.level}|${g.noise}`)).slice(0, 8);
  }
  const series: Series[] = chosen.map((g) => {
    const s = g.cells.filter((c) => c.medianError !== null).sort((a, b) => a.m - b.m);
    return {
      name: [g.method, g.level, g.noise ? `noise ${g.noise}` : ''].filter(Boolean).join(', '),
      x: s.map((c) => c.m),
      y: s.map((c) => Math.max(c.medianError!, 1e-16)),
      yErr: s.map((c) => ((c.upperQuartileError ?? c.medianError!) - (c.lowerQuartileError ?? c.medianError!)) / 2),
    };
  });
  return lineChartSvg(series, { title: 'relative error against measurements (median, IQR bars)', xLabel: 'measurements m', yLabel: 'relative error', logY: true });
}
