import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { philox4x32, philoxKey, philoxNormalBlock, philoxNormalBlockJs, philoxNormalRow } from '../src/core/philox.js';
import { philoxWasmAvailable, philoxWasmBlock } from '../src/core/philoxWasm.js';
import { nativeAddon, nativeStatus } from '../src/core/native.js';
import { gaussian, dotTest, InvalidArgumentError } from '../src/index.js';
import { randn, relErr } from './helpers.js';

const hex = (c: Uint32Array) => [...c].map((v) => v.toString(16).padStart(8, '0'));
const native = nativeAddon();
const hasNativeGaussian = native !== null && typeof native.gaussianProduct === 'function';

/** Builds the operator with the engine pinned (the operator picks its kernels when built). */
function withEngine<T>(engine: 'native' | 'portable', make: () => T): T {
  const saved = process.env.UNTRAINED_CS_KERNELS;
  process.env.UNTRAINED_CS_KERNELS = engine;
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env.UNTRAINED_CS_KERNELS;
    else process.env.UNTRAINED_CS_KERNELS = saved;
  }
}

/** The float64 reference: A = Z / sqrt(m) from the JavaScript generator, products in plain loops. */
function reference(seed: number, m: number, n: number) {
  const [k0, k1] = philoxKey(seed, 'gaussian');
  const z = philoxNormalBlock(k0, k1, 0, m, 0, n, new Float32Array(m * n));
  const s = 1 / Math.sqrt(m);
  const forward = (x: Float64Array) => {
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[i]! += s * z[i * n + j]! * x[j]!;
    return y;
  };
  const adjoint = (y: Float64Array) => {
    const x = new Float64Array(n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) x[j]! += s * z[i * n + j]! * y[i]!;
    return x;
  };
  return { forward, adjoint, normal: (x: Float64Array) => adjoint(forward(x)) };
}

