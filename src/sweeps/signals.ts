import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { readImage, toGray } from '../io/image.js';
import { squareResize } from '../io/resize.js';
import { basisByName } from '../solvers/bases/bases.js';
import type { SweepDefinition } from './definition.js';

/**
 * Test signals of the sweep families, all drawn from a seeded stream:
 * - sparse: k non-zeros (Gaussian or +-1) at random positions, in the canonical, DCT or a
 *   wavelet basis (x = W^T c);
 * - smooth: a random trigonometric polynomial of bandwidth `structure` (higher = rougher);
 * - piecewise-smooth: `structure` pieces, each a random low-order polynomial, with jumps;
 * - images: a centre-cropped, resized gray image of the folder, chosen by trial.
 */
export function makeSignal(def: SweepDefinition, k: number | null, structure: number | null, trial: number, rng: Rng): Float64Array {
  const s = def.signal;
  if (s.family === 'sparse') {
    const n = s.n;
    const kk = k ?? 1;
    const c = new Float64Array(n);
    for (const j of rng.sample(n, Math.min(kk, n))) c[j] = s.distribution === 'sign' ? (rng.bernoulli(0.5) ? 1 : -1) : rng.gaussian();
    if (s.basis === 'canonical') return c;
    // The library's default depth, so that Lasso with the same basis name sparsifies in the very
    // basis the signal is sparse in (any n: a wavelet basis pads to its block size and crops back).
    const W = basisByName(s.basis, [n]);
    const coefficients = new Float64Array(W.outSize); // >= n: the padded image's coefficients
    coefficients.set(c);
    return W.adjoint(coefficients);
  }
  if (s.family === 'smooth') {
    const n = s.n;
    const band = structure ?? 4;
    const x = new Float64Array(n);
    for (let f = 0; f <= band; f++) {
      // amplitudes decay with frequency so the signal is smooth at its bandwidth
      const a = rng.gaussian() / (1 + f);
      const b = f === 0 ? 0 : rng.gaussian() / (1 + f);
      for (let i = 0; i < n; i++) {
        const t = (2 * Math.PI * f * i) / n;
        x[i]! += a * Math.cos(t) + b * Math.sin(t);
      }
    }
    return x;
  }
  if (s.family === 'piecewise-smooth') {
    const n = s.n;
    const pieces = Math.min(structure ?? 3, n);
    const cuts = Array.from(rng.sample(n - 1, pieces - 1), (v) => v + 1);
    const bounds = [0, ...cuts, n];
    const x = new Float64Array(n);
    for (let p = 0; p + 1 < bounds.length; p++) {
      const [c0, c1, c2] = [rng.gaussian(), rng.gaussian(), 0.5 * rng.gaussian()];
      for (let i = bounds[p]!; i < bounds[p + 1]!; i++) {
        const t = i / n;
        x[i] = c0 + c1 * t + c2 * t * t;
      }
    }
    return x;
  }
  return imageSignal(s.folder, s.size, trial);
}

const imageCache = new Map<string, Float64Array[]>();

/** Images of a folder, centre-cropped to a square and area-resized to size x size, gray. */
export function imageSignal(folder: string, size: number, trial: number): Float64Array {
  const key = `${folder}|${size}`;
  let list = imageCache.get(key);
  if (!list) {
    const files = readdirSync(folder)
      .filter((f) => ['.png', '.jpg', '.jpeg', '.pgm'].includes(extname(f).toLowerCase()))
      .sort();
    if (files.length === 0) throw new InvalidArgumentError('sweep', 'signal.folder', 'a folder with PNG/JPEG/PGM images', folder);
    list = files.map((f) => squareResize(toGray(readImage(join(folder, f))), size).data);
    imageCache.set(key, list);
  }
  return Float64Array.from(list[trial % list.length]!);
}

