import type { SweepDefinition } from './definition.js';
import { readResults } from './results.js';
import type { TrialRow } from './trial.js';

/**
 * One cell of a sweep (method, m, k or structure, noise) over its trials: success probability with
 * its interval, error quartiles, time.
 */
export interface CellSummary {
  cell: string;
  method: string;
  m: number;
  n: number;
  k: number | null;
  structure: number | null;
  noise: number;
  trials: number;
  successes: number;
  failures: number;
  /** Trials whose solver ran out of iterations (stopReason 'max-iterations'): not converged. */
  unconverged: number;
  /** Success probability and its 95% Wilson score interval. */
  probability: number;
  low: number;
  high: number;
  medianError: number | null;
  lowerQuartileError: number | null;
  upperQuartileError: number | null;
  medianTimeMs: number;
}

/** Wilson score interval for a binomial proportion (95% by default). */
export function wilsonInterval(successes: number, trials: number, z = 1.959964): [number, number] {
  if (trials === 0) return [0, 1];
  const p = successes / trials;
  const d = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Per-cell statistics of a set of rows, sorted by method, noise, sparsity/structure, m. */
export function summarizeRows(rows: TrialRow[]): CellSummary[] {
  const groups = new Map<string, TrialRow[]>();
  for (const r of rows) {
    const g = groups.get(r.cell);
    if (g) g.push(r);
    else groups.set(r.cell, [r]);
  }
  const out: CellSummary[] = [];
  for (const [cell, g] of groups) {
    const first = g[0]!;
    const successes = g.filter((r) => r.success).length;
    const errors = g
      .map((r) => r.relativeError)
      .filter((e): e is number => e !== null && Number.isFinite(e))
      .sort((a, b) => a - b);
    const times = g.map((r) => r.timeMs).sort((a, b) => a - b);
    const [low, high] = wilsonInterval(successes, g.length);
    out.push({
      cell,
      method: first.method,
      m: first.m,
      n: first.n,
      k: first.k,
      structure: first.structure,
      noise: first.noise,
      trials: g.length,
      successes,
      failures: g.filter((r) => r.status === 'failed').length,
      unconverged: g.filter((r) => r.stopReason === 'max-iterations').length,
      probability: successes / g.length,
      low,
      high,
      medianError: quantile(errors, 0.5),
      lowerQuartileError: quantile(errors, 0.25),
      upperQuartileError: quantile(errors, 0.75),
      medianTimeMs: quantile(times, 0.5) ?? 0,
    });
  }
  return out.sort((a, b) => a.method.localeCompare(b.method) || a.noise - b.noise || (a.k ?? a.structure ?? 0) - (b.k ?? b.structure ?? 0) || a.m - b.m);
}

/**
 * Reads a results file (JSON lines) and summarizes its cells; returns the definition from its
 * header too.
 */
export function summarizeFile(path: string): { definition: SweepDefinition | null; cells: CellSummary[]; rows: TrialRow[] } {
  const r = readResults(path);
  return { definition: r.header?.definition ?? null, cells: summarizeRows(r.rows), rows: r.rows };
}

/** Cell summaries as CSV (one header line, one line per cell). */
export function cellsToCsv(cells: CellSummary[]): string {
  const head = 'method,m,n,k,structure,noise,trials,successes,failures,unconverged,probability,ci_low,ci_high,median_error,q1_error,q3_error,median_time_ms';
  const f = (v: number | null) => (v === null ? '' : String(v));
  return [head, ...cells.map((c) => [c.method, c.m, c.n, f(c.k), f(c.structure), c.noise, c.trials, c.successes, c.failures, c.unconverged, c.probability, c.low, c.high, f(c.medianError), f(c.lowerQuartileError), f(c.upperQuartileError), c.medianTimeMs.toFixed(1)].join(','))].join('\n') + '\n';
}

/** Cell summaries as a text table. */
export function cellsTable(cells: CellSummary[]): string {
  const head = ['method', 'm', 'k', 'struct', 'noise', 'trials', 'unconv.', 'P(success)', '95% CI', 'median err', 'median ms'];
  const lines = cells.map((c) => [c.method, String(c.m), c.k === null ? '-' : String(c.k), c.structure === null ? '-' : String(c.structure), String(c.noise), String(c.trials), String(c.unconverged), c.probability.toFixed(2), `[${c.low.toFixed(2)}, ${c.high.toFixed(2)}]`, c.medianError === null ? '-' : c.medianError.toExponential(2), c.medianTimeMs.toFixed(0)]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), ...lines.map(fmt)].join('\n');
}
