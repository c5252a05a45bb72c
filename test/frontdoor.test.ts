import { describe, expect, it } from 'vitest';
import { addNoise, defineOperator, fista, gaussian, identity, InvalidArgumentError, KNOWN_OPTIONS, omp, reconstructSync, ShapeMismatchError, type ReconstructOptions } from '../src/index.js';

describe('strict front door', () => {
  const A = gaussian({ m: 20, n: 40, seed: 1 });
  const y = A.forward(new Float64Array(40).fill(0.1));
  it('reconstruct rejects a misspelt option, naming the known ones', () => {
    // @ts-expect-error 'lamda' is not an option of 'lasso'
    const bad: ReconstructOptions = { method: 'lasso', operator: A, measurements: y, lamda: 0.1 };
    expect(() => reconstructSync(bad)).toThrow(InvalidArgumentError);
    expect(() => reconstructSync(bad)).toThrow(/unknown option 'lamda'.*|lamda/);
    try {
      reconstructSync(bad);
    } catch (e) {
      expect((e as InvalidArgumentError).expected).toContain('lambdaRatio');
    }
    // An option of another method is foreign too (learningRate means nothing to TV).
    // @ts-expect-error learningRate is a generator option
    expect(() => reconstructSync({ method: 'tv', operator: A, measurements: y, learningRate: 0.1 })).toThrow(/learningRate/);
    expect(KNOWN_OPTIONS.lasso).toContain('cycleSpinning');
  });
  it('reconstruct passes solver options through (x0, backtracking, acceleration, tolerance)', () => {
    const r = reconstructSync({ method: 'lasso', operator: A, measurements: y, basis: 'identity', lambda: 1e-3, acceleration: 'ista', backtracking: false, tolerance: 1e-3, x0: new Float64Array(40) });
    expect(r.options.acceleration).toBe('ista');
    expect(r.options.backtracking).toBe(false);
    expect(r.options.tolerance).toBe(1e-3);
    const t = reconstructSync({ method: 'tv', operator: A, measurements: y, lambda: 1e-2, innerIterations: 3, continuation: false });
    expect(t.options.innerIterations).toBe(3);
    expect(t.options.continuation).toBe(false);
  });
  it('fista and omp take basis names like reconstruct', () => {
    const r = fista({ operator: A, measurements: y, basis: 'dct', lambda: 1e-3 });
    expect(r.options.basis).toBe('dct');
    expect(omp({ operator: A, measurements: y, basis: 'haar', sparsity: 3 }).options.basis).toContain('haar');
    expect(() => fista({ operator: A, measurements: y, basis: 'sym4' as never })).toThrow(/fista: argument 'basis'/);
  });
  it('defineOperator requires an adjoint, checks output length and finiteness, runs the dot test on request', () => {
    const def = { name: 'twice', inShape: [3], outShape: [3], forward: (x: Float64Array) => x.map((v) => 2 * v), adjoint: (v: Float64Array) => v.map((u) => 2 * u) };
    expect(() => defineOperator({ ...def, adjoint: undefined as never })).toThrow(/defineOperator: argument 'adjoint'/);
    const short = defineOperator({ ...def, forward: (x) => x.slice(0, 2) });
    expect(() => short.forward([1, 2, 3])).toThrow(ShapeMismatchError);
    expect(() => short.apply(new Float64Array(3))).toThrow(/twice.forward: argument 'output' expected a Float64Array of length 3/);
    const nan = defineOperator({ ...def, forward: (x) => x.map(() => NaN) });
    expect(() => nan.forward([1, 2, 3])).toThrow(/finite entries/);
    expect(() => defineOperator({ ...def, adjoint: (v) => v.map((u) => 3 * u), dotTest: true })).toThrow(/dot-test mismatch/);
    expect(defineOperator({ ...def, dotTest: 7 }).forward([1, 2, 3])).toEqual(new Float64Array([2, 4, 6]));
    expect(() => defineOperator({ ...def, name: '' })).toThrow(InvalidArgumentError);
    expect(() => defineOperator({ ...def, inShape: [0] })).toThrow(InvalidArgumentError);
    expect(() => defineOperator({ ...def, extra: 1 } as never)).toThrow(/unknown option 'extra'/);
  });
  it('addNoise takes its seed in the options (the positional seed still works)', () => {
    const a = addNoise([0, 0, 0], { sigma: 1, seed: 5 });
    expect(addNoise([0, 0, 0], { sigma: 1 }, 5)).toEqual(a);
    expect(() => addNoise([0, 0, 0], { sigma: 1 })).toThrow(/seed/);
    expect(() => addNoise([0, 0, 0], { sigma: 1, seed: 1 }, 2)).toThrow(/seed/);
  });
  it('readonly shapes are accepted by the types', () => {
    const shape: readonly number[] = [4, 4];
    const op = identity({ shape });
    expect(reconstructSync({ method: 'least-squares', operator: op, measurements: new Float64Array(16), shape }).shape).toEqual([4, 4]);
  });
});

