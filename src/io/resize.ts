import { InvalidArgumentError } from '../core/errors.js';
import { checkInteger } from '../core/validate.js';
import type { Image } from './image.js';

/**
 * The centre square of an image, area-resampled to size x size (each output pixel averages the
 * source pixels its box covers; planar, any channel count): how the reproductions, sweeps and the
 * demo bring test images to a common size.
 */
export function squareResize(img: Image, size: number): Image {
  const fn = 'squareResize';
  if (!img || !(img.data instanceof Float64Array) || !Array.isArray(img.shape) || img.shape.length < 2 || img.shape.length > 3) {
    throw new InvalidArgumentError(fn, 'img', 'an image { data: Float64Array, shape: [h, w] or [c, h, w] }', img);
  }
  checkInteger(fn, 'size', size, 1);
  const h = img.shape[img.shape.length - 2]!;
  const w = img.shape[img.shape.length - 1]!;
  const c = img.shape.length === 3 ? img.shape[0]! : 1;
  const side = Math.min(h, w);
  const r0 = Math.floor((h - side) / 2);
  const c0 = Math.floor((w - side) / 2);
  const scale = side / size;
  const out = new Float64Array(c * size * size);
  for (let ch = 0; ch < c; ch++) {
    const src = ch * h * w;
    for (let i = 0; i < size; i++) {
      const y0 = r0 + Math.floor(i * scale);
      const y1 = Math.max(y0 + 1, r0 + Math.floor((i + 1) * scale));
      for (let j = 0; j < size; j++) {
        const x0 = c0 + Math.floor(j * scale);
        const x1 = Math.max(x0 + 1, c0 + Math.floor((j + 1) * scale));
        let s = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += img.data[src + y * w + x]!;
        out[ch * size * size + i * size + j] = s / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return { data: out, shape: c === 1 && img.shape.length === 2 ? [size, size] : [c, size, size] };
}
