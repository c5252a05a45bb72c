import { describe, expect, it } from 'vitest';
import { bayesianDip } from '../src/reproduce/experiments/bayesianDip.js';
import type { ReproRow } from '../src/reproduce/types.js';

/**
 * The Bayesian-DIP report's centre-crop check from hand-made rows: its table and its verdicts,
 * which must put SGD's best iterate (an oracle) beside the read-outs, since on a crop SGD
 * overfits long before the published read-out.
 */
describe('bayesian-dip report: the 128x128 crop check', () => {
  const row = (task: string, image: string, variant: string, metrics: Record<string, number>): ReproRow => ({
    id: `${task}|${image}|${variant}|run0|crop128`,
    experiment: 'bayesian-dip',
    params: { task, image, variant, run: 0, h: 128, w: 128, crop: 128 },
    status: 'ok',
    timeMs: 1,
    engine: 'test',
    metrics,
  });
  const ctx = { data: { root: null, astronaut: null }, quick: false, artifacts: null };

  it('gives SGLD against both SGD read-outs and names the oracle iterate', () => {
    const rows = [
      row('denoising', 'image_House256rgb.png', 'sgd', { psnr: 24.05, oraclePsnr: 29.52, oracleIteration: 164 }),
      row('denoising', 'image_House256rgb.png', 'sgd-input-avg', { psnr: 27.5, oraclePsnr: 28.9, oracleIteration: 900 }),
      row('denoising', 'image_House256rgb.png', 'sgld', { psnr: 28.0, stdErrorCosine: 0.6 }),
      // inpainting: SGLD not run yet, so no verdict for it
      row('inpainting', 'Cameraman256.png', 'sgd', { psnr: 25, oraclePsnr: 26, oracleIteration: 2000 }),
    ];
    const out = bayesianDip.report(rows, [], ctx);
    expect(out.markdown).toContain('**Centre crops, 128x128**');
    expect(out.markdown).toContain('29.52 (at 164)');
    const crop = out.verdicts.filter((v) => v.claim.includes('centre crop'));
    expect(crop).toHaveLength(1);
    expect(crop[0]!.claim).toMatch(/^denoising, 128x128 centre crop of House/);
    expect(crop[0]!.status).toBe('reproduced');
    expect(crop[0]!.evidence).toBe('SGLD 28.00 dB against SGD 24.05 and SGD + input noise + averaging 27.50 at their read-outs (one run each); SGD\'s best iterate (an oracle no real run can pick) 29.52 dB.');
  });

  it('says partly when SGLD beats only the plain SGD read-out', () => {
    const rows = [
      row('denoising', 'image_House256rgb.png', 'sgd', { psnr: 24.05, oraclePsnr: 29.52, oracleIteration: 164 }),
      row('denoising', 'image_House256rgb.png', 'sgd-input-avg', { psnr: 29.0 }),
      row('denoising', 'image_House256rgb.png', 'sgld', { psnr: 28.0 }),
    ];
    const crop = bayesianDip.report(rows, [], ctx).verdicts.filter((v) => v.claim.includes('centre crop'));
    expect(crop.map((v) => v.status)).toEqual(['partly reproduced']);
  });
});
