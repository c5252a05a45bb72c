import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Arena, portableKernels, simdKernels, simdAvailable, setThreads, getThreads, Adam, nativeKernels, nativeStatus, kernelsFor, engineInfo, InvalidArgumentError, setKernels, deepDecoder, deepImagePrior, convDecoder, type Kernels } from '../src/index.js';
import { Rng } from '../src/core/rng.js';

function reference(f: Float64Array, tA: boolean, tB: boolean, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: boolean) {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = acc ? f[c + i * ldc + j]! : 0;
      for (let k = 0; k < K; k++) s += f[tA ? a + k * lda + i : a + i * lda + k]! * f[tB ? b + j * ldb + k : b + k * ldb + j]!;
      f[c + i * ldc + j] = s;
    }
}

describe('GEMM kernels agree with a float64 reference', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 7, 5],
    [4, 8, 4],
    [9, 33, 17],
    [16, 130, 70],
    [64, 2048, 64], // large enough for the two-thread split
    [5, 20, 4100], // K beyond one packed strip: packed in chunks
    // Native blocking: K over one KC block (256), N over NC (2048), M over MC (120); the
    // two-thread splits by K (weight gradients), by M (narrow C) and by N.
    [13, 70, 600],
    [20, 4500, 30],
    [130, 40, 50],
    [24, 24, 4096],
    [200, 40, 300],
    // Skinny shapes (native/gemm_skinny.c): 1x1 convs into and out of few channels, K = 1 to 3
    // (input gradients), M = 1 to 3 with a long K (weight gradients) or a long N, both threads.
    [64, 3000, 1],
    [130, 700, 3],
    [2, 9000, 64],
    [3, 64, 20000],
  ];
  const native = nativeKernels();
  const impls: [string, Kernels][] = [
    ['portable', portableKernels],
    ['simd', simdKernels],
    ...(native ? [['native', native] as [string, Kernels]] : []),
  ];
  it('SIMD kernels are available on this Node', () => {
    expect(simdAvailable()).toBe(true);
  });
  it.runIf(process.platform === 'linux')('native kernels are built and load on Linux (npm install compiles them)', () => {
    expect(nativeStatus()).toMatchObject({ available: true });
    expect(native!.name).toMatch(/^native-(avx512|avx2|generic)$/);
    expect(engineInfo().kernels).toBe(native!.name);
  });
  it('kernelsFor names each engine and rejects unknown ones', () => {
    expect(kernelsFor('portable')).toBe(portableKernels);
    expect(kernelsFor('wasm')).toBe(simdKernels);
    expect(() => kernelsFor('gpu' as never)).toThrow(InvalidArgumentError);
  });
  for (const threads of [1, 2]) {
    for (const [label, kernels] of impls) {
      it.each(shapes)(`${label}, ${threads} thread(s): %ix%ix%i in NN, TN, NT, with and without accumulate`, (M, N, K) => {
        setThreads(threads);
        expect(getThreads()).toBe(threads);
        // Padded leading dimensions catch stride mistakes.
        const lda = K + 3;
        const ldaT = M + 2;
        const ldb = N + 5;
        const ldbT = K + 1;
        const ldc = N + 4;
        const sizes = [Math.max(M * lda, K * ldaT), Math.max(K * ldb, N * ldbT), M * ldc];
        const arena = new Arena(sizes[0]! + sizes[1]! + sizes[2]!);
        const f = arena.f32 as Float32Array;
        const rng = new Rng(`${M}-${N}-${K}`);
        for (let i = 0; i < f.length; i++) f[i] = rng.uniformIn(-1, 1);
        const a = 0;
        const b = sizes[0]!;
        const c = b + sizes[1]!;
        for (const [tA, tB] of [
          [false, false],
          [true, false],
          [false, true],
        ] as const) {
          for (const acc of [false, true]) {
            const ref = Float64Array.from(f);
            const la = tA ? ldaT : lda;
            const lb = tB ? ldbT : ldb;
            reference(ref, tA, tB, M, N, K, a, la, b, lb, c, ldc, acc);
            kernels.gemm(f, tA, tB, M, N, K, a, la, b, lb, c, ldc, acc);
            let err = 0;
            for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) err = Math.max(err, Math.abs(f[c + i * ldc + j]! - ref[c + i * ldc + j]!));
            // float32 accumulation over K terms of size <= 1: measured <= 3e-6 at K = 70
            expect(err).toBeLessThan(1e-5 * Math.max(1, K / 10));
            // padding between rows of C is untouched
            if (ldc > N) expect(f[c + N]).toBe(Math.fround(ref[c + N]!));
          }
        }
        setThreads(2);
      });
    }
  }
});

