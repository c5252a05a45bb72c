import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, extname } from 'node:path';
import { InvalidArgumentError } from '../../core/errors.js';
import { writeFigure } from '../../io/plot.js';
import { expandTrials, parseSweep } from '../../sweeps/definition.js';
import { errorCurvesSvg, phaseTransitionSvgs } from '../../sweeps/plots.js';
import { runQueueWorker, runSweepOnQueue } from '../../sweeps/queue.js';
import { runSweep, type SweepProgress } from '../../sweeps/runLocal.js';
import { cellsTable, cellsToCsv, summarizeFile } from '../../sweeps/summarize.js';
import { num } from '../args.js';
import { reproduceQueueHandler } from '../../reproduce/run.js';
import { Progress } from '../progress.js';
import { cliInterrupt } from '../interrupt.js';

function readDefinition(path: string) {
  if (!existsSync(path)) throw new InvalidArgumentError('untrained-cs sweep', 'SWEEP.json', 'an existing sweep file', path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InvalidArgumentError('untrained-cs sweep', 'SWEEP.json', 'valid JSON', `${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const def = parseSweep(json, path);
  expandTrials(def); // grid errors surface before anything is written
  return def;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run a phase-transition sweep (all cores by default; resumable; --queue for many machines)')
    .argument('<SWEEP.json>', 'sweep definition')
    .requiredOption('--out <results.jsonl>', 'results file (one JSON line per trial; re-running resumes)')
    .option('--workers <n>', 'local worker threads (default: every core)', num('--workers', { min: 0, integer: true }))
    .option('--queue <redis://host:port>', 'enqueue on BullMQ/Redis and collect results from `untrained-cs worker`s')
    .option('--quiet', 'no progress line')
    .action(async (file: string, o: { out: string; workers?: number; queue?: string; quiet?: boolean }) => {
      const def = readDefinition(file);
      const total = expandTrials(def).length;
      const bar = o.quiet ? null : new Progress(`sweep ${def.name}`, total);
      let rateStart = Date.now();
      let ranAtStart = -1;
      const onProgress = (p: SweepProgress) => {
        if (ranAtStart < 0) {
          ranAtStart = p.done - 1;
          rateStart = Date.now();
        }
        const rate = (p.done - ranAtStart) / Math.max(1e-3, (Date.now() - rateStart) / 1000);
        bar?.update(p.done, `${rate.toFixed(1)} trials/s${p.failed ? `, ${p.failed} failed` : ''}`);
      };
      mkdirSync(dirname(o.out) || '.', { recursive: true });
      // The first Ctrl-C stops (keeping every finished trial); a second one exits at once.
      const controller = cliInterrupt();
      controller.message = 'interrupted: finished trials are saved; re-run the same command to resume';
      const summary = o.queue
        ? await runSweepOnQueue({ definition: def, out: o.out, queueUrl: o.queue, onProgress, signal: controller.signal })
        : await runSweep({ definition: def, out: o.out, workers: o.workers ?? os.availableParallelism(), onProgress, signal: controller.signal });
      bar?.finish();
      const lines = [
        `${summary.total} trials: ${summary.skipped} already done, ${summary.ran} run now${summary.failed ? ` (${summary.failed} failed)` : ''}${summary.aborted ? ', interrupted' : ''}`,
      ];
      if (summary.droppedTornLine) lines.push('a torn last line of an interrupted run was dropped and its trial re-run');
      console.log(lines.join('\n'));
    });

  program
    .command('worker')
    .description('execute sweep and reproduction trials from a BullMQ/Redis queue until stopped')
    .requiredOption('--queue <redis://host:port>', 'Redis URL')
    .option('--concurrency <n>', 'trials at once (default: every core)', num('--concurrency', { min: 1, integer: true }))
    .option('--lock-ms <ms>', 'job lock; a killed worker’s job is retried after about this long', num('--lock-ms', { min: 500, integer: true }), 30000)
    .action(async (o: { queue: string; concurrency?: number; lockMs: number; quiet?: boolean }) => {
      const controller = cliInterrupt();
      controller.message = 'worker: stopping after the trials in progress (Ctrl-C again to quit)';
      const concurrency = o.concurrency ?? os.availableParallelism();
      if (!o.quiet) console.log(`worker: ${concurrency} trial(s) at once from ${o.queue}`);
      let done = 0;
      await runQueueWorker({ queueUrl: o.queue, concurrency, lockMs: o.lockMs, signal: controller.signal, onTrial: () => done++, handlers: { reproduce: reproduceQueueHandler } });
      if (!o.quiet) console.log(`worker: stopped after ${done} trial(s)`);
    });

  program
    .command('summarize')
    .description('per-cell success probability (95% CI), median error and time; CSV')
    .argument('<results.jsonl>')
    .option('--csv <file.csv>', 'write the table as CSV')
    .option('--json', 'print JSON')
    .option('--quiet', 'only the table (or JSON), no header or notices')
    .action((file: string, o: { csv?: string; json?: boolean; quiet?: boolean }) => {
      if (!existsSync(file)) throw new InvalidArgumentError('untrained-cs summarize', 'results.jsonl', 'an existing results file', file);
      const { cells, rows, definition } = summarizeFile(file);
      if (o.csv) writeFileSync(o.csv, cellsToCsv(cells));
      if (o.json) console.log(JSON.stringify(cells));
      else {
        if (!o.quiet) console.log(`${definition?.name ?? file}: ${rows.length} trials in ${cells.length} cells`);
        console.log(cellsTable(cells));
        if (o.csv && !o.quiet) console.log(`wrote ${o.csv}`);
      }
    });

  program
    .command('plot')
    .description('phase-transition heat maps with the theoretical l1 curve, and error-vs-measurements curves')
    .argument('<results.jsonl>')
    .requiredOption('--out <figure.svg|png>', 'figure file (heat maps get a -METHOD suffix when there are several)')
    .option('--quiet', 'print nothing')
    .action((file: string, o: { out: string; quiet?: boolean }) => {
      if (!existsSync(file)) throw new InvalidArgumentError('untrained-cs plot', 'results.jsonl', 'an existing results file', file);
      const { cells, definition } = summarizeFile(file);
      const ext = extname(o.out) || '.svg';
      const stem = o.out.slice(0, o.out.length - extname(o.out).length);
      mkdirSync(dirname(o.out) || '.', { recursive: true });
      const written: string[] = [];
      const heat = phaseTransitionSvgs(definition, cells);
      heat.forEach((h, i) => {
        const path = heat.length === 1 || i === 0 ? (heat.length === 1 ? o.out : `${stem}-${h.label}${ext}`) : `${stem}-${h.label}${ext}`;
        writeFigure(path, h.svg);
        written.push(path);
      });
      const errPath = heat.length === 0 ? o.out : `${stem}-error${ext}`;
      writeFigure(errPath, errorCurvesSvg(cells, definition));
      written.push(errPath);
      if (!o.quiet) console.log(`wrote ${written.join(', ')}`);
    });
}
