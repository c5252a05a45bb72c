import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import { checkNumber, checkOptions, checkPositiveInteger, checkSeed, checkShape } from '../core/validate.js';

/**
 * Sampling-mask generators. Each returns a Uint8Array of prod(shape) 0/1 entries in row-major
 * order; Fourier masks are in centred k-space (DC at index floor(n/2)), the fastMRI convention.
 */

/** Each entry kept independently with probability `keep` (inpainting; random k-space points). */
export function bernoulliMask(options: { shape: readonly number[]; keep: number; seed: Seed }): Uint8Array {
  const fn = 'bernoulliMask';
  checkOptions(fn, options, ['shape', 'keep', 'seed']);
  const shape = checkShape(fn, 'shape', options.shape);
  const keep = checkNumber(fn, 'keep', options.keep, { min: 0, max: 1, exclusiveMin: true });
  const rng = new Rng(checkSeed(fn, options.seed));
  const out = new Uint8Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < keep ? 1 : 0;
  return out;
}

/**
 * Random missing rectangles (holes to inpaint) until at least `missing` of the pixels are gone.
 * Shape [h, w]; blocks of `blockShape` [bh, bw] at uniformly random positions.
 */
export function blockMask(options: { shape: readonly number[]; blockShape: readonly number[]; missing: number; seed: Seed }): Uint8Array {
  const fn = 'blockMask';
  checkOptions(fn, options, ['shape', 'blockShape', 'missing', 'seed']);
  const shape = checkShape(fn, 'shape', options.shape);
  if (shape.length !== 2) throw new InvalidArgumentError(fn, 'shape', 'a 2D shape [h, w]', shape);
  const block = checkShape(fn, 'blockShape', options.blockShape);
  if (block.length !== 2 || block[0]! > shape[0]! || block[1]! > shape[1]!) {
    throw new InvalidArgumentError(fn, 'blockShape', `[bh, bw] no larger than [${shape.join(', ')}]`, block);
  }
  const missing = checkNumber(fn, 'missing', options.missing, { min: 0, max: 1, exclusiveMax: true });
  const rng = new Rng(checkSeed(fn, options.seed));
  const [h, w] = shape as [number, number];
  const [bh, bw] = block as [number, number];
  const out = new Uint8Array(h * w).fill(1);
  let removed = 0;
  const target = Math.ceil(missing * h * w);
  while (removed < target) {
    const r0 = rng.integer(0, h - bh + 1);
    const c0 = rng.integer(0, w - bw + 1);
    for (let r = r0; r < r0 + bh; r++) {
      for (let c = c0; c < c0 + bw; c++) {
        if (out[r * w + c] === 1) {
          out[r * w + c] = 0;
          removed++;
        }
      }
    }
  }
  return out;
}

function columnsToMask(shape: number[], columns: Uint8Array): Uint8Array {
  const w = shape[shape.length - 1]!;
  const rows = sizeOf(shape) / w;
  const out = new Uint8Array(rows * w);
  for (let r = 0; r < rows; r++) out.set(columns, r * w);
  return out;
}

function centreBand(fn: string, w: number, centerFraction: number): { lowFreqs: number; start: number } {
  const lowFreqs = Math.round(w * centerFraction);
  if (lowFreqs < 1) throw new InvalidArgumentError(fn, 'centerFraction', `at least one centre column of ${w}`, centerFraction);
  // fastMRI: pad = (num_cols - num_low_freqs + 1) // 2
  return { lowFreqs, start: Math.floor((w - lowFreqs + 1) / 2) };
}

interface CartesianOptions {
  shape: readonly number[];
  acceleration: number;
  centerFraction?: number;
  seed: Seed;
}

function cartesianArgs(fn: string, options: CartesianOptions) {
  checkOptions(fn, options, ['shape', 'acceleration', 'centerFraction', 'seed']);
  const shape = checkShape(fn, 'shape', options.shape);
  const acceleration = checkNumber(fn, 'acceleration', options.acceleration, { min: 1 });
  const centerFraction = checkNumber(fn, 'centerFraction', options.centerFraction ?? (acceleration >= 8 ? 0.04 : 0.08), {
    min: 0,
    max: 1,
    exclusiveMin: true,
  });
  const w = shape[shape.length - 1]!;
  const band = centreBand(fn, w, centerFraction);
  if (band.lowFreqs > w / acceleration) {
    throw new InvalidArgumentError(fn, 'centerFraction', `a centre band no larger than 1/acceleration of the columns (${(1 / acceleration).toFixed(3)})`, centerFraction);
  }
  return { shape, acceleration, w, ...band, rng: new Rng(checkSeed(fn, options.seed)) };
}

/**
 * fastMRI RandomMaskFunc: a fully sampled band of round(w * centerFraction) centre columns, the
 * other columns drawn independently so that the expected rate is 1/acceleration. Columns are the
 * last axis (phase encoding); every row shares them.
 */
export function cartesianMask(options: CartesianOptions): Uint8Array {
  const { shape, acceleration, w, lowFreqs, start, rng } = cartesianArgs('cartesianMask', options);
  const prob = (w / acceleration - lowFreqs) / (w - lowFreqs);
  const cols = new Uint8Array(w);
  for (let c = 0; c < w; c++) cols[c] = rng.uniform() < prob ? 1 : 0;
  cols.fill(1, start, start + lowFreqs);
  return columnsToMask(shape, cols);
}

/**
 * fastMRI EquispacedMaskFunc: the centre band plus columns every `adjusted` steps from a random
 * offset, with the spacing adjusted so the total rate is close to 1/acceleration.
 */