describe('Adam', () => {
  it('matches the torch.optim.Adam update on a hand-computed step', () => {
    const p = new Float32Array([1, -2]);
    const g = new Float32Array([0.5, -0.1]);
    const adam = new Adam(2, { learningRate: 0.1 });
    adam.step(p, g);
    // First step of Adam moves each coordinate by lr * sign(g) (bias-corrected m / sqrt(v)).
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
    adam.step(p, g);
    expect(adam.steps).toBe(2);
    expect(p[0]).toBeCloseTo(0.8, 5);
  });
});

describe('elementwise kernels (SIMD, native) agree with the portable ones', () => {
  const native = nativeKernels();
  const fast: [string, Kernels][] = [['simd', simdKernels], ...(native ? [['native', native] as [string, Kernels]] : [])];
  const fill = (f: Float32Array, seed: string) => {
    const rng = new Rng(seed);
    for (let i = 0; i < f.length; i++) f[i] = rng.uniformIn(-1, 1);
  };
  const close = (a: Float32Array, b: Float32Array, tol: number) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
    return m <= tol;
  };
  it.each([
    [1, 1],
    [1, 7],
    [3, 5],
    [4, 8],
    [7, 13],
    [16, 16],
    [256, 300], // above the native kernels' two-thread threshold (64 K values)
  ])('plane %ix%i: activations, batch-norm passes, bilinear x2 and its adjoint', (h, w) => {
    for (const [label, fastKernels] of fast) {
    setThreads(2);
    const n = h * w;
    const size = 8 * n + 64;
    const a = new Arena(size);
    const f = a.f32 as Float32Array;
    fill(f, `${h}x${w}`);
    const twin = new Arena(size);
    const g = twin.f32 as Float32Array;
    const run = (k: Kernels, arr: Float32Array) => {
      k.leaky(arr, 0, n, n, 0.2);
      k.leakyBackward(arr, 0, n, 2 * n, n, 0, true);
      const sums: number[] = [];
      for (const relu of [false, true]) {
        k.affine(arr, n, 3 * n, n, 1.5, -0.25, relu);
        const out = new Float64Array(2);
        k.batchNormSums(arr, 0, n, n, 0.1, out, relu);
        k.batchNormApply(arr, 0, n, 4 * n, n, 0.1, 0.7, 0.05, 0.3, relu, relu);
        sums.push(k.sum(arr, 0, n, relu), k.centeredSumSquares(arr, 0, n, 0.2, relu), out[0]!, out[1]!);
      }
      return sums;
    };
    g.set(f);
    const s1 = run(fastKernels, f);
    const s2 = run(portableKernels, g);
    expect(close(f, g, 1e-6), label).toBe(true);
    // Native sums run float32 blocks of 512 added in float64: measured max error 5.9e-4 at
    // 76 800 values (sums of squares ~2.6e4), 0 below 512 values; SIMD 3.6e-4.
    s1.forEach((v, i) => expect(Math.abs(v - s2[i]!), `${label} sum ${i}`).toBeLessThan(1e-7 * Math.max(10, n)));
    for (const vertical of h > 1 ? [true, false] : [false]) {
      const outRows = vertical ? 2 * h : h;
      const y = 5 * n;
      const need = y + outRows * 2 * w + outRows * w + n;
      const arena = new Arena(need + 64);
      const twinArena = new Arena(need + 64);
      const p = arena.f32 as Float32Array;
      const q = twinArena.f32 as Float32Array;
      fill(p, `up${h}${w}${vertical}`);
      q.set(p);
      const tmp = y + outRows * 2 * w;
      fastKernels.upsample2x(p, 0, y, h, w, vertical, tmp);
      portableKernels.upsample2x(q, 0, y, h, w, vertical, tmp);
      expect(close(p.subarray(y, y + outRows * 2 * w), q.subarray(y, y + outRows * 2 * w), 1e-6)).toBe(true);
      for (const acc of [false, true]) {
        fastKernels.upsample2xBackward(p, y, 0, h, w, vertical, tmp, acc);
        portableKernels.upsample2xBackward(q, y, 0, h, w, vertical, tmp, acc);
        expect(close(p.subarray(0, n), q.subarray(0, n), 1e-5), `${label} upsample adjoint`).toBe(true);
      }
    }
    }
  });
});

