import { afterAll, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../src/core/errors.js';
import { floatsFinite, floatsFiniteJs, nativeAddon } from '../src/core/native.js';
import { toFloat64 } from '../src/core/validate.js';
import { defineOperator } from '../src/operators/linearOperator.js';

const BAD = [NaN, Infinity, -Infinity];
// Short (JavaScript path only), around the vector widths and tails, and long (native path).
const LENGTHS = [1, 5, 31, 33, 64, 100, 255, 256, 1000, 4099];
const where = (n: number): number[] => [...new Set([0, n >> 1, n - 1])];

function checkKernel(name: string, f: (a: Float64Array | Float32Array) => boolean): void {
  it.each([Float64Array, Float32Array])(`${name}: NaN, +Inf, -Inf at the first, a middle and the last index (%o)`, (T) => {
    for (const n of LENGTHS) {
      const a = new T(n);
      for (let i = 0; i < n; i++) a[i] = Math.sin(i) * 10 ** ((i % 60) - 30);
      expect(f(a)).toBe(true);
      for (const bad of BAD) {
        for (const i of where(n)) {
          const old = a[i]!;
          a[i] = bad;
          expect(f(a), `${T.name} length ${n}: ${bad} at ${i}`).toBe(false);
          a[i] = old;
        }
      }
    }
  });
  it(`${name}: the finite extremes are finite, the empty array too`, () => {
    for (const v of [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -0]) expect(f(new Float64Array(300).fill(v))).toBe(true);
    for (const v of [3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -0]) expect(f(new Float32Array(300).fill(v))).toBe(true);
    expect(f(new Float64Array(0))).toBe(true);
    expect(f(new Float32Array(0))).toBe(true);
  });
}

describe('floatsFinite (native/finite.c, JavaScript fallback)', () => {
  checkKernel('JavaScript fallback', floatsFiniteJs);
  checkKernel('dispatcher', floatsFinite);
  const native = nativeAddon();
  describe.runIf(native !== null && typeof native.allFinite === 'function')('native (native/finite.c)', () => {
    checkKernel('native', (a) => native!.allFinite!(a));
    it('rejects what is not a float typed array', () => {
      expect(() => native!.allFinite!([1, 2] as unknown as Float64Array)).toThrow(/allFinite/);
      expect(() => native!.allFinite!(new Int32Array(4) as unknown as Float64Array)).toThrow(/allFinite/);
    });
  });
});

/** What the public methods must throw: the reference checks (toFloat64, then the output loop) unchanged. */
function inputError(fn: string, argument: string, x: unknown, n: number): string {
  try {
    toFloat64(fn, argument, x, n);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no reference error');
}

// The error classes come with the module graph (the addon-less one is loaded afresh).
function checkOperatorContract(defineOp: typeof defineOperator, Invalid: typeof InvalidArgumentError, Shape: typeof ShapeMismatchError): void {
  for (const n of [7, 1000]) {
    it(`length ${n}: same errors as the reference checks, results unchanged`, () => {
      let poison: { i: number; v: number } | null = null;
      const op = defineOp({
        name: 'probe',
        inShape: [n],
        outShape: [n],
        forward: (x) => {
          const y = x.map((v) => 2 * v);
          if (poison) y[poison.i] = poison.v;
          return y;
        },
        adjoint: (y) => y.map((v) => 2 * v),
      });
      const x = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
      const x32 = Float32Array.from(x);
      // Bit-identical results; a Float32Array is computed in float64 as before.
      expect(Array.from(op.forward(x))).toEqual(Array.from(op.apply(x)));
      expect(Array.from(op.forward(x32))).toEqual(Array.from(op.apply(Float64Array.from(x32))));
      expect(Array.from(op.normal(x))).toEqual(Array.from(op.applyAdjoint(op.apply(x))));
      for (const T of [Float64Array, Float32Array]) {
        for (const bad of BAD) {
          for (const i of where(n)) {
            const v = T.from(x);
            v[i] = bad;
            for (const [method, arg] of [['forward', 'x'], ['adjoint', 'y'], ['normal', 'x']] as const) {
              const want = inputError(`probe.${method}`, arg, v, n);
              expect(want).toContain(`${bad} at index ${i}`);
              expect(() => op[method](v)).toThrow(Invalid);
              expect(() => op[method](v)).toThrow(want);
            }
            // A non-finite output from finite input names the operator, the method and the entry.
            poison = { i, v: bad };
            expect(() => op.forward(x)).toThrow(Invalid);
            expect(() => op.forward(x)).toThrow(`${bad} at index ${i}`);
            expect(() => op.forward(x)).toThrow(/probe\.forward.*output.*finite entries for finite input/);
            expect(() => op.normal(x)).toThrow(`${bad} at index ${i}`);
            poison = null;
          }
        }
      }
      // Lengths and types are still the reference path's errors.
      expect(() => op.forward(new Float64Array(n + 1))).toThrow(Shape);
      expect(() => op.forward(new Float32Array(n + 1))).toThrow(inputError('probe.forward', 'x', new Float32Array(n + 1), n));
      expect(() => op.forward('x' as unknown as Float64Array)).toThrow(Invalid);
      expect(Array.from(op.forward(Array.from(x)))).toEqual(Array.from(op.apply(x)));
    });
  }
}

describe('defineOperator checks (native path when built)', () => {
  checkOperatorContract(defineOperator, InvalidArgumentError, ShapeMismatchError);
});

describe('defineOperator checks without the addon (UNTRAINED_CS_NATIVE=0)', async () => {
  vi.stubEnv('UNTRAINED_CS_NATIVE', '0');
  vi.resetModules();
  const fresh = await import('../src/operators/linearOperator.js');
  const freshNative = await import('../src/core/native.js');
  const freshErrors = await import('../src/core/errors.js');
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });
  it('runs without the addon', () => {
    expect(freshNative.nativeAvailable()).toBe(false);
  });
  checkOperatorContract(fresh.defineOperator, freshErrors.InvalidArgumentError, freshErrors.ShapeMismatchError);
});
