import seedrandom from 'seedrandom';
import { InvalidArgumentError } from './errors.js';
import { checkSeed } from './validate.js';

/** A seed for the seeded generators: a number or a string (results record it as given). */
export type Seed = number | string;

/** Where a stream stands: its seed, the Alea generator's four state words and the Gaussian spare. */
export interface RngState {
  seed: Seed;
  alea: number[];
  spare: number | null;
}

/**
 * A seeded random stream (seedrandom's Alea: fast, 32-bit, portable). Every random draw in the
 * library goes through one of these, so the same seed gives bit-identical results.
 * `fork(label)` derives an independent child stream whose seed depends only on the parent seed
 * and the label, never on how much the parent has been used: sweep cells and operator rows can
 * therefore be regenerated alone.
 */
export class Rng {
  readonly seed: Seed;
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: Seed) {
    this.seed = checkSeed('Rng', seed);
    // `state: true` only adds the state() accessor: the stream is the same as without it.
    this.prng = seedrandom.alea(String(seed), { state: true });
  }

  /** The stream's position (with the cached Box-Muller spare), for checkpoints of long runs. */
  state(): RngState {
    const s = this.prng.state();
    return { seed: this.seed, alea: [s.c, s.s0, s.s1, s.s2], spare: this.hasSpare ? this.spare : null };
  }

  /** A stream that continues exactly where `state()` was taken. */
  static fromState(state: RngState): Rng {
    const a = state?.alea;
    if (!Array.isArray(a) || a.length !== 4 || !a.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new InvalidArgumentError('Rng.fromState', 'state', 'a state from Rng.state()', state);
    }
    const r = new Rng(state.seed);
    const s = { c: a[0]!, s0: a[1]!, s1: a[2]!, s2: a[3]! };
    r.prng = seedrandom.alea('', { state: s });
    r.hasSpare = state.spare !== null;
    r.spare = state.spare ?? 0;
    return r;
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