describe('whole generators agree across engines (im2col, resize, batch-norm, upsampling paths)', () => {
  const native = nativeKernels();
  const engines: [string, Kernels][] = [['simd', simdKernels], ...(native ? [['native', native] as [string, Kernels]] : [])];
  // Reflection padding and stride 2 (DIP at an odd size: upsampling to non-doubled sizes),
  // nearest resizing by non-integer factors (ConvDecoder), bilinear doubling (Deep Decoder).
  const makers: [string, () => ReturnType<typeof deepDecoder>][] = [
    ['deepImagePrior 3x37x29', () => deepImagePrior({ outShape: [3, 37, 29], channelsDown: [8, 8, 8], channelsSkip: [2, 2, 2], inputChannels: 4, seed: 3 })],
    ['convDecoder 2x40x26', () => convDecoder({ outShape: [2, 40, 26], channels: 12, depth: 4, inputSize: [6, 4], seed: 4 })],
    ['convDecoder bilinear 33x47', () => convDecoder({ outShape: [33, 47], channels: 8, depth: 3, upsample: 'bilinear', seed: 5 })],
    ['deepDecoder 3x64x64', () => deepDecoder({ outShape: [3, 64, 64], channels: 16, depth: 4, seed: 6 })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: output and parameter gradient match the portable kernels`, () => {
      const run = (k: Kernels) => {
        setKernels(k);
        try {
          const gen = make();
          const params = gen.initialParams();
          const r = gen.forward(params);
          const out = Float32Array.from(r.output);
          const g = new Float32Array(out.length).map((_, i) => Math.sin(i));
          return { out, grad: Float32Array.from(r.backward(g)) };
        } finally {
          setKernels(null);
        }
      };
      const ref = run(portableKernels);
      const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
      const scale = ref.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (const [label, k] of engines) {
        for (const threads of [1, 2]) {
          setThreads(threads);
          const got = run(k);
          // float32 sums in another order: measured output <= 2.7e-6, gradient <= 4.6e-6 of its
          // largest entry (DIP, native); 10x margin
          expect(maxDiff(got.out, ref.out), `${label} output, ${threads} threads`).toBeLessThan(3e-5);
          expect(maxDiff(got.grad, ref.grad) / scale, `${label} gradient, ${threads} threads`).toBeLessThan(5e-5);
        }
      }
      setThreads(2);
    });
  }
});

describe('native kernels reject bad input instead of touching memory outside the arena', () => {
  const native = nativeKernels();
  it.runIf(native !== null)('offsets, sizes and array types are checked', () => {
    const k = native!;
    const f = new Float32Array(16);
    expect(() => k.gemm(f, false, false, 4, 4, 4, 0, 4, 0, 4, 8, 4, false)).toThrow(/offset range outside the array/);
    expect(() => k.sum(f, 10, 10, false)).toThrow(/outside the array/);
    expect(() => k.affine(f, -1, 0, 4, 1, 0, false)).toThrow(/outside the array/);
    expect(() => k.upsample2x(f, 0, 4, 0, 2, false, 8)).toThrow(/h, w >= 1/);
    const geometry = { c: 1, h: 1, w: 1, kh: 3, kw: 3, stride: 1, reflect: true, wo: 1 };
    expect(() => k.im2col(f, geometry, 0, 4, 0, 2)).toThrow(/reflection padding must be smaller/);
    const map = { yi0: new Int32Array([0, 5]), yi1: new Int32Array(2), yw0: new Float64Array(2), yw1: new Float64Array(2), xi0: new Int32Array(2), xi1: new Int32Array(2), xw0: new Float64Array(2), xw1: new Float64Array(2), nearest: true };
    expect(() => k.resize(f, map, { c: 1, h: 2, w: 2, H: 2, W: 2 }, 0, 4)).toThrow(/resize index outside the input/);
    // Float64 arenas (gradient checks) run on the portable kernels instead.
    const d = new Float64Array([1, 2, 3, 4, 0]);
    k.gemm(d, false, false, 1, 1, 2, 0, 2, 2, 1, 4, 1, false);
    expect(d[4]).toBe(11);
  });
});

describe('every native micro-kernel is correct, not only the one this CPU picks', () => {
  // UNTRAINED_CS_NATIVE_ISA forces the AVX2 or generic path (machines without AVX-512 run them).
  const binary = nativeStatus().available ? join(process.cwd(), 'native', 'build', 'untrained_cs_native.node') : null;
  const script = `
    const m = require(process.argv[1]);
    let worst = 0;
    for (const [M, N, K, ta, tb] of [[7, 45, 300, false, false], [13, 70, 33, true, false], [30, 20, 1100, false, true], [130, 300, 20, false, false]]) {
      const lda = ta ? M : K, ldb = tb ? K : N, f = new Float32Array(M * K + K * N + M * N);
      for (let i = 0; i < f.length; i++) f[i] = Math.sin(i * 1.3);
      const b = M * K, c = b + K * N;
      m.gemm(f, ta, tb, M, N, K, 0, lda, b, ldb, c, N, false, 2);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += f[ta ? k * lda + i : i * lda + k] * f[b + (tb ? j * ldb + k : k * ldb + j)];
        worst = Math.max(worst, Math.abs(s - f[c + i * N + j]) / Math.sqrt(K));
      }
    }
    process.stdout.write(JSON.stringify({ isa: m.isa(), worst }));`;
  it.runIf(binary !== null && process.arch === 'x64').each(['avx2', 'generic'])('%s', (isa) => {
    const r = spawnSync(process.execPath, ['-e', script, binary!], { encoding: 'utf8', env: { ...process.env, UNTRAINED_CS_NATIVE_ISA: isa } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { isa: string; worst: number };
    expect(out.isa).toBe(isa);
    // error / sqrt(K) of float32 sums of K products of size <= 1: measured 4.9e-6 on all three
    // ISAs (the float32 rounding of C dominates)
    expect(out.worst).toBeLessThan(3e-5);
  });
});

describe('every per-ISA copy of the memory-bound passes is correct (simd.h), not only the one this CPU picks', () => {
  // The batch-norm passes, the fused norm + 1x1 head, the sigmoid and the finiteness check have
  // one copy per ISA (16, 8 and 4 lanes); UNTRAINED_CS_NATIVE_ISA picks the copy, so a child
  // process per ISA runs a whole Deep Decoder (every one of them on its path) against the
  // portable kernels, plus the raw passes on lengths with vector tails.
  const dist = join(process.cwd(), 'dist', 'index.js');
  const script = `
    const ucs = await import(${JSON.stringify(pathToFileURL(dist).href)});
    const k = ucs.nativeKernels();
    const run = (kernels) => {
      ucs.setKernels(kernels);
      try {
        // 3 outputs: the head's multi-output loops; relu inside the norms; the sigmoid output
        const gen = ucs.deepDecoder({ outShape: [3, 96, 80], channels: 16, depth: 4, seed: 7 });
        const r = gen.forward(gen.initialParams());
        const out = Float32Array.from(r.output);
        const g = new Float32Array(out.length).map((_, i) => Math.sin(i));
        return { out, grad: Float32Array.from(r.backward(g)) };
      } finally {
        ucs.setKernels(null);
      }
    };
    const ref = run(ucs.portableKernels), got = run(k);
    const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const scale = ref.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let sums = 0;
    for (const n of [1, 15, 37, 1029, 70001]) {
      const a = new ucs.Arena(4 * n + 16), b = new ucs.Arena(4 * n + 16);
      for (let i = 0; i < a.f32.length; i++) a.f32[i] = Math.sin(i * 0.37) * (i % 5 === 0 ? -1 : 1);
      b.f32.set(a.f32);
      for (const relu of [false, true]) {
        const o1 = new Float64Array(2), o2 = new Float64Array(2);
        k.batchNormSums(a.f32, 0, n, n, 0.1, o1, relu);
        ucs.portableKernels.batchNormSums(b.f32, 0, n, n, 0.1, o2, relu);
        const pairs = [[k.sum(a.f32, 0, n, relu), ucs.portableKernels.sum(b.f32, 0, n, relu)],
          [k.centeredSumSquares(a.f32, 0, n, 0.2, relu), ucs.portableKernels.centeredSumSquares(b.f32, 0, n, 0.2, relu)], [o1[0], o2[0]], [o1[1], o2[1]]];
        for (const [x, y] of pairs) sums = Math.max(sums, Math.abs(x - y) / Math.max(10, n));
        k.affine(a.f32, n, 2 * n, n, 1.5, -0.25, relu);
        ucs.portableKernels.affine(b.f32, n, 2 * n, n, 1.5, -0.25, relu);
        k.batchNormApply(a.f32, 0, n, 3 * n, n, 0.1, 0.7, 0.05, 0.3, relu, relu);
        ucs.portableKernels.batchNormApply(b.f32, 0, n, 3 * n, n, 0.1, 0.7, 0.05, 0.3, relu, relu);
      }
      sums = Math.max(sums, maxDiff(a.f32, b.f32));
    }
    // a NaN or an infinity anywhere, in both precisions (the native check serves long arrays)
    let finite = true;
    for (const T of [Float32Array, Float64Array])
      for (const at of [0, 17, 4095, 4100]) {
        const v = new T(4101).fill(1);
        finite &&= ucs.allFinite(v);
        v[at] = at % 2 ? Infinity : NaN;
        finite &&= !ucs.allFinite(v);
      }
    process.stdout.write(JSON.stringify({ isa: ucs.nativeStatus().isa, out: maxDiff(got.out, ref.out), grad: maxDiff(got.grad, ref.grad) / scale, sums, finite }));`;
  it.runIf(nativeStatus().available && process.arch === 'x64').each(['avx2', 'generic'])('%s', (isa) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, UNTRAINED_CS_NATIVE_ISA: isa } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { isa: string; out: number; grad: number; sums: number; finite: boolean };
    expect(out.isa).toBe(isa);
    // float32 sums in another order: measured output <= 4.2e-7, gradient <= 7.9e-7 of its largest
    // entry, passes <= 2.4e-7 (sums per value, and the elementwise outputs); about 10x margins
    expect(out.out).toBeLessThan(5e-6);
    expect(out.grad).toBeLessThan(1e-5);
    expect(out.sums).toBeLessThan(3e-6);
    expect(out.finite).toBe(true);
  });
});

describe('native gemmIm2col equals im2col followed by GEMM', () => {
  const native = nativeKernels();
  const cases: [string, { c: number; h: number; w: number; kh: number; kw: number; stride: number; reflect: boolean }][] = [
    ['3x3 zero', { c: 5, h: 20, w: 37, kh: 3, kw: 3, stride: 1, reflect: false }],
    ['3x3 reflection', { c: 4, h: 9, w: 66, kh: 3, kw: 3, stride: 1, reflect: true }],
    ['3x3 stride 2 reflection', { c: 3, h: 17, w: 23, kh: 3, kw: 3, stride: 2, reflect: true }],
    ['5x3 zero', { c: 2, h: 12, w: 40, kh: 5, kw: 3, stride: 1, reflect: false }],
    ['3x3 zero, 64 channels (blocked K, two threads)', { c: 64, h: 48, w: 48, kh: 3, kw: 3, stride: 1, reflect: false }],
  ];
  it.runIf(native !== null).each(cases)('%s: forward (B) and weight gradient (B^T), output rows from row0', (_, geo) => {
    const ho = Math.floor((geo.h + 2 * ((geo.kh - 1) / 2) - geo.kh) / geo.stride) + 1;
    const wo = Math.floor((geo.w + 2 * ((geo.kw - 1) / 2) - geo.kw) / geo.stride) + 1;
    const g = { ...geo, wo };
    const K = geo.c * geo.kh * geo.kw;
    const M = 9;
    const row0 = 1;
    const rows = ho - 1;
    const n = rows * wo;
    const x = 0;
    const wOff = geo.c * geo.h * geo.w;
    const cols = wOff + M * K;
    const out1 = cols + K * n;
    const out2 = out1 + Math.max(M * n, M * K);
    const arena = new Arena(out2 + Math.max(M * n, M * K));
    const f = arena.f32 as Float32Array;
    const rng = new Rng(`im2col ${_}`);
    for (let i = 0; i < out1; i++) f[i] = rng.uniformIn(-1, 1);
    portableKernels.im2col(f, g, x, cols, row0, rows);
    for (const threads of [1, 2]) {
      setThreads(threads);
      // forward: C = W (M x K) cols (K x n)
      portableKernels.gemm(f, false, false, M, n, K, wOff, K, cols, n, out1, n, false);
      native!.gemmIm2col!(f, g, false, false, M, n, K, wOff, K, x, row0, out2, n, false);
      let err = 0;
      for (let i = 0; i < M * n; i++) err = Math.max(err, Math.abs(f[out1 + i]! - f[out2 + i]!));
      // float32 sums of K products in another order (the portable GEMM rounds C after every
      // term): measured 3.2e-5 at K = 576, i.e. 5.6e-8 K
      expect(err, `forward, ${threads} threads`).toBeLessThan(5e-7 * K);
      // weight gradient: C = D (M x n, here W's first n columns reused as data) cols^T
      const ldD = n;
      const dOff = out1; // reuse the forward output (M x n) as dY
      portableKernels.gemm(f, false, true, M, K, n, dOff, ldD, cols, n, out2, K, false);
      const want = Float32Array.from(f.subarray(out2, out2 + M * K));
      native!.gemmIm2col!(f, g, false, true, M, K, n, dOff, ldD, x, row0, out2, K, false);
      let err2 = 0;
      let scale = 0;
      for (let i = 0; i < M * K; i++) {
        err2 = Math.max(err2, Math.abs(f[out2 + i]! - want[i]!));
        scale = Math.max(scale, Math.abs(want[i]!));
      }
      // sums over n <= 2256 pixels: measured <= 3e-6 relative to the largest entry
      expect(err2 / scale, `weight gradient, ${threads} threads`).toBeLessThan(3e-5);
    }
    setThreads(2);
  });
  it.runIf(native !== null)('rejects sizes that do not match the geometry', () => {
    const f = new Float32Array(1000);
    const g = { c: 2, h: 4, w: 4, kh: 3, kw: 3, stride: 1, reflect: false, wo: 4 };
    expect(() => native!.gemmIm2col!(f, g, false, false, 2, 16, 17, 0, 17, 100, 0, 200, 16, false)).toThrow(/do not match the convolution geometry/);
    expect(() => native!.gemmIm2col!(f, { ...g, wo: 3 }, false, false, 2, 16, 18, 0, 18, 100, 0, 200, 16, false)).toThrow(/do not match/);
    expect(() => native!.gemmIm2col!(f, g, false, false, 2, 20, 18, 0, 18, 100, 0, 200, 20, false)).toThrow(/do not match/);
    expect(() => native!.gemmIm2col!(f, { ...g, kh: 2 }, false, false, 2, 16, 12, 0, 12, 100, 0, 200, 16, false)).toThrow(/odd kernels/);
  });
});

describe('native whole-layer batch norm and bilinear x2 match the per-channel portable kernels', () => {
  const native = nativeKernels();
  it.runIf(native !== null).each([
    [3, 7, 9],
    [16, 40, 60], // 38 400 values: both threads
  ])('%i channels of %ix%i', (C, h, w) => {
    const P = h * w;
    const n = C * P;
    // x, y, dy, dx, scale, shift, state, scaleGrad, shiftGrad, up (4n), upGrad (n)
    const off = { x: 0, y: n, dy: 2 * n, dx: 3 * n, scale: 4 * n, shift: 4 * n + C, state: 4 * n + 2 * C, sg: 4 * n + 4 * C, hg: 4 * n + 5 * C, up: 4 * n + 6 * C };
    const size = off.up + 4 * n + 2 * n * 1 + 64;
    const a = new Arena(size);
    const f = a.f32 as Float32Array;
    const rng = new Rng(`layer ${C}`);
    for (let i = 0; i < f.length; i++) f[i] = rng.uniformIn(-1, 1);
    for (let c = 0; c < C; c++) f[off.scale + c] = 0.5 + rng.uniform();
    const g = Float32Array.from(f);
    const close = (p: Float32Array, q: Float32Array, lo: number, hi: number) => {
      let m = 0;
      for (let i = lo; i < hi; i++) m = Math.max(m, Math.abs(p[i]! - q[i]!));
      return m;
    };
    for (const threads of [1, 2]) {
      setThreads(threads);
      for (const relu of [false, true]) {
        // reference: the BatchNorm layer's per-channel arithmetic on the portable kernels
        const k = portableKernels;
        for (let c = 0; c < C; c++) {
          const src = off.x + c * P;
          const mean = k.sum(g, src, P, relu) / P;
          const invStd = 1 / Math.sqrt(k.centeredSumSquares(g, src, P, mean, relu) / P + 1e-5);
          g[off.state + 2 * c] = mean;
          g[off.state + 2 * c + 1] = invStd;
          const m = g[off.state + 2 * c]!;
          const gg = g[off.scale + c]! * invStd;
          k.affine(g, src, off.y + c * P, P, gg, g[off.shift + c]! - m * gg, relu);
          const sums = new Float64Array(2);
          const mm = g[off.state + 2 * c]!;
          const is = g[off.state + 2 * c + 1]!;
          k.batchNormSums(g, src, off.dy + c * P, P, mm, sums, relu);
          g[off.sg + c] = sums[1]! * is;
          g[off.hg + c] = sums[0]!;
          k.batchNormApply(g, src, off.dy + c * P, off.dx + c * P, P, mm, g[off.scale + c]! * is, sums[0]! / P, (is * sums[1]! * is) / P, true, relu);
        }
        native!.batchNormForward!(f, off.x, off.y, C, P, off.scale, off.shift, off.state, 1e-5, relu);
        native!.batchNormBackward!(f, off.x, off.dy, off.dx, C, P, off.scale, off.state, off.sg, off.hg, true, relu);
        // measured <= 4.8e-7 (output) and 9.5e-7 (input gradient): float32 block sums
        expect(close(f, g, off.y, off.y + n), `forward relu=${relu}`).toBeLessThan(5e-6);
        expect(close(f, g, off.dx, off.dx + n), `input gradient relu=${relu}`).toBeLessThan(1e-5);
        expect(close(f, g, off.sg, off.sg + 2 * C) / Math.max(1, ...Array.from(g.subarray(off.sg, off.sg + 2 * C), Math.abs)), `parameter gradients relu=${relu}`).toBeLessThan(1e-5);
        // without an input gradient only the parameter gradients are written
        const before = Float32Array.from(f);
        native!.batchNormBackward!(f, off.x, off.dy, -1, C, P, off.scale, off.state, off.sg, off.hg, false, relu);
        expect(close(f, before, off.dx, off.dx + n)).toBe(0);
        f.set(g);
      }
      for (const vertical of [true, false]) {
        const rows = vertical ? 2 * h : h;
        native!.upsample2xLayer!(f, off.x, off.up, C, h, w, vertical, false, false);
        for (let c = 0; c < C; c++) portableKernels.upsample2x(g, off.x + c * P, off.up + c * rows * 2 * w, h, w, vertical, off.dx);
        expect(close(f, g, off.up, off.up + C * rows * 2 * w), `upsample vertical=${vertical}`).toBeLessThan(1e-6);
        native!.upsample2xLayer!(f, off.up, off.y, C, h, w, vertical, true, true);
        for (let c = 0; c < C; c++) portableKernels.upsample2xBackward(g, off.up + c * rows * 2 * w, off.y + c * P, h, w, vertical, off.dx, true);
        expect(close(f, g, off.y, off.y + n), `upsample adjoint vertical=${vertical}`).toBeLessThan(1e-5);
        f.set(g);
      }
    }
    setThreads(2);
    expect(() => native!.batchNormForward!(f, 0, 0, C, f.length, 0, 0, 0, 1e-5, false)).toThrow(/outside the array/);
    expect(() => native!.upsample2xLayer!(f, 0, 0, 0, h, w, true, false, false)).toThrow(/channels, h, w >= 1/);
  });
});
