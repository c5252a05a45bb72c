import { describe, expect, it } from 'vitest';
import { fft, ifft, fft2, ifft2, dct, idct, hadamard, fftshift, ifftshift, InvalidArgumentError, ShapeMismatchError } from '../src/index.js';
import { maxAbsDiff, naiveDft, randn } from './helpers.js';
import { sumSquares } from '../src/core/vector.js';
import { nativeAddon } from '../src/core/native.js';
import { fftNdInPlaceJs } from '../src/fft/fft.js';
import { dctNdInPlaceJs } from '../src/fft/dct.js';

describe('fft', () => {
  const sizes = [1, 2, 3, 4, 5, 7, 8, 12, 13, 15, 16, 25, 31, 60, 64, 97, 100, 125, 258, 368, 640];
  it.each(sizes)('matches the naive DFT for n = %i', (n) => {
    const x = randn(2 * n, n);
    // measured max error ~3e-14 at n = 368 (Bluestein); bound with margin
    expect(maxAbsDiff(fft(x), naiveDft(x))).toBeLessThan(1e-12);
    expect(maxAbsDiff(ifft(x), naiveDft(x, true))).toBeLessThan(1e-12);
  });

  it.each([5, 64, 258, 640])('round-trips and preserves energy (Parseval) for n = %i', (n) => {
    const x = randn(2 * n, 7);
    const X = fft(x);
    expect(maxAbsDiff(ifft(X), x)).toBeLessThan(1e-12);
    expect(Math.abs(sumSquares(X) - sumSquares(x)) / sumSquares(x)).toBeLessThan(1e-13);
  });

  it('2D transform equals 1D transforms along rows then columns (7x5, 640x368 round trip)', () => {
    const h = 7;
    const w = 5;
    const x = randn(2 * h * w, 3);
    const X = fft2(x, h, w);
    // reference: naive DFT on rows then columns
    const rows = new Float64Array(x.length);
    for (let r = 0; r < h; r++) rows.set(naiveDft(x.slice(2 * r * w, 2 * (r + 1) * w)), 2 * r * w);
    const ref = new Float64Array(x.length);
    for (let c = 0; c < w; c++) {
      const col = new Float64Array(2 * h);
      for (let r = 0; r < h; r++) {
        col[2 * r] = rows[2 * (r * w + c)]!;
        col[2 * r + 1] = rows[2 * (r * w + c) + 1]!;
      }
      const t = naiveDft(col);
      for (let r = 0; r < h; r++) {
        ref[2 * (r * w + c)] = t[2 * r]!;
        ref[2 * (r * w + c) + 1] = t[2 * r + 1]!;
      }
    }
    expect(maxAbsDiff(X, ref)).toBeLessThan(1e-12);
    const big = randn(2 * 640 * 368, 4);
    expect(maxAbsDiff(ifft2(fft2(big, 640, 368), 640, 368), big)).toBeLessThan(1e-11);
  });

  it('rejects bad input', () => {
    expect(() => fft(new Float64Array(3))).toThrow(InvalidArgumentError);
    expect(() => fft(new Float64Array(8), [3])).toThrow(ShapeMismatchError);
    expect(() => fft(new Float64Array(4), [0])).toThrow(InvalidArgumentError);
    expect(() => fft([1, NaN])).toThrow(/finite/);
    expect(() => ifft2(new Float64Array(10), 2, 3)).toThrow(ShapeMismatchError);
  });
});

describe('dct', () => {
  const naiveDct = (x: Float64Array) => {
    const n = x.length;
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[j]! * Math.cos((Math.PI * k * (2 * j + 1)) / (2 * n));
      out[k] = s * Math.sqrt((k === 0 ? 1 : 2) / n);
    }
    return out;
  };
  it.each([1, 2, 3, 8, 13, 64, 100])('orthonormal DCT-II matches the definition and inverts, n = %i', (n) => {
    const x = randn(n, n + 1);
    expect(maxAbsDiff(dct(x), naiveDct(x))).toBeLessThan(1e-12);
    expect(maxAbsDiff(idct(dct(x)), x)).toBeLessThan(1e-12);
  });
  it('2D DCT inverts on 7x5', () => {
    const x = randn(35, 2);
    expect(maxAbsDiff(idct(dct(x, [7, 5]), [7, 5]), x)).toBeLessThan(1e-12);
  });
  it('rejects bad input', () => {
    expect(() => dct(new Float64Array(6), [2, 2])).toThrow(ShapeMismatchError);
    expect(() => idct([1, Infinity])).toThrow(InvalidArgumentError);
  });
});

