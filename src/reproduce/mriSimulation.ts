import { Rng, type Seed } from '../core/rng.js';
import { cartesianMask } from '../operators/masks.js';

/**
 * Synthetic MRI data from a real magnitude image, for the MRI reproduction (fastMRI is not
 * available here): a smooth phase, simulated coil sensitivities, a fastMRI-style random Cartesian
 * mask with an exact number of columns, and complex k-space noise. Images are [h, w] with
 * interleaved (re, im) values; coordinates run over [-1, 1]^2.
 */

/** Pixel centre coordinates of row i / column j on [-1, 1] (y up). */
const coordX = (j: number, w: number) => (2 * j + 1) / w - 1;
const coordY = (i: number, h: number) => 1 - (2 * i + 1) / h;

/**
 * magnitude * exp(i phi) with phi a random low-order polynomial of amplitude up to ~pi: real MRI
 * phase varies slowly over the field of view (B0 inhomogeneity, coil phase, receiver offsets),
 * which is why magnitude images are compared and why a real-valued prior would be misspecified.
 */
export function withSmoothPhase(magnitude: Float64Array, h: number, w: number, seed: Seed): Float64Array {
  const rng = new Rng(seed);
  const c = Array.from({ length: 6 }, () => rng.uniformIn(-1, 1));
  const out = new Float64Array(2 * h * w);
  for (let i = 0; i < h; i++) {
    const y = coordY(i, h);
    for (let j = 0; j < w; j++) {
      const x = coordX(j, w);
      const phi = Math.PI * (0.3 * c[0]! + 0.35 * (c[1]! * x + c[2]! * y) + 0.2 * c[3]! * x * y + 0.15 * (c[4]! * x * x + c[5]! * y * y));
      const m = magnitude[i * w + j]!;
      out[2 * (i * w + j)] = m * Math.cos(phi);
      out[2 * (i * w + j) + 1] = m * Math.sin(phi);
    }
  }
  return out;
}

/**
 * `coils` sensitivity maps of receive coils evenly spaced on a circle of radius 1.4 around the
 * object: a Gaussian fall-off of width 0.9 from each coil and a phase ramp along its direction,
 * normalised so that sum_c |S_c|^2 = 1 at every pixel. With that normalisation the root sum of
 * squares of the coil images equals |x|, so the ground truth of single- and multi-coil runs is the
 * same magnitude image (and the adjoint coil combination is the SENSE combination).
 */
export function coilSensitivities(h: number, w: number, coils: number): Float64Array[] {
  const maps = Array.from({ length: coils }, () => new Float64Array(2 * h * w));
  for (let i = 0; i < h; i++) {
    const y = coordY(i, h);
    for (let j = 0; j < w; j++) {
      const x = coordX(j, w);
      let norm = 0;
      const p = i * w + j;
      for (let c = 0; c < coils; c++) {
        const angle = (2 * Math.PI * c) / coils;
        const cx = 1.4 * Math.cos(angle);
        const cy = 1.4 * Math.sin(angle);
        const d2 = (x - cx) ** 2 + (y - cy) ** 2;
        const mag = Math.exp(-d2 / (2 * 0.9 * 0.9));
        const phase = angle + 0.6 * (x * Math.cos(angle) + y * Math.sin(angle));
        maps[c]![2 * p] = mag * Math.cos(phase);
        maps[c]![2 * p + 1] = mag * Math.sin(phase);
        norm += mag * mag;
      }
      const s = 1 / Math.sqrt(norm);
      for (let c = 0; c < coils; c++) {
        maps[c]![2 * p]! *= s;
        maps[c]![2 * p + 1]! *= s;
      }
    }
  }
  return maps;
}

/**
 * fastMRI's random Cartesian mask, redrawn (from forks of the seed) until it keeps exactly
 * round(w / acceleration) columns, as the ConvDecoder notebooks redraw until the factor is within
 * 1% of the target: without it the rate of a 256-column mask varies by +-10% between draws.
 */
export function exactCartesianMask(h: number, w: number, acceleration: number, centerFraction: number, seed: Seed): Uint8Array {
  const target = Math.round(w / acceleration);
  for (let attempt = 0; ; attempt++) {
    const m = cartesianMask({ shape: [h, w], acceleration, centerFraction, seed: `${seed}|draw${attempt}` });
    let cols = 0;
    for (let j = 0; j < w; j++) cols += m[j]!;
    if (cols === target || attempt >= 10000) return m;
  }
}

/** Adds complex white Gaussian noise of standard deviation sigma to each real and imaginary part. */
export function addComplexNoise(y: Float64Array, sigma: number, seed: Seed): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i]! + sigma * rng.gaussian();
  return out;
}

/** |z| of an interleaved complex image. */
export function magnitude(z: ArrayLike<number>): Float64Array {
  const out = new Float64Array(z.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(z[2 * i]!, z[2 * i + 1]!);
  return out;
}
