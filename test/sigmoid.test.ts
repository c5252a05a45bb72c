import { describe, expect, it } from 'vitest';
import { nativeKernels, setThreads } from '../src/index.js';
import { Rng } from '../src/core/rng.js';

describe('native sigmoid (float32 vectors, Cephes expf) against Math.exp', () => {
  const native = nativeKernels();
  it.runIf(native !== null).each([1, 2])('%i thread(s): forward and backward, with the extremes and NaN', (threads) => {
    expect(native!.sigmoid).toBeDefined();
    setThreads(threads);
    const special = [0, -0, 1e-30, -1e-30, 0.5, -0.5, 20, -20, 87.5, -87.5, 88, -88, 89, -89, 100, -100, 3e38, -3e38, Infinity, -Infinity];
    const n = 70001; // above the two-thread threshold, not a multiple of 16
    const f = new Float32Array(4 * n);
    const rng = new Rng('sigmoid');
    for (let i = 0; i < n; i++) f[i] = i < special.length ? special[i]! : rng.uniformIn(-30, 30);
    f[n - 1] = NaN; // in the scalar tail
    f[special.length] = NaN; // in a vector
    for (let i = 0; i < n; i++) f[2 * n + i] = rng.uniformIn(-1, 1);
    native!.sigmoid!(f, 0, n, n);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = 1 / (1 + Math.exp(-f[i]!));
      if (Number.isNaN(f[i]!)) {
        expect(f[n + i]).toBeNaN();
        continue;
      }
      worst = Math.max(worst, Math.abs(f[n + i]! - want));
    }
    // measured 6.0e-8 (one float32 ulp near 1); at x = -inf the clamp gives 6e-39 for 0
    expect(worst).toBeLessThan(2.5e-7);
    for (const acc of [false, true]) {
      const before = f.slice(3 * n, 4 * n);
      native!.sigmoidBackward!(f, n, 2 * n, 3 * n, n, acc);
      let err = 0;
      for (let i = 0; i < n - 1; i++) {
        if (Number.isNaN(f[n + i]!)) continue;
        const y = f[n + i]!;
        const want = (acc ? before[i]! : 0) + f[2 * n + i]! * y * (1 - y);
        err = Math.max(err, Math.abs(f[3 * n + i]! - want));
      }
      // float32 products of values <= 1: measured 2.7e-8
      expect(err).toBeLessThan(2.5e-7);
    }
    setThreads(2);
  });
});
