import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package version (src/ and dist/ layouts). */
export function version(): string {
  for (const p of ['../../package.json', '../package.json']) {
    try {
      return (require(p) as { version: string }).version;
    } catch {
      /* try the next layout (src vs dist) */
    }
  }
  return 'unknown';
}