describe('philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(hex(philox4x32(new Uint32Array([0, 0, 0, 0]), 0, 0))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    const ones = 0xffffffff;
    expect(hex(philox4x32(new Uint32Array([ones, ones, ones, ones]), ones, ones))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(philox4x32(new Uint32Array([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344]), 0xa4093822, 0x299f31d0))).toEqual([
      'd16cfe09',
      '94fdcceb',
      '5001e420',
      '24126ea1',
    ]);
  });

  it('gives N(0, 1) entries: moments and the Kolmogorov-Smirnov distance', () => {
    const [k0, k1] = philoxKey(11, 'gaussian');
    const rows = hasNativeGaussian ? 256 : 16;
    const cols = 4096;
    const z = new Float32Array(rows * cols);
    if (hasNativeGaussian) native.gaussianFill(z, k0, k1, 0, rows, 0, cols, 2);
    else philoxNormalBlock(k0, k1, 0, rows, 0, cols, z);
    const count = z.length;
    let s1 = 0;
    let s2 = 0;
    let s4 = 0;
    for (const v of z) {
      s1 += v;
      s2 += v * v;
      s4 += v ** 4;
    }
    // Four standard errors: mean sd 1/sqrt(N), variance sd sqrt(2/N), fourth moment sd sqrt(96/N).
    // Measured: 2^20 native draws 0.07, 0.25 and 0.84 sd; 2^16 JavaScript draws 0.31, 2.15 and
    // 1.73 sd (the same seed; the JavaScript values are the first 16 rows of the native ones).
    expect(Math.abs(s1 / count)).toBeLessThan(4 / Math.sqrt(count));
    expect(Math.abs(s2 / count - 1)).toBeLessThan(4 * Math.sqrt(2 / count));
    expect(Math.abs(s4 / count - 3)).toBeLessThan(4 * Math.sqrt(96 / count));
    // KS distance against Phi (erf by Abramowitz-Stegun 7.1.26, error 1.5e-7): measured 6.1e-4
    // on 2^20 draws (critical value at 1%: 1.6e-3), 2.8e-3 on 2^16 (6.4e-3).
    const sorted = Float64Array.from(z).sort();
    const phi = (x: number) => {
      const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
      const e = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(x * x) / 2);
      return x >= 0 ? 1 - e / 2 : e / 2;
    };
    let ks = 0;
    for (let i = 0; i < count; i++) {
      const p = phi(sorted[i]!);
      ks = Math.max(ks, Math.abs(p - i / count), Math.abs(p - (i + 1) / count));
    }
    expect(ks).toBeLessThan(1.63 / Math.sqrt(count));
  });

  it('philoxNormalRow (a fit\'s jitter and SGLD noise of one step) is that row of the matrix, at a row past 2^16', () => {
    const [k0, k1] = philoxKey('fit-seed', 'fit:sgld');
    // 1000 columns: 15 whole 64-column groups and a partial one; row 70001 as a long chain's step.
    const row = philoxNormalRow(k0, k1, 70001, new Float32Array(1000));
    expect(row).toEqual(philoxNormalBlock(k0, k1, 70001, 1, 0, 1000, new Float32Array(1000)));
    expect(philoxNormalRow(k0, k1, 70002, new Float32Array(1000))).not.toEqual(row);
  });

  it.runIf(philoxWasmAvailable())('the WebAssembly generator gives the JavaScript twin\'s bits (rows and keys past 2^31, partial groups, more than one chunk)', () => {
    for (const [k0, k1, row0, rows, col0, cols] of [
      [0, 0, 0, 3, 0, 1000],
      [0xfedcba98, 0x89abcdef, 0xfffffffd, 3, 37, 301],
      [0xffffffff, 0x80000000, 70001, 1, 63, 300_000], // 4096 groups a call: two chunks
    ] as const) {
      const js = philoxNormalBlockJs(k0, k1, row0, rows, col0, cols, new Float32Array(rows * cols));
      const wasm = new Float32Array(rows * cols);
      expect(philoxWasmBlock(k0, k1, row0, rows, col0, cols, wasm)).toBe(true);
      expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    }
  });

  it('every generator gives the frozen entries (recorded from the native addon at 481855a)', () => {
    // Row 2^31 + 3, columns 60-67 (across a 64-column group), key past 2^31: a change to any
    // generator's arithmetic shows here, with or without the addon.
    const frozen = ['3f2915bb', '3e9b4dfd', 'be62228e', 'beab52e9', 'bfefc665', 'bf6b80b9', 'bff767f2', '3f2b2257'];
    const bits = (z: Float32Array) => Array.from(new Uint32Array(z.buffer), (b) => b.toString(16).padStart(8, '0'));
    const args = [0x12345678, 0x9abcdef0, 0x80000003, 1, 60, 8] as const;
    expect(bits(philoxNormalBlockJs(...args, new Float32Array(8)))).toEqual(frozen);
    if (philoxWasmAvailable()) {
      const wasm = new Float32Array(8);
      philoxWasmBlock(...args, wasm);
      expect(bits(wasm)).toEqual(frozen);
    }
    if (hasNativeGaussian) {
      const nat = new Float32Array(8);
      native!.gaussianFill(nat, ...args, 1);
      expect(bits(nat)).toEqual(frozen);
    }
  });

  it('any block is the same values wherever it is cut (rows, column offsets inside a 64-column group)', () => {
    const [k0, k1] = philoxKey('block', 'gaussian');
    const whole = philoxNormalBlock(k0, k1, 0, 6, 0, 200, new Float32Array(1200));
    const part = philoxNormalBlock(k0, k1, 2, 3, 37, 101, new Float32Array(303));
    for (let r = 0; r < 3; r++) for (let c = 0; c < 101; c++) expect(part[r * 101 + c]).toBe(whole[(r + 2) * 200 + 37 + c]);
  });
});

