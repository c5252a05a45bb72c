import { mkdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { writeImage } from '../io/image.js';
import { imageGridSvg, writeFigure, type ColorScale } from '../io/plot.js';
import type { Problem } from './problem.js';
import type { Scored } from './solve.js';

/** Scales a non-negative map to [0, 1] by its maximum (for error and uncertainty images without a colour bar). */
export function normalised(v: ArrayLike<number>): Float64Array {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]!);
  return Float64Array.from(v, (x) => (m > 0 ? x / m : 0));
}

/** |clip(x, 0, 1) - truth| scaled to [0, 1] by its maximum, in the image's shape. */
export function errorMap(x: Float64Array, truth: Float64Array): Float64Array {
  return normalised(x.map((v, i) => Math.abs(Math.min(1, Math.max(0, v)) - truth[i]!)));
}

/**
 * A per-pixel map of an image-shaped array: [h, w] as it is, [c, h, w] averaged over the
 * channels (what a colour scale can show).
 */
export function pixelMap(v: ArrayLike<number>, shape: readonly number[]): { data: Float64Array; shape: [number, number] } {
  const h = shape[shape.length - 2]!;
  const w = shape[shape.length - 1]!;
  const channels = shape.length === 3 ? shape[0]! : 1;
  const data = new Float64Array(h * w);
  for (let c = 0; c < channels; c++) for (let i = 0; i < h * w; i++) data[i]! += v[c * h * w + i]! / channels;
  return { data, shape: [h, w] };
}

/** Absolute error |clip(x, 0, 1) - truth| per pixel, in the image's units (mean over colour channels). */
export function absoluteError(x: ArrayLike<number>, truth: ArrayLike<number>, shape: readonly number[]): { data: Float64Array; shape: [number, number] } {
  return pixelMap(Float64Array.from(truth, (t, i) => Math.abs(Math.min(1, Math.max(0, x[i]!)) - t)), shape);
}

/**
 * The top of a colour bar for non-negative maps: their 99.5th percentile, so a few outlying
 * pixels do not turn the rest dark (the few above it take the top colour); 0 when empty.
 */
export function mapMax(...maps: ArrayLike<number>[]): number {
  const all: number[] = [];
  for (const v of maps) for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) all.push(v[i]!);
  if (all.length === 0) return 0;
  all.sort((a, b) => a - b);
  const top = all[Math.min(all.length - 1, Math.floor(0.995 * all.length))]!;
  return top > 0 ? top : all[all.length - 1]!;
}

/** Largest side of an image in a figure: larger ones are box-averaged down (the image files keep full resolution). */
export const FIGURE_MAX_SIZE = 256;

/** Figure pixels per image pixel: small images are enlarged to about 256 pixels. */
export function figureScale(shape: readonly number[]): number {
  return Math.max(1, Math.round(FIGURE_MAX_SIZE / Math.max(shape[shape.length - 1]!, shape[shape.length - 2]!)));
}

/** One map with its colour bar, e.g. an error or uncertainty map. */
export function mapFigureSvg(title: string, map: { data: Float64Array; shape: [number, number] }, scale: ColorScale): string {
  return imageGridSvg([{ title, data: map.data, shape: map.shape, colorScale: scale }], { scale: figureScale(map.shape), maxSize: FIGURE_MAX_SIZE });
}

/**
 * Writes OUT, OUT-error and (for sampled methods) OUT-uncertainty; returns their paths. For
 * .png and .svg outputs the maps are figures in the data's units with a colour bar; for other
 * formats (.pgm, .jpg) plain images scaled by their maximum.
 */
export function writeOutputs(out: string, problem: Problem, scored: Scored): Record<string, string> {
  mkdirSync(dirname(out) || '.', { recursive: true });
  const shape = problem.truth.shape;
  const stem = out.slice(0, out.length - extname(out).length);
  const ext = extname(out) || '.png';
  const figures = ext.toLowerCase() === '.png' || ext.toLowerCase() === '.svg';
  const files: Record<string, string> = { image: out };
  writeImage(out, scored.result.x.map((v) => Math.min(1, Math.max(0, v))), shape);
  files.error = `${stem}-error${ext}`;
  if (figures) {
    const err = absoluteError(scored.result.x, problem.truth.data, shape);
    writeFigure(files.error, mapFigureSvg(`absolute error (PSNR ${scored.psnr.toFixed(2)} dB)`, err, { min: 0, max: mapMax(err.data), label: '|x - truth|' }));
  } else writeImage(files.error, errorMap(scored.result.x, problem.truth.data), shape);
  if (scored.result.variance) {
    files.uncertainty = `${stem}-uncertainty${ext}`;
    const sd = scored.result.variance.map((v) => Math.sqrt(Math.max(0, v)));
    if (figures) {
      const map = pixelMap(sd, shape);
      writeFigure(files.uncertainty, mapFigureSvg('posterior standard deviation', map, { min: 0, max: mapMax(map.data), label: 'std' }));
    } else writeImage(files.uncertainty, normalised(sd), shape);
  }
  return files;
}
