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

/** A side check's parsed command line (see csCheckArgs). */
export interface CsCheckArgs {
  operator: CsOperator;
  size: number;
  rates: number[];
  images: string[];
  variants: string[];
  results?: string;
}

/**
 * The side checks' shared command line: OPERATOR SIZE RATES IMAGES VARIANTS [RESULTS], where
 * VARIANTS is the check's own comma-separated list (output ranges, stopping rules, jitter levels).
 * Prints the usage and exits on a malformed line.
 */
export function csCheckArgs(script: string, variantsUsage: string): CsCheckArgs {
  const [operator, sizeArg, ratesArg, imagesArg, variantsArg, results] = process.argv.slice(2);
  const size = Number(sizeArg);
  if (!(operator === 'gaussian' || operator === 'structured') || !Number.isInteger(size) || size < 2 || !ratesArg || !imagesArg || !variantsArg) {
    console.error(`usage: ${script} gaussian|structured SIZE RATE,... IMAGE,... ${variantsUsage} [RESULTS.jsonl]`);
    process.exit(2);
  }
  const rates = ratesArg.split(',').map(Number);
  if (rates.some((rate) => !(rate > 0 && rate <= 1))) {
    console.error(`${script}: RATES must be measurement fractions in (0, 1], got ${ratesArg}`);
    process.exit(2);
  }
  return { operator, size, rates, images: imagesArg.split(','), variants: variantsArg.split(','), ...(results ? { results } : {}) };
}