export function equispacedMask(options: CartesianOptions): Uint8Array {
  const { shape, acceleration, w, lowFreqs, start, rng } = cartesianArgs('equispacedMask', options);
  const adjusted = (acceleration * (lowFreqs - w)) / (lowFreqs * acceleration - w);
  const offset = rng.integer(0, Math.max(1, Math.round(adjusted)));
  const cols = new Uint8Array(w);
  for (let p = offset; p < w - 1; p += adjusted) cols[Math.round(p)] = 1;
  cols.fill(1, start, start + lowFreqs);
  return columnsToMask(shape, cols);
}

/**
 * Variable-density random sampling: each k-space point kept with probability that falls off
 * polynomially with distance from the centre, (1 - r)^decay scaled to the requested rate, and a
 * fully sampled centre disc of radius `centerRadius` (radius 1 is the far corner). [n] or [h, w].
 */
export function variableDensityMask(options: {
  shape: readonly number[];
  rate?: number;
  acceleration?: number;
  decay?: number;
  centerRadius?: number;
  seed: Seed;
}): Uint8Array {
  const fn = 'variableDensityMask';
  checkOptions(fn, options, ['shape', 'rate', 'acceleration', 'decay', 'centerRadius', 'seed']);
  const shape = checkShape(fn, 'shape', options.shape);
  if (shape.length > 2) throw new InvalidArgumentError(fn, 'shape', 'a 1D or 2D shape', shape);
  if ((options.rate === undefined) === (options.acceleration === undefined)) {
    throw new InvalidArgumentError(fn, 'rate', 'exactly one of rate or acceleration', options);
  }
  const rate =
    options.rate !== undefined
      ? checkNumber(fn, 'rate', options.rate, { min: 0, max: 1, exclusiveMin: true })
      : 1 / checkNumber(fn, 'acceleration', options.acceleration, { min: 1 });
  const decay = checkNumber(fn, 'decay', options.decay ?? 2, { min: 0 });
  const centerRadius = checkNumber(fn, 'centerRadius', options.centerRadius ?? 0.05, { min: 0, max: 1 });
  const rng = new Rng(checkSeed(fn, options.seed));
  const total = sizeOf(shape);
  const radius = new Float64Array(total);
  const dims = shape.length;
  for (let i = 0; i < total; i++) {
    let r2 = 0;
    let rem = i;
    for (let a = dims - 1; a >= 0; a--) {
      const n = shape[a]!;
      const coord = rem % n;
      rem = Math.floor(rem / n);
      const half = n / 2;
      r2 += ((coord - Math.floor(n / 2)) / half) ** 2;
    }
    // Normalised so the far corner is at radius 1 and every point keeps a positive probability.
    radius[i] = Math.min(1, Math.sqrt(r2 / dims));
  }
  const centre = (r: number) => r <= centerRadius;
  let centreCount = 0;
  for (let i = 0; i < total; i++) if (centre(radius[i]!)) centreCount++;
  if (centreCount > rate * total) {
    throw new InvalidArgumentError(fn, 'centerRadius', `a centre smaller than the sampling rate ${rate}`, centerRadius);
  }
  // Find the scale c so that mean(min(1, c (1-r)^decay)) over non-centre points hits the rate.
  const density = (c: number) => {
    let s = centreCount;
    for (let i = 0; i < total; i++) if (!centre(radius[i]!)) s += Math.min(1, c * (1 - radius[i]!) ** decay);
    return s / total;
  };
  let lo = 0;
  let hi = 1;
  while (density(hi) < rate && hi < 1e12) hi *= 2;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (density(mid) < rate) lo = mid;
    else hi = mid;
  }
  const out = new Uint8Array(total);
  for (let i = 0; i < total; i++) {
    const p = centre(radius[i]!) ? 1 : Math.min(1, hi * (1 - radius[i]!) ** decay);
    out[i] = rng.uniform() < p ? 1 : 0;
  }
  return out;
}

/**
 * Radial sampling: `spokes` lines through the k-space centre at golden-angle increments
 * (uniform angles with `goldenAngle: false`), rasterised to the nearest grid points. With a seed
 * the first angle is random.
 */
export function radialMask(options: { shape: readonly number[]; spokes: number; goldenAngle?: boolean; seed?: Seed }): Uint8Array {
  const fn = 'radialMask';
  checkOptions(fn, options, ['shape', 'spokes', 'goldenAngle', 'seed']);
  const shape = checkShape(fn, 'shape', options.shape);
  if (shape.length !== 2) throw new InvalidArgumentError(fn, 'shape', 'a 2D shape [h, w]', shape);
  const spokes = checkPositiveInteger(fn, 'spokes', options.spokes);
  const golden = options.goldenAngle ?? true;
  const start = options.seed === undefined ? 0 : new Rng(checkSeed(fn, options.seed)).uniform() * Math.PI;
  const [h, w] = shape as [number, number];
  const cy = Math.floor(h / 2);
  const cx = Math.floor(w / 2);
  const out = new Uint8Array(h * w);
  const reach = Math.hypot(h, w) / 2 + 1;
  const increment = golden ? Math.PI * ((Math.sqrt(5) - 1) / 2) : Math.PI / spokes;
  for (let s = 0; s < spokes; s++) {
    const angle = start + s * increment;
    const dy = Math.sin(angle);
    const dx = Math.cos(angle);
    for (let t = -reach; t <= reach; t += 0.5) {
      const r = Math.round(cy + t * dy);
      const c = Math.round(cx + t * dx);
      if (r >= 0 && r < h && c >= 0 && c < w) out[r * w + c] = 1;
    }
  }
  return out;
}

/** Fraction of kept entries of a mask. */
export function samplingRate(mask: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < mask.length; i++) s += mask[i]! ? 1 : 0;
  return s / Math.max(1, mask.length);
}

