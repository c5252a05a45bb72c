import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from '../../io/image.js';
import { squareResize } from '../../io/resize.js';
import { imageGridSvg, lineChartSvg, writeFigure, type Panel, type Series } from '../../io/plot.js';
import { num } from '../args.js';
import { errorMap } from '../outputs.js';
import { buildProblem, loadImage, type OperatorName } from '../problem.js';
import { solve, type Scored } from '../solve.js';
import { table } from './compare.js';
import { cliInterrupt } from '../interrupt.js';

interface DemoRow {
  problem: string;
  rate: number;
  method: string;
  scored: Scored;
  truth: Image;
}

interface DemoProblem {
  label: string;
  operator: OperatorName;
  /** Side of the image the problem runs at (Gaussian matrices are dense: 64 x 64). */
  side: number;
  rates: number[];
  quickRates: number[];
}

// One or two rates per problem keep the demo to a few minutes; --quick runs the papers' own setting
// (Gaussian CS) only, at both rates, so it shows a case each way rather than a chosen one.
const PROBLEMS: DemoProblem[] = [
  { label: 'Gaussian CS', operator: 'gaussian', side: 64, rates: [0.1, 0.25], quickRates: [0.1, 0.25] },
  { label: 'structured random', operator: 'structured', side: 128, rates: [0.125], quickRates: [] },
  { label: 'MRI Cartesian', operator: 'fourier', side: 128, rates: [0.25], quickRates: [] },
];
const METHODS = ['deep-decoder', 'lasso', 'tv'];

/** One line per problem and rate: who wins, by how much. */
function verdicts(rows: DemoRow[]): string[] {
  const out: string[] = [];
  for (const p of PROBLEMS) {
    for (const rate of [...new Set(rows.filter((r) => r.problem === p.label).map((r) => r.rate))]) {
      const sel = rows.filter((r) => r.problem === p.label && r.rate === rate).sort((a, b) => b.scored.psnr - a.scored.psnr);
      if (sel.length < 2) continue;
      const dd = sel.find((r) => r.method === 'deep-decoder');
      const lead = sel[0]!;
      const gap = lead.scored.psnr - sel[1]!.scored.psnr;
      const where = `${p.label}, ${(100 * rate).toFixed(1)}% of the measurements`;
      if (lead.method === 'deep-decoder') out.push(`  ${where}: the untrained Deep Decoder wins, ${gap.toFixed(2)} dB ahead of ${sel[1]!.method}`);
      else out.push(`  ${where}: ${lead.method} wins${dd ? `, the Deep Decoder is ${(lead.scored.psnr - dd.scored.psnr).toFixed(2)} dB behind` : ''}`);
    }
  }
  return out;
}

