// What the cs-images side checks share: the grid's own problems (the trial's image crop, operator
// and seed) and the grid's readings for them from a results file.
import { existsSync, readFileSync } from 'node:fs';
import type { LinearOperator } from '../../src/operators/linearOperator.js';
import { findData, loadTestImage, squareResize } from '../../src/reproduce/data.js';
import { csImagesOperator } from '../../src/reproduce/experiments/csImages.js';

export type CsOperator = 'gaussian' | 'structured';

export interface CsProblem {
  truth: Float64Array;
  A: LinearOperator;
  y: Float64Array;
  /** The grid's PSNR for this problem by method ('deep-decoder', 'tv', ...), or null if not run. */
  grid: (method: string) => number | null;
}

type Row = { params?: { operator: string; size: number; rate: number; image: string; method: string }; metrics: { psnr: number } };

/** Every (rate, image) problem of the grid at this operator and size, in that order. */
export function* csProblems(operator: CsOperator, size: number, rates: number[], images: string[], resultsPath = 'reproduction/results/cs-images.jsonl'): Generator<CsProblem & { rate: number; image: string }> {
  const rows: Row[] = existsSync(resultsPath)
    ? readFileSync(resultsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row).filter((r) => r.params)
    : [];
  const data = findData();
  for (const rate of rates)
    for (const image of images) {
      const truth = squareResize(loadTestImage(data, 'inpainting-bernoulli', image, true), size).data;
      const A = csImagesOperator(operator, size, rate, image);
      const grid = (method: string) => {
        const hit = rows.find((r) => {
          const p = r.params!;
          return p.operator === operator && p.size === size && p.rate === rate && p.image === image && p.method === method;
        });
        return hit?.metrics.psnr ?? null;
      };
      yield { rate, image, truth, A, y: A.forward(truth), grid };
    }
}