describe('fft2 takes a shape like fft', async () => {
  const { fft, fft2, ifft2 } = await import('../src/index.js');
  it('fft2(x, [h, w]) = fft(x, [h, w]) = fft2(x, h, w); bad shapes throw', () => {
    const x = Float64Array.from({ length: 2 * 12 }, (_, i) => Math.sin(i));
    expect(fft2(x, [3, 4])).toEqual(fft(x, [3, 4]));
    expect(fft2(x, 3, 4)).toEqual(fft(x, [3, 4]));
    expect(ifft2(fft2(x, [3, 4]), [3, 4]).map((v, i) => Math.abs(v - x[i]!)).every((d) => d < 1e-12)).toBe(true);
    expect(() => fft2(x, [12])).toThrow(/fft2: argument 'shape'/);
  });
});

describe('GP through reconstruct: kernel chosen on held-out entries, variance by default', async () => {
  const { mask, bernoulliMask, psnr } = await import('../src/index.js');
  it('beats the old fixed DIP kernel on a smooth inpainting problem and returns a variance', () => {
    const n = 32;
    const x = new Float64Array(n * n).map((_, i) => 0.5 + 0.3 * Math.sin(Math.floor(i / n) / 6) * Math.cos((i % n) / 9));
    const A = mask({ mask: bernoulliMask({ shape: [n, n], keep: 0.5, seed: 3 }), shape: [n, n] });
    const y = A.forward(x);
    const r = reconstructSync({ method: 'gp', operator: A, measurements: y });
    expect(r.variance).toBeDefined();
    expect(r.info!.kernelRule).toBe('held-out');
    const old = reconstructSync({ method: 'gp', operator: A, measurements: y, kernel: { kind: 'dip' }, samples: 0 });
    expect(old.variance).toBeUndefined();
    // measured on 64x64 (this image's 2D analogue): chosen rbf(l=4) 68.2 dB, old default DIP
    // kernel 30.7 dB, scikit-image biharmonic 57.1 dB
    expect(psnr(r.x, x)).toBeGreaterThan(psnr(old.x, x) + 10);
    // observed pixels are nearly certain, missing ones not
    const keep = A.adjoint(new Float64Array(A.outSize).fill(1));
    let vObs = 0;
    let vMiss = 0;
    keep.forEach((k, i) => (k ? (vObs += r.variance![i]!) : (vMiss += r.variance![i]!)));
    expect(vMiss).toBeGreaterThan(vObs);
  });
});

describe('fitGenerator cleans up after a throwing callback', async () => {
  const { deepImagePrior, fitGeneratorSync } = await import('../src/index.js');
  it('the input is restored (no jitter left) when onProgress throws', () => {
    const gen = deepImagePrior({ outShape: [8, 8], inputChannels: 2, channelsDown: [4], channelsSkip: [1], seed: 1 });
    const before = Float64Array.from(gen.input as ArrayLike<number>);
    expect(() =>
      fitGeneratorSync({
        generator: gen,
        operator: identity({ shape: [8, 8] }),
        measurements: new Float64Array(64).fill(0.5),
        iterations: 20,
        inputJitter: 0.1,
        progressEvery: 1,
        onProgress: (p) => {
          if (p.iteration === 3) throw new Error('user stop');
        },
      }),
    ).toThrow('user stop');
    expect(Float64Array.from(gen.input as ArrayLike<number>)).toEqual(before);
  });
});

describe('ndarray views are accepted wherever arrays are', async () => {
  const { ndarrayToFloat64, psnr } = await import('../src/index.js');
  it('a transposed view (the npm ndarray layout: data, shape, stride, offset) reads in row-major order', () => {
    const data = Float64Array.from({ length: 6 }, (_, i) => i); // 2x3 row-major
    const transposed = { data, shape: [3, 2], stride: [1, 3], offset: 0 };
    expect(ndarrayToFloat64(transposed)).toEqual(new Float64Array([0, 3, 1, 4, 2, 5]));
    const op = identity({ shape: [3, 2] });
    expect(op.forward(transposed)).toEqual(new Float64Array([0, 3, 1, 4, 2, 5]));
    expect(psnr(transposed, new Float64Array([0, 3, 1, 4, 2, 5]), { dataRange: 5 })).toBe(Infinity);
    expect(() => op.forward({ data, shape: [2, 2], stride: [2, 1], offset: 0 })).toThrow(ShapeMismatchError);
  });
});