/**
 * The main job on the built-in image, every method with the library's defaults (no tuning):
 * the untrained Deep Decoder against Lasso (db4 wavelets) and TV, each choosing its weight by its
 * own rule, on Gaussian measurements (the papers' setting), a structured random operator and
 * MRI-style Cartesian k-space sampling. Prints the table and who wins where; writes figures and a CSV.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the untrained Deep Decoder against Lasso and TV with library defaults: Gaussian CS, structured random and MRI sampling of the built-in image')
    .option('--out <dir>', 'output folder', 'untrained-cs-demo')
    .option('--image <path>', "gray image to use ('builtin' = cameraman 128x128)", 'builtin')
    .option('--iterations <n>', 'Deep Decoder iterations (a compute budget: the library default grows with the image, 3000 at 64x64 and 8000 at 128x128; 1500 keeps the demo short)', num('--iterations', { min: 1, integer: true }))
    .option('--quick', 'a shorter version: Gaussian CS only (the papers\' setting), at 10% and 25%')
    .option('--seed <n>', 'seed', num('--seed', { integer: true }), 0)
    .option('--quiet', 'no progress bars')
    .action(async (o: { out: string; image: string; iterations?: number; quick?: boolean; seed: number; quiet?: boolean }) => {
      const image = loadImage(o.image, false);
      const iterations = o.iterations ?? 1500;
      mkdirSync(o.out, { recursive: true });
      console.log(`untrained-cs demo: ${METHODS.join(' / ')} with library defaults (weights chosen by each method's own rule, no ground truth), Deep Decoder ${iterations} iterations`);
      const rows: DemoRow[] = [];
      // Ctrl-C: the running fit stops with its best iterate, the rest is skipped, files are written.
      runs: for (const p of PROBLEMS) {
        const truth = squareResize(image, p.side);
        for (const rate of o.quick ? p.quickRates : p.rates) {
          const problem = buildProblem(truth, { operator: p.operator, rate, mask: p.operator === 'fourier' ? 'cartesian' : undefined, seed: o.seed });
          for (const method of METHODS) {
            if (cliInterrupt().interrupted) break runs;
            const scored = await solve(method, problem, { seed: o.seed, quiet: o.quiet, iterations: method === 'deep-decoder' ? iterations : undefined }, `${p.label} ${rate} ${method}`);
            rows.push({ problem: p.label, rate: problem.rate, method, scored, truth });
          }
        }
      }
      const lines: string[] = [];
      for (const p of PROBLEMS) {
        const rates = [...new Set(rows.filter((r) => r.problem === p.label).map((r) => r.rate))];
        if (!rates.length) continue;
        lines.push(`\n${p.label} (${p.side}x${p.side})`);
        for (const rate of rates) {
          lines.push(`  ${(100 * rate).toFixed(1)}% of the measurements`);
          lines.push(
            table(rows.filter((r) => r.problem === p.label && r.rate === rate).map((r) => ({ label: r.method, scored: r.scored })))
              .split('\n')
              .map((l) => '    ' + l)
              .join('\n'),
          );
        }
      }
      console.log(lines.join('\n'));
      console.log('\nWho wins where (PSNR):');
      console.log(verdicts(rows).join('\n'));
      console.log(
        '\nThe papers claim that an untrained generator fitted to convergence beats l1 in wavelets from few random (Gaussian) measurements (compare the lasso rows above); ' +
          'against TV it is a close call that depends on the image and the rate (this built-in cameraman is nearly piecewise constant, TV\'s best case), and on Cartesian MRI TV wins. ' +
          'The Deep Decoder here fits with the library\'s default TV penalty on its output (`tvPenalty`, 0 for the network alone), which it gets from fewer measurements than pixels. ' +
          'reproduction/REPRODUCTION.md has the full comparison on the papers\' images with every baseline at its best weight.',
      );
      const csv = ['problem,rate,method,psnr,ssim,relative_error,time_ms,iterations,stop_reason'];
      for (const r of rows) csv.push([r.problem, r.rate, r.method, r.scored.psnr, r.scored.ssim, r.scored.relativeError, r.scored.result.timeMs.toFixed(0), r.scored.result.iterations, r.scored.result.stopReason].join(','));
      writeFileSync(join(o.out, 'results.csv'), csv.join('\n') + '\n');
      // Figure: for each problem, the lowest rate's reconstructions and error maps.
      const panels: Panel[] = [];
      for (const p of PROBLEMS) {
        const mine = rows.filter((r) => r.problem === p.label);
        if (!mine.length) continue;
        const lowest = Math.min(...mine.map((r) => r.rate));
        const sel = mine.filter((r) => r.rate === lowest);
        const { truth } = sel[0]!;
        // Scale small images up so every row has the same width.
        const scale = 128 / p.side;
        const up = (d: ArrayLike<number>) => upscale(d, p.side, scale);
        const shape = [p.side * scale, p.side * scale];
        panels.push({ title: 'ground truth', subtitle: `${p.label}, ${(100 * lowest).toFixed(1)}%`, data: up(truth.data), shape });
        for (const r of sel) panels.push({ title: r.method, subtitle: `${r.scored.psnr.toFixed(2)} dB`, data: up(r.scored.result.x), shape });
        panels.push({ title: '', data: new Float64Array(shape[0]! * shape[1]!).fill(1), shape });
        for (const r of sel) panels.push({ title: `${r.method} |error|`, data: up(errorMap(r.scored.result.x, truth.data)), shape });
      }
      if (panels.length) {
        const grid = imageGridSvg(panels, { columns: METHODS.length + 1, title: 'untrained-cs demo: reconstructions at the lowest rate (library defaults)' });
        writeFigure(join(o.out, 'reconstructions.png'), grid);
        writeFileSync(join(o.out, 'reconstructions.svg'), grid);
      }
      const series: Series[] = [];
      for (const p of PROBLEMS)
        for (const method of METHODS) {
          const sel = rows.filter((r) => r.problem === p.label && r.method === method).sort((a, b) => a.rate - b.rate);
          if (sel.length) series.push({ name: `${method} (${p.label})`, x: sel.map((r) => r.rate), y: sel.map((r) => r.scored.psnr) });
        }
      if (series.length) {
        const chart = lineChartSvg(series, { title: 'PSNR against sampling rate (library defaults)', xLabel: 'sampling rate m/n', yLabel: 'PSNR (dB)', width: 760 });
        writeFigure(join(o.out, 'psnr-vs-rate.png'), chart);
        writeFileSync(join(o.out, 'psnr-vs-rate.svg'), chart);
      }
      console.log(`\nwrote ${join(o.out, 'reconstructions.png')}, ${join(o.out, 'psnr-vs-rate.png')}, ${join(o.out, 'results.csv')}`);
    });
}

/** Nearest-neighbour upscaling of a square image by an integer factor (for the figure only). */
function upscale(data: ArrayLike<number>, side: number, factor: number): Float64Array {
  if (factor === 1) return Float64Array.from(data);
  const s = side * factor;
  const out = new Float64Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) out[i * s + j] = data[Math.floor(i / factor) * side + Math.floor(j / factor)]!;
  return out;
}
