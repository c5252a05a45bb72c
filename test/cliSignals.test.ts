import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImage } from '../src/index.js';
import { CLI, cliBuilt, rowsOf, runCli, waitFor } from './sweepHelpers.js';

// Issue 13: Ctrl-C stops a fit (it runs on a worker thread, so the CLI's thread sees the signal),
// the command writes every file it promised and exits 130; a second Ctrl-C exits at once.
const dir = mkdtempSync(join(tmpdir(), 'ucs-sigint-'));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Sends SIGINT once the fit reports progress; returns the exit and the seconds it took after the signal. */
async function interruptAfterProgress(run: Run, progress: RegExp): Promise<{ code: number | null; seconds: number }> {
  await waitFor(() => progress.test(run.stderr()), 60_000, 20);
  const sent = performance.now();
  run.child.kill('SIGINT');
  const e = await run.exit;
  return { code: e.code, seconds: (e.at - sent) / 1000 };
}

describe('Ctrl-C in the CLI (child processes)', () => {
  it('reconstruct --iterations 100000: SIGINT exits 130 within 3 s with the output image and error map written', async () => {
    cliBuilt();
    const out = join(dir, 'rec.png');
    const run = start(['reconstruct', '--image', 'builtin', '--operator', 'fourier', '--rate', '0.5', '--method', 'deep-decoder', '--iterations', '100000', '--out', out]);
    const { code, seconds } = await interruptAfterProgress(run, /deep-decoder: 0% \(1\/100000\)/);
    expect(code).toBe(130);
    expect(seconds).toBeLessThan(3);
    expect(run.stderr()).toMatch(/interrupted: stopping and keeping the best result so far/);
    expect(run.stdout()).toMatch(/deep-decoder: PSNR \d+\.\d+ dB .*\(\d+ iterations, aborted\)/);
    expect(readImage(out).shape).toEqual([128, 128]);
    expect(existsSync(join(dir, 'rec-error.png'))).toBe(true);
  });

  it('compare: SIGINT stops the running fit, skips the other methods, writes the figure and exits 130', async () => {
    cliBuilt();
    const out = join(dir, 'cmp.svg');
    const run = start(['compare', '--image', 'builtin', '--operator', 'mask', '--rate', '0.5', '--methods', 'deep-decoder,lasso', '--iterations', '100000', '--out', out]);
    const { code, seconds } = await interruptAfterProgress(run, /deep-decoder: 0% \(1\/100000\)/);
    expect(code).toBe(130);
    expect(seconds).toBeLessThan(3);
    expect(run.stdout()).toMatch(/deep-decoder\s+\d+\.\d+.*aborted/);
    expect(run.stdout()).not.toMatch(/^lasso/m);
    expect(readFileSync(out, 'utf8')).toContain('<svg');
  });

  it('demo: SIGINT stops the running fit, writes the table, figures and CSV of what ran, exits 130', async () => {
    cliBuilt();
    const out = join(dir, 'demo');
    const run = start(['demo', '--quick', '--iterations', '100000', '--out', out]);
    const { code } = await interruptAfterProgress(run, /deep-decoder: 0% \(1\/100000\)/);
    expect(code).toBe(130);
    for (const f of ['results.csv', 'reconstructions.png', 'psnr-vs-rate.png']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'results.csv'), 'utf8')).toMatch(/Gaussian CS,[\d.]+,deep-decoder,.*,aborted/);
  });

  it('reconstruct --checkpoint: Ctrl-C saves the fit, the same command continues it to the result of an uninterrupted run', async () => {
    cliBuilt();
    const ck = join(dir, 'fit.ckpt');
    const args = ['reconstruct', '--image', 'builtin', '--operator', 'mask', '--rate', '0.5', '--method', 'deep-decoder', '--iterations', '150', '--seed', '3'];
    const run = start([...args, '--out', join(dir, 'ck.png'), '--checkpoint', ck]);
    const { code } = await interruptAfterProgress(run, /deep-decoder: \d+% \([1-9]\d*\/150\)/);
    expect(code).toBe(130);
    expect(run.stdout()).toMatch(/fit saved to .*fit\.ckpt: run the same command again to continue it/);
    expect(existsSync(ck)).toBe(true);
    const resumed = runCli([...args, '--out', join(dir, 'ck.png'), '--checkpoint', ck, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(ck)).toBe(false);
    const whole = runCli([...args, '--out', join(dir, 'whole.png'), '--quiet']);
    const line = (s: string) => s.split('\n').find((l) => l.startsWith('deep-decoder: PSNR'))!.replace(/ {2}\d+\.\d s /, ' ');
    expect(line(resumed.stdout)).toBe(line(whole.stdout));
    expect(line(whole.stdout)).toMatch(/\(150 iterations, max-iterations\)/);
    // --checkpoint is for generator fits only
    const bad = runCli([...args, '--method', 'lasso', '--checkpoint', ck, '--quiet']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--checkpoint.*generator method/);
  }, 180_000);

  it('a second SIGINT exits at once with 130', async () => {
    cliBuilt();
    const run = start(['reconstruct', '--image', 'builtin', '--operator', 'mask', '--rate', '0.5', '--method', 'deep-decoder', '--iterations', '100000', '--out', join(dir, 'twice.png')]);
    await waitFor(() => /0% \(1\/100000\)/.test(run.stderr()), 60_000, 20);
    const sent = performance.now();
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 5));
    run.child.kill('SIGINT');
    const e = await run.exit;
    expect(e.code).toBe(130);
    expect((e.at - sent) / 1000).toBeLessThan(3);
  });

  it('sweep: SIGINT keeps the finished trials and exits 130', async () => {
    cliBuilt();
    const def = join(dir, 'slow.json');
    writeFileSync(
      def,
      JSON.stringify({
        name: 'sigint',
        seed: 3,
        signal: { family: 'smooth', n: 64 },
        structure: [2],
        operator: { name: 'gaussian' },
        measurements: { counts: [24, 48] },
        methods: [{ method: 'deep-decoder', options: { generator: { channels: 6, depth: 3, sigmoid: false }, iterations: 400 } }],
        trials: 6,
      }),
    );
    const out = join(dir, 'sweep.jsonl');
    const run = start(['sweep', def, '--out', out, '--workers', '2', '--quiet']);
    await waitFor(() => rowsOf(out).length >= 1, 60_000, 20);
    run.child.kill('SIGINT');
    const e = await run.exit;
    expect(e.code).toBe(130);
    expect(run.stdout()).toMatch(/interrupted/);
    const kept = rowsOf(out).length;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(12);
  });
});
