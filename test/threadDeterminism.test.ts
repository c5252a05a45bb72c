import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../src/core/native.js';
import { Rng } from '../src/core/rng.js';

// Every native reduction cuts its work into slices fixed by the problem size alone, so one
// thread and two (claiming slices as they come) give the same bits. Each kernel below runs at a
// size that does split across the two threads, on one thread, then three times on two (the
// helper picks up a different share each time), and every result must be bit-identical.
const a = nativeAddon();

/**
 * Runs `call(threads)` on 1 thread and five times on 2; returns the results to compare. (The
 * helper may still be asleep when a short call ends: then the caller ran both parts, so one
 * two-thread run is not enough to see a scheduling-dependent split.)
 */
function runs<T>(call: (threads: number) => T): T[] {
  return [call(1), call(2), call(2), call(2), call(2), call(2)];
}

/** Whether every result holds the same bits as the first (NaN-safe, -0 distinct). */
function sameBits(results: (Float32Array | Float64Array)[]): void {
  const bits = (v: Float32Array | Float64Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const first = bits(results[0]!);
  for (let r = 1; r < results.length; r++) {
    const b = bits(results[r]!);
    let differ = 0;
    for (let i = 0; i < first.length; i++) if (first[i] !== b[i]) differ++;
    expect(differ, `two-thread run ${r} against the one-thread run: bytes that differ`).toBe(0);
  }
}

type Offsets = [x: number, dy: number, dw: number, dbias: number, scratch: number];

/**
 * A weight-gradient kernel on one buffer laid out x | dy | dW | dbias | scratch (the offsets it is
 * given, in that order), run on 1 and 2 threads: dW and dbias must hold the same bits every time.
 */
function sameWeightGradient(x: Float32Array, dy: Float32Array, nw: number, cout: number, scratch: number, kernel: (f: Float32Array, at: Offsets, threads: number) => void): void {
  const dw = x.length + dy.length;
  const f = new Float32Array(dw + nw + cout + scratch);
  f.set(x, 0);
  f.set(dy, x.length);
  sameBits(
    runs((threads) => {
      kernel(f, [0, x.length, dw, dw + nw, dw + nw + cout], threads);
      return f.slice(dw, dw + nw + cout);
    }),
  );
}

/** Gaussian entries times a magnitude that changes by block of `block` entries (so float sums round differently when grouped differently). */
function spread(n: number, seed: number, block: number): Float32Array {
  const rng = new Rng(seed);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.gaussian() * 2 ** (((i / block) | 0) % 7) * 3;
  return v;
}

describe.runIf(a !== null)('native reductions give the same bits on one thread and two', () => {
  const addon = a!;

  it.runIf(a !== null && a.conv3x3Available())('direct 3x3 weight gradient (conv3x3.c), 128 x 128 planes', () => {
    const [cin, cout, h, w] = [32, 32, 128, 128];
    const nx = cin * h * w;
    const ny = cout * h * w;
    const nw = cout * cin * 9;
    const scratch = addon.conv3x3Scratch(cin, cout, h, w, false);
    // x repeats every 64 rows; dy is 2^40 times larger in rows 4-11 of the strips of 16 rows (the
    // kernel's strips at this width) starting at rows 0 and 64, with opposite signs there: those
    // strips' sums cancel exactly, and what the float64 sum rounded off on the way shows in the
    // result, differently in another grouping of the strips
    const rng = new Rng(1);
    const x = new Float32Array(nx);
    for (let c = 0; c < cin; c++)
      for (let r = 0; r < 64; r++)
        for (let q = 0; q < w; q++) x[(c * h + r) * w + q] = x[(c * h + r + 64) * w + q] = rng.gaussian();
    const dy = new Float32Array(ny);
    for (let c = 0; c < cout; c++)
      for (let r = 0; r < 64; r++)
        for (let q = 0; q < w; q++) {
          const big = r >= 4 && r < 12;
          const v = rng.gaussian() * (big ? 2 ** 40 : 1);
          dy[(c * h + r) * w + q] = v;
          dy[(c * h + r + 64) * w + q] = big ? -v : rng.gaussian();
        }
    sameWeightGradient(x, dy, nw, cout, scratch, (f, at, threads) => addon.conv3x3BackwardWeight(f, cin, cout, h, w, false, ...at, threads));
  });

  it.runIf(a !== null && typeof a.winogradAvailable === 'function' && a.winogradAvailable())('Winograd weight gradient (winograd.c / winograd_avx2.c), 32 -> 24 on 128 x 120, both paddings', () => {
    const [cin, cout, h, w] = [32, 24, 128, 120];
    const nx = cin * h * w;
    const ny = cout * h * w;
    const nw = cout * cin * 9;
    for (const reflect of [false, true]) {
      const scratch = addon.winogradScratch(cin, cout, h, w, reflect);
      const x = spread(nx, 3, 1);
      const dy = spread(ny, 4, 7 * w);
      sameWeightGradient(x, dy, nw, cout, scratch, (f, at, threads) => addon.winogradBackwardWeight(f, cin, cout, h, w, reflect, ...at, threads));
    }
  });

  it('GEMM split along K (gemm.c: weight-gradient shapes), NN and NT', () => {
    const [M, N, K] = [24, 20, 9000];
    const A = spread(M * K, 5, 300);
    const B = spread(K * N, 6, 300);
    for (const tb of [false, true]) {
      const results = runs((threads) => {
        const f = new Float32Array(M * K + K * N + M * N);
        f.set(A, 0);
        f.set(B, M * K);
        addon.gemm(f, false, tb, M, N, K, 0, K, M * K, tb ? K : N, M * K + K * N, N, false, threads);
        return f.slice(M * K + K * N);
      });
      sameBits(results);
    }
  });

  it.runIf(a !== null && typeof a.conv1x1Backward === 'function')('one-pass 1x1 convolution backward (gemm.c)', () => {
    const [M, K, P] = [64, 48, 9000];
    const data = spread(M * K + M * P + K * P, 7, 700);
    const results = runs((threads) => {
      const f = new Float32Array(2 * M * K + M * P + 2 * K * P);
      f.set(data, 0);
      const dw = M * K + M * P + K * P;
      addon.conv1x1Backward!(f, M, K, P, 0, M * K, M * K + M * P, dw, dw + M * K, false, threads);
      return f.slice(dw);
    });
    sameBits(results);
  });

  it('sums of the batch-norm passes (passes.c)', () => {
    const n = 300_001;
    const data = spread(2 * n, 8, 1000);
    const results = runs((threads) => {
      const f = Float32Array.from(data);
      const sums = new Float64Array(2);
      addon.batchNormSums(f, 0, n, n, 0.25, sums, false, threads);
      return Float64Array.of(addon.sum(f, 0, n, false, threads), addon.sum(f, 0, n, true, threads), addon.centeredSumSquares(f, 0, n, 0.1, false, threads), sums[0]!, sums[1]!);
    });
    sameBits(results);
  });

  it.runIf(a !== null && typeof a.normHeadForward === 'function')('fused norm + 1x1 head forward (normhead.c)', () => {
    const [channels, plane, outs] = [24, 4096, 3];
    const x = spread(channels * plane, 9, plane);
    const results = runs((threads) => {
      const nx = channels * plane;
      // x, scale, shift, weight, state, out, scratch
      const f = new Float32Array(nx + 2 * channels + outs * channels + 2 * channels + 2 * outs * plane);
      f.set(x, 0);
      const rng = new Rng(10);
      for (let c = 0; c < channels; c++) {
        f[nx + c] = 1 + 0.1 * rng.gaussian();
        f[nx + channels + c] = 0.1 * rng.gaussian();
      }
      for (let i = 0; i < outs * channels; i++) f[nx + 2 * channels + i] = rng.gaussian() * 2 ** (i % 9);
      const state = nx + 2 * channels + outs * channels;
      const out = state + 2 * channels;
      addon.normHeadForward!(f, 0, out, channels, plane, outs, nx, nx + channels, nx + 2 * channels, state, 1e-5, true, out + outs * plane, threads);
      return f.slice(out, out + outs * plane);
    });
    sameBits(results);
  });

  it('Gaussian normal product Z^T Z x (gaussian.c), stored and regenerated', () => {
    const [m, n] = [300, 260];
    const x = new Rng(11).gaussianArray(n);
    const z = new Float32Array(m * n);
    addon.gaussianFill(z, 7, 9, 0, m, 0, n, 1);
    for (const stored of [z, null]) {
      const results = runs((threads) => {
        const out = new Float64Array(n);
        addon.gaussianProduct(stored, 7, 9, m, n, 2, 0.1, x, out, threads);
        return out;
      });
      sameBits(results);
    }
  });

  // The AVX2 Winograd kernels (winograd_avx2.c) where this CPU has AVX-512: UNTRAINED_CS_NATIVE_ISA
  // picks them in a child process.
  const script = `
    const m = require(process.argv[1]);
    const [cin, cout, h, w] = [20, 24, 128, 120];
    const nx = cin * h * w, ny = cout * h * w, nw = cout * cin * 9, s = m.winogradScratch(cin, cout, h, w, false);
    const f = new Float32Array(nx + ny + nw + cout + s);
    for (let i = 0; i < nx + ny; i++) f[i] = Math.sin(i * 0.7) * 2 ** ((i >> 10) % 7);
    const runs = [1, 2, 2, 2, 2, 2].map((t) => {
      m.winogradBackwardWeight(f, cin, cout, h, w, false, 0, nx, nx + ny, nx + ny + nw, nx + ny + nw + cout, t);
      return Buffer.from(f.slice(nx + ny, nx + ny + nw + cout).buffer).toString('base64');
    });
    process.stdout.write(JSON.stringify({ isa: m.isa(), same: runs.every((r) => r === runs[0]) }));`;
  it.runIf(a !== null && process.arch === 'x64' && typeof a.winogradAvailable === 'function' && a.winogradAvailable())('Winograd weight gradient on the AVX2 kernels', () => {
    const binary = join(process.cwd(), 'native', 'build', 'untrained_cs_native.node');
    const r = spawnSync(process.execPath, ['-e', script, binary], { encoding: 'utf8', env: { ...process.env, UNTRAINED_CS_NATIVE_ISA: 'avx2' } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { isa: string; same: boolean };
    expect(out.isa).toBe('avx2');
    expect(out.same).toBe(true);
  });
});
