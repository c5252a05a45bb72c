import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // import.meta.url in the CJS build (createRequire, asset paths).
    shims: true,
  },
  {
    // The CLI is ESM only; it has a shebang so `npx untrained-cs` runs it directly.
    entry: {
      'cli/main': 'src/cli/main.ts',
      'sweeps/worker': 'src/sweeps/worker.ts',
      'solvers/fitWorker': 'src/solvers/offThread/worker.ts',
      'reproduce/worker': 'src/reproduce/worker.ts',
    },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
