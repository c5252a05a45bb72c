import { createHash } from 'node:crypto';
import type { Job } from 'bullmq';
import { InvalidArgumentError, NotSupportedError } from '../core/errors.js';
import { checkInteger } from '../core/validate.js';
import { expandTrials, parseSweep, sweepHash, type SweepDefinition, type TrialSpec } from './definition.js';
import { TrialPool } from './pool.js';
import { ResultsWriter } from './results.js';
import type { SweepProgress, SweepSummary } from './runLocal.js';
import { failedRow, type TrialRow } from './trial.js';

/** All sweeps share one queue; job ids carry the sweep hash, so sweeps never collide. */
export const DEFAULT_QUEUE = 'untrained-cs-trials';

type QueueStack = { bullmq: typeof import('bullmq'); ioredis: typeof import('ioredis') };
let queueStack: Promise<QueueStack> | undefined;

/**
 * bullmq and ioredis (with msgpackr, luxon, ...: about 30 MB and most of the package's import
 * time) load at the first use of a queue, so `import 'untrained-cs'` stays light.
 */
function loadQueueStack(): Promise<QueueStack> {
  queueStack ??= Promise.all([import('bullmq'), import('ioredis')]).then(
    ([bullmq, ioredis]) => ({ bullmq, ioredis }),
    (e: unknown) => {
      queueStack = undefined;
      throw new NotSupportedError('queue', 'queueUrl', 'the packages bullmq and ioredis (npm install bullmq ioredis)', e instanceof Error ? e.message : String(e));
    },
  );
  return queueStack;
}

