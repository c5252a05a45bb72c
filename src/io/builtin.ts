import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../core/errors.js';
import { readImage, toGray, type Image } from './image.js';

/** The package's root folder (the one with package.json and assets/), from src/ or dist/ layouts. */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..', '../../..']) {
    const p = join(here, up);
    if (existsSync(join(p, 'assets', 'cameraman128.png'))) return p;
  }
  throw new InvalidArgumentError('packageRoot', 'assets', 'the package assets folder', here);
}

/** Path of the image shipped with the package: cameraman, 128 x 128, gray. */
export function builtinImagePath(): string {
  return join(packageRoot(), 'assets', 'cameraman128.png');
}

/** The built-in test image (cameraman 128 x 128, gray, values in [0, 1]). */
export function cameraman(): Image {
  return toGray(readImage(builtinImagePath()));
}
