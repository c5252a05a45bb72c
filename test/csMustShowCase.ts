import { expect, it } from 'vitest';
import { cameraman } from '../src/io/builtin.js';
import { squareResize } from '../src/io/resize.js';
import { gaussian } from '../src/operators/gaussian.js';
import { reconstructSync } from '../src/solvers/reconstruct.js';
import { baselineAtBest, scores } from '../src/reproduce/baselines.js';

/**
 * Issue 11's must-show, through the library's defaults (no tuning by the caller): Gaussian CS of a
 * natural image, the Deep Decoder at least matches the best of Lasso (db4 wavelets or DCT) and TV,
 * each at its oracle weight (the reproduction's search against the truth, which favours them).
 * The built-in cameraman at 64x64, the papers' Gaussian setting. One file per rate, so the two
 * run on the suite's two workers.
 */
export function mustShowCase(rate: number, measured: string): void {
  it(`at ${100 * rate}% Gaussian measurements of a 64x64 image the default Deep Decoder matches the best baseline at its oracle weight (${measured})`, () => {
    const size = 64;
    const truth = squareResize(cameraman(), size).data;
    const A = gaussian({ inShape: [size, size], m: Math.round(rate * size * size), seed: 7 });
    const y = A.apply(truth);
    const dd = scores(reconstructSync({ method: 'deep-decoder', operator: A, measurements: y, shape: [size, size], seed: 1 }).x, truth).psnr;
    const best = Math.max(...(['tv', 'lasso-db4', 'lasso-dct'] as const).map((b) => scores(baselineAtBest(b, A, y, truth, [size, size], { quick: false }).result.x, truth).psnr));
    expect(dd).toBeGreaterThanOrEqual(best);
  }, 900_000);
}
