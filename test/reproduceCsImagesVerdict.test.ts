import { describe, expect, it } from 'vitest';
import { csImages } from '../src/reproduce/experiments/csImages.js';
import type { ReproRow, ReproTrial } from '../src/reproduce/types.js';

/**
 * The cs-images verdict from hand-made rows: "reproduced" needs the Deep Decoder ahead of Lasso on
 * every pair and at least as good as the best baseline on a strict majority, as the other
 * experiments' rules do; a tie at exactly half is "partly reproduced".
 */
describe('cs-images report: the verdict rule', () => {
  const params = (image: string, method: string) => ({ operator: 'gaussian', size: 64, rate: 0.1, image, method });
  const trial = (image: string, method: string): ReproTrial => ({ id: `${image}|${method}`, experiment: 'cs-images', params: params(image, method), cost: 1 });
  const row = (image: string, method: string, psnr: number): ReproRow => ({
    id: `${image}|${method}`,
    experiment: 'cs-images',
    params: params(image, method),
    status: 'ok',
    timeMs: 1,
    engine: 'test',
    metrics: { psnr },
  });
  const ctx = { data: { root: null, astronaut: null }, quick: false, artifacts: null };
  const images = ['a.png', 'b.png', 'c.png', 'd.png'];
  const methods = ['deep-decoder', 'lasso-db4', 'lasso-dct', 'tv'];
  const trials = images.flatMap((image) => methods.map((m) => trial(image, m)));
  /** Rows where the Deep Decoder beats Lasso everywhere and TV on the first `tvWins` images. */
  const rows = (tvWins: number) =>
    images.flatMap((image, i) => [row(image, 'deep-decoder', 25), row(image, 'lasso-db4', 20), row(image, 'lasso-dct', 21), row(image, 'tv', i < tvWins ? 24.5 : 25.5)]);
  const verdict = (tvWins: number) => csImages.report(rows(tvWins), trials, ctx).verdicts.find((v) => v.claim.startsWith('gaussian 64x64'))!;

  it('says reproduced only on a strict majority of pairs', () => {
    expect(verdict(3).status).toBe('reproduced');
    expect(verdict(3).evidence).toContain('at least as good as the best of all three baselines on 3/4');
    expect(verdict(2).status).toBe('partly reproduced');
    expect(verdict(0).status).toBe('partly reproduced');
  });

  it('says not reproduced when Lasso wins most pairs', () => {
    const lassoAhead = images.flatMap((image) => [row(image, 'deep-decoder', 25), row(image, 'lasso-db4', 26), row(image, 'lasso-dct', 21), row(image, 'tv', 24)]);
    expect(csImages.report(lassoAhead, trials, ctx).verdicts[0]!.status).toBe('not reproduced');
  });

  it('waits for half the planned images before judging', () => {
    const planned = [...trials, ...['e.png', 'f.png', 'g.png', 'h.png', 'i.png'].flatMap((image) => methods.map((m) => trial(image, m)))];
    expect(csImages.report(rows(4), planned, ctx).verdicts[0]!.status).toBe('too few results');
  });
});
