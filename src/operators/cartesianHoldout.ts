import { InvalidArgumentError } from '../core/errors.js';
import { checkInteger, checkOptions, checkShape } from '../core/validate.js';
import { maskIndices } from './elementwise.js';

/**
 * Hold-out labels for early stopping on Cartesian k-space (fitGenerator's earlyStopping
 * {kind: 'holdout', groups}): one label per sample of `fourier({shape, mask, sensitivities})`, in
 * its output order (coil-major, then the mask's kept entries in row-major order). A sample gets
 * its phase-encoding column index when the column lies outside the fully sampled centre band, and
 * -1 (never held out) inside it.
 *
 * Why: what the fit must predict is the unsampled columns, all outside the centre. Samples held
 * out uniformly are mostly centre samples (the centre band holds a third to a half of them), whose
 * neighbours in the same column and the other coils pin them down, so their loss is minimal long
 * before the image is (measured: the uniform rule stopped 4x Cartesian fits after ~30 of 500+
 * useful iterations). Whole outer columns are held-out data that look like the missing data.
 *
 * The centre band is the run of sampled columns through column floor(w / 2), as fastMRI's masks
 * (cartesianMask, equispacedMask) place it.
 */
export function cartesianHoldoutGroups(options: { shape: number[]; mask: ArrayLike<number | boolean>; coils?: number }): Int32Array {
  const fn = 'cartesianHoldoutGroups';
  checkOptions(fn, options, ['shape', 'mask', 'coils']);
  const shape = checkShape(fn, 'shape', options.shape);
  if (shape.length !== 2) throw new InvalidArgumentError(fn, 'shape', '[h, w] (columns are the last axis)', shape);
  const [h, w] = shape as [number, number];
  const coils = checkInteger(fn, 'coils', options.coils ?? 1, 1);
  const kept = maskIndices(fn, options.mask, h * w);
  const sampled = new Uint8Array(w);
  for (const k of kept) sampled[k % w] = 1;
  const centre = new Uint8Array(w);
  const mid = Math.floor(w / 2);
  for (let c = mid; c < w && sampled[c]; c++) centre[c] = 1;
  for (let c = mid - 1; c >= 0 && sampled[c]; c--) centre[c] = 1;
  const labels = new Int32Array(coils * kept.length);
  for (let i = 0; i < kept.length; i++) {
    const col = kept[i]! % w;
    labels[i] = centre[col] ? -1 : col;
  }
  for (let c = 1; c < coils; c++) labels.copyWithin(c * kept.length, 0, kept.length);
  return labels;
}
