import { parseSweep, expandTrials, type SweepDefinition, type TrialSpec } from '../../sweeps/definition.js';
import { runTrial } from '../../sweeps/trial.js';
import { summarizeRows, type CellSummary } from '../../sweeps/summarize.js';
import type { TrialRow } from '../../sweeps/trial.js';
import { twoLayerGenerator } from '../../priors/twoLayerGenerator.js';
import { deepDecoder } from '../../priors/deepDecoder.js';
import { deepDecoderWidth } from '../../solvers/generatorDefaults.js';
import { lineChartSvg } from '../../io/plot.js';
import { mdTable, okRows, progressLine } from '../common.js';
import type { Experiment, Figure, Json, ReproRow, ReproTrial, TrialContext, TrialOutcome, Verdict } from '../types.js';

const N = 256;
const SUCCESS = 0.05;
/** The two-layer generator: k = 2 channels on a grid 8x coarser, linear interpolation: 64 weights. */
const TWO_LAYER = { channels: 2, upsampleFactor: 8 };
/** An under-parameterised Deep Decoder: 4 channels, 4 blocks, linear output (100 weights). */
const SMALL_DD = { channels: 4, depth: 4, sigmoid: false };
const FIT = { iterations: 6000, lossTolerance: 1e-12 };

/** The grid as sweep definitions (one per signal family), run trial by trial through the sweep machinery. */
function definitions(quick: boolean): SweepDefinition[] {
  const methods = [
    { method: 'two-layer', label: 'two-layer', options: { generator: TWO_LAYER, ...FIT, learningRate: 0.01, ...(quick ? { iterations: 100 } : {}) } },
    { method: 'deep-decoder', label: 'deep-decoder-small', options: { generator: SMALL_DD, ...FIT, learningRate: 0.01, ...(quick ? { iterations: 100 } : {}) } },
    // The library's default Deep Decoder (over-parameterised: more weights than samples), fitted to convergence.
    { method: 'deep-decoder', label: 'deep-decoder', options: { ...FIT, ...(quick ? { iterations: 100 } : {}) } },
    { method: 'lasso', label: 'l1-dct', options: { basis: 'dct', lambdaRatio: 1e-5, iterations: quick ? 200 : 30000, tolerance: 1e-8 } },
    { method: 'lasso', label: 'l1-db4', options: { basis: 'db4', lambdaRatio: 1e-5, iterations: quick ? 200 : 30000, tolerance: 1e-8 } },
  ];
  const counts = quick ? [48, 128] : [16, 24, 32, 48, 64, 80, 96, 128, 160, 192];
  const trials = quick ? 1 : 10;
  return (
    [
      ['smooth', [2, 4, 8]],
      ['piecewise-smooth', [2, 4]],
    ] as const
  ).map(([family, structure]) =>
    parseSweep({
      name: `near-minimal-${family}`,
      seed: 'near-minimal',
      signal: { family, n: quick ? 64 : N },
      structure: quick ? [structure[0]] : structure,
      operator: { name: 'gaussian' },
      measurements: { counts: quick ? counts.map((c) => c / 4) : counts },
      methods,
      trials,
      trialTimeLimit: 3600,
      success: { relativeError: SUCCESS },
    }),
  );
}

/** Seconds of one core (measured: l1 and the small generators well under a second, the default Deep Decoder ~1.5 s at n = 256). */
function costOf(spec: TrialSpec): number {
  return spec.method === 'deep-decoder' ? 2 : 0.5;
}

/** Parameter counts of the two generators (what "near-minimal" is measured against). */
function parameterCounts(n: number): Record<string, number> {
  return {
    'two-layer': twoLayerGenerator({ outShape: [n], seed: 0, ...TWO_LAYER }).numParams,
    'deep-decoder-small': deepDecoder({ outShape: [n], seed: 0, ...SMALL_DD }).numParams,
    'deep-decoder': deepDecoder({ outShape: [n], seed: 0, channels: deepDecoderWidth([n]), sigmoid: false }).numParams,
  };
}

