import { describe, expect, it } from 'vitest';
import { Arena, NetworkBuilder, nativeKernels, portableKernels, setThreads, type Kernels } from '../src/index.js';
import { nativeAddon } from '../src/core/native.js';
import { perturbedPass, relErr } from './helpers.js';

// The fifth round's memory-traffic changes to the native engine (BENCHMARKS.md): arenas whose
// floats start on a 64-byte boundary, non-temporal stores for outputs of >= 2^20 floats written
// once (GEMM, the 1x1 backward's dX, the norm's affine map, the norm + head's dx), plain B of
// a GEMM packed as rows, and the norm + head's input gradient deferred into the 1x1 convolution's
// backward. None of them changes the arithmetic: each is checked against the path without it.
const native = nativeKernels();
const addon = nativeAddon();

/** The same native kernels without the deferred norm + head gradient (the engine then writes it). */
function undeferred(k: Kernels): Kernels {
  const { conv1x1BackwardHead: _a, normHeadApply: _b, ...rest } = k;
  return rest as Kernels;
}

describe('native engine memory passes (fifth round)', () => {
  it.runIf(addon?.addressMod64 !== undefined)('a native arena starts its floats on a 64-byte boundary', () => {
    for (const floats of [16, 1000, 1 << 20]) {
      const a = new Arena(floats, 'float32', 'native');
      expect(addon!.addressMod64!(a.f32)).toBe(0);
      expect(a.f32.length).toBe(floats);
    }
  });

  it.runIf(native !== null).each([
    [false, 64, 16400, 64], // NN, >= 2^20 outputs: streamed, row-packed B, a partial last panel
    [true, 64, 16400, 64], // TN (the 1x1 input gradient's product)
    [false, 24, 50000, 40], // M not a multiple of the 8-row tile
    [false, 8, 300, 70], // small: ordinary stores
  ] as const)('GEMM ta=%s, %i x %i x %i against the portable kernels, C aligned and not', (ta, M, N, K) => {
    for (const shift of [0, 4]) {
      // shift 4: C 16 bytes off a 64-byte boundary (ordinary stores); acc: C read back
      for (const acc of [false, true]) {
        const a0 = 16, b0 = a0 + M * K + 16, c0 = b0 + K * N + 16 + shift;
        const f = new Float32Array(c0 + M * N + 16);
        for (let i = 0; i < c0; i++) f[i] = Math.sin(0.731 * i);
        for (let i = c0; i < f.length; i++) f[i] = Math.cos(0.37 * i);
        const g = Float32Array.from(f);
        native!.gemm(f, ta, false, M, N, K, a0, ta ? M : K, b0, N, c0, N, acc);
        portableKernels.gemm(g, ta, false, M, N, K, a0, ta ? M : K, b0, N, c0, N, acc);
        // measured: 0 when C is overwritten (the same order of float32 sums over k), <= 7.0e-7 of
        // the largest entry when added to C (C + AB rounded in another order)
        expect(relErr(f.subarray(c0, c0 + M * N), g.subarray(c0, c0 + M * N)), `shift ${shift} acc ${acc}`).toBeLessThan(5e-6);
        expect(f[c0 + M * N]).toBe(g[c0 + M * N]); // nothing written past C
      }
    }
  });

  it.runIf(native?.conv1x1Backward !== undefined)('1x1 backward with a streamed dX (64 x 64, 16400 pixels) equals its two GEMMs', () => {
    const [M, K, P] = [64, 64, 16400];
    for (const threads of [1, 2]) {
      setThreads(threads);
      const f = new Float32Array(2 * M * K + M * P + 2 * K * P);
      for (let i = 0; i < f.length; i++) f[i] = Math.sin(0.913 * i);
      const [w, dy, x] = [0, M * K, M * K + M * P];
      const dw = x + K * P;
      const dx = dw + M * K;
      const g = Float32Array.from(f);
      native!.gemm(g, false, true, M, K, P, dy, P, x, P, dw, K, false);
      native!.gemm(g, true, false, K, P, M, w, K, dy, P, dx, P, false);
      native!.conv1x1Backward!(f, M, K, P, w, dy, x, dw, dx, false);
      // the same blocks of the same kernels (as test/conv1x1Backward.test.ts)
      expect(relErr(f.subarray(dx, dx + K * P), g.subarray(dx, dx + K * P))).toBe(0);
      // dW: the fused kernel sums two fixed halves of the pixels (on one thread too, so that one
      // and two threads give the same bits), the GEMM its own split of them: float32 sums grouped
      // differently; measured 1.2e-7 on either thread count
      expect(relErr(f.subarray(dw, dw + M * K), g.subarray(dw, dw + M * K))).toBeLessThan(5e-6);
    }
    setThreads(2);
  });

  // conv 1x1 -> norm + head (fused), with a 3x3 conv or a 1x1 conv in front of the norm.
  function headNet(kernels: Kernels, C: number, h: number, w: number, front: 1 | 3, relu: boolean) {
    const b = new NetworkBuilder(C, h, w);
    const x0 = b.conv(b.input, { outChannels: C, kernel: [1, 1] });
    const x = b.conv(x0, { outChannels: C, kernel: [front, front], ...(front === 3 ? { padding: 'zero' as const } : {}) });
    const y = b.normHead(x, { relu, outChannels: 1 });
    return perturbedPass(b.build(y, { seed: 5, kernels }), `head ${C} ${h} ${front}`);
  }

  it.runIf(native?.conv1x1BackwardHead !== undefined).each([
    [8, 12, 10, 1], // small: the gradient block by block from its coefficients
    [64, 128, 128, 1], // 2^20 values: streamed outputs everywhere
    [16, 20, 24, 3], // a 3x3 conv reads the gradient: the engine writes it (normHeadApply)
  ])('norm + head gradient deferred into the conv before it: %i channels %ix%i, front %ix1', (C, h, w, front) => {
    for (const relu of [true, false]) {
      for (const threads of [1, 2]) {
        setThreads(threads);
        const got = headNet(native!, C, h, w, front as 1 | 3, relu);
        const ref = headNet(undeferred(native!), C, h, w, front as 1 | 3, relu);
        // the same per-element arithmetic in the same order: bit for bit
        expect(Array.from(got.out), `output relu=${relu} threads=${threads}`).toEqual(Array.from(ref.out));
        expect(Array.from(got.grad), `gradients relu=${relu} threads=${threads}`).toEqual(Array.from(ref.grad));
      }
    }
    setThreads(2);
  });

  it.runIf(native?.upNormForward !== undefined)('fused upsampling + norm with streamed output (64 x 128 x 128) equals the unfused layers', () => {
    const run = (fused: boolean) => {
      const b = new NetworkBuilder(64, 64, 64);
      const x = b.conv(b.input, { outChannels: 64, kernel: [1, 1] });
      const n = fused ? b.upsampleNorm(x, 128, 128, 'bilinear', { relu: true }) : b.batchNorm(b.upsample(x, 128, 128, 'bilinear'), { relu: true });
      const y = b.conv(n, { outChannels: 2, kernel: [1, 1] });
      return perturbedPass(b.build(y, { seed: 3, kernels: native! }), 'upnorm 64');
    };
    for (const threads of [1, 2]) {
      setThreads(threads);
      const [got, ref] = [run(true), run(false)];
      expect(Array.from(got.out)).toEqual(Array.from(ref.out));
      expect(Array.from(got.grad)).toEqual(Array.from(ref.grad));
    }
    setThreads(2);
  });
});
