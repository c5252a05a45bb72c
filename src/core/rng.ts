import seedrandom from 'seedrandom';
import { InvalidArgumentError } from './errors.js';
import { checkSeed } from './validate.js';

/** A seed for the seeded generators: a number or a string (results record it as given). */
export type Seed = number | string;

/**
 * A seeded random stream (seedrandom's Alea: fast, 32-bit, portable). Every random draw in the
 * library goes through one of these, so the same seed gives bit-identical results.
 * `fork(label)` derives an independent child stream whose seed depends only on the parent seed
 * and the label, never on how much the parent has been used: sweep cells and operator rows can
 * therefore be regenerated alone.
 */
export class Rng {
  readonly seed: Seed;
  private readonly prng: seedrandom.PRNG;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: Seed) {
    this.seed = checkSeed('Rng', seed);
    this.prng = seedrandom.alea(String(seed));
  }

  /** Child stream identified by `label`; independent of the parent's position. */
  fork(label: string | number): Rng {
    return new Rng(`${String(this.seed)}/${String(label)}`);
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  uniform(): number {
    return this.prng.double();
  }

  /** Uniform in [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.prng.double();
  }

  /** Standard normal, by Box-Muller (pairs cached). */
  gaussian(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = this.prng.double();
    while (u <= 0) u = this.prng.double();
    const v = this.prng();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * v;
    this.spare = r * Math.sin(t);
    this.hasSpare = true;
    return r * Math.cos(t);
  }

  bernoulli(p: number): boolean {
    return this.prng() < p;
  }

  /** Integer in [lo, hi). */
  integer(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo) {
      throw new InvalidArgumentError('Rng.integer', 'hi', `an integer > lo (${lo})`, hi);
    }
    return lo + Math.floor(this.prng.double() * (hi - lo));
  }

  /** Uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** k distinct indices from 0..n-1, sorted ascending. */
  sample(n: number, k: number): Int32Array {
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new InvalidArgumentError('Rng.sample', 'k', `an integer in [0, ${n}]`, k);
    }
    const chosen = this.permutation(n).subarray(0, k);
    return Int32Array.from(chosen).sort();
  }

  /** Random signs +-1. */
  signs(n: number): Float64Array {
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = this.prng() < 0.5 ? -1 : 1;
    return s;
  }

  fillGaussian<T extends Float64Array | Float32Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.gaussian();
    return out;
  }

  fillUniform<T extends Float64Array | Float32Array>(out: T, lo = 0, hi = 1): T {
    const w = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + w * this.prng.double();
    return out;
  }

  gaussianArray(n: number, mean = 0, std = 1): Float64Array {
    return this.fillGaussian(new Float64Array(n), mean, std);
  }
}

/** Accepts a seed or an existing stream; the public factories take either. */
export function toRng(seed: Seed | Rng): Rng {
  return seed instanceof Rng ? seed : new Rng(seed);
}

/** A seeded random generator; the same seed gives the same draws on every machine. */
export function createRng(seed: Seed): Rng {
  return new Rng(seed);
}
