import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliBuilt } from './sweepHelpers.js';

// Issue 14: every shipped example runs (at reduced size: --quick) against the built package. The
// examples import 'untrained-cs', which resolves to this package by self-reference.
const examplesDir = join(__dirname, '..', 'examples');
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.mjs'));

function runExample(file: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(examplesDir, file), '--quick'], { cwd, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('shipped examples (--quick)', () => {
  it('there are examples to run', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  for (const file of examples) {
    it(`node examples/${file} --quick exits 0 and prints results`, async () => {
      cliBuilt();
      const cwd = mkdtempSync(join(tmpdir(), 'ucs-example-'));
      const r = await runExample(file, cwd);
      expect({ code: r.code, stderr: r.stderr.slice(-600) }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(r.stdout).toMatch(/\d+\.\d+/);
      // Measured on the shared 2-core machine: 3-20 s each under load.
    }, 150_000);
  }
});
