import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPERIMENTS } from '../src/reproduce/registry.js';
import { bayesianDip } from '../src/reproduce/experiments/bayesianDip.js';
import { csImages } from '../src/reproduce/experiments/csImages.js';
import { baselineAtBest, BaselineSearchInterrupted } from '../src/reproduce/baselines.js';
import { checkpointFile, checkpointTimeRecorder, elapsedLedgerFile, readElapsedMs, removeTrialCheckpoints, TrialInterrupted, writeElapsedMs } from '../src/reproduce/common.js';
import { runReproTrial } from '../src/reproduce/trial.js';
import { runReproduction, trialContext } from '../src/reproduce/run.js';
import { deepDecoder, fitGeneratorSync, gaussian, identity } from '../src/index.js';
import { readCheckpoint, writeCheckpoint, type CheckpointJson } from '../src/solvers/fitCheckpoint.js';
import { cliBuilt, runCli } from './sweepHelpers.js';

/**
 * `untrained-cs reproduce --quick` end to end: every experiment's slice runs, the results files
 * resume, and REPRODUCTION.quick.md has the structure the issue asks for (not its numbers).
 */
describe('untrained-cs reproduce --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'ucs-repro-'));

  it('runs every experiment and writes the report with published and measured numbers', () => {
    cliBuilt();
    const r = runCli(['reproduce', '--quick', '--out', out, '--workers', '0', '--quiet'], 300_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = readFileSync(join(out, 'REPRODUCTION.quick.md'), 'utf8');
    expect(report).toMatch(/^# Reproducing the papers/);
    expect(report).toMatch(/## Summary\n\nEach verdict is computed from the rows\.[^\n]*\n\n\| experiment \| claim \| verdict \| evidence \|/);
    for (const e of EXPERIMENTS) {
      expect(report).toContain(`## ${e.title}`);
      expect(existsSync(join(out, 'results', `${e.name}.quick.jsonl`))).toBe(true);
      const section = report.slice(report.indexOf(`## ${e.title}`));
      for (const part of ['**Claim.**', '**Command.**', '**Protocol.**', '**Deviations from the paper.**', '**Results.**', '**Compute.**', '**Verdict.**']) expect(section).toContain(part);
      // every trial ran and succeeded
      const rows = readFileSync(join(out, 'results', `${e.name}.quick.jsonl`), 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.status !== 'ok').map((row) => `${row.id}: ${row.error}`)).toEqual([]);
    }
    expect(report).toMatch(/published/i);
    // the MRI paper-length fits have their own table (their TV verdict needs multi-coil TV, not in the quick slice)
    expect(report).toContain("**Fitted for the paper's 20000 iterations**");
    // the Deep Decoder fitted beyond the old budget records its reading there from the same
    // trajectory (its curve's iterate at that count), and the report compares the two
    const cs = readFileSync(join(out, 'results', 'cs-images.quick.jsonl'), 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l));
    const dd = cs.find((row) => row.params.method === 'deep-decoder');
    expect(dd.metrics.iterations).toBe(2 * dd.metrics.shortIterations);
    expect(dd.curves.psnr.length).toBe(dd.curves.iteration.length);
    expect(dd.curves.psnr[dd.curves.iteration.indexOf(dd.metrics.shortIterations)]).toBe(dd.metrics.psnrAtShort);
    expect(report).toMatch(/gain over the old budget of 3000 \(the same fit read there\): 25%: median/);
    expect(report).toContain('| deep-decoder at 3000 |');
    // figures referenced by the report exist
    const figs = [...report.matchAll(/\]\((figures\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(figs.length).toBeGreaterThan(0);
    for (const f of figs) expect(existsSync(join(out, f))).toBe(true);
    expect(readdirSync(join(out, 'figures')).some((f) => f.endsWith('.svg'))).toBe(true);
    // the long fits checkpoint there while they run (SGLD, denoising); finished trials leave nothing
    expect(readdirSync(join(out, 'checkpoints'))).toEqual([]);
  });

  it('resumes: a second run finds every trial done and runs none', () => {
    const r = runCli(['reproduce', '--quick', '--out', out, '--workers', '0', '--quiet'], 120_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ran 0 trial\(s\)/);
  });

  it('--list counts the selected trials and names the ones a checkpoint will resume', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ucs-repro-list-'));
    const ctx = trialContext({ quick: true, out: fresh });
    const trial = bayesianDip.trials(ctx).find((t) => t.params.variant === 'sgld')!;
    mkdirSync(ctx.checkpoints!, { recursive: true });
    // any aborted fit will do: --list reads the file's header only
    const ac = new AbortController();
    const op = identity({ shape: [8, 8] });
    fitGeneratorSync({
      generator: deepDecoder({ outShape: [8, 8], channels: 4, depth: 2, seed: 1 }),
      operator: op,
      measurements: new Float64Array(64).fill(0.5),
      iterations: 30,
      checkpoint: { path: checkpointFile(ctx, trial)! },
      signal: ac.signal,
      onProgress: (p) => p.iteration >= 7 && ac.abort(),
      progressEvery: 1,
    });
    const r = runCli(['reproduce', 'bayesian-dip', '--quick', '--list', '--out', fresh, '--filter', 'variant=sgld']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bayesian-dip +2 trials \(0 done\), about .* of one core left/);
    expect(r.stdout).toContain(`resumes ${trial.id} from its checkpoint at iteration 7 of 30`);
  });

  it('an interrupted trial stops its chain at once, keeps the checkpoint, and resumes to the uninterrupted result', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ucs-repro-abort-'));
    const base = { ...trialContext({ quick: true, out: fresh }), artifacts: null };
    const trial = bayesianDip.trials(base).find((t) => t.params.variant === 'sgld')!;
    mkdirSync(base.checkpoints!, { recursive: true });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(flag, 0, 1);
    expect(() => bayesianDip.run(trial, { ...base, abortFlag: flag.buffer as SharedArrayBuffer })).toThrow(TrialInterrupted);
    expect(existsSync(checkpointFile(base, trial)!)).toBe(true);
    const resumed = bayesianDip.run(trial, base);
    expect(existsSync(checkpointFile(base, trial)!)).toBe(false);
    const clean = bayesianDip.run(trial, { ...base, checkpoints: null });
    expect(resumed.metrics).toEqual(clean.metrics);
  });

  it('--threads runs each trial on that many engine threads and records it in the row; a count the engine lacks is one clear line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucs-repro-threads-'));
    const r = runCli(['reproduce', 'gp-view', '--quick', '--out', dir, '--workers', '1', '--threads', '2', '--quiet', '--filter', 'kernel=rbf'], 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = readFileSync(join(dir, 'results', 'gp-view.quick.jsonl'), 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.engine).toMatch(/ x2$/);
    for (const bad of ['0', '3', 'two']) {
      const b = runCli(['reproduce', '--quick', '--out', dir, '--threads', bad]);
      expect(b.code).toBe(2);
      expect(b.stderr).toMatch(/--threads/);
    }
    await expect(runReproduction({ out: dir, quick: true, experiments: ['gp-view'], engineThreads: 3 })).rejects.toThrow(/engineThreads/);
  });

  it('rejects an unknown experiment and a malformed filter with one clear line', () => {
    const a = runCli(['reproduce', 'no-such-experiment', '--quick', '--out', out]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/EXPERIMENT.*no-such-experiment/);
    const b = runCli(['reproduce', '--quick', '--out', out, '--filter', 'nonsense']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--filter/);
  });
});