function connectionOptions(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError('sweep', '--queue', 'a redis://HOST:PORT URL', url);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new InvalidArgumentError('sweep', '--queue', 'a redis://HOST:PORT URL', url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    password: parsed.password || undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** Fails fast, with a clear message, when Redis cannot be reached. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const opts = connectionOptions(url);
  const { Redis } = (await loadQueueStack()).ioredis;
  const client = new Redis({ ...opts, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new InvalidArgumentError('sweep', '--queue', 'a reachable Redis server', `${url} (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    client.disconnect();
  }
}

function jobId(hash: string, id: string): string {
  return `${hash}-${createHash('sha1').update(id).digest('hex').slice(0, 20)}`;
}

/** A task for queue workers: its kind selects the worker's handler (a sweep trial by default). */
export type QueueJobData = { kind?: 'sweep'; def: SweepDefinition; spec: TrialSpec } | { kind: string; [key: string]: unknown };

/** Runs jobs of one kind on this machine (e.g. on its own pool of threads). */
export interface QueueTaskHandler {
  run(data: QueueJobData): Promise<{ id: string; status: string }>;
  close(): Promise<void>;
}

export interface QueueJobsOptions<Row extends { id: string; status: string }> {
  queueUrl: string;
  queueName?: string;
  /** Identity of the whole run (job ids carry it, so runs never collide on one queue). */
  hash: string;
  /** The pending tasks: a stable id, the job data, and the row recorded if the job fails. */
  jobs: { id: string; data: QueueJobData; failed: (error: string) => Row }[];
  /** Called once per finished task, with its row (the worker's, or `failed`'s). */
  onRow: (row: Row) => void;
  signal?: AbortSignal;
  /** How often to poll for finished jobs besides the event stream (ms, default 2000). */
  pollMs?: number;
}

/**
 * Enqueues tasks as BullMQ jobs (idempotent ids: enqueuing twice adds nothing) and reports each
 * finished task exactly once, whichever worker ran it and however often it was retried. Returns
 * when every task has reported or the signal aborts. Safe to kill and re-run.
 */
export async function runJobsOnQueue<Row extends { id: string; status: string }>(options: QueueJobsOptions<Row>): Promise<void> {
  await checkRedis(options.queueUrl);
  const connection = connectionOptions(options.queueUrl);
  const name = options.queueName ?? DEFAULT_QUEUE;
  const pending = new Map<string, QueueJobsOptions<Row>['jobs'][number]>();
  for (const j of options.jobs) pending.set(jobId(options.hash, j.id), j);
  if (pending.size === 0) return;
  const { Queue, QueueEvents } = (await loadQueueStack()).bullmq;
  const queue = new Queue<QueueJobData, Row>(name, { connection });
  const events = new QueueEvents(name, { connection });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const record = (id: string, row: Row | null, failure?: string) => {
    const job = pending.get(id);
    if (!job) return;
    pending.delete(id);
    options.onRow(row ?? job.failed(failure ?? 'job failed'));
    if (pending.size === 0) finish();
  };
  const fetchFinished = async (ids: string[]) => {
    for (const id of ids) {
      const job = await queue.getJob(id);
      if (!job) continue;
      const state = await job.getState();
      if (state === 'completed') record(id, job.returnvalue as Row);
      else if (state === 'failed') record(id, null, job.failedReason);
    }
  };
  events.on('completed', ({ jobId: id }) => {
    if (pending.has(id)) void fetchFinished([id]).catch(() => undefined);
  });
  events.on('failed', ({ jobId: id }) => {
    if (pending.has(id)) void fetchFinished([id]).catch(() => undefined);
  });
  const onAbort = () => finish();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let poller: NodeJS.Timeout | undefined;
  try {
    await events.waitUntilReady();
    // Jobs from an earlier run of this coordinator may already be done: collect them first.
    await fetchFinished([...pending.keys()]);
    const toAdd = [...pending.entries()].map(([id, job]) => ({
      name: job.data.kind ?? 'sweep',
      data: job.data,
      opts: { jobId: id, attempts: 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
    }));
    for (let i = 0; i < toAdd.length; i += 500) await queue.addBulk(toAdd.slice(i, i + 500));
    poller = setInterval(() => void fetchFinished([...pending.keys()].slice(0, 2000)).catch(() => undefined), options.pollMs ?? 2000);
    if (pending.size > 0 && !options.signal?.aborted) await finished;
  } finally {
    if (poller) clearInterval(poller);
    options.signal?.removeEventListener('abort', onAbort);
    await events.close();
    await queue.close();
  }
}

export interface QueueSweepOptions {
  definition: SweepDefinition | unknown;
  out: string;
  queueUrl: string;
  queueName?: string;
  onProgress?: (p: SweepProgress) => void;
  signal?: AbortSignal;
  /** How often to poll for finished jobs besides the event stream (ms, default 2000). */
  pollMs?: number;
}

/**
 * Enqueues the pending trials of a sweep and appends each finished trial to `out` exactly once,
 * whichever worker ran it. Safe to kill and re-run.
 */
export async function runSweepOnQueue(options: QueueSweepOptions): Promise<SweepSummary> {
  const def = parseSweep(options.definition);
  const trials = expandTrials(def);
  await checkRedis(options.queueUrl);
  const writer = new ResultsWriter(options.out, def);
  const pending = trials.filter((t) => !writer.done.has(t.id));
  const skipped = trials.length - pending.length;
  const summary: SweepSummary = { total: trials.length, skipped, ran: 0, failed: 0, aborted: false, droppedTornLine: writer.droppedTornLine };
  try {
    await runJobsOnQueue<TrialRow>({
      queueUrl: options.queueUrl,
      queueName: options.queueName,
      hash: sweepHash(def),
      jobs: pending.map((spec) => ({ id: spec.id, data: { kind: 'sweep', def, spec }, failed: (error) => failedRow(spec, 0, error) })),
      onRow: (row) => {
        if (!writer.append(row)) return;
        summary.ran++;
        if (row.status === 'failed') summary.failed++;
        options.onProgress?.({ done: skipped + summary.ran, total: trials.length, skipped, failed: summary.failed, row });
      },
      signal: options.signal,
      pollMs: options.pollMs,
    });
  } finally {
    summary.aborted = Boolean(options.signal?.aborted);
    writer.close();
  }
  return summary;
}

export interface QueueWorkerOptions {
  queueUrl: string;
  queueName?: string;
  /** Trials run at once on this machine (worker threads; default every core). */
  concurrency: number;
  /** Job lock in ms: a killed worker's job is retried after about this long (default 30000). */
  lockMs?: number;
  signal?: AbortSignal;
  onTrial?: (row: { id: string; status: string }) => void;
  /** Makers of handlers for other job kinds (e.g. 'reproduce'), called at a kind's first job; sweep trials are always handled. */
  handlers?: Record<string, (concurrency: number) => QueueTaskHandler>;
}

/**
 * Executes sweep trials from the queue until stopped. Trials run on worker threads so the
 * event loop keeps renewing job locks; a worker killed mid-job leaves its job stalled, and
 * BullMQ hands it to another worker.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const concurrency = checkInteger('worker', '--concurrency', options.concurrency, 1, 256);
  await checkRedis(options.queueUrl);
  const connection = connectionOptions(options.queueUrl);
  const { Worker } = (await loadQueueStack()).bullmq;
  const pool = new TrialPool(concurrency);
  const lock = options.lockMs ?? 30000;
  const others = new Map<string, QueueTaskHandler>();
  const worker = new Worker<QueueJobData, { id: string; status: string }>(
    options.queueName ?? DEFAULT_QUEUE,
    async (job: Job<QueueJobData, { id: string; status: string }>) => {
      const data = job.data;
      let row: { id: string; status: string };
      if (data.kind === undefined || data.kind === 'sweep') {
        const d = data as { def: SweepDefinition; spec: TrialSpec };
        row = await pool.run(d.def, d.spec);
      } else {
        const make = options.handlers?.[data.kind];
        if (!make) throw new Error(`this worker cannot run '${data.kind}' jobs`);
        if (!others.has(data.kind)) others.set(data.kind, make(concurrency));
        row = await others.get(data.kind)!.run(data);
      }
      options.onTrial?.(row);
      return row;
    },
    { connection, concurrency, lockDuration: lock, stalledInterval: Math.max(1000, Math.floor(lock / 2)), maxStalledCount: 5 },
  );
  worker.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.close(true);
  await pool.close();
  for (const h of others.values()) await h.close();
}
