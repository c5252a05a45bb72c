import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { checkRedis, DEFAULT_QUEUE } from '../src/index.js';
import { cliBuilt, comparable, exited, freePort, rowsOf, startCli, waitFor } from './sweepHelpers.js';

/**
 * A real redis-server on 127.0.0.1 (.ci/run installs Debian's redis-server), a coordinator and
 * two worker processes; one worker is killed mid-sweep and its job must be retried elsewhere.
 */
const dir = mkdtempSync(join(tmpdir(), 'ucs-queue-'));
let redis: ChildProcess | null = null;
let url = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  cliBuilt();
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error('redis-server is not installed: apt-get install redis-server (.ci/run does this)');
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(() => redis!.exitCode === null, 1000);
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      await checkRedis(url, 500);
      break;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (redis && redis.exitCode === null) {
    redis.kill('SIGTERM');
    await exited(redis);
  }
});

describe('distributed sweep on BullMQ + Redis', () => {
  it('two workers, one killed mid-sweep: every trial completes exactly once', async () => {
    const sweep = {
      name: 'queue',
      seed: 5,
      signal: { family: 'sparse', n: 150 },
      operator: { name: 'gaussian' },
      measurements: { counts: [40, 80] },
      sparsity: { counts: [4, 8] },
      methods: [{ method: 'lasso', options: { basis: 'identity', lambdaRatio: 1e-7, iterations: 6000, tolerance: 1e-15 } }],
      trials: 6,
    };
    const def = join(dir, 'queue.json');
    writeFileSync(def, JSON.stringify(sweep));
    const out = join(dir, 'queue.jsonl');
    const coordinator = startCli(['sweep', def, '--out', out, '--queue', url, '--quiet']);
    children.push(coordinator);
    const workers = [0, 1].map(() => startCli(['worker', '--queue', url, '--concurrency', '1', '--lock-ms', '1500']));
    children.push(...workers);
    // Kill the first worker while it is busy (it always holds a job while any remain).
    await waitFor(() => rowsOf(out).length >= 3, 60_000, 20);
    workers[0]!.kill('SIGKILL');
    const code = await Promise.race([exited(coordinator), new Promise<string>((r) => setTimeout(() => r('timeout'), 90_000))]);
    expect(code).toBe(0);
    const rows = comparable(out);
    expect(rows.length).toBe(24);
    expect(new Set(rows.map((r) => r.id)).size).toBe(24);
    // Listed, not counted, so a failure says which trial and why.
    expect(rows.filter((r) => r.status !== 'ok').map((r) => `${r.id}: ${String(r.error)}`)).toEqual([]);
    // The killed worker's job was detected as stalled and run again by the other worker.
    const queue = new Queue(DEFAULT_QUEUE, { connection: { host: '127.0.0.1', port: Number(new URL(url).port) } });
    const jobs = await queue.getJobs(['completed']);
    await queue.close();
    expect(jobs.length).toBe(24);
    expect(Math.max(...jobs.map((j) => j.stalledCounter + (j.attemptsStarted > 1 ? 1 : 0)))).toBeGreaterThanOrEqual(1);
    // Re-running the coordinator finds everything done and adds nothing.
    const again = startCli(['sweep', def, '--out', out, '--queue', url, '--quiet']);
    children.push(again);
    expect(await exited(again)).toBe(0);
    expect(rowsOf(out).length).toBe(24);
    workers[1]!.kill('SIGTERM');
    await exited(workers[1]!);
  });
});
