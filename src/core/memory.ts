import os from 'node:os';

/**
 * Bytes this process can still use: the machine's available memory (Linux MemAvailable, which
 * counts reclaimable cache) or the cgroup limit when one is set, whichever is smaller.
 */
export function availableMemory(): number {
  const free = os.freemem();
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  // No cgroup limit reads as 0 or as a huge sentinel (2^64 - 1).
  return constrained && constrained > 0 && constrained < os.totalmem() ? Math.min(free, constrained) : free;
}

/** 1536 -> '1.5 KiB', 5.2e9 -> '4.84 GiB'. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}
