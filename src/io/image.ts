import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { InvalidArgumentError, NotSupportedError, ShapeMismatchError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { checkOptions, checkShape, toFloat64, type NumericArray } from '../core/validate.js';

/** Planar image in [0, 1]: shape [h, w] for gray, [c, h, w] for colour. */
export interface Image {
  data: Float64Array;
  shape: number[];
}

export interface ReadImageOptions {
  /** Convert colour to gray (ITU-R BT.601 luma, as PIL's 'L'). */
  gray?: boolean;
}

function planarFromInterleaved(src: ArrayLike<number>, w: number, h: number, srcChannels: number, keep: number, maxValue: number): Float64Array {
  const n = w * h;
  const out = new Float64Array(keep * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < keep; c++) out[c * n + i] = src[i * srcChannels + c]! / maxValue;
  return out;
}

/** A colour image as gray (ITU-R BT.601 luma weights); gray images are returned as they are. */
export function toGray(image: Image): Image {
  if (image.shape.length === 2) return { data: new Float64Array(image.data), shape: image.shape.slice() };
  const [c, h, w] = image.shape as [number, number, number];
  if (c < 3) return { data: image.data.slice(0, h * w), shape: [h, w] };
  const n = h * w;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.299 * image.data[i]! + 0.587 * image.data[n + i]! + 0.114 * image.data[2 * n + i]!;
  return { data: out, shape: [h, w] };
}

/** Decodes PNG (8/16-bit, gray/RGB, alpha dropped), JPEG or binary PGM (P5) bytes. */
export function decodeImage(bytes: Uint8Array, format: 'png' | 'jpeg' | 'pgm', options: ReadImageOptions = {}): Image {
  let image: Image;
  if (format === 'png') {
    const png = PNG.sync.read(Buffer.from(bytes), { skipRescale: true });
    const meta = png as unknown as { colorType: number; depth: number };
    const depth = meta.depth ?? 8;
    // With skipRescale pngjs leaves samples at their own depth (palettes arrive as 8-bit RGBA).
    const max = meta.colorType === 3 ? 255 : 2 ** depth - 1;
    const src: ArrayLike<number> = png.data as unknown as ArrayLike<number>;
    const grayPng = meta.colorType === 0 || meta.colorType === 4;
    image = {
      data: planarFromInterleaved(src, png.width, png.height, 4, grayPng ? 1 : 3, max),
      shape: grayPng ? [png.height, png.width] : [3, png.height, png.width],
    };
  } else if (format === 'jpeg') {
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    image = { data: planarFromInterleaved(decoded.data, decoded.width, decoded.height, 4, 3, 255), shape: [3, decoded.height, decoded.width] };
    // Gray JPEGs decode with three equal channels: keep them gray.
    const n = decoded.width * decoded.height;
    let equal = true;
    for (let i = 0; i < n && equal; i++) equal = image.data[i] === image.data[n + i] && image.data[i] === image.data[2 * n + i];
    if (equal) image = { data: image.data.slice(0, n), shape: [decoded.height, decoded.width] };
  } else {
    image = decodePgm(bytes);
  }
  return options.gray ? toGray(image) : image;
}

function decodePgm(bytes: Uint8Array): Image {
  const text = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 512))).toString('latin1');
  const header = /^P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(?:#[^\n]*\n\s*)*(\d+)\s+(?:#[^\n]*\n\s*)*(\d+)\s/.exec(text);
  if (!header) throw new NotSupportedError('readImage', 'path', 'a binary PGM (P5) file', 'an unreadable PGM header');
  const w = Number(header[1]);
  const h = Number(header[2]);
  const max = Number(header[3]);
  const offset = header[0].length;
  const data = new Float64Array(w * h);
  const wide = max > 255;
  for (let i = 0; i < w * h; i++) {
    data[i] = (wide ? (bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]! : bytes[offset + i]!) / max;
  }
  return { data, shape: [h, w] };
}

function formatOf(fn: string, path: string): 'png' | 'jpeg' | 'pgm' {
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.pgm') return 'pgm';
  throw new NotSupportedError(fn, 'path', 'a .png, .jpg/.jpeg or .pgm file', path);
}