describe('hadamard and shifts', () => {
  it('hadamard is orthonormal and its own inverse', () => {
    const x = randn(64, 5);
    expect(maxAbsDiff(hadamard(hadamard(x)), x)).toBeLessThan(1e-13);
    expect(Math.abs(sumSquares(hadamard(x)) - sumSquares(x))).toBeLessThan(1e-10);
    expect(() => hadamard(new Float64Array(6))).toThrow(InvalidArgumentError);
  });
  it('fftshift matches numpy on odd and even sizes, ifftshift inverts it', () => {
    expect(Array.from(fftshift([0, 1, 2, 3, 4], [5]))).toEqual([3, 4, 0, 1, 2]);
    expect(Array.from(fftshift([0, 1, 2, 3], [4]))).toEqual([2, 3, 0, 1]);
    const x = randn(2 * 7 * 6, 1);
    expect(Array.from(ifftshift(fftshift(x, [7, 6], 2), [7, 6], 2))).toEqual(Array.from(x));
    expect(() => fftshift([1, 2, 3], [2])).toThrow(ShapeMismatchError);
  });
});

describe('native FFT (fft.c) agrees with the JavaScript transform', () => {
  const native = nativeAddon();
  // fft_fast.c serves 2D shapes of >= 256 values and 1D lengths >= 256 split n1 x n2 with n1 a multiple of
  // 16: partial column strips and row blocks (9x33, 12x300, 100x3, 49x31), odd radices (3, 5, 7, 23, 31),
  // radix 8/4/2 mixes, and 1D four-step lengths (256, 384, 768, 2048, 65536).
  const shapes: number[][] = [[1], [2], [3], [4], [5], [7], [12], [23], [59], [64], [67], [97], [256], [368], [384], [640], [768], [1009], [2048], [4096], [65536],
    [37, 29], [64, 48], [9, 33], [12, 300], [100, 3], [49, 31], [16, 16], [256, 256], [1, 256, 1, 8], [640, 368], [4, 6, 10], [3, 1, 7]];
  it.runIf(native !== null).each(shapes.map((s) => [s.join('x'), s] as const))('%s forward and inverse', (_, shape) => {
    const total = shape.reduce((a, b) => a * b, 1);
    const x = randn(2 * total, total);
    for (const inverse of [false, true]) {
      const a = Float64Array.from(x);
      const b = Float64Array.from(x);
      native!.fft(a, Int32Array.from(shape), inverse, 2);
      fftNdInPlaceJs(b, shape, inverse);
      // unit-variance input, orthonormal transform: float64 round-off measured <= 2e-14 (4096)
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-12);
    }
    const y = Float64Array.from(x);
    native!.fft(y, Int32Array.from(shape), false, 1);
    native!.fft(y, Int32Array.from(shape), true, 2);
    expect(maxAbsDiff(y, x)).toBeLessThan(1e-12);
  });
  it.runIf(native !== null)('rejects bad input', () => {
    expect(() => native!.fft(new Float64Array(6), Int32Array.from([2]), false, 1)).toThrow(/2 \* prod\(shape\)/);
    expect(() => native!.fft(new Float64Array(4), Int32Array.from([0, 2]), false, 1)).toThrow(/sizes must be >= 1/);
    expect(() => native!.fft(new Float32Array(4) as unknown as Float64Array, Int32Array.from([2]), false, 1)).toThrow(/Float64Array/);
  });
});

describe('native DCT (fft.c: half-length complex FFT per line) agrees with the JavaScript DCT', () => {
  const native = nativeAddon();
  // even (half-length FFT), odd (full-length), Bluestein lengths (1009, 2 x 1009), strided axes
  const shapes: number[][] = [[1], [2], [3], [4], [5], [6], [13], [64], [100], [257], [512], [1009], [1536], [2018], [4096], [65536], [64, 64], [117, 93], [7, 5, 6], [1, 300]];
  it.runIf(native?.dct !== undefined).each(shapes.map((s) => [s.join('x'), s] as const))('%s forward and inverse', (_, shape) => {
    const total = shape.reduce((a, b) => a * b, 1);
    const x = randn(total, total + 3);
    for (const inverse of [false, true]) {
      const a = Float64Array.from(x);
      const b = Float64Array.from(x);
      native!.dct!(a, Int32Array.from(shape), inverse, 2);
      dctNdInPlaceJs(b, shape, inverse);
      // unit-variance input, orthonormal transforms: each side within 3.6e-15 of scipy.fft.dctn (measured up to 65536)
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-12);
    }
    const y = Float64Array.from(x);
    native!.dct!(y, Int32Array.from(shape), false, 1);
    native!.dct!(y, Int32Array.from(shape), true, 2);
    expect(maxAbsDiff(y, x)).toBeLessThan(1e-12);
  });
  it.runIf(native?.dct !== undefined)('rejects bad input', () => {
    expect(() => native!.dct!(new Float64Array(6), Int32Array.from([2, 2]), false, 1)).toThrow(/prod\(shape\)/);
    expect(() => native!.dct!(new Float64Array(4), Int32Array.from([0, 2]), false, 1)).toThrow(/sizes must be >= 1/);
    expect(() => native!.dct!(new Float32Array(4) as unknown as Float64Array, Int32Array.from([4]), false, 1)).toThrow(/Float64Array/);
  });
});

