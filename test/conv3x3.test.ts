import { describe, expect, it } from 'vitest';
import { nativeKernels } from '../src/engine/nativeKernels.js';
import type { ConvGeometry } from '../src/engine/im2col.js';
import { setThreads } from '../src/core/threads.js';
import { nativeAddon } from '../src/core/native.js';
import { conv3x3Reference, relErr } from './helpers.js';

// The engine's 3x3 family where the direct kernels exist (AVX-512); on AVX2 it is Winograd only
// (test/winograd.test.ts), and shapes it does not serve have no kernel to run.
const direct = nativeAddon()?.conv3x3Available() ? (nativeKernels()?.conv3x3 ?? null) : null;

describe.runIf(direct !== null)('native direct 3x3 convolution: forward, input and weight gradients against a float64 reference', () => {
  // [cin, cout, h, w, reflect]: partial 32- and 16-pixel tiles, channel counts that are not
  // multiples of the 8-output panels or the 2-channel weight-gradient blocks, 2x2 reflection,
  // a 1x1 plane (zero padding), and a 64-channel plane large enough for both threads.
  const shapes: [number, number, number, number, boolean][] = [
    [3, 5, 7, 9, false],
    [3, 5, 7, 9, true],
    [16, 9, 33, 40, false],
    [16, 9, 33, 40, true],
    [8, 17, 2, 2, true],
    [5, 3, 1, 1, false],
    [12, 8, 64, 3, true],
    [64, 64, 24, 70, false],
  ];
  it.each(shapes)('cin %i, cout %i, %i x %i, reflection %s', (cin, cout, h, wd, reflect) => {
    const g: ConvGeometry = { c: cin, h, w: wd, kh: 3, kw: 3, stride: 1, reflect, wo: wd };
    const nx = cin * h * wd;
    const ny = cout * h * wd;
    const nw = cout * cin * 9;
    const scratchLen = direct!.scratchFloats(g, cout);
    // Arena: x, weight, bias, y, dy, dx, dweight, dbias, scratch (odd offsets on purpose).
    const off = { x: 3, w: 3 + nx, b: 3 + nx + nw, y: 3 + nx + nw + cout, dy: 0, dx: 0, dw: 0, db: 0, s: 0 };
    off.dy = off.y + ny;
    off.dx = off.dy + ny;
    off.dw = off.dx + nx;
    off.db = off.dw + nw;
    off.s = off.db + cout + 1;
    const f = new Float32Array(off.s + scratchLen);
    for (let i = 0; i < off.y; i++) f[i] = Math.sin(1.7 * i + 0.3);
    for (let i = 0; i < ny; i++) f[off.dy + i] = Math.cos(0.9 * i);
    const x = f.slice(off.x, off.x + nx);
    const w = f.slice(off.w, off.w + nw);
    const b = f.slice(off.b, off.b + cout);
    const dy = f.slice(off.dy, off.dy + ny);
    const ref = conv3x3Reference(g.c, cout, g.h, g.w, g.reflect, x, w, b, dy);
    for (const threads of [1, 2]) {
      setThreads(threads);
      f.fill(0, off.y, off.y + ny);
      f.fill(0, off.dx);
      direct!.forward(f, g, cout, off.x, off.w, off.b, off.y, false, off.s);
      direct!.backwardWeight(f, g, cout, off.x, off.dy, off.dw, off.db, off.s);
      direct!.backwardData(f, g, cout, off.dy, off.w, off.dx, false, off.s);
      // float32 sums in another order than the float64 reference. Measured worst (64 channels:
      // 576 products per output) 2.4e-6 forward and 3.7e-6 input gradient of the largest entry;
      // weight gradient 5.5e-8 of its largest sum of |terms| (these smooth test signals cancel,
      // so the largest entry itself is no scale), bias 5.0e-8. The 64-channel shape runs on
      // Winograd F(4x4, 3x3) (conv3x3Choice.ts): weight gradient 1.5e-7, bias 5.0e-8.
      expect(relErr(f.subarray(off.y, off.y + ny), ref.y), 'forward').toBeLessThan(3e-5);
      expect(relErr(f.subarray(off.dx, off.dx + nx), ref.dx), 'input gradient').toBeLessThan(3e-5);
      expect(relErr(f.subarray(off.dw, off.dw + nw), ref.dw, ref.dwAbs), 'weight gradient').toBeLessThan(1e-6);
      expect(relErr(f.subarray(off.db, off.db + cout), ref.db), 'bias gradient').toBeLessThan(1e-6);
      // Accumulating passes add onto what is there.
      direct!.forward(f, g, cout, off.x, off.w, -1, off.y, true, off.s);
      direct!.backwardData(f, g, cout, off.dy, off.w, off.dx, true, off.s);
      const y2 = ref.y.map((v, i) => 2 * v - b[Math.floor(i / (h * wd))]!);
      expect(relErr(f.subarray(off.y, off.y + ny), y2), 'forward, accumulated, no bias').toBeLessThan(3e-5);
      expect(relErr(f.subarray(off.dx, off.dx + nx), ref.dx.map((v) => 2 * v)), 'input gradient, accumulated').toBeLessThan(3e-5);
    }
    setThreads(2);
  });

  it('rejects bad sizes and ranges outside the arena', () => {
    const a = nativeAddon()!;
    const f = new Float32Array(1000);
    expect(() => a.conv3x3Forward(f, 0, 1, 4, 4, false, 0, 0, -1, 0, false, 0, 1)).toThrow(/sizes must be >= 1/);
    expect(() => a.conv3x3Forward(f, 2, 2, 1, 4, true, 0, 0, -1, 0, false, 0, 1)).toThrow(/reflection padding needs h, w >= 2/);
    expect(() => a.conv3x3Forward(f, 2, 2, 4, 4, false, 0, 100, -1, 200, false, 900, 1)).toThrow(/outside the array/);
    expect(() => a.conv3x3BackwardWeight(f, 2, 2, 4, 4, false, 0, 40, 80, -1, 998, 1)).toThrow(/outside the array/);
  });
});
