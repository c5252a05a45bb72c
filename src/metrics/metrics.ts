import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import { meanSquaredError, psnrValue, relativeErrorValue } from '../core/quality.js';
import { sizeOf } from '../core/shape.js';
import { checkNumber, checkOptions, checkShape, toFloat64, type NumericArray } from '../core/validate.js';

/** Options shared by the metrics: the data range and an optional centre crop. */
export interface MetricOptions {
  /** Shape of both arrays ([n], [h, w] or [c, h, w]); needed for `crop`. */
  shape?: readonly number[];
  /** Centre crop [ch, cw] of the last two axes before comparing (the fastMRI convention). */
  crop?: number[];
  /** Peak value for PSNR/SSIM (default 1 for images in [0, 1]). */
  dataRange?: number;
}

/** Validates a pair and applies the optional centre crop. */
export function comparable(fn: string, x: unknown, ref: unknown, options: MetricOptions): { x: Float64Array; ref: Float64Array; shape: number[] } {
  const r = toFloat64(fn, 'reference', ref as NumericArray);
  const a = toFloat64(fn, 'x', x as NumericArray, r.length);
  let shape = options.shape ? checkShape(fn, 'shape', options.shape) : [r.length];
  if (sizeOf(shape) !== r.length) throw new ShapeMismatchError(fn, 'shape', `size ${r.length}`, shape);
  if (!options.crop) return { x: a, ref: r, shape };
  const crop = checkShape(fn, 'crop', options.crop);
  if (shape.length < 2 || crop.length !== 2) throw new InvalidArgumentError(fn, 'crop', '[ch, cw] with a shape of 2 or 3 dimensions', crop);
  const [h, w] = shape.slice(-2) as [number, number];
  const [ch, cw] = crop as [number, number];
  if (ch > h || cw > w) throw new InvalidArgumentError(fn, 'crop', `no larger than [${h}, ${w}]`, crop);
  const c = shape.length === 3 ? shape[0]! : 1;
  const r0 = Math.floor((h - ch) / 2);
  const c0 = Math.floor((w - cw) / 2);
  const cut = (v: Float64Array) => {
    const out = new Float64Array(c * ch * cw);
    for (let k = 0; k < c; k++)
      for (let i = 0; i < ch; i++) for (let j = 0; j < cw; j++) out[(k * ch + i) * cw + j] = v[(k * h + r0 + i) * w + c0 + j]!;
    return out;
  };
  shape = shape.length === 3 ? [c, ch, cw] : [ch, cw];
  return { x: cut(a), ref: cut(r), shape };
}

/** Peak signal-to-noise ratio in dB, 10 log10(range^2 / MSE). */
export function psnr(x: NumericArray, reference: NumericArray, options: MetricOptions = {}): number {
  checkOptions('psnr', options, ['shape', 'crop', 'dataRange']);
  const p = comparable('psnr', x, reference, options);
  const range = checkNumber('psnr', 'dataRange', options.dataRange ?? 1, { min: 0, exclusiveMin: true });
  return psnrValue(p.x, p.ref, range);
}

/** ||x - ref|| / ||ref||. */
export function relativeError(x: NumericArray, reference: NumericArray, options: MetricOptions = {}): number {
  checkOptions('relativeError', options, ['shape', 'crop', 'dataRange']);
  const p = comparable('relativeError', x, reference, options);
  return relativeErrorValue(p.x, p.ref);
}

/** Normalised MSE as fastMRI defines it: ||x - ref||^2 / ||ref||^2. */
export function nmse(x: NumericArray, reference: NumericArray, options: MetricOptions = {}): number {
  checkOptions('nmse', options, ['shape', 'crop', 'dataRange']);
  const p = comparable('nmse', x, reference, options);
  return relativeErrorValue(p.x, p.ref) ** 2;
}

/** Mean squared error. */
export function mse(x: NumericArray, reference: NumericArray, options: MetricOptions = {}): number {
  checkOptions('mse', options, ['shape', 'crop', 'dataRange']);
  const p = comparable('mse', x, reference, options);
  return meanSquaredError(p.x, p.ref);
}
