import { describe, expect, it } from 'vitest';
import { nativeKernels, setThreads } from '../src/index.js';

// The one-pass 1x1 convolution backward (native/gemm.c: both products per block of pixels)
// against the two GEMMs it replaces (each checked against a float64 reference in kernels.test.ts).
describe('native 1x1 convolution backward in one pass over dy', () => {
  const native = nativeKernels();
  it.runIf(native !== null).each([
    [8, 8, 700],
    [33, 17, 1500],
    [64, 64, 9000], // above the two-thread threshold, pixels not a multiple of the block
    [5, 40, 2049],
  ])('M = %i, K = %i, P = %i', (M, K, P) => {
    expect(native!.conv1x1Backward).toBeDefined();
    for (const threads of [1, 2]) {
      setThreads(threads);
      for (const acc of [false, true]) {
        const f = new Float32Array(2 * M * K + M * P + 2 * K * P);
        for (let i = 0; i < f.length; i++) f[i] = Math.sin(0.913 * i);
        const [w, dy, x] = [0, M * K, M * K + M * P];
        const dw = x + K * P;
        const dx = dw + M * K;
        const g = Float32Array.from(f);
        native!.gemm(g, false, true, M, K, P, dy, P, x, P, dw, K, false);
        native!.gemm(g, true, false, K, P, M, w, K, dy, P, dx, P, acc);
        native!.conv1x1Backward!(f, M, K, P, w, dy, x, dw, dx, acc);
        const rel = (lo: number, n: number) => {
          let e = 0;
          let s = 0;
          for (let i = lo; i < lo + n; i++) {
            e = Math.max(e, Math.abs(f[i]! - g[i]!));
            s = Math.max(s, Math.abs(g[i]!));
          }
          return e / s;
        };
        // the same blocks of the same kernels: equal on one thread; on two, dW is two halves
        // summed (measured <= 7.2e-7 of its largest entry)
        expect(rel(dx, K * P), `dx threads=${threads} acc=${acc}`).toBe(0);
        expect(rel(dw, M * K), `dw threads=${threads} acc=${acc}`).toBeLessThan(threads === 1 ? 1e-12 : 5e-6);
        // without dx only dW is written
        const before = f.slice(dx, dx + K * P);
        native!.conv1x1Backward!(f, M, K, P, w, dy, x, dw, -1, false);
        expect(Array.from(f.subarray(dx, dx + K * P))).toEqual(Array.from(before));
      }
    }
    setThreads(2);
  });
});
