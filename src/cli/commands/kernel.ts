import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { lineChartSvg, writeFigure, type Series } from '../../io/plot.js';
import { correlation, dipKernel, type Activation } from '../../priors/gp/kernels.js';
import { num, oneOf } from '../args.js';

function list(flag: string, value: string, integer: boolean): number[] {
  return value.split(',').map((s) => num(flag, { min: 0, integer })(s.trim()));
}

/** Correlation against distance of the DIP-equivalent kernel for several depths and input widths. */
export function registerKernel(program: Command): void {
  program
    .command('kernel')
    .description('plot the correlation function of the DIP-equivalent GP kernel against distance')
    .option('--out <figure.png|svg>', 'figure to write', 'kernel.png')
    .option('--depths <list>', 'hourglass depths', '1,2,3,4,5')
    .option('--sigmas <list>', 'input smoothing widths (pixels)', '1')
    .option('--activation <a>', 'relu or erf', oneOf('--activation', ['relu', 'erf'] as const), 'relu')
    .option('--max-distance <r>', 'largest distance plotted', num('--max-distance', { min: 1 }), 32)
    .option('--json', 'print the curves as JSON')
    .action((o: { out: string; depths: string; sigmas: string; activation: Activation; maxDistance: number; json?: boolean; quiet?: boolean }) => {
      const depths = list('--depths', o.depths, true);
      const sigmas = list('--sigmas', o.sigmas, false);
      const r = Array.from({ length: 65 }, (_, i) => (o.maxDistance * i) / 64);
      const series: Series[] = [];
      for (const sigma of sigmas)
        for (const depth of depths) {
          const k = dipKernel({ depth, sigma, activation: o.activation });
          series.push({ name: `depth ${depth}${sigmas.length > 1 ? `, sigma ${sigma}` : ''}`, x: r, y: correlation(k, r) });
        }
      mkdirSync(dirname(o.out) || '.', { recursive: true });
      writeFigure(o.out, lineChartSvg(series, { title: `DIP-equivalent kernel (${o.activation}): correlation against distance`, xLabel: 'distance (pixels)', yLabel: 'correlation K(r) / K(0)' }));
      if (o.json) console.log(JSON.stringify(series));
      else if (!o.quiet) console.log(`wrote ${o.out}`);
    });
}
