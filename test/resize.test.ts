import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, squareResize } from '../src/index.js';

describe('squareResize', () => {
  it('averages the boxes of the centre square (gray and planar RGB)', () => {
    // 2x4 gray: the centre square is columns 1-2; down to 1x1 it is their mean.
    const gray = { data: Float64Array.from([0, 1, 2, 9, 0, 3, 4, 9]), shape: [2, 4] };
    expect(squareResize(gray, 1)).toEqual({ data: Float64Array.from([2.5]), shape: [1, 1] });
    expect(squareResize(gray, 2).data).toEqual(Float64Array.from([1, 2, 3, 4]));
    const rgb = { data: Float64Array.from([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 5]), shape: [3, 2, 2] };
    expect(squareResize(rgb, 1)).toEqual({ data: Float64Array.from([1, 2, 3.5]), shape: [3, 1, 1] });
  });

  it('rejects what is not an image or a size', () => {
    expect(() => squareResize({ data: [1, 2] as unknown as Float64Array, shape: [1, 2] }, 1)).toThrow(InvalidArgumentError);
    expect(() => squareResize({ data: new Float64Array(4), shape: [4] }, 1)).toThrow(/squareResize.*img/);
    expect(() => squareResize({ data: new Float64Array(4), shape: [2, 2] }, 0)).toThrow(/squareResize.*size/);
    expect(() => squareResize({ data: new Float64Array(4), shape: [2, 2] }, 1.5)).toThrow(InvalidArgumentError);
  });
});
