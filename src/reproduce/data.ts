import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import { Rng, type Seed } from '../core/rng.js';
import { cameraman, packageRoot } from '../io/builtin.js';
import { readImage, toGray, type Image } from '../io/image.js';
export { squareResize } from '../io/resize.js';
import type { DataPaths } from './types.js';

/** The papers' test images (Cheng et al.'s denoising and inpainting sets), as in ../shared/data. */
export const DENOISING_IMAGES = [
  'image_House256rgb.png',
  'image_Peppers512rgb.png',
  'image_Lena512rgb.png',
  'image_Baboon512rgb.png',
  'image_F16_512rgb.png',
  'kodim01.png',
  'kodim02.png',
  'kodim03.png',
  'kodim12.png',
] as const;

export const INPAINTING_IMAGES = [
  'barbara.png',
  'boat.png',
  'house.png',
  'Lena512.png',
  'peppers256.png',
  'Cameraman256.png',
  'couple.png',
  'fingerprint.png',
  'hill.png',
  'man.png',
  'montage.png',
] as const;

const SKIMAGE_ASTRONAUT = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';

/**
 * Finds the test images: the given folder, else $UNTRAINED_CS_DATA, ./data, ../shared/data, or
 * ../shared/data beside the package. The astronaut comes from that folder (astronaut.png: put the
 * Deep Decoder repository's crop there to run the paper's own image) or from Debian's
 * python3-skimage (the full NASA picture, which the Deep Decoder's figure did not use). Missing data is not an error here: quick runs fall back to the built-in
 * image, full runs refuse with a clear message (see requireData).
 */
export function findData(given?: string): DataPaths {
  const candidates = given ? [given] : [process.env.UNTRAINED_CS_DATA, 'data', join('..', 'shared', 'data'), safeJoin(() => join(packageRoot(), '..', 'shared', 'data'))];
  let root: string | null = null;
  for (const c of candidates) {
    if (c && existsSync(join(c, 'denoising')) && existsSync(join(c, 'inpainting-bernoulli'))) {
      root = resolve(c);
      break;
    }
  }
  if (given && !root) throw new InvalidArgumentError('untrained-cs reproduce', '--data', 'a folder with denoising/ and inpainting-bernoulli/ (the papers\' test images)', given);
  const astronaut = [root ? join(root, 'astronaut.png') : null, SKIMAGE_ASTRONAUT].find((p) => p !== null && existsSync(p)) ?? null;
  return { root, astronaut };
}

function safeJoin(f: () => string): string | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export function requireData(data: DataPaths, experiment: string): string {
  if (!data.root) {
    throw new InvalidArgumentError(
      'untrained-cs reproduce',
      '--data',
      `the papers' test images for '${experiment}' (a folder with denoising/ and inpainting-bernoulli/, e.g. ../shared/data; or run with --quick)`,
      'no such folder found',
    );
  }
  return data.root;
}

/** Reads `set/name` from the data folder, or the built-in cameraman when there is none (quick runs). */
export function loadTestImage(data: DataPaths, set: 'denoising' | 'inpainting-bernoulli', name: string, gray: boolean): Image {
  const img = data.root ? readImage(join(data.root, set, name)) : cameraman();
  return gray ? toGray(img) : img;
}

/** The centre crop of an image to h x w (planar). */
export function centreCrop(img: Image, ch: number, cw: number): Image {
  const h = img.shape[img.shape.length - 2]!;
  const w = img.shape[img.shape.length - 1]!;
  const c = img.shape.length === 3 ? img.shape[0]! : 1;
  const r0 = Math.floor((h - ch) / 2);
  const c0 = Math.floor((w - cw) / 2);
  const out = new Float64Array(c * ch * cw);
  for (let k = 0; k < c; k++) for (let i = 0; i < ch; i++) for (let j = 0; j < cw; j++) out[(k * ch + i) * cw + j] = img.data[k * h * w + (r0 + i) * w + c0 + j]!;
  return { data: out, shape: img.shape.length === 3 ? [c, ch, cw] : [ch, cw] };
}

/**
 * Additive white Gaussian noise of standard deviation sigma, clipped to [0, 1] as the papers'
 * get_noisy_image does. `sameAcrossChannels` copies one noise field to every channel, as the
 * Deep Decoder and ICLR 2020 notebooks do (noise_same=True).
 */
export function noisyImage(img: Image, sigma: number, seed: Seed, sameAcrossChannels = false): Float64Array {
  const rng = new Rng(seed);
  const c = img.shape.length === 3 ? img.shape[0]! : 1;
  const plane = img.data.length / c;
  const field = sameAcrossChannels ? rng.gaussianArray(plane) : null;
  const out = new Float64Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const z = field ? field[i % plane]! : rng.gaussian();
    out[i] = Math.min(1, Math.max(0, img.data[i]! + sigma * z));
  }
  return out;
}

/** Sizes (h, w) of the data set's images that are not 512x512, for costs and ordering without reading the files. */
const TEST_IMAGE_SIZES: Record<string, [number, number]> = {
  'image_House256rgb.png': [256, 256],
  'kodim01.png': [512, 768],
  'kodim02.png': [512, 768],
  'kodim03.png': [512, 768],
  'kodim12.png': [512, 768],
  'house.png': [256, 256],
  'peppers256.png': [256, 256],
  'Cameraman256.png': [256, 256],
  'montage.png': [256, 256],
};

/** (h, w) of a test image of ../shared/data (512x512 unless listed). */
export function testImageSize(name: string): [number, number] {
  return TEST_IMAGE_SIZES[name] ?? [512, 512];
}
