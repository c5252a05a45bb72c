import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { checkOptions, checkShape, toFloat64, type NumericArray } from '../core/validate.js';
import { fftNdInPlace } from '../fft/fft.js';
import { fftMapped } from '../fft/mapped.js';
import { maskIndices } from './elementwise.js';
import { defineOperator, type LinearOperator } from './linearOperator.js';

/** Options of fourier: the image shape, the k-space mask, complex input and coil sensitivities. */
export interface FourierOptions {
  /** Signal shape, [n] or [h, w] (without the complex trailing 2). */
  shape: readonly number[];
  /** k-space sampling mask of prod(shape) 0/1 entries; all sampled when absent. */
  mask?: ArrayLike<number | boolean>;
  /** Complex images ([...shape, 2] interleaved) instead of real ones. */
  complexInput?: boolean;
  /**
   * Coil sensitivity maps for multi-coil MRI: complex, either one interleaved array per coil
   * or one flat array of coils * prod(shape) * 2 values.
   */
  sensitivities?: NumericArray[] | NumericArray;
  /**
   * k-space with DC at the centre (fastMRI convention: fftshift(fft(ifftshift(x)))); the mask
   * is read in the same coordinates. Default true.
   */
  centered?: boolean;
}

/** Index map from centred k-space position to the FFT's natural order, per axis. */
function centeredToNatural(shape: readonly number[], centered: boolean): Int32Array {
  const total = sizeOf(shape);
  const map = new Int32Array(total);
  const dims = shape.length;
  const idx = new Array<number>(dims).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let target = 0;
    for (let a = 0; a < dims; a++) {
      const n = shape[a]!;
      let u = idx[a]!;
      if (centered) u = (u - Math.floor(n / 2) + n) % n;
      target = target * n + u;
    }
    map[flat] = target;
    for (let a = dims - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return map;
}

function readSensitivities(fn: string, s: FourierOptions['sensitivities'], size: number): Float64Array[] {
  if (s === undefined) return [];
  const per = 2 * size;
  if (Array.isArray(s) && s.length > 0 && (ArrayBuffer.isView(s[0]) || Array.isArray(s[0]))) {
    return (s as NumericArray[]).map((c, i) => toFloat64(fn, `sensitivities[${i}]`, c, per, { copy: true }));
  }
  const flat = toFloat64(fn, 'sensitivities', s, undefined, { copy: true });
  if (flat.length === 0 || flat.length % per !== 0) {
    throw new ShapeMismatchError(fn, 'sensitivities', `a multiple of ${per} values (coils x prod(shape) x 2)`, `length ${flat.length}`);
  }
  const coils: Float64Array[] = [];
  for (let c = 0; c < flat.length / per; c++) coils.push(flat.slice(c * per, (c + 1) * per));
  return coils;
}

/**
 * Orthonormal 1D/2D DFT subsampled by a mask, y = M F (S_c x) for each coil c. Outputs are
 * complex, interleaved: outShape [K, 2] for K kept samples ([coils, K, 2] with sensitivities;
 * [...shape, 2] without a mask). For real input the adjoint returns the real part, which is the
 * exact adjoint with respect to the real inner product.
 */
export function fourier(options: FourierOptions): LinearOperator {
  const fn = 'fourier';
  checkOptions(fn, options, ['shape', 'mask', 'complexInput', 'sensitivities', 'centered']);
  const shape = checkShape(fn, 'shape', options.shape);
  if (shape.length > 3) throw new InvalidArgumentError(fn, 'shape', 'a 1D, 2D or 3D shape', shape);
  const size = sizeOf(shape);
  const complexInput = options.complexInput ?? false;
  const centered = options.centered ?? true;
  const natural = centeredToNatural(shape, centered);
  const kept = options.mask === undefined ? null : maskIndices(fn, options.mask, size);
  // Sample k of the output comes from FFT bin sampleAt[k] (natural order).
  const sampleAt = kept ? Int32Array.from(kept, (c) => natural[c]!) : natural;
  const samples = sampleAt.length;
  const coils = readSensitivities(fn, options.sensitivities, size);
  const ncoil = Math.max(1, coils.length);
  // The input is placed at ifftshift positions; ifftshift equals the same per-axis map.
  const place = natural;

  const inShape = complexInput ? [...shape, 2] : shape;
  const outShape =
    kept === null
      ? coils.length > 0
        ? [coils.length, ...shape, 2]
        : [...shape, 2]
      : coils.length > 0
        ? [coils.length, samples, 2]
        : [samples, 2];

  const buf = new Float64Array(2 * size);
  const shapeI32 = Int32Array.from(shape);
  // The adjoint's scatter covers every bin only when every sample is kept (sampleAt a permutation).
  const fillAdjoint = samples < size;

  const forward = (x: Float64Array): Float64Array => {
    const y = new Float64Array(2 * samples * ncoil);
    if (coils.length === 0) {
      fftMapped(buf, shapeI32, false, x, place, !complexInput, y, sampleAt, false, false);
      return y;
    }
    for (let c = 0; c < ncoil; c++) {
      const s = coils[c];
      // One loop per case, no branch per sample (the placement costs as much as the FFT otherwise).
      if (s) {
        for (let i = 0; i < size; i++) {
          const xr = complexInput ? x[2 * i]! : x[i]!;
          const xi = complexInput ? x[2 * i + 1]! : 0;
          const p = 2 * place[i]!;
          const sr = s[2 * i]!;
          const si = s[2 * i + 1]!;
          buf[p] = sr * xr - si * xi;
          buf[p + 1] = sr * xi + si * xr;
        }
      } else if (complexInput) {
        for (let i = 0; i < size; i++) {
          const p = 2 * place[i]!;
          buf[p] = x[2 * i]!;
          buf[p + 1] = x[2 * i + 1]!;
        }
      } else {
        for (let i = 0; i < size; i++) {
          const p = 2 * place[i]!;
          buf[p] = x[i]!;
          buf[p + 1] = 0;
        }
      }
      fftNdInPlace(buf, shape, false);
      const base = 2 * c * samples;
      for (let k = 0; k < samples; k++) {
        const q = 2 * sampleAt[k]!;
        y[base + 2 * k] = buf[q]!;
        y[base + 2 * k + 1] = buf[q + 1]!;
      }
    }
    return y;
  };

  const adjoint = (y: Float64Array): Float64Array => {
    const x = new Float64Array(complexInput ? 2 * size : size);
    if (coils.length === 0) {
      fftMapped(buf, shapeI32, true, y, sampleAt, false, x, place, !complexInput, fillAdjoint);
      return x;
    }
    for (let c = 0; c < ncoil; c++) {
      buf.fill(0);
      const base = 2 * c * samples;
      for (let k = 0; k < samples; k++) {
        const q = 2 * sampleAt[k]!;
        buf[q] = y[base + 2 * k]!;
        buf[q + 1] = y[base + 2 * k + 1]!;
      }
      fftNdInPlace(buf, shape, true);
      const s = coils[c];
      if (s) {
        for (let i = 0; i < size; i++) {
          const p = 2 * place[i]!;
          const zr = buf[p]!;
          const zi = buf[p + 1]!;
          // multiply by conj(S)
          const sr = s[2 * i]!;
          const si = s[2 * i + 1]!;
          if (complexInput) {
            x[2 * i]! += sr * zr + si * zi;
            x[2 * i + 1]! += sr * zi - si * zr;
          } else {
            x[i]! += sr * zr + si * zi;
          }
        }
      } else if (complexInput) {
        for (let i = 0; i < size; i++) {
          const p = 2 * place[i]!;
          x[2 * i]! += buf[p]!;
          x[2 * i + 1]! += buf[p + 1]!;
        }
      } else {
        for (let i = 0; i < size; i++) x[i]! += buf[2 * place[i]!]!;
      }
    }
    return x;
  };

  // A full orthonormal DFT without coils is unitary: A^T A = I exactly.
  const unitary = samples === size && coils.length === 0;
  return defineOperator({
    name: coils.length > 0 ? `fourier(${coils.length} coils)` : 'fourier',
    inShape,
    outShape,
    forward,
    adjoint,
    normal: unitary ? (x) => new Float64Array(x) : undefined,
  });
}
