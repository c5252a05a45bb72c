// The package as a user receives it (issue 14): what the tarball holds, what an import loads,
// and the built-in image reachable without knowing where the package was installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinImagePath, cameraman, packageRoot } from '../src/io/builtin.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('package', () => {
  it('the tarball holds the licence, changelog, examples, sweep definitions and the built-in image', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', 'assets/cameraman128.png', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/cli/main.js']) {
      expect(files, f).toContain(f);
    }
    const examples = [...files].filter((f) => f.startsWith('examples/'));
    expect(examples).toContain('examples/sweep-l1.json');
    expect(examples).toContain('examples/gaussian-cs.mjs');
    // Nothing from the repository's working folders.
    expect([...files].filter((f) => /^(src|test|bench|node_modules)\//.test(f))).toEqual([]);
  });

  it('require() and import of the package do not load the queue stack (bullmq, ioredis)', () => {
    const script = `
      const before = new Set(Object.keys(require.cache));
      const ucs = require(${JSON.stringify(join(root, 'dist/index.cjs'))});
      const loaded = Object.keys(require.cache).filter((p) => !before.has(p));
      const heavy = loaded.filter((p) => /node_modules[\\\\/](bullmq|ioredis|msgpackr)[\\\\/]/.test(p));
      console.log(JSON.stringify({ heavy, hasQueue: typeof ucs.runSweepOnQueue === 'function', hasCameraman: typeof ucs.cameraman === 'function' }));
    `;
    const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { heavy: string[]; hasQueue: boolean; hasCameraman: boolean };
    expect(r.heavy).toEqual([]);
    expect(r.hasQueue).toBe(true);
    expect(r.hasCameraman).toBe(true);
    // The ESM build keeps them behind a dynamic import() too (no static import statement).
    for (const file of ['dist/index.js', 'dist/index.cjs']) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text, file).not.toMatch(/^\s*import[^;]*from\s*["'](bullmq|ioredis)["']/m);
      expect(text, file).not.toMatch(/^[^\n]*=\s*require\(["'](bullmq|ioredis)["']\)/m);
    }
  });

  it('cameraman() reads the image shipped with the package, wherever it is installed', () => {
    expect(existsSync(join(packageRoot(), 'package.json'))).toBe(true);
    expect(existsSync(builtinImagePath())).toBe(true);
    const img = cameraman();
    expect(img.shape).toEqual([128, 128]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of img.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi - lo).toBeGreaterThan(0.5);
  });
});