/**
 * The oracle searches of the baselines take up to an hour on a 128x128 dense problem: each solved
 * weight is kept, so a search stopped between (or during) its solves resumes to the same result.
 */
describe('baselineAtBest checkpoints', () => {
  const n = 16;
  const truth = Float64Array.from({ length: n * n }, (_, i) => ((i % n) < n / 2 ? 0.2 : 0.8) + 0.1 * Math.floor(i / n / 4));
  const A = gaussian({ m: 96, n: n * n, seed: 'search-checkpoint' });
  const y = A.apply(truth);

  it('a search stopped after its third solve resumes with the other six weights and the rule, and ends bit for bit where an uninterrupted one does', () => {
    const clean = baselineAtBest('tv', A, y, truth, [n, n], { quick: false, withRule: true });
    const dir = mkdtempSync(join(tmpdir(), 'ucs-search-'));
    const path = join(dir, 'tv-search.ckpt');
    const ac = new AbortController();
    let solves = 0;
    const first = () => baselineAtBest('tv', A, y, truth, [n, n], { quick: false, withRule: true, checkpoint: path, signal: ac.signal, onSolve: () => ++solves === 3 && ac.abort() });
    expect(first).toThrow(BaselineSearchInterrupted);
    expect(solves).toBe(3);
    expect(existsSync(path)).toBe(true);
    const resumedWeights: (number | null)[] = [];
    const resumed = baselineAtBest('tv', A, y, truth, [n, n], { quick: false, withRule: true, checkpoint: path, onSolve: (w) => resumedWeights.push(w) });
    // 9 weights and the rule; the first three were read back, not solved again
    expect(resumedWeights.length).toBe(10 - 3);
    expect(resumedWeights).not.toContain(1e-1);
    expect(resumed.weight).toBe(clean.weight);
    expect(resumed.path).toEqual(clean.path);
    expect(resumed.rule).toEqual(clean.rule);
    expect(Buffer.from(resumed.result.x.buffer).equals(Buffer.from(clean.result.x.buffer))).toBe(true);
    expect(resumed.result.iterations).toBe(clean.result.iterations);
    // the work along the warm-start chain, not only the last solve's
    expect(resumed.pathIterations).toBe(clean.pathIterations);
    expect(clean.pathIterations).toBeGreaterThan(clean.result.iterations);
    // a finished search leaves no checkpoint
    expect(existsSync(path)).toBe(false);
  });

  it('a checkpoint of another search (other measurements) is replaced, not read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucs-search-'));
    const path = join(dir, 'tv-search.ckpt');
    const ac = new AbortController();
    expect(() => baselineAtBest('tv', A, y, truth, [n, n], { quick: true, checkpoint: path, signal: ac.signal, onSolve: () => ac.abort() })).toThrow(BaselineSearchInterrupted);
    const other = y.map((v) => 0.5 * v);
    const clean = baselineAtBest('tv', A, other, truth, [n, n], { quick: true });
    let solves = 0;
    const r = baselineAtBest('tv', A, other, truth, [n, n], { quick: true, checkpoint: path, onSolve: () => solves++ });
    expect(solves).toBe(2);
    expect(r.path).toEqual(clean.path);
  });

  it('a search stopped during a solve keeps only the solves before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucs-search-'));
    const path = join(dir, 'tv-search.ckpt');
    let solves = 0;
    let polls = 0;
    // aborted from the 5th poll of the third solve on: inside the solver, not between solves
    const signal = { get aborted() { return solves === 2 && ++polls > 5; }, addEventListener() {}, removeEventListener() {} } as unknown as AbortSignal;
    expect(() => baselineAtBest('tv', A, y, truth, [n, n], { quick: false, checkpoint: path, signal, onSolve: () => solves++ })).toThrow(BaselineSearchInterrupted);
    expect(readCheckpoint('test', path)!.state.iteration).toBe(2);
  });

  it('a trial keeps its search until it is recorded, resumes a partial one to the clean result, and stops on the runner\'s flag', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ucs-repro-search-'));
    const ctx = { ...trialContext({ quick: true, out: fresh }), artifacts: null };
    const trial = csImages.trials(ctx).find((t) => t.params.method === 'tv')!;
    mkdirSync(ctx.checkpoints!, { recursive: true });
    const file = checkpointFile(ctx, trial, 'search')!;
    const clean = csImages.run(trial, { ...ctx, checkpoints: null });
    const first = csImages.run(trial, ctx);
    expect(first.metrics).toEqual(clean.metrics);
    // the runner removes it when it records the trial (removeTrialCheckpoints)
    expect(existsSync(file)).toBe(true);
    // cut it back to the first solve, as a kill after that solve would have left it
    const saved = readCheckpoint('test', file)!;
    const solves = saved.state.solves as CheckpointJson[];
    expect(saved.state.iteration).toBe(3); // two weights and the rule
    writeCheckpoint(file, { fingerprint: saved.fingerprint, state: { ...saved.state, iteration: 1, solves: solves.slice(0, 1), rule: null }, arrays: { x0: saved.arrays.x0! } });
    const r = runCli(['reproduce', 'cs-images', '--quick', '--list', '--out', fresh, '--filter', 'method=tv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`resumes ${trial.id} from its checkpoint at solve 1 of 3`);
    const resumed = csImages.run(trial, ctx);
    expect(resumed.metrics).toEqual(clean.metrics);
    // the runner's Ctrl-C: the trial says it was interrupted and its search stays for the next run
    const flag = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(flag, 0, 1);
    writeCheckpoint(file, { fingerprint: saved.fingerprint, state: { ...saved.state, iteration: 1, solves: solves.slice(0, 1), rule: null }, arrays: { x0: saved.arrays.x0! } });
    expect(() => csImages.run(trial, { ...ctx, abortFlag: flag.buffer as SharedArrayBuffer })).toThrow(TrialInterrupted);
    expect(readCheckpoint('test', file)!.state.iteration).toBe(1);
  });

  it('a resumed trial\'s row counts the compute of the segments before its interruptions', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ucs-repro-elapsed-'));
    const ctx = { ...trialContext({ quick: true, out: fresh }), artifacts: null };
    const trial = csImages.trials(ctx).find((t) => t.params.method === 'tv')!;
    mkdirSync(ctx.checkpoints!, { recursive: true });
    // an hour spent in earlier segments, as an earlier interruption would have left it
    writeElapsedMs(ctx, trial, 3_600_000);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(flag, 0, 1);
    const interrupted = runReproTrial(trial, { ...ctx, abortFlag: flag.buffer as SharedArrayBuffer });
    expect(interrupted.status).toBe('failed');
    expect(interrupted.error).toMatch(/interrupted/);
    // this segment's time is added, not lost
    expect(readElapsedMs(ctx, trial)).toBeGreaterThanOrEqual(3_600_000);
    const row = runReproTrial(trial, ctx);
    expect(row.status).toBe('ok');
    expect(row.timeMs).toBeGreaterThanOrEqual(3_600_000);
    expect(row.timeMs).toBeLessThan(3_600_000 + 120_000);
    // recorded: the runner removes the ledger with the checkpoints, and a new run starts from zero
    removeTrialCheckpoints(ctx, trial);
    expect(existsSync(elapsedLedgerFile(ctx, trial)!)).toBe(false);
    expect(readElapsedMs(ctx, trial)).toBe(0);
    // no checkpoint folder (queue workers): nothing is kept
    const bare = { ...ctx, checkpoints: null };
    expect(elapsedLedgerFile(bare, trial)).toBeNull();
    writeElapsedMs(bare, trial, 5);
    expect(readElapsedMs(bare, trial)).toBe(0);
  });

  it('the ledger follows every checkpoint a trial writes, so a hard kill (no Ctrl-C) loses only the time since the last one', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ucs-repro-ledger-'));
    const ctx = { ...trialContext({ quick: true, out: fresh }), artifacts: null };
    const trial = csImages.trials(ctx).find((t) => t.params.method === 'deep-decoder')!;
    mkdirSync(ctx.checkpoints!, { recursive: true });
    // the recorder: nothing until the checkpoint file changes, then the clock's reading; the caller's onProgress always
    const file = checkpointFile(ctx, trial)!;
    writeFileSync(file, 'a checkpoint');
    utimesSync(file, 1000, 1000);
    let clock = 42;
    const seen: number[] = [];
    const rec = checkpointTimeRecorder({ ...ctx, spentMs: () => clock }, trial, file, (p: number) => seen.push(p))!;
    rec(1);
    expect(existsSync(elapsedLedgerFile(ctx, trial)!)).toBe(false);
    utimesSync(file, 2000, 2000);
    rec(2);
    expect(readElapsedMs(ctx, trial)).toBe(42);
    clock = 99;
    rec(3); // no new checkpoint: the ledger keeps the time of the last one
    expect(readElapsedMs(ctx, trial)).toBe(42);
    expect(seen).toEqual([1, 2, 3]);
    // without a clock or a checkpoint it is the caller's onProgress itself
    const own = (p: number) => seen.push(p);
    expect(checkpointTimeRecorder(ctx, trial, file, own)).toBe(own);
    expect(checkpointTimeRecorder({ ...ctx, spentMs: () => 1 }, trial, undefined, own)).toBe(own);
    removeTrialCheckpoints(ctx, trial);
    // a whole trial (the quick Deep Decoder fit: 30 iterations, a checkpoint every 10): the ledger holds
    // the trial's time at its last checkpoint, within the row's time, as a kill after it would leave it
    const row = runReproTrial(trial, ctx);
    expect(row.status, row.error).toBe('ok');
    const ledger = readElapsedMs(ctx, trial);
    expect(ledger).toBeGreaterThan(0);
    expect(ledger).toBeLessThanOrEqual(row.timeMs);
  });
});
