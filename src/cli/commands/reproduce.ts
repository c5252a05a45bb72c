import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { basename } from 'node:path';
import { InvalidArgumentError } from '../../core/errors.js';
import { EXPERIMENTS, experimentByName } from '../../reproduce/registry.js';
import { duration, readElapsedMs, trialCheckpoints } from '../../reproduce/common.js';
import { checkpointProgress } from '../../solvers/fitCheckpoint.js';
import { writeReport } from '../../reproduce/report.js';
import { planRuns, runReproduction, trialContext, type ReproduceProgress } from '../../reproduce/run.js';
import { num } from '../args.js';
import { cliInterrupt } from '../interrupt.js';
import { version } from '../version.js';

interface ReproduceFlags {
  quick?: boolean;
  out: string;
  data?: string;
  workers?: number;
  threads?: number;
  queue?: string;
  filter?: string[];
  reportOnly?: boolean;
  list?: boolean;
  quiet?: boolean;
}

function parseFilter(values: string[] | undefined): Record<string, string[]> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError('untrained-cs reproduce', '--filter', 'KEY=VALUE[,VALUE...] (e.g. h=256 or variant=sgd,sgld)', v);
    out[v.slice(0, eq)] = v.slice(eq + 1).split(',');
  }
  return out;
}

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description("run the papers' experiments (resumable; every core; --queue for many machines) and write REPRODUCTION.md")
    .argument('[EXPERIMENT...]', `experiments to run (default all): ${EXPERIMENTS.map((e) => e.name).join(', ')}`)
    .option('--quick', 'a small slice of every experiment, in minutes (checks the machinery, not the papers)')
    .option('--out <dir>', 'folder for results/, figures/ and REPRODUCTION.md', 'reproduction')
    .option('--data <dir>', "the papers' test images (default: $UNTRAINED_CS_DATA, ./data or ../shared/data)")
    .option('--workers <n>', 'local worker threads (default: every core)', num('--workers', { min: 0, integer: true }))
    .option('--threads <n>', 'engine threads per worker, 1 or 2 (default 1, one per worker core; 2 runs a lone long trial, e.g. an SGLD chain, 1.4-1.8x faster; rows are the same to the bit on either)', num('--threads', { min: 1, max: 2, integer: true }))
    .option('--queue <redis://host:port>', 'enqueue trials on BullMQ/Redis; `untrained-cs worker` runs them')
    .option('--filter <key=values>', 'only trials whose parameter matches (repeatable), e.g. --filter h=256', (v: string, acc: string[] = []) => [...acc, v])
    .option('--report-only', 'write REPRODUCTION.md from the results so far, run nothing')
    .option('--list', 'list the experiments, their trial counts and the checkpoints a run will resume from; run nothing')
    .option('--quiet', 'no progress lines')
    .action(async (names: string[], o: ReproduceFlags) => {
      for (const n of names) experimentByName(n);
      const filter = parseFilter(o.filter);
      const ctx = trialContext({ quick: o.quick, out: o.out, data: o.data });
      if (o.list) {
        for (const run of planRuns({ experiments: names, quick: o.quick, out: o.out, filter }, ctx)) {
          // Counts over the selected trials: a filtered list shares its results file with other slices.
          const doneIds = new Set(run.rows.map((r) => r.id));
          const left = run.trials.filter((t) => !doneIds.has(t.id));
          const cost = left.reduce((s, t) => s + t.cost, 0);
          console.log(`${run.experiment.name.padEnd(16)} ${String(run.trials.length).padStart(5)} trials (${run.trials.length - left.length} done), about ${duration(cost)} of one core left: ${run.experiment.title}`);
          for (const t of left)
            // A .tmp- file is a checkpoint being written (or left by a killed writer): nothing resumes from it.
            for (const f of trialCheckpoints(ctx, t).filter((c) => !/\.tmp-/.test(basename(c)))) {
              const p = checkpointProgress(f);
              const spent = readElapsedMs(ctx, t);
              if (p) console.log(`  resumes ${t.id} from its checkpoint at ${p.unit} ${p.iteration} of ${p.iterations} (${basename(f)})${spent ? `, ${duration(spent / 1000)} spent so far` : ''}`);
            }
        }
        return;
      }
      mkdirSync(o.out, { recursive: true });
      const interrupt = cliInterrupt();
      interrupt.message = 'interrupted: finished trials are saved, running fits write their checkpoints, and the report is written; re-run the same command to resume (Ctrl-C again to quit)';
      const started = Date.now();
      const onProgress = (p: ReproduceProgress) => {
        if (o.quiet) return;
        const r = p.row;
        const m = Object.entries(r.metrics)
          .filter(([k]) => k === 'psnr' || k === 'relativeError' || k === 'success')
          .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(k === 'psnr' ? 2 : 4) : v}`)
          .join(', ');
        process.stderr.write(`[${duration((Date.now() - started) / 1000)}] ${p.experiment} ${p.done}/${p.total} ${r.id}: ${r.status === 'ok' ? m : `FAILED ${r.error}`} (${duration(r.timeMs / 1000)})\n`);
      };
      const runOptions = { experiments: names, quick: o.quick, out: o.out, data: o.data, workers: o.workers ?? os.availableParallelism(), engineThreads: o.threads, queueUrl: o.queue, filter, onProgress, signal: interrupt.signal };
      const runs = o.reportOnly ? planRuns(runOptions, ctx) : await runReproduction(runOptions);
      const command = ['untrained-cs reproduce', ...names, ...(o.quick ? ['--quick'] : [])].join(' ');
      const path = writeReport(runs, ctx, { out: o.out, quick: Boolean(o.quick), version: version(), command });
      const ran = runs.reduce((s, r) => s + r.ran, 0);
      // Rows of the selected trials only: a filtered run shares its results file with other slices.
      const done = runs.reduce((s, r) => {
        const ids = new Set(r.trials.map((t) => t.id));
        return s + new Set(r.rows.filter((row) => ids.has(row.id)).map((row) => row.id)).size;
      }, 0);
      const total = runs.reduce((s, r) => s + r.trials.length, 0);
      console.log(`${o.reportOnly ? '' : `ran ${ran} trial(s); `}${done} of ${total} done; wrote ${path}`);
    });
}
