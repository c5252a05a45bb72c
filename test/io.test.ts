import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImage, writeImage, readNpy, writeNpy, decodeNpy, toGray, InvalidArgumentError, NotSupportedError, ShapeMismatchError } from '../src/index.js';
import { maxAbsDiff, randn } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ucs-io-'));

const ramp = (c: number, h: number, w: number) => {
  const d = new Float64Array(c * h * w);
  for (let i = 0; i < d.length; i++) d[i] = (i % 97) / 96;
  return d;
};

describe('images', () => {
  it.each([
    [[5, 7], 8, 0.5 / 255],
    [[5, 7], 16, 0.5 / 65535],
    [[3, 4, 6], 8, 0.5 / 255],
    [[3, 4, 6], 16, 0.5 / 65535],
  ] as const)('PNG round trip shape %j at %i bits', (shape, bitDepth, tol) => {
    const data = ramp(shape.length === 3 ? shape[0] : 1, shape[shape.length - 2]!, shape[shape.length - 1]!);
    const path = join(dir, `img-${shape.length}-${bitDepth}.png`);
    writeImage(path, data, [...shape], { bitDepth });
    const back = readImage(path);
    expect(back.shape).toEqual([...shape]);
    expect(maxAbsDiff(back.data, data)).toBeLessThanOrEqual(tol + 1e-12);
  });

  it('JPEG round trip is close; gray JPEG reads back gray; PGM round trip exact to 8 bits', () => {
    const data = ramp(3, 16, 16);
    const path = join(dir, 'img.jpg');
    writeImage(path, data, [3, 16, 16], { quality: 100 });
    const back = readImage(path);
    expect(back.shape).toEqual([3, 16, 16]);
    // JPEG at quality 100 with chroma subsampling: measured max error ~0.06
    expect(maxAbsDiff(back.data, data)).toBeLessThan(0.15);
    const gray = ramp(1, 8, 8);
    writeImage(join(dir, 'g.jpg'), gray, [8, 8]);
    expect(readImage(join(dir, 'g.jpg')).shape).toEqual([8, 8]);
    writeImage(join(dir, 'g.pgm'), gray, [8, 8]);
    expect(maxAbsDiff(readImage(join(dir, 'g.pgm')).data, gray)).toBeLessThanOrEqual(0.5 / 255 + 1e-12);
  });

  it('converts colour to gray with BT.601 weights', () => {
    const img = { data: new Float64Array([1, 0, 0]), shape: [3, 1, 1] };
    expect(toGray(img).data[0]).toBeCloseTo(0.299, 12);
    expect(readImage(join(dir, 'img-3-8.png'), { gray: true }).shape).toEqual([4, 6]);
  });

  it('rejects bad input', () => {
    expect(() => writeImage(join(dir, 'x.png'), new Float64Array(5), [2, 3])).toThrow(ShapeMismatchError);
    expect(() => writeImage(join(dir, 'x.bmp'), new Float64Array(6), [2, 3])).toThrow(NotSupportedError);
    expect(() => writeImage(join(dir, 'x.png'), new Float64Array(6), [2, 3], { bitDepth: 12 as never })).toThrow(InvalidArgumentError);
    expect(() => writeImage(join(dir, 'x.png'), new Float64Array(24), [4, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => writeImage(join(dir, 'x.png'), [NaN, 0, 0, 0], [2, 2])).toThrow(/finite/);
    expect(() => readImage('')).toThrow(InvalidArgumentError);
  });
});

describe('npy', () => {
  it.each(['float32', 'float64'] as const)('round trips %s', (dtype) => {
    const data = randn(24, 1);
    const path = join(dir, `a-${dtype}.npy`);
    writeNpy(path, data, [2, 3, 4], { dtype });
    const back = readNpy(path);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(back.dtype).toBe(dtype);
    expect(maxAbsDiff(back.data, data)).toBeLessThan(dtype === 'float32' ? 1e-6 : 1e-300);
  });

  it('complex data keeps the trailing 2 convention', () => {
    const data = randn(12, 2);
    const path = join(dir, 'c.npy');
    writeNpy(path, data, [6, 2], { dtype: 'complex64' });
    const back = readNpy(path);
    expect(back.shape).toEqual([6, 2]);
    expect(back.dtype).toBe('complex64');
    expect(maxAbsDiff(back.data, data)).toBeLessThan(1e-6);
  });

  it('reads a file as numpy writes it (hand-built header, uint8)', () => {
    const header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }";
    const padded = header + ' '.repeat(128 - 10 - header.length - 1) + '\n';
    const bytes = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, padded.length, 0]), Buffer.from(padded, 'latin1'), Buffer.from([1, 2, 250])]);
    writeFileSync(join(dir, 'u.npy'), bytes);
    expect(Array.from(readNpy(join(dir, 'u.npy')).data)).toEqual([1, 2, 250]);
  });

  it('rejects bad input', () => {
    expect(() => decodeNpy(Buffer.from('hello world, not npy'))).toThrow(InvalidArgumentError);
    expect(() => writeNpy(join(dir, 'b.npy'), new Float64Array(5), [2, 3])).toThrow(ShapeMismatchError);
    expect(() => writeNpy(join(dir, 'b.npy'), new Float64Array(6), [2, 3], { dtype: 'complex64' })).toThrow(/trailing dimension 2/);
    expect(() => writeNpy(join(dir, 'b.npy'), new Float64Array(6), [6], { dtype: 'int8' as never })).toThrow(InvalidArgumentError);
  });
});
