import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { sumSquares } from '../core/vector.js';
import { checkNumber, checkSeed, isPlainObject, toFloat64, type NumericArray } from '../core/validate.js';

/**
 * Noise for addNoise: a standard deviation `sigma` or a signal-to-noise ratio `snrDb`, and its
 * seed.
 */
export type NoiseLevel = ({ sigma: number } | { snrDb: number }) & { seed?: Seed };

/** The per-entry noise standard deviation that gives `snrDb` on the signal y. */
export function sigmaForSnr(y: NumericArray, snrDb: number): number {
  const x = toFloat64('sigmaForSnr', 'y', y);
  checkNumber('sigmaForSnr', 'snrDb', snrDb);
  const power = sumSquares(x) / Math.max(1, x.length);
  return Math.sqrt(power / 10 ** (snrDb / 10));
}

/**
 * y + sigma * N(0, 1) per real entry (for interleaved complex data each of re and im gets
 * sigma). With {snrDb}, sigma is chosen from the mean power of y. The seed goes in the options,
 * like every other factory's ({sigma, seed}); the older positional seed is still accepted.
 * Returns a new array.
 */
export function addNoise(y: NumericArray, level: NoiseLevel, seed?: Seed): Float64Array {
  const fn = 'addNoise';
  const clean = toFloat64(fn, 'y', y, undefined, { copy: true });
  if (!isPlainObject(level)) throw new InvalidArgumentError(fn, 'level', '{sigma, seed} or {snrDb, seed}', level);
  const keys = Object.keys(level).filter((k) => k !== 'seed');
  if (keys.length !== 1 || !(keys[0] === 'sigma' || keys[0] === 'snrDb')) {
    throw new InvalidArgumentError(fn, 'level', 'exactly one of sigma or snrDb (and a seed)', level);
  }
  if (level.seed !== undefined && seed !== undefined) throw new InvalidArgumentError(fn, 'seed', 'the seed once (in the options)', seed);
  const s = level.seed ?? seed;
  if (s === undefined) throw new InvalidArgumentError(fn, 'seed', 'a seed in the options ({sigma, seed})', undefined);
  const sigma =
    'sigma' in level
      ? checkNumber(fn, 'sigma', level.sigma, { min: 0 })
      : sigmaForSnr(clean, checkNumber(fn, 'snrDb', (level as { snrDb: number }).snrDb));
  const rng = new Rng(checkSeed(fn, s));
  for (let i = 0; i < clean.length; i++) clean[i]! += sigma * rng.gaussian();
  return clean;
}
