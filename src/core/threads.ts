import os from 'node:os';

/**
 * Threads per fit used by the compute kernels (1 or 2: the engine's helper thread plus the
 * caller). One knob for every engine, so a sweep's worker pool sets 1 per worker and the
 * kernels never fight it. UNTRAINED_CS_THREADS sets the default.
 */
let threads = defaultThreads();

function defaultThreads(): number {
  const env = Number(process.env.UNTRAINED_CS_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 2);
  return Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
}

/** Threads per fit used by the kernels (clamped to 1..2). Sweep workers set 1. */
export function setThreads(n: number): void {
  threads = Math.max(1, Math.min(2, Math.floor(n)));
}

/** Threads per fit used by the kernels (1 or 2; see setThreads and UNTRAINED_CS_THREADS). */
export function getThreads(): number {
  return threads;
}