export const nearMinimal: Experiment = {
  name: 'near-minimal',
  title: 'Recovery from a near-minimal number of measurements: 1D smooth and piecewise-smooth signals (ICML 2020, ICLR 2020)',
  claim:
    'A generator with fixed interpolating filters (and an under-parameterised Deep Decoder), fitted to convergence, recovers a structured signal once the number of random measurements is on the order of its number of parameters.',
  // Version 1 still: the default Deep Decoder was added as a new arm; the rows of the others are unchanged.
  version: 1,
  protocol:
    `Signals of length n = ${N}: smooth (random trigonometric polynomials of bandwidth 2, 4, 8 with decaying amplitudes) and piecewise-smooth (2 or 4 random quadratic pieces with jumps); noiseless Gaussian measurements, m from 16 to 192; 10 signals and matrices per cell. ` +
    `Generators fitted to convergence (Adam, lr 0.01, up to ${FIT.iterations} iterations or a training loss of ${FIT.lossTolerance}): the two-layer generator x = ReLU(U C) v with FIXED linear-interpolation filters U (upsampling factor 8), trainable C with 2 channels and fixed output weights +-1/sqrt(2) (64 parameters); a Deep Decoder with 4 channels and 4 blocks, linear output (100 parameters); and, for contrast, the library's default Deep Decoder (\`reconstruct\` defaults: 6 blocks of ${deepDecoderWidth([N])} channels, output range chosen from the data; over-parameterised, with more weights than samples), also fitted to convergence. ` +
    `Baselines: l1-minimisation (basis pursuit, Lasso with lambda = 1e-5 lambda_max, converged) in the DCT and in Daubechies-4 wavelets (periodic, all 8 levels at n = 256, the library default; re-run after that default changed from 4 levels). Success: relative error below ${SUCCESS}.`,
  discussion:
    'Three findings. (1) The two-layer generator with fixed interpolating filters (64 weights) recovers smooth signals from m of 0.66-1.0 times its number of parameters, as the ICML 2020 analysis predicts. On piecewise-smooth signals it rarely reaches 5% error at any m: linear interpolation from a grid 8x coarser cannot represent the jumps, a limit of its range rather than of the measurements. Its success is not monotone in m: Adam from a random start sometimes stalls in a poor fit, which restarts would fix. ' +
    '(2) The Deep Decoder shrunk below n weights (4 channels, 100 weights) never succeeds, not even with m = n = 256 (relative error 0.3-0.5, measured separately): with 4 channels, channel normalisation and ReLU cannot represent these signals, so the under-parameterised Deep Decoder claim does not reproduce at this size. ' +
    '(3) What does hold, and matters more in practice: the library\'s default Deep Decoder, with many more weights than samples, fitted to convergence without early stopping, recovers piecewise-smooth signals from far fewer measurements than l1 in either basis (m = 58 and 76 at 50% success, against 101 and 116 for l1 in db4 wavelets at the full depth) and smooth signals from about as many (45-57 against 37-69; l1 leads on the two smoothest classes, by 3 measurements in db4 and 8 in the DCT at the smoothest); the regularisation comes from the architecture (smooth upsampling), not from a parameter count below m. ' +
    'The library\'s old default (6 channels, depth 4, a sigmoid) lost this comparison; its defaults now follow this experiment.',
  deviations: [
    "The ICLR 2020 repository has no training script for the two-layer generator (only kernel and Jacobian notebooks), and the ICML 2020 repository no 1D experiment: the signals, sizes and success threshold are ours; the generators are the papers' architectures at sizes chosen to be under-parameterised (fewer weights than the largest m).",
    'Adam instead of the notebooks\' SGD with momentum (lr 0.1, momentum 0.9, 100000 iterations), to fit to convergence in a few thousand steps.',
  ],
  trials(ctx: TrialContext): ReproTrial[] {
    const out: ReproTrial[] = [];
    for (const def of definitions(ctx.quick)) {
      for (const spec of expandTrials(def)) {
        out.push({ id: `${def.signal.family}|${spec.id}`, experiment: 'near-minimal', params: { family: def.signal.family, method: spec.method, m: spec.m, structure: spec.structure, trial: spec.trial, spec: spec as unknown as Json }, cost: ctx.quick ? 0.2 : costOf(spec) });
      }
    }
    return out;
  },
  run(trial: ReproTrial, ctx: TrialContext): TrialOutcome {
    const def = definitions(ctx.quick).find((d) => d.signal.family === trial.params.family)!;
    const row = runTrial(def, trial.params.spec as unknown as TrialSpec);
    if (row.status !== 'ok') throw new Error(row.error ?? 'trial failed');
    return { metrics: { relativeError: row.relativeError, success: row.success ? 1 : 0, iterations: row.iterations }, info: { stopReason: row.stopReason } };
  },
  report(rows: ReproRow[], trials: ReproTrial[], ctx: TrialContext) {
    const ok = okRows(rows);
    const n = ctx.quick ? 64 : N;
    const params = parameterCounts(n);
    const parts = [`Progress: ${progressLine(trials, rows)}.`, `\nParameters: two-layer generator ${params['two-layer']}, small Deep Decoder ${params['deep-decoder-small']}, default Deep Decoder ${params['deep-decoder']} (n = ${n}).`];
    const figures: Figure[] = [];
    const verdicts: Verdict[] = [];
    const m50s: Record<string, number[]> = {};
    const m50Table: { key: string; method: string; m50: number | null }[] = [];
    for (const family of ['smooth', 'piecewise-smooth']) {
      const asRows: TrialRow[] = ok
        .filter((r) => r.params.family === family)
        .map((r) => ({ ...(r.params.spec as unknown as TrialSpec), n, status: 'ok', relativeError: r.metrics.relativeError as number, success: r.metrics.success === 1, iterations: r.metrics.iterations as number, stopReason: (r.info?.stopReason as string) ?? null, timeMs: r.timeMs }));
      const cells = summarizeRows(asRows);
      if (!cells.length) continue;
      const structures = [...new Set(cells.map((c) => c.structure))].sort((a, b) => (a ?? 0) - (b ?? 0));
      const methods = [...new Set(cells.map((c) => c.method))];
      const ms = [...new Set(cells.map((c) => c.m))].sort((a, b) => a - b);
      for (const s of structures) {
        const header = ['method', ...ms.map(String), 'm at 50%'];
        const table = methods.map((method) => {
          const row = ms.map((m) => cells.find((c) => c.method === method && c.m === m && c.structure === s));
          const m50 = crossing(row.filter((c): c is CellSummary => Boolean(c)));
          if (m50 !== null) (m50s[method] ??= []).push(m50);
          m50Table.push({ key: `${family} ${s}`, method, m50 });
          return [method, ...row.map((c) => (c ? `${(100 * c.probability).toFixed(0)}%` : '—')), m50 === null ? '> max' : m50.toFixed(0)];
        });
        parts.push(`\n**${family}, structure ${s}** (success probability, relative error < ${SUCCESS}, over ${cells[0]!.trials} trials; columns: m)\n`);
        parts.push(mdTable(header, table));
        figures.push({
          file: `near-minimal-${family}-${s}.png`,
          caption: `Success probability against m, ${family} signals (structure ${s}), n = ${n}; parameters: two-layer ${params['two-layer']}, small Deep Decoder ${params['deep-decoder-small']}, default Deep Decoder ${params['deep-decoder']}`,
          svg: lineChartSvg(
            methods.map((method) => {
              const sel = ms.map((m) => cells.find((c) => c.method === method && c.m === m && c.structure === s));
              return { name: method, x: ms, y: sel.map((c) => (c ? c.probability : NaN)) };
            }),
            { title: `${family}, structure ${s}`, xLabel: 'measurements m', yLabel: 'success probability' },
          ),
        });
      }
    }
    const l1m50 = [...(m50s['l1-dct'] ?? []), ...(m50s['l1-db4'] ?? [])].map((m) => m.toFixed(0)).join(', ') || 'never';
    for (const gen of ['two-layer', 'deep-decoder-small']) {
      const v = m50s[gen];
      if (!v || !v.length) {
        const mine = ok.filter((r) => r.params.method === gen);
        if (!mine.length) {
          verdicts.push({ claim: `${gen}: success from m on the order of its ${params[gen]} parameters`, status: 'not yet run', evidence: 'no trial of this generator has run yet' });
          continue;
        }
        const top = Math.max(...mine.map((r) => r.params.m as number));
        const errs = mine.filter((r) => r.params.m === top).map((r) => r.metrics.relativeError as number).sort((a, b) => a - b);
        verdicts.push({
          claim: `${gen}: success from m on the order of its ${params[gen]} parameters`,
          status: 'not reproduced',
          evidence: `no cell reaches 50% success over ${mine.length} trials; at m = ${top} the median relative error is ${errs[Math.floor(errs.length / 2)]!.toFixed(2)}: the network cannot represent these signals (the error stays this high with m = n, see the discussion).`,
        });
        continue;
      }
      const ratio = v.map((m) => m / params[gen]!);
      const within = ratio.filter((r) => r <= 3).length;
      verdicts.push({
        claim: `${gen}: success from m on the order of its ${params[gen]} parameters`,
        status: within === v.length ? 'reproduced' : within > 0 ? 'partly reproduced' : 'not reproduced',
        evidence: `m at 50% success / parameters = ${ratio.map((r) => r.toFixed(2)).join(', ')} over the structures where it succeeds (within 3x on ${within} of ${v.length}); l1 in the DCT and db4 reach 50% at m = ${l1m50}.`,
      });
    }
    // The default (over-parameterised) Deep Decoder against the better l1 baseline, structure by structure.
    const perStructure = m50Table.filter((r) => r.method === 'deep-decoder');
    if (perStructure.length) {
      const cmp = perStructure.map((r) => {
        const l1 = m50Table.filter((x) => x.key === r.key && x.method.startsWith('l1-')).map((x) => x.m50 ?? Infinity);
        return { key: r.key, dd: r.m50 ?? Infinity, l1: Math.min(...l1) };
      });
      const fewer = cmp.filter((c) => c.dd <= c.l1).length;
      const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '> max');
      verdicts.push({
        claim: `default Deep Decoder (${params['deep-decoder']} weights, more than n = ${n}) fitted to convergence needs no more measurements than l1`,
        status: fewer === cmp.length ? 'reproduced' : fewer > 0 ? 'partly reproduced' : 'not reproduced',
        evidence: `m at 50% success, Deep Decoder against the better of l1-DCT and l1-db4: ${cmp.map((c) => `${c.key}: ${fmt(c.dd)} vs ${fmt(c.l1)}`).join('; ')}.`,
      });
    }
    return { markdown: parts.join('\n'), figures, verdicts };
  },
};

/** The m where the success probability first crosses 1/2 (linear interpolation), or null. */
function crossing(cells: CellSummary[]): number | null {
  const s = [...cells].sort((a, b) => a.m - b.m);
  for (let i = 0; i < s.length; i++) {
    if (s[i]!.probability >= 0.5) {
      if (i === 0) return s[0]!.m;
      const a = s[i - 1]!;
      const b = s[i]!;
      return a.m + ((0.5 - a.probability) / (b.probability - a.probability)) * (b.m - a.m);
    }
  }
  return null;
}
