import { InvalidArgumentError, ShapeMismatchError } from './errors.js';

/** Anything we accept as a numeric vector; converted to Float64Array at API boundaries. */
export type NumericArray = Float64Array | Float32Array | ArrayLike<number> | NdarrayLike;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Rejects unknown option keys: a typo in an option name must not be silently ignored. */
export function checkOptions<T>(fn: string, options: T, allowed: readonly string[]): T {
  if (!isPlainObject(options)) throw new InvalidArgumentError(fn, 'options', 'an options object', options);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(fn, key, `one of the known options (${allowed.join(', ')})`, `unknown option '${key}'`);
    }
  }
  return options;
}

export function checkInteger(fn: string, argument: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity ? '' : max === Infinity ? ` >= ${min}` : ` in [${min}, ${max}]`;
    throw new InvalidArgumentError(fn, argument, `an integer${range}`, value);
  }
  return value;
}

export function checkPositiveInteger(fn: string, argument: string, value: unknown): number {
  return checkInteger(fn, argument, value, 1);
}

export function checkNumber(
  fn: string,
  argument: string,
  value: unknown,
  { min = -Infinity, max = Infinity, exclusiveMin = false, exclusiveMax = false } = {},
): number {
  const bad =
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (exclusiveMin ? value <= min : value < min) ||
    (exclusiveMax ? value >= max : value > max);
  if (bad) {
    const lo = min === -Infinity ? '' : `${exclusiveMin ? '>' : '>='} ${min}`;
    const hi = max === Infinity ? '' : `${exclusiveMax ? '<' : '<='} ${max}`;
    const range = [lo, hi].filter(Boolean).join(' and ');
    throw new InvalidArgumentError(fn, argument, `a finite number${range ? ' ' + range : ''}`, value);
  }
  return value as number;
}

export function checkOneOf<T extends string>(fn: string, argument: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(fn, argument, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  }
  return value as T;
}

export function checkSeed(fn: string, value: unknown, argument = 'seed'): number | string {
  if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length > 0)) {
    return value;
  }
  throw new InvalidArgumentError(fn, argument, 'a finite number or a non-empty string', value);
}

/** A shape: a non-empty list of positive integers. */
export function checkShape(fn: string, argument: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(fn, argument, 'a non-empty array of positive integers', shape);
  }
  return shape.slice();
}

/**
 * Converts a numeric array to Float64Array after checking its length and that every entry is
 * finite. Always copies unless `copy` is false and the input is already a Float64Array.
 */
/** An object of the npm 'ndarray' package (or any view with the same fields). */
export interface NdarrayLike {
  data: ArrayLike<number>;
  shape: readonly number[];
  stride: readonly number[];
  offset: number;
}

export function isNdarrayLike(x: unknown): x is NdarrayLike {
  const v = x as NdarrayLike;
  return typeof x === 'object' && x !== null && Array.isArray(v.shape) && Array.isArray(v.stride) && typeof v.offset === 'number' && v.data !== undefined && typeof (v.data as ArrayLike<number>).length === 'number';
}

/** The entries of an ndarray view in row-major (C) order, whatever its strides. */
export function ndarrayToFloat64(x: NdarrayLike): Float64Array {
  const n = x.shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  const d = x.shape.length;
  const idx = new Array<number>(d).fill(0);
  for (let k = 0; k < n; k++) {
    let p = x.offset;
    for (let j = 0; j < d; j++) p += idx[j]! * x.stride[j]!;
    out[k] = x.data[p]!;
    for (let j = d - 1; j >= 0; j--) {
      if (++idx[j]! < x.shape[j]!) break;
      idx[j] = 0;
    }
  }
  return out;
}

export function toFloat64(
  fn: string,
  argument: string,
  x: unknown,
  length?: number,
  { copy = false, allowNonFinite = false }: { copy?: boolean; allowNonFinite?: boolean } = {},
): Float64Array {
  // ndarray views (the npm 'ndarray' package) are read in row-major order.
  if (isNdarrayLike(x)) x = ndarrayToFloat64(x);
  if (!(x instanceof Float64Array || x instanceof Float32Array || Array.isArray(x))) {
    throw new InvalidArgumentError(fn, argument, 'a Float64Array, Float32Array or number[]', x);
  }
  if (length !== undefined && x.length !== length) {
    throw new ShapeMismatchError(fn, argument, `length ${length}`, `length ${x.length}`);
  }
  const out = x instanceof Float64Array && !copy ? x : new Float64Array(x as ArrayLike<number>);
  if (!allowNonFinite) {
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!;
      if (v - v !== 0) {
        throw new InvalidArgumentError(fn, argument, 'finite entries', `${v} at index ${i}`);
      }
    }
  }
  return out;
}