describe.runIf(hasNativeGaussian)('native Gaussian kernels', () => {
  it('fill the same float32 values as the JavaScript generator, bit for bit', () => {
    const [k0, k1] = philoxKey(7, 'gaussian');
    const rows = 37;
    const cols = 301;
    const js = philoxNormalBlockJs(k0, k1, 5, rows, 70, cols, new Float32Array(rows * cols));
    const nat = new Float32Array(rows * cols);
    native!.gaussianFill(nat, k0, k1, 5, rows, 70, cols, 2);
    expect(Buffer.from(nat.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    // Counter words with the top bit set (rows past 2^31, keys past 2^31): the JavaScript twin
    // keeps them as int32 bit patterns.
    const [h0, h1] = [0xfedcba98, 0x89abcdef];
    const jsHigh = philoxNormalBlockJs(h0, h1, 0xfffffffd, 3, 1, 130, new Float32Array(390));
    const natHigh = new Float32Array(390);
    native!.gaussianFill(natHigh, h0, h1, 0xfffffffd, 3, 1, 130, 2);
    expect(Buffer.from(natHigh.buffer).equals(Buffer.from(jsHigh.buffer))).toBe(true);
  });

  // UNTRAINED_CS_NATIVE_ISA forces the AVX2 or generic path (machines without AVX-512 run them).
  const binary = join(process.cwd(), 'native', 'build', 'untrained_cs_native.node');
  const script = `
    const m = require(process.argv[1]);
    const [k0, k1, M, N] = JSON.parse(process.argv[2]);
    const z = new Float32Array(M * N);
    m.gaussianFill(z, k0, k1, 0, M, 0, N, 2);
    const x = Float64Array.from({ length: N }, (_, j) => Math.sin(j + 1));
    const y = Float64Array.from({ length: M }, (_, i) => Math.cos(i + 1));
    const out = {};
    for (const [name, a] of [['dense', z], ['free', null]]) {
      const f = new Float64Array(M), g = new Float64Array(N), h = new Float64Array(N);
      m.gaussianProduct(a, k0, k1, M, N, 0, 0.5, x, f, 2);
      m.gaussianProduct(a, k0, k1, M, N, 1, 0.5, y, g, 2);
      m.gaussianProduct(a, k0, k1, M, N, 2, 0.5, x, h, 2);
      out[name] = [Array.from(f), Array.from(g), Array.from(h)];
    }
    process.stdout.write(JSON.stringify({ isa: m.isa(), z: Buffer.from(z.buffer).toString('base64'), out }));`;
  it.runIf(process.arch === 'x64').each(['avx512', 'avx2', 'generic'])('%s: same entries, products equal the float64 reference', (isa) => {
    const cpuHas512 = nativeStatus().isa === 'avx512';
    if (isa === 'avx512' && !cpuHas512) return;
    const [M, N] = [21, 1300]; // more than one 1024-column chunk, a partial 64-column group
    const [k0, k1] = philoxKey(3, 'gaussian');
    const r = spawnSync(process.execPath, ['-e', script, binary, JSON.stringify([k0, k1, M, N])], { encoding: 'utf8', env: { ...process.env, UNTRAINED_CS_NATIVE_ISA: isa } });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { isa: string; z: string; out: Record<string, number[][]> };
    expect(got.isa).toBe(isa);
    const js = philoxNormalBlockJs(k0, k1, 0, M, 0, N, new Float32Array(M * N));
    expect(Buffer.from(got.z, 'base64').equals(Buffer.from(js.buffer))).toBe(true);
    const x = Float64Array.from({ length: N }, (_, j) => Math.sin(j + 1));
    const y = Float64Array.from({ length: M }, (_, i) => Math.cos(i + 1));
    const f = new Float64Array(M);
    const g = new Float64Array(N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) f[i]! += 0.5 * js[i * N + j]! * x[j]!;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) g[j]! += 0.5 * js[i * N + j]! * y[i]!;
    const h = new Float64Array(N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) h[j]! += 0.5 * js[i * N + j]! * f[i]!;
    for (const name of ['dense', 'free']) {
      const [fo, go, ho] = got.out[name]!;
      // float64 sums in another order: measured <= 1.7e-15 relative on all three ISAs
      expect(relErr(Float64Array.from(fo!), f)).toBeLessThan(1e-13);
      expect(relErr(Float64Array.from(go!), g)).toBeLessThan(1e-13);
      expect(relErr(Float64Array.from(ho!), h)).toBeLessThan(1e-13);
    }
  });
});

describe('gaussian operator on each engine', () => {
  const engines = hasNativeGaussian ? (['native', 'portable'] as const) : (['portable'] as const);
  const cases = [
    // [m, n]: the second crosses a 1024-column chunk, ends inside a 64-column group and is large
    // enough (m n >= 2^15) for the native kernels to use both threads.
    [7, 33],
    [37, 1500],
  ] as const;
  for (const engine of engines) {
    for (const mode of ['dense', 'matrix-free'] as const) {
      it.each(cases)(`${engine} ${mode} %i x %i: forward, adjoint and normal equal the float64 reference; adjoint test`, (m, n) => {
        const op = withEngine(engine, () => gaussian({ m, n, seed: 5, mode }));
        const ref = reference(5, m, n);
        const x = randn(n, 1);
        const y = randn(m, 2);
        // Measured: <= 1.2e-15 (native, both modes) and 2.4e-15 (portable); adjoint test 1.5e-15.
        expect(relErr(op.forward(x), ref.forward(x))).toBeLessThan(1e-13);
        expect(relErr(op.adjoint(y), ref.adjoint(y))).toBeLessThan(1e-13);
        expect(relErr(op.normal(x), ref.normal(x))).toBeLessThan(1e-13);
        expect(dotTest(op, { seed: 3 })).toBeLessThan(1e-12);
      });
    }
  }

  it.runIf(hasNativeGaussian)('native and portable engines give the same operator for a seed', () => {
    const a = withEngine('native', () => gaussian({ m: 40, n: 900, seed: 'same' }));
    const b = withEngine('portable', () => gaussian({ m: 40, n: 900, seed: 'same', mode: 'matrix-free' }));
    const x = randn(900, 4);
    expect(relErr(a.forward(x), b.forward(x))).toBeLessThan(1e-13);
  });

  it('a larger m extends the same rows (entries depend on seed, row and column only)', () => {
    const small = gaussian({ m: 10, n: 50, seed: 9 });
    const large = gaussian({ m: 40, n: 50, seed: 9 });
    const x = randn(50, 5);
    const ys = small.forward(x);
    const yl = large.forward(x);
    // A = Z / sqrt(m): the first 10 rows agree after undoing the scale
    for (let i = 0; i < 10; i++) expect(yl[i]! * Math.sqrt(40)).toBeCloseTo(ys[i]! * Math.sqrt(10), 12);
  });

  it("generator 'alea' still gives the matrix of untrained-cs 0.1 for a seed", () => {
    const op = gaussian({ m: 3, n: 5, seed: 'abc', mode: 'dense', generator: 'alea' });
    const e = new Float64Array(5);
    e[2] = 1;
    // Column 2 as printed by 0.1 (main at c37b331).
    const col = op.forward(e);
    [0.35885636624272366, 1.1184648641913144, -0.31042034954461056].forEach((v, i) => expect(col[i]).toBeCloseTo(v, 14));
    expect(dotTest(gaussian({ m: 6, n: 9, seed: 1, mode: 'matrix-free', generator: 'alea' }))).toBeLessThan(1e-12);
  });

  it('rejects an unknown generator', () => {
    expect(() => gaussian({ m: 2, n: 5, seed: 1, generator: 'mt' as never })).toThrow(InvalidArgumentError);
    expect(() => gaussian({ m: 2, n: 5, seed: 1, generator: 'mt' as never })).toThrow(/argument 'generator' expected/);
  });
});
