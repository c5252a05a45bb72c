import { Worker } from 'node:worker_threads';

/** One unit of work for a pool: the message its worker thread understands, and what to do without one. */
export interface PoolTask<Row> {
  /** Posted to the worker thread, which answers with one Row. */
  message: unknown;
  /** Runs the task on this thread (pool of size 0, or no built worker script). */
  inline: () => Row;
  /** The row recorded when the task produced none (thread died, time limit). */
  failed: (error: string) => Row;
  /** Seconds before a running task is abandoned and its thread replaced. */
  timeLimitS: number;
}

interface Slot<Row> {
  worker: Worker;
  busy: boolean;
  task?: PoolTask<Row>;
  resolve?: (row: Row) => void;
  timer?: NodeJS.Timeout;
}

/**
 * A fixed pool of worker threads running one task per thread at a time. A thread that dies or
 * overruns its time limit takes only its own task with it (recorded by `task.failed`) and is
 * replaced. With size 0 or no worker script, tasks run inline on this thread, one event-loop turn
 * apart so progress and Ctrl-C stay responsive.
 */
export class TaskPool<Row> {
  private readonly slots: Slot<Row>[] = [];
  private readonly queue: { task: PoolTask<Row>; resolve: (row: Row) => void }[] = [];
  private closed = false;
  readonly size: number;

  constructor(
    size: number,
    private readonly script: string | null,
  ) {
    this.size = script ? size : 0;
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot<Row> {
    const slot: Slot<Row> = { worker: new Worker(this.script!), busy: false };
    slot.worker.on('message', (row: Row) => {
      clearTimeout(slot.timer);
      const done = slot.resolve!;
      slot.busy = false;
      slot.resolve = undefined;
      slot.task = undefined;
      done(row);
      this.pump();
    });
    slot.worker.on('error', (err) => this.lost(slot, err.message));
    slot.worker.on('exit', (code) => {
      if (!this.closed && slot.busy) this.lost(slot, `worker thread exited with code ${code}`);
    });
    return slot;
  }

  private lost(slot: Slot<Row>, message: string): void {
    if (this.closed) return;
    clearTimeout(slot.timer);
    const { task, resolve } = slot;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots[i] = this.spawn();
    void slot.worker.terminate();
    if (task && resolve) resolve(task.failed(message));
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.busy = true;
      slot.resolve = job.resolve;
      slot.task = job.task;
      // A task that never ends (a solver stuck) costs its thread, not the run.
      slot.timer = setTimeout(() => this.lost(slot, `time limit of ${job.task.timeLimitS} s exceeded`), job.task.timeLimitS * 1000);
      slot.worker.postMessage(job.task.message);
    }
  }

  run(task: PoolTask<Row>): Promise<Row> {
    if (this.size === 0) return new Promise((resolve) => setImmediate(() => resolve(task.inline())));
    return new Promise((resolve) => {
      this.queue.push({ task, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    for (const s of this.slots) clearTimeout(s.timer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
