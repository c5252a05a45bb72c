import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SweepDefinition, TrialSpec } from './definition.js';
import { TaskPool } from './taskPool.js';
import { failedRow, runTrial, type TrialRow } from './trial.js';

/** A built worker script `name` (e.g. 'sweeps/worker.js'), wherever this module was bundled (dist/index.js or dist/cli/main.js). */
export function builtScript(name: string): string | null {
  const base = name.split('/').pop()!;
  for (const rel of [`./${name}`, `../${name}`, `./${base}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/** The built sweep worker script. */
export function workerScript(): string | null {
  return builtScript('sweeps/worker.js');
}

/** The task pool running sweep trials (runTrial) on worker threads. */
export class TrialPool {
  private readonly pool: TaskPool<TrialRow>;

  constructor(size: number) {
    this.pool = new TaskPool<TrialRow>(size, size > 0 ? workerScript() : null);
  }

  get size(): number {
    return this.pool.size;
  }

  run(def: SweepDefinition, spec: TrialSpec): Promise<TrialRow> {
    return this.pool.run({
      message: { def, spec },
      inline: () => runTrial(def, spec),
      failed: (error) => failedRow(spec, 0, error),
      timeLimitS: def.trialTimeLimit,
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
