import { describe, expect, it } from 'vitest';
import {
  identity,
  diagonal,
  mask,
  gaussian,
  structuredRandom,
  fourier,
  convolution,
  gaussianKernel,
  compose,
  sum,
  scale,
  vstack,
  blockDiag,
  adjointOf,
  dotTest,
  opNormSquared,
  addNoise,
  sigmaForSnr,
  fft2,
  fftshift,
  ifftshift,
  InvalidArgumentError,
  ShapeMismatchError,
  UntrainedCsError,
  bernoulliMask,
} from '../src/index.js';
import { fftNdInPlaceJs } from '../src/fft/fft.js';
import { dctNdInPlaceJs } from '../src/fft/dct.js';
import { Rng } from '../src/core/rng.js';
import { complexFromReal } from '../src/core/complex.js';
import { maxAbsDiff, randn } from './helpers.js';
import { sumSquares } from '../src/core/vector.js';

describe('gaussian', () => {
  it('dense and matrix-free modes are the same matrix for the same seed', () => {
    const a = gaussian({ m: 30, n: 70, seed: 'abc', mode: 'dense' });
    const b = gaussian({ m: 30, n: 70, seed: 'abc', mode: 'matrix-free' });
    const x = randn(70, 1);
    const y = randn(30, 2);
    expect(maxAbsDiff(a.forward(x), b.forward(x))).toBeLessThan(1e-14);
    expect(maxAbsDiff(a.adjoint(y), b.adjoint(y))).toBeLessThan(1e-14);
    expect(maxAbsDiff(a.normal(x), b.normal(x))).toBeLessThan(1e-13);
  });

  it('has N(0, 1/m) entries', () => {
    const m = 200;
    const n = 500;
    const a = gaussian({ m, n, seed: 3 });
    let s = 0;
    let s2 = 0;
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      const col = a.forward(e);
      for (const v of col) {
        s += v;
        s2 += v * v;
      }
    }
    const count = m * n;
    // variance estimate has relative std sqrt(2/count) = 0.6%; allow 3%
    expect(Math.abs(s / count)).toBeLessThan(3 / Math.sqrt(m * count));
    expect(Math.abs((s2 / count) * m - 1)).toBeLessThan(0.03);
  });

  it('works matrix-free at n = 65536 in bounded memory (a few rows)', () => {
    const op = gaussian({ m: 4, n: 65536, seed: 1, mode: 'matrix-free' });
    expect(dotTest(op, { seed: 1 })).toBeLessThan(1e-10);
    expect(op.outShape).toEqual([4]);
  });

  it('rejects bad input', () => {
    expect(() => gaussian({ m: 0, n: 5, seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => gaussian({ m: 2.5, n: 5, seed: 1 })).toThrow(/argument 'm' expected an integer >= 1, got 2.5/);
    expect(() => gaussian({ m: 2, n: -5, seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => gaussian({ m: 2, n: 5, seed: NaN })).toThrow(InvalidArgumentError);
    expect(() => gaussian({ m: 2, n: 5, seed: 1, mode: 'sparse' as never })).toThrow(InvalidArgumentError);
    expect(() => gaussian({ m: 2, n: 5, seed: 1, rows: 3 } as never)).toThrow(/unknown option 'rows'/);
  });
});

describe('structuredRandom', () => {
  it.each(['dct', 'hadamard'] as const)('%s: columns have unit norm on average (E[A^T A] = I)', (transform) => {
    const n = 128;
    const m = 32;
    let total = 0;
    const trials = 20;
    for (let t = 0; t < trials; t++) {
      const op = structuredRandom({ m, n, seed: t, transform });
      for (let j = 0; j < n; j += 8) {
        const e = new Float64Array(n);
        e[j] = 1;
        total += sumSquares(op.forward(e));
      }
    }
    // Hadamard columns have exactly unit norm; DCT columns average to one (measured 0.99-1.01)
    expect(Math.abs(total / (trials * (n / 8)) - 1)).toBeLessThan(0.05);
  });

  it('rejects m > n and unknown transforms', () => {
    expect(() => structuredRandom({ m: 10, n: 5, seed: 1 })).toThrow(/at most n = 5 rows/);
    expect(() => structuredRandom({ m: 2, n: 5, seed: 1, transform: 'fft' as never })).toThrow(InvalidArgumentError);
    expect(() => structuredRandom({ m: 2, seed: 1 } as never)).toThrow(InvalidArgumentError);
  });
});

describe('fourier', () => {
  it('full unmasked 2D transform is the centred orthonormal FFT, and normal() is the identity', () => {
    const shape = [6, 5];
    const op = fourier({ shape, complexInput: true });
    const x = randn(60, 1);
    const ref = fftshift(fft2(ifftshift(x, shape, 2), 6, 5), shape, 2);
    expect(maxAbsDiff(op.forward(x), ref)).toBeLessThan(1e-13);
    expect(maxAbsDiff(op.normal(x), x)).toBe(0);
    expect(maxAbsDiff(op.adjoint(op.forward(x)), x)).toBeLessThan(1e-13);
  });

  it('real input equals complex input with zero imaginary part', () => {
    const m = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0];
    const real = fourier({ shape: [3, 4], mask: m });
    const cplx = fourier({ shape: [3, 4], mask: m, complexInput: true });
    const x = randn(12, 3);
    expect(maxAbsDiff(real.forward(x), cplx.forward(complexFromReal(x)))).toBe(0);
    expect(real.outShape).toEqual([7, 2]);
  });

  it('multi-coil outputs stack per coil and equal a single-coil transform of S_c x', () => {
    const size = 4 * 4;
    const s1 = randn(2 * size, 8);
    const s2 = randn(2 * size, 9);
    const multi = fourier({ shape: [4, 4], complexInput: true, sensitivities: [s1, s2] });
    const single = fourier({ shape: [4, 4], complexInput: true });
    const x = randn(2 * size, 10);
    const mul = (s: Float64Array) => {
      const out = new Float64Array(2 * size);
      for (let i = 0; i < size; i++) {
        out[2 * i] = s[2 * i]! * x[2 * i]! - s[2 * i + 1]! * x[2 * i + 1]!;
        out[2 * i + 1] = s[2 * i]! * x[2 * i + 1]! + s[2 * i + 1]! * x[2 * i]!;
      }
      return out;
    };
    const y = multi.forward(x);
    expect(multi.outShape).toEqual([2, 4, 4, 2]);
    expect(maxAbsDiff(y.subarray(0, 2 * size), single.forward(mul(s1)))).toBeLessThan(1e-13);
    expect(maxAbsDiff(y.subarray(2 * size), single.forward(mul(s2)))).toBeLessThan(1e-13);
  });

  it('rejects bad input', () => {
    expect(() => fourier({ shape: [4, 4], mask: new Uint8Array(15) })).toThrow(ShapeMismatchError);
    expect(() => fourier({ shape: [4, 4], mask: new Uint8Array(16) })).toThrow(/at least one kept entry/);
    expect(() => fourier({ shape: [4, 4], mask: [2, ...new Array(15).fill(1)] })).toThrow(/entries 0\/1/);
    expect(() => fourier({ shape: [4, 0] })).toThrow(InvalidArgumentError);
    expect(() => fourier({ shape: [4, 4], sensitivities: new Float64Array(33) })).toThrow(ShapeMismatchError);
    expect(() => fourier({ shape: [2, 2, 2, 2] })).toThrow(InvalidArgumentError);
  });
});

describe('convolution', () => {
  it('equals direct circular convolution (2D, off-centre kernel)', () => {
    const h = 6;
    const w = 7;
    const kernel = [1, -2, 0.5, 3, 0.25, -1];
    const op = convolution({ kernel, kernelShape: [2, 3], shape: [h, w] });
    const x = randn(h * w, 4);
    const ref = new Float64Array(h * w);
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        let s = 0;
        for (let a = 0; a < 2; a++)
          for (let b = 0; b < 3; b++) {
            const rr = (r - (a - 1) + 2 * h) % h;
            const cc = (c - (b - 1) + 2 * w) % w;
            s += kernel[a * 3 + b]! * x[rr * w + cc]!;
          }
        ref[r * w + c] = s;
      }
    expect(maxAbsDiff(op.forward(x), ref)).toBeLessThan(1e-12);
  });

  it('gaussianKernel sums to one', () => {
    const { kernel, kernelShape } = gaussianKernel({ sigma: 1.5 });
    expect(kernelShape).toEqual([11, 11]);
    expect(Math.abs(kernel.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
  });

  it('rejects bad input', () => {
    expect(() => convolution({ kernel: [1, 2, 3], shape: [4, 4] })).toThrow(/kernelShape/);
    expect(() => convolution({ kernel: new Array(25).fill(1), shape: [4, 4] })).toThrow(ShapeMismatchError);
    expect(() => convolution({ kernel: [], shape: [4] })).toThrow(InvalidArgumentError);
    expect(() => gaussianKernel({ sigma: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('algebra', () => {
  it('checks shapes when an operator is built', () => {
    const a = gaussian({ m: 5, n: 10, seed: 1 });
    const b = gaussian({ m: 7, n: 12, seed: 1 });
    expect(() => compose(a, b)).toThrow(/compose: argument 'operators\[1\]' expected an output of size 10/);
    expect(() => sum(a, b)).toThrow(ShapeMismatchError);
    expect(() => vstack(a, b)).toThrow(ShapeMismatchError);
    expect(() => compose()).toThrow(InvalidArgumentError);
    expect(() => blockDiag()).toThrow(InvalidArgumentError);
    expect(() => scale(a, NaN)).toThrow(InvalidArgumentError);
    expect(() => adjointOf({} as never)).toThrow(/LinearOperator/);
  });

  it('composition computes A(Bx) and blockDiag stacks channel shapes', () => {
    const a = gaussian({ m: 5, n: 10, seed: 1 });
    const b = gaussian({ m: 10, n: 12, seed: 2 });
    const x = randn(12, 1);
    expect(maxAbsDiff(compose(a, b).forward(x), a.forward(b.forward(x)))).toBeLessThan(1e-14);
    const bd = blockDiag(identity({ shape: [2, 3] }), identity({ shape: [2, 3] }));
    expect(bd.inShape).toEqual([2, 2, 3]);
  });

  it('accepts a user-written operator and dotTest catches a wrong adjoint', () => {
    const good = { name: 'double', inShape: [3], outShape: [3], forward: (x: Float64Array) => x.map((v) => 2 * v), adjoint: (y: Float64Array) => y.map((v) => 2 * v) };
    const bad = { ...good, adjoint: (y: Float64Array) => y.map((v) => 3 * v) };
    expect(dotTest(good as never, { seed: 1 })).toBeLessThan(1e-14);
    expect(dotTest(bad as never, { seed: 1 })).toBeGreaterThan(1e-3);
    expect(compose(good as never, identity({ shape: [3] })).forward([1, 2, 3])[2]).toBe(6);
    expect(() => dotTest(good as never, { seed: 1, n: 3 } as never)).toThrow(InvalidArgumentError);
  });
});

describe('opNormSquared', () => {
  it('finds ||A||^2 of a diagonal and of a scaled unitary FFT', () => {
    expect(Math.abs(opNormSquared(diagonal({ weights: [1, -3, 2] }), { seed: 1 }) - 9)).toBeLessThan(1e-4);
    expect(Math.abs(opNormSquared(scale(fourier({ shape: [8, 8] }), 2)) - 4)).toBeLessThan(1e-9);
    expect(() => opNormSquared(identity({ shape: [3] }), { iterations: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('mask and diagonal and identity', () => {
  it('mask keeps the selected entries in raster order', () => {
    const op = mask({ mask: [1, 0, 1, 0, 0, 1] });
    expect(Array.from(op.forward([1, 2, 3, 4, 5, 6]))).toEqual([1, 3, 6]);
    expect(Array.from(op.adjoint([7, 8, 9]))).toEqual([7, 0, 8, 0, 0, 9]);
  });
  it('reject bad input', () => {
    expect(() => mask({ mask: [1, 0], shape: [3] })).toThrow(ShapeMismatchError);
    expect(() => mask({ mask: [0, 0] })).toThrow(InvalidArgumentError);
    expect(() => mask({ mask: 'x' as never })).toThrow(InvalidArgumentError);
    expect(() => diagonal({ weights: [] })).toThrow(InvalidArgumentError);
    expect(() => diagonal({ weights: [1, 2], shape: [3] })).toThrow(ShapeMismatchError);
    expect(() => identity({ shape: [-1] })).toThrow(InvalidArgumentError);
    expect(() => identity({ shape: [2.5] })).toThrow(UntrainedCsError);
  });
});

describe('addNoise', () => {
  it('adds noise of the requested sigma, or of the requested SNR', () => {
    const y = new Float64Array(20000).fill(2);
    const noisy = addNoise(y, { sigma: 0.5 }, 1);
    const resid = noisy.map((v, i) => v - y[i]!);
    // sample std of 20000 draws: relative error ~0.5%; allow 3%
    expect(Math.abs(Math.sqrt(sumSquares(resid) / y.length) - 0.5)).toBeLessThan(0.015);
    const snr = addNoise(y, { snrDb: 20 }, 2);
    const r2 = snr.map((v, i) => v - y[i]!);
    const measuredSnr = 10 * Math.log10(sumSquares(y) / sumSquares(r2));
    expect(Math.abs(measuredSnr - 20)).toBeLessThan(0.2);
    expect(sigmaForSnr(y, 20)).toBeCloseTo(0.2, 12);
    expect(Array.from(addNoise(y, { sigma: 0.5 }, 1))).toEqual(Array.from(noisy));
  });
  it('rejects bad input', () => {
    expect(() => addNoise([1, 2], { sigma: -1 }, 1)).toThrow(InvalidArgumentError);
    expect(() => addNoise([1, 2], { sigma: 1, snrDb: 3 } as never, 1)).toThrow(/exactly one/);
    expect(() => addNoise([1, NaN], { sigma: 1 }, 1)).toThrow(/finite entries/);
    expect(() => addNoise([1, 2], { sigma: 1 }, undefined as never)).toThrow(InvalidArgumentError);
  });
});

describe('fourier on the native placement + FFT + sampling call (fftMapped)', () => {
  // Shapes of >= 256 values take the native path; the reference is the JavaScript FFT with the
  // shifts done by hand: y = sample(fftshift(fft(ifftshift(x)))).
  const cases = [
    { shape: [24, 20], complexInput: true, centered: true, keep: 1 },
    { shape: [33, 18], complexInput: false, centered: true, keep: 0.4 },
    { shape: [25, 21], complexInput: true, centered: false, keep: 0.5 },
    { shape: [300], complexInput: false, centered: true, keep: 0.3 },
  ];
  it.each(cases)('$shape complex=$complexInput centred=$centered keep=$keep', ({ shape, complexInput, centered, keep }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const mask = keep < 1 ? bernoulliMask({ shape, keep, seed: 5 }) : undefined;
    const op = fourier({ shape, complexInput, centered, mask });
    // scale-aware adjoint mismatch, measured ~1e-16
    expect(dotTest(op, { seed: 2 })).toBeLessThan(1e-10);
    const x = randn(complexInput ? 2 * size : size, 9);
    const c = new Float64Array(2 * size);
    for (let i = 0; i < size; i++) {
      c[2 * i] = complexInput ? x[2 * i]! : x[i]!;
      c[2 * i + 1] = complexInput ? x[2 * i + 1]! : 0;
    }
    const buf = centered ? ifftshift(c, shape, 2) : c;
    fftNdInPlaceJs(buf, shape, false);
    const full = centered ? fftshift(buf, shape, 2) : buf;
    const ref: number[] = [];
    for (let i = 0; i < size; i++) if (!mask || mask[i]) ref.push(full[2 * i]!, full[2 * i + 1]!);
    // measured ~3e-15
    expect(maxAbsDiff(op.forward(x), ref)).toBeLessThan(1e-12);
  });
});

describe('structuredRandom on the native signs + DCT + sampling call (dctMapped)', () => {
  // Lengths of >= 256 take the native path (1536: the four-step FFT inside the DCT; 1001: odd);
  // the reference rebuilds the signs and rows the way structuredRandom draws them and runs the
  // JavaScript DCT.
  it.each([[1536, 400], [1001, 300], [4096, 4096]])('n = %i, m = %i: sqrt(n/m) dct(signs x)[rows] and its adjoint', (n, m) => {
    const op = structuredRandom({ n, m, seed: 4 });
    // scale-aware adjoint mismatch, measured ~1e-16
    expect(dotTest(op, { seed: 3 })).toBeLessThan(1e-10);
    const rng = new Rng(4);
    const signs = rng.fork('signs').signs(n);
    const rows = rng.fork('rows').sample(n, m);
    const s = Math.sqrt(n / m);
    const x = randn(n, 11);
    const t = Float64Array.from(x, (v, j) => v * signs[j]!);
    dctNdInPlaceJs(t, [n], false);
    // unit-variance input, orthonormal DCT: measured ~4e-15
    expect(maxAbsDiff(op.forward(x), Array.from(rows, (r) => s * t[r]!))).toBeLessThan(1e-12);
    const y = randn(m, 12);
    const b = new Float64Array(n);
    rows.forEach((r, i) => (b[r] = s * y[i]!));
    dctNdInPlaceJs(b, [n], true);
    expect(maxAbsDiff(op.adjoint(y), Array.from(b, (v, j) => v * signs[j]!))).toBeLessThan(1e-12);
  });
});
