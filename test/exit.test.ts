import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeAvailable } from '../src/index.js';
import { CLI, cliBuilt, rowsOf } from './sweepHelpers.js';

// Issue 13: the native addon's thread-exit destructor ran after Node had unloaded the addon with
// the last worker thread that loaded it, so `untrained-cs sweep` died with SIGSEGV (139) at exit.
const native = nativeAvailable();
const dir = mkdtempSync(join(tmpdir(), 'ucs-exit-'));
const onNative = { UNTRAINED_CS_KERNELS: 'native' };
const binary = join(__dirname, '..', 'native', 'build', 'untrained_cs_native.node');

/**
 * The CLI in a child process, awaited without blocking this thread: a spawnSync of a minute
 * starves vitest's own messages (its RPC times out on a loaded machine).
 */
function runCli(args: string[], timeoutMs: number, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!native)('clean exits on the native engine', () => {
  it('worker threads that ran native GEMMs (one and two threads) exit, and so does the process', () => {
    // Short (under a second): spawnSync is fine here.
    // The main thread never loads the addon here, so each worker's exit unloads it.
    const script = `
      const { Worker } = require('node:worker_threads');
      const src = 'const m = require(' + JSON.stringify(${JSON.stringify(binary)}) + ');' +
        'const f = new Float32Array(3 * 256 * 256);' +
        'm.gemm(f, false, false, 256, 256, 256, 0, 256, 65536, 256, 131072, 256, false, require("node:worker_threads").workerData);';
      (async () => {
        for (const threads of [1, 2, 2]) {
          const w = new Worker(src, { eval: true, workerData: threads });
          await new Promise((r) => w.on('exit', r));
        }
        console.log('done');
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('done');
  });

  it('untrained-cs sweep examples/sweep-deep-decoder.json exits 0 with every row written', async () => {
    cliBuilt();
    const out = join(dir, 'r.jsonl');
    const r = await runCli(['sweep', join(__dirname, '..', 'examples', 'sweep-deep-decoder.json'), '--out', out, '--workers', '2', '--quiet'], 240_000, onNative);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 4 counts x 2 trials x 3 structures x 2 methods
    expect(rowsOf(out).length).toBe(48);
  });

  it('every other command exits 0 on the native engine', async () => {
    cliBuilt();
    const img = 'builtin';
    const cases: string[][] = [
      ['info'],
      ['reconstruct', '--image', img, '--operator', 'mask', '--rate', '0.5', '--method', 'deep-decoder', '--iterations', '20', '--channels', '8', '--out', join(dir, 'dd.png'), '--quiet'],
      ['compare', '--image', img, '--operator', 'mask', '--rate', '0.5', '--methods', 'deep-decoder,least-squares', '--iterations', '20', '--channels', '8', '--out', join(dir, 'cmp.svg'), '--quiet'],
      ['demo', '--quick', '--iterations', '10', '--out', join(dir, 'demo')],
      ['kernel', '--depths', '1,2', '--out', join(dir, 'k.svg')],
      ['summarize', join(dir, 'r.jsonl')],
      ['plot', join(dir, 'r.jsonl'), '--out', join(dir, 'phase.svg')],
    ];
    for (const args of cases) {
      if ((args[0] === 'summarize' || args[0] === 'plot') && !existsSync(join(dir, 'r.jsonl'))) continue;
      const r = await runCli(args, 240_000, onNative);
      expect({ command: args[0], code: r.code, stderr: r.stderr.slice(-400) }).toEqual({ command: args[0], code: 0, stderr: expect.any(String) });
    }
    expect(existsSync(join(dir, 'demo', 'results.csv'))).toBe(true);
    // The demo's Lasso and TV now run to convergence (and Lasso picks its weight on held-out
    // data): ~30 s for this command alone on a loaded 2-core machine.
  }, 400_000);
});