/** Reads an image file into a planar [0,1] image ([h, w] gray, [3, h, w] colour). */
export function readImage(path: string, options: ReadImageOptions = {}): Image {
  checkOptions('readImage', options, ['gray']);
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('readImage', 'path', 'a file path', path);
  return decodeImage(readFileSync(path), formatOf('readImage', path), options);
}

export interface WriteImageOptions {
  /** PNG only: 8 (default) or 16 bits per sample. */
  bitDepth?: 8 | 16;
  /** JPEG only: quality 1..100 (default 95). */
  quality?: number;
}

function checkImage(fn: string, data: unknown, shape: unknown): { data: Float64Array; shape: number[]; c: number; h: number; w: number } {
  const s = checkShape(fn, 'shape', shape);
  if (s.length !== 2 && !(s.length === 3 && (s[0] === 1 || s[0] === 3))) {
    throw new InvalidArgumentError(fn, 'shape', '[h, w], [1, h, w] or [3, h, w]', s);
  }
  const d = toFloat64(fn, 'data', data as NumericArray, sizeOf(s), { allowNonFinite: false });
  const c = s.length === 2 ? 1 : s[0]!;
  return { data: d, shape: s, c, h: s[s.length - 2]!, w: s[s.length - 1]! };
}

/** Encodes a planar [0,1] image (values clipped) to PNG, JPEG or PGM bytes. */
export function encodeImage(data: NumericArray, shape: readonly number[], format: 'png' | 'jpeg' | 'pgm', options: WriteImageOptions = {}): Buffer {
  const fn = 'encodeImage';
  checkOptions(fn, options, ['bitDepth', 'quality']);
  const img = checkImage(fn, data, shape);
  const { c, h, w } = img;
  const n = h * w;
  const clip = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  if (format === 'png') {
    const bitDepth = options.bitDepth ?? 8;
    if (bitDepth !== 8 && bitDepth !== 16) throw new InvalidArgumentError(fn, 'bitDepth', '8 or 16', bitDepth);
    const max = bitDepth === 16 ? 65535 : 255;
    const samples = bitDepth === 16 ? new Uint16Array(n * c) : new Uint8Array(n * c);
    for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) samples[i * c + ch] = Math.round(clip(img.data[ch * n + i]!) * max);
    const colorType = c === 1 ? 0 : 2;
    const png = new PNG({ width: w, height: h, colorType, inputColorType: colorType, bitDepth, inputHasAlpha: false } as ConstructorParameters<typeof PNG>[0]);
    png.data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    return PNG.sync.write(png, { colorType, inputColorType: colorType, bitDepth, inputHasAlpha: false } as Parameters<typeof PNG.sync.write>[1]);
  }
  if (format === 'jpeg') {
    const rgba = new Uint8Array(4 * n);
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < 3; ch++) rgba[4 * i + ch] = Math.round(clip(img.data[(c === 1 ? 0 : ch) * n + i]!) * 255);
      rgba[4 * i + 3] = 255;
    }
    return Buffer.from(jpeg.encode({ data: rgba, width: w, height: h }, options.quality ?? 95).data);
  }
  if (c !== 1) throw new NotSupportedError(fn, 'shape', 'a gray image for PGM', shape);
  const header = Buffer.from(`P5\n${w} ${h}\n255\n`, 'latin1');
  const body = Buffer.alloc(n);
  for (let i = 0; i < n; i++) body[i] = Math.round(clip(img.data[i]!) * 255);
  return Buffer.concat([header, body]);
}

/** Writes a planar [0,1] image; the format follows the file extension. */
export function writeImage(path: string, data: NumericArray, shape: readonly number[], options: WriteImageOptions = {}): void {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('writeImage', 'path', 'a file path', path);
  const bytes = encodeImage(data, shape, formatOf('writeImage', path), options);
  writeFileSync(path, bytes);
}

/** Reshapes helper used by the CLI: [1, h, w] -> [h, w]. */
export function squeezeChannels(image: Image): Image {
  if (image.shape.length === 3 && image.shape[0] === 1) return { data: image.data, shape: image.shape.slice(1) };
  if (image.shape.length !== 2 && image.shape.length !== 3) {
    throw new ShapeMismatchError('squeezeChannels', 'image', '[h, w] or [c, h, w]', image.shape);
  }
  return image;
}