describe('fft_fast.c against the naive DFT directly', () => {
  const native = nativeAddon();
  // separable naive DFT: O(n (h + w)) per 2D shape, O(n^2) for 1D
  const naiveNd = (x: Float64Array, shape: number[], inverse: boolean): Float64Array => {
    const y = Float64Array.from(x);
    const total = shape.reduce((a, b) => a * b, 1);
    let stride = 1;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const n = shape[axis]!;
      for (let o = 0; o < total; o += n * stride)
        for (let i = 0; i < stride; i++) {
          const line = new Float64Array(2 * n);
          for (let j = 0; j < n; j++) line.set([y[2 * (o + i + j * stride)]!, y[2 * (o + i + j * stride) + 1]!], 2 * j);
          const t = naiveDft(line, inverse);
          for (let j = 0; j < n; j++) y.set([t[2 * j]!, t[2 * j + 1]!], 2 * (o + i + j * stride));
        }
      stride *= n;
    }
    return y;
  };
  it.runIf(native !== null).each([[[16, 16]], [[9, 33]], [[25, 21]], [[40, 56]], [[384]], [[1280]]] as const)('%j', (shape) => {
    const s = [...shape];
    const total = s.reduce((a, b) => a * b, 1);
    const x = randn(2 * total, total);
    for (const inverse of [false, true]) {
      const a = Float64Array.from(x);
      native!.fft(a, Int32Array.from(s), inverse, 1);
      // measured max error 4e-15 (1280); orthonormal, unit-variance input
      expect(maxAbsDiff(a, naiveNd(x, s, inverse))).toBeLessThan(1e-12);
    }
  });
});

describe('native fftMapped / dctMapped reject bad input', () => {
  const native = nativeAddon() as (ReturnType<typeof nativeAddon> & { fftMapped?: (...a: unknown[]) => void; dctMapped?: (...a: unknown[]) => void }) | null;
  it.runIf(native?.fftMapped !== undefined)('fftMapped: maps out of range, mismatched lengths', () => {
    const buf = new Float64Array(2 * 16);
    const sh = Int32Array.from([4, 4]);
    const id = Int32Array.from({ length: 16 }, (_, i) => i);
    expect(() => native!.fftMapped!(buf, sh, false, 1, new Float64Array(32), Int32Array.from({ length: 16 }, (_, i) => i + 1), false, new Float64Array(32), id, false, false)).toThrow(/outside the array/);
    expect(() => native!.fftMapped!(buf, sh, false, 1, new Float64Array(31), id, false, new Float64Array(32), id, false, false)).toThrow(/matching lengths/);
    expect(() => native!.fftMapped!(buf, sh, false, 1, new Float64Array(16), id, true, new Float64Array(16), id, true, false)).not.toThrow();
  });
  it.runIf(native?.dctMapped !== undefined)('dctMapped: maps out of range, unmapped input longer than the array, mismatched weights', () => {
    const buf = new Float64Array(16);
    const sh = Int32Array.from([16]);
    expect(() => native!.dctMapped!(buf, sh, false, 1, new Float64Array(2), Int32Array.from([0, 16]), null, 1, new Float64Array(16), null, null, 1, true)).toThrow(/outside the array/);
    expect(() => native!.dctMapped!(buf, sh, false, 1, new Float64Array(17), null, null, 1, new Float64Array(16), null, null, 1, false)).toThrow(/outside the array/);
    expect(() => native!.dctMapped!(buf, sh, false, 1, new Float64Array(16), null, new Float64Array(15), 1, new Float64Array(16), null, null, 1, false)).toThrow(/matching lengths/);
  });
});
