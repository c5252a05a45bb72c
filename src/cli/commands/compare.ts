import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { imageGridSvg, writeFigure, type Panel } from '../../io/plot.js';
import { METHODS } from '../../solvers/reconstruct.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { absoluteError, FIGURE_MAX_SIZE, figureScale, mapMax } from '../outputs.js';
import { cliInterrupt } from '../interrupt.js';
import { solve, type Scored } from '../solve.js';
import { addProblemOptions, flagsFrom, problemFrom, type ProblemCliOptions } from './reconstruct.js';

/** Min-max scaling to [0, 1] for display. */
export function rescaled(v: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return v.map((x) => (hi > lo ? (x - lo) / (hi - lo) : 0));
}

export function table(rows: { label: string; scored: Scored }[]): string {
  const head = 'method'.padEnd(22) + 'PSNR (dB)'.padStart(10) + 'SSIM'.padStart(9) + 'rel. error'.padStart(12) + 'time (s)'.padStart(10) + '  stop';
  const lines = rows.map(
    ({ label, scored }) =>
      label.padEnd(22) +
      scored.psnr.toFixed(2).padStart(10) +
      scored.ssim.toFixed(4).padStart(9) +
      scored.relativeError.toFixed(4).padStart(12) +
      (scored.result.timeMs / 1000).toFixed(1).padStart(10) +
      `  ${scored.result.stopReason}`,
  );
  return [head, ...lines].join('\n');
}

export function registerCompare(program: Command): void {
  const cmd = program.command('compare').description('solve one problem with several methods; side-by-side figure and table');
  addProblemOptions(cmd)
    .option('--methods <list>', 'comma-separated methods', 'deep-decoder,lasso,tv,least-squares')
    .option('--out <figure.png|svg>', 'figure to write', 'compare.png')
    .option('--json', 'print JSON instead of a table')
    .option('--quiet', 'no progress line')
    .action(async (o: ProblemCliOptions & { methods: string; out: string }) => {
      const methods = o.methods.split(',').map((s) => s.trim()).filter(Boolean);
      for (const m of methods) if (!(METHODS as readonly string[]).includes(m) && m !== 'gp') throw new InvalidArgumentError('untrained-cs', '--methods', METHODS.join(', '), m);
      const problem = problemFrom(o);
      const interrupt = cliInterrupt();
      interrupt.message = 'interrupted: stopping this method, then writing the figure of the methods done so far (Ctrl-C again to quit)';
      const rows: { label: string; scored: Scored }[] = [];
      // After a Ctrl-C the figure and table show the methods finished so far (the stopped one with its best iterate).
      for (const m of methods) if (!interrupt.interrupted) rows.push({ label: m, scored: await solve(m, problem, flagsFrom(o)) });
      const shape = problem.truth.shape;
      const panels: Panel[] = [{ title: 'ground truth', data: problem.truth.data, shape }];
      for (const r of rows) panels.push({ title: r.label, subtitle: `${r.scored.psnr.toFixed(2)} dB, SSIM ${r.scored.ssim.toFixed(3)}`, data: r.scored.result.x, shape });
      panels.push({ title: 'back-projection A^T y', data: rescaled(problem.operator.adjoint(problem.measurements)), shape });
      // Error maps on one colour scale, in the image's units, so methods compare at a glance.
      const errors = rows.map((r) => absoluteError(r.scored.result.x, problem.truth.data, shape));
      const errorScale = { min: 0, max: mapMax(...errors.map((e) => e.data)), label: '|x - truth|' };
      rows.forEach((r, i) => panels.push({ title: `${r.label} error`, data: errors[i]!.data, shape: errors[i]!.shape, colorScale: errorScale }));
      mkdirSync(dirname(o.out) || '.', { recursive: true });
      const figure = imageGridSvg(panels, { columns: rows.length + 1, title: problem.description, scale: figureScale(shape), maxSize: FIGURE_MAX_SIZE });
      writeFigure(o.out, figure);
      if (extname(o.out) === '.png') writeFileSync(o.out.replace(/\.png$/, '.svg'), figure);
      if (o.json) console.log(JSON.stringify(rows.map((r) => ({ method: r.label, psnr: r.scored.psnr, ssim: r.scored.ssim, relativeError: r.scored.relativeError, timeMs: r.scored.result.timeMs }))));
      else {
        console.log(problem.description);
        console.log(table(rows));
        console.log(`wrote ${o.out}`);
      }
    });
}
