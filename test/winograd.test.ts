import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../src/core/native.js';
import { nativeKernels } from '../src/engine/nativeKernels.js';
import { setThreads } from '../src/core/threads.js';
import { winograd3x3Wins } from '../src/engine/conv3x3Choice.js';
import type { ConvGeometry } from '../src/engine/im2col.js';
import { NetworkBuilder } from '../src/priors/network.js';
import { Rng } from '../src/core/rng.js';
import { conv3x3Reference, relErr } from './helpers.js';

const addon = nativeAddon();
const wino = addon !== null && typeof addon.winogradAvailable === 'function' && addon.winogradAvailable();
// The direct kernels (AVX-512 only) are a second reference where they exist; on AVX2 the
// Winograd kernels (native/winograd_avx2.c) are checked against float64 alone.
const direct = wino && addon!.conv3x3Available();

describe.runIf(wino)('native Winograd F(4x4, 3x3): forward, input and weight gradients against float64 and the direct kernel', () => {
  // [cin, cout, h, w, reflect]: planes not multiples of the 4x4 tiles or of the 64-pixel groups
  // (borders in every position), 1x1 and 2x2 planes, channel counts off the 8-output blocks, one
  // group and several, the 64-channel layer of ConvDecoder; zero and reflection padding.
  const shapes: [number, number, number, number, boolean][] = [
    [3, 5, 1, 1, false],
    [8, 13, 5, 3, false],
    [8, 13, 5, 3, true],
    [5, 9, 2, 2, true],
    [16, 16, 37, 45, false],
    [16, 16, 37, 45, true],
    [9, 24, 70, 130, false],
    [9, 24, 70, 130, true],
    [64, 64, 24, 70, false],
    [64, 64, 48, 48, false],
    [64, 64, 48, 48, true],
  ];
  it.each(shapes)('cin %i, cout %i, %i x %i, reflection %s', (cin, cout, h, w, reflect) => {
    const a = addon!;
    const nx = cin * h * w;
    const ny = cout * h * w;
    const nw = cout * cin * 9;
    const scratch = Math.max(a.winogradScratch(cin, cout, h, w, reflect), direct ? a.conv3x3Scratch(cin, cout, h, w, reflect) : 0);
    // Arena: x, weight, bias, y, dy, dx, y and dx of the direct kernel, dweight, dbias and the
    // direct kernel's, scratch (odd offsets).
    const X = 1;
    const W = X + nx;
    const B = W + nw;
    const Y = B + cout;
    const DY = Y + ny;
    const DX = DY + ny;
    const YD = DX + nx;
    const DXD = YD + ny;
    const DW = DXD + nx;
    const DB = DW + nw;
    const DWD = DB + cout;
    const DBD = DWD + nw;
    const S = DBD + cout + 3;
    const f = new Float32Array(S + scratch);
    const rng = new Rng(cin * 7 + h);
    for (let i = X; i < Y; i++) f[i] = rng.gaussian() * (i >= W && i < B ? 1 / Math.sqrt(9 * cin) : 1);
    for (let i = DY; i < DX; i++) f[i] = rng.gaussian();
    const ref = conv3x3Reference(cin, cout, h, w, reflect, f.slice(X, W), f.slice(W, B), f.slice(B, Y), f.slice(DY, DX));
    for (const threads of [1, 2]) {
      a.winogradForward(f, cin, cout, h, w, reflect, X, W, B, Y, false, S, threads);
      a.winogradBackwardData(f, cin, cout, h, w, reflect, DY, W, DX, false, S, threads);
      a.winogradBackwardWeight(f, cin, cout, h, w, reflect, X, DY, DW, DB, S, threads);
      if (direct) {
        a.conv3x3Forward(f, cin, cout, h, w, reflect, X, W, B, YD, false, S, threads);
        a.conv3x3BackwardData(f, cin, cout, h, w, reflect, DY, W, DXD, false, S, threads);
        a.conv3x3BackwardWeight(f, cin, cout, h, w, reflect, X, DY, DWD, DBD, S, threads);
      }
      // Measured on these shapes (relative to the largest entry): Winograd forward 0.1-5.5e-6,
      // input gradient 0.5-7.1e-6 (the 64-channel shapes the most) on AVX-512, 0.05-5.0e-6 and
      // 0.2-6.5e-6 on AVX2; the direct kernel 0.3-1.3e-6. F(4,3)'s transforms (entries up to 8 and 1/24)
      // amplify float32 rounding 5-8x.
      expect(relErr(f.subarray(Y, Y + ny), ref.y), 'forward').toBeLessThan(3e-5);
      expect(relErr(f.subarray(DX, DX + nx), ref.dx), 'input gradient').toBeLessThan(3e-5);
      if (direct) {
        expect(relErr(f.subarray(Y, Y + ny), f.subarray(YD, YD + ny)), 'forward against direct').toBeLessThan(3e-5);
        expect(relErr(f.subarray(DX, DX + nx), f.subarray(DXD, DXD + nx)), 'input gradient against direct').toBeLessThan(3e-5);
      }
      // Weight gradient: measured 0.3-4.1e-7 of its largest sum of |terms| (AVX2: 0.3-4.9e-7) (0.7-3.3e-6 of its
      // largest entry; the direct kernel, float64 across strips: 1-5e-8): float32 sums per unit
      // of 64 tiles, then across units. Bias gradient in float64 as the direct kernel: 2-4e-8.
      expect(relErr(f.subarray(DW, DW + nw), ref.dw, ref.dwAbs), 'weight gradient').toBeLessThan(5e-6);
      if (direct) expect(relErr(f.subarray(DW, DW + nw), f.subarray(DWD, DWD + nw), ref.dwAbs), 'weight gradient against direct').toBeLessThan(5e-6);
      expect(relErr(f.subarray(DB, DB + cout), ref.db), 'bias gradient').toBeLessThan(1e-6);
    }
    // Accumulating passes add onto what is there (forward without bias).
    a.winogradForward(f, cin, cout, h, w, reflect, X, W, -1, Y, true, S, 2);
    a.winogradBackwardData(f, cin, cout, h, w, reflect, DY, W, DX, true, S, 2);
    const bias = f.slice(B, Y);
    expect(relErr(f.subarray(Y, Y + ny), ref.y.map((v, i) => 2 * v - bias[Math.floor(i / (h * w))]!)), 'forward, accumulated').toBeLessThan(3e-5);
    expect(relErr(f.subarray(DX, DX + nx), ref.dx.map((v) => 2 * v)), 'input gradient, accumulated').toBeLessThan(3e-5);
  });

  it('rejects bad sizes and ranges outside the arena', () => {
    const a = addon!;
    const f = new Float32Array(1000);
    expect(() => a.winogradScratch(0, 1, 4, 4, false)).toThrow(/sizes must be >= 1/);
    expect(() => a.winogradForward(f, 2, 2, 0, 4, false, 0, 0, -1, 0, false, 0, 1)).toThrow(/sizes must be >= 1/);
    expect(() => a.winogradForward(f, 2, 2, 1, 4, true, 0, 0, -1, 0, false, 0, 1)).toThrow(/reflection padding needs h, w >= 2/);
    expect(() => a.winogradForward(f, 2, 2, 4, 4, false, 0, 100, -1, 200, false, 900, 1)).toThrow(/outside the array/);
    expect(() => a.winogradBackwardData(f, 2, 2, 4, 4, false, 0, 100, 200, false, 990, 1)).toThrow(/outside the array/);
    expect(() => a.winogradBackwardWeight(f, 2, 2, 4, 4, false, 0, 40, 80, -1, 998, 1)).toThrow(/outside the array/);
  });

  it('is chosen for the zero-padded, many-channel layers on larger planes only', () => {
    const g = (c: number, h: number, w: number, reflect = false): ConvGeometry => ({ c, h, w, kh: 3, kw: 3, stride: 1, reflect, wo: w });
    expect(winograd3x3Wins(g(64, 256, 256), 64, 64)).toBe(true);
    expect(winograd3x3Wins(g(64, 256, 256, true), 64, 64)).toBe(true);
    expect(winograd3x3Wins(g(64, 32, 32), 64, 64)).toBe(false);
    expect(winograd3x3Wins(g(64, 256, 256), 64, 4)).toBe(false);
  });

  // On AVX-512 the direct kernel serves the other layers (test/conv3x3.test.ts).
  it.runIf(!direct)('without the direct kernels (AVX2), the engine serves exactly the layers Winograd wins in every pass', () => {
    const k = nativeKernels()!.conv3x3!;
    const g = (c: number, h: number, w: number, reflect = false): ConvGeometry => ({ c, h, w, kh: 3, kw: 3, stride: 1, reflect, wo: w });
    expect(k.serves(g(64, 256, 256), 64)).toBe(true);
    expect(k.serves(g(128, 128, 128, true), 128)).toBe(true);
    expect(k.serves(g(64, 32, 32), 64)).toBe(false);
    expect(k.serves(g(3, 256, 256), 64)).toBe(false);
    expect(k.serves(g(64, 256, 256), 3)).toBe(false);
    expect(() => addon!.conv3x3Forward(new Float32Array(100), 2, 2, 4, 4, false, 0, 0, -1, 0, false, 0, 1)).toThrow(/needs AVX-512/);
  });

  it('float32 network gradients through Winograd layers match central differences', () => {
    // conv 3x3 16 -> 16 -> 16 at 48x48, zero then reflection padding (every pass on Winograd:
    // forward, weight gradients, and the second layer's input gradient, folded, feeding the
    // first layer's weights). L = <r, out> is quadratic along any parameter
    // direction, so central differences are exact up to float32 rounding of L.
    const b = new NetworkBuilder(16, 48, 48);
    const x1 = b.conv(b.input, { outChannels: 16, kernel: [3, 3], padding: 'zero', bias: true });
    const out = b.conv(x1, { outChannels: 16, kernel: [3, 3], padding: 'reflection', bias: true });
    const net = b.build(out, { seed: 3 });
    expect(net.params).toBeInstanceOf(Float32Array);
    const rng = new Rng(5);
    rng.fillGaussian(net.inputValues);
    const r = rng.gaussianArray(out.size);
    const loss = (p: ArrayLike<number>) => {
      net.params.set(p);
      const o = net.forward();
      let s = 0;
      for (let i = 0; i < o.length; i++) s += r[i]! * o[i]!;
      return s;
    };
    setThreads(2);
    const p0 = Float64Array.from(net.params);
    loss(p0);
    const grad = Float64Array.from(net.backward(r));
    let worst = 0;
    for (let t = 0; t < 3; t++) {
      const d = rng.gaussianArray(p0.length);
      const step = 1e-2;
      let analytic = 0;
      for (let i = 0; i < d.length; i++) analytic += grad[i]! * d[i]!;
      const numeric = (loss(p0.map((v, i) => v + step * d[i]!)) - loss(p0.map((v, i) => v - step * d[i]!))) / (2 * step);
      worst = Math.max(worst, Math.abs(numeric - analytic) / (Math.abs(numeric) + Math.abs(analytic)));
    }
    // measured 1.0-1.8e-6 (float32 rounding of L over 36864 outputs); 1e-3 leaves margin.
    expect(worst).toBeLessThan(1e-3);
  });
});
