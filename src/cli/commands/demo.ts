import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageGridSvg, lineChartSvg, writeFigure, type Panel, type Series } from '../../io/plot.js';
import { num } from '../args.js';
import { errorMap } from '../outputs.js';
import { buildProblem, loadImage, type OperatorName } from '../problem.js';
import { solve, type Scored } from '../solve.js';
import { table } from './compare.js';
import { cliInterrupt } from '../interrupt.js';

interface DemoRow {
  operator: string;
  rate: number;
  method: string;
  scored: Scored;
}

/**
 * The main job on the built-in image: Deep Decoder against Lasso (db4 wavelets) and TV at
 * several sampling rates, for an MRI-style Cartesian Fourier mask and a structured random
 * operator. Prints the table, writes a figure of reconstructions and a plot of PSNR against rate.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('untrained prior vs Lasso and TV on the built-in image, MRI and structured CS at several rates')
    .option('--out <dir>', 'output folder', 'untrained-cs-demo')
    .option('--image <path>', "image to use ('builtin' = cameraman 128x128)", 'builtin')
    .option('--iterations <n>', 'Deep Decoder iterations', num('--iterations', { min: 1, integer: true }), 1200)
    .option('--rates <list>', 'sampling rates', '0.125,0.25,0.5')
    .option('--quick', 'a one-minute version (fewer iterations, two rates)')
    .option('--seed <n>', 'seed', num('--seed', { integer: true }), 0)
    .action(async (o: { out: string; image: string; iterations: number; rates: string; quick?: boolean; seed: number }) => {
      const truth = loadImage(o.image, false);
      const rates = o.quick ? [0.25, 0.5] : o.rates.split(',').map(Number);
      const iterations = o.quick ? Math.min(o.iterations, 300) : o.iterations;
      const methods = ['deep-decoder', 'lasso', 'tv'];
      const operators: { name: OperatorName; label: string }[] = [
        { name: 'fourier', label: 'MRI Cartesian' },
        { name: 'structured', label: 'structured random' },
      ];
      mkdirSync(o.out, { recursive: true });
      console.log(`untrained-cs demo: ${truth.shape.join('x')} image, ${methods.join(' / ')}, rates ${rates.join(', ')}`);
      const rows: DemoRow[] = [];
      // Ctrl-C: the running fit stops with its best iterate, the rest is skipped, files are written.
      runs: for (const op of operators) {
        for (const rate of rates) {
          const problem = buildProblem(truth, { operator: op.name, rate, mask: op.name === 'fourier' ? 'cartesian' : undefined, seed: o.seed });
          for (const method of methods) {
            if (cliInterrupt().interrupted) break runs;
            const scored = await solve(method, problem, { seed: o.seed, iterations: method === 'deep-decoder' ? iterations : undefined, lambda: method === 'tv' ? 2e-3 : undefined }, `${op.label} ${rate} ${method}`);
            rows.push({ operator: op.label, rate: problem.rate, method, scored });
          }
        }
      }
      // Table
      const lines: string[] = [];
      for (const op of operators) {
        lines.push(`\n${op.label}`);
        for (const rate of new Set(rows.filter((r) => r.operator === op.label).map((r) => r.rate))) {
          lines.push(`  rate ${rate.toFixed(3)}`);
          lines.push(
            table(rows.filter((r) => r.operator === op.label && r.rate === rate).map((r) => ({ label: r.method, scored: r.scored })))
              .split('\n')
              .map((l) => '    ' + l)
              .join('\n'),
          );
        }
      }
      console.log(lines.join('\n'));
      const csv = ['operator,rate,method,psnr,ssim,relative_error,time_ms,iterations,stop_reason'];
      for (const r of rows) csv.push([r.operator, r.rate, r.method, r.scored.psnr, r.scored.ssim, r.scored.relativeError, r.scored.result.timeMs.toFixed(0), r.scored.result.iterations, r.scored.result.stopReason].join(','));
      writeFileSync(join(o.out, 'results.csv'), csv.join('\n') + '\n');
      // Figure: for each operator, the lowest rate's reconstructions and error maps.
      const shape = truth.shape;
      const panels: Panel[] = [];
      for (const op of operators) {
        const lowest = Math.min(...rows.filter((r) => r.operator === op.label).map((r) => r.rate));
        const sel = rows.filter((r) => r.operator === op.label && r.rate === lowest);
        panels.push({ title: 'ground truth', subtitle: `${op.label}, rate ${lowest.toFixed(3)}`, data: truth.data, shape });
        for (const r of sel) panels.push({ title: r.method, subtitle: `${r.scored.psnr.toFixed(2)} dB`, data: r.scored.result.x, shape });
        panels.push({ title: '', data: new Float64Array(truth.data.length).fill(1), shape });
        for (const r of sel) panels.push({ title: `${r.method} |error|`, data: errorMap(r.scored.result.x, truth.data), shape });
      }
      const grid = imageGridSvg(panels, { columns: methods.length + 1, title: 'untrained-cs demo: reconstructions at the lowest rate' });
      writeFigure(join(o.out, 'reconstructions.png'), grid);
      writeFileSync(join(o.out, 'reconstructions.svg'), grid);
      const series: Series[] = [];
      for (const op of operators)
        for (const method of methods) {
          const sel = rows.filter((r) => r.operator === op.label && r.method === method).sort((a, b) => a.rate - b.rate);
          series.push({ name: `${method} (${op.name === 'fourier' ? 'MRI' : 'struct.'})`, x: sel.map((r) => r.rate), y: sel.map((r) => r.scored.psnr) });
        }
      const chart = lineChartSvg(series, { title: 'PSNR against sampling rate', xLabel: 'sampling rate m/n', yLabel: 'PSNR (dB)' });
      writeFigure(join(o.out, 'psnr-vs-rate.png'), chart);
      writeFileSync(join(o.out, 'psnr-vs-rate.svg'), chart);
      console.log(`\nwrote ${join(o.out, 'reconstructions.png')}, ${join(o.out, 'psnr-vs-rate.png')}, ${join(o.out, 'results.csv')}`);
    });
}
