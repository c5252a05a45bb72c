import { describe, expect, it } from 'vitest';
import { bayesianDip } from '../src/reproduce/experiments/bayesianDip.js';
import type { ReproRow } from '../src/reproduce/types.js';

/**
 * The Bayesian-DIP report's centre-crop check from hand-made rows: its table and its verdicts,
 * which must put SGD's best iterate (an oracle) beside the read-outs, since on a crop SGD
 * overfits long before the published read-out.
 */
describe('bayesian-dip report: the 128x128 crop check', () => {
  // The read-out iterations of the full schedule: a row of an SGD variant records its PSNR there.
  const READ_AT: Record<string, Record<string, number>> = { denoising: { sgd: 500, 'sgd-input-avg': 1800 }, inpainting: { sgd: 5000, 'sgd-input-avg': 11000 } };
  const row = (task: string, image: string, variant: string, metrics: Record<string, number>, run = 0): ReproRow => ({
    id: `${task}|${image}|${variant}|run${run}|crop128`,
    experiment: 'bayesian-dip',
    params: { task, image, variant, run, h: 128, w: 128, crop: 128 },
    status: 'ok',
    timeMs: 1,
    engine: 'test',
    metrics: variant === 'sgld' || metrics.psnr === undefined ? metrics : { ...metrics, [`psnrAt${READ_AT[task]![variant]}`]: metrics.psnr },
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

  it('averages the runs: the table lists each, the verdict pairs SGLD with each SGD variant over the runs both ran', () => {
    const I = 'Cameraman256.png';
    const rows = [
      row('inpainting', I, 'sgd', { psnr: 23.59, oraclePsnr: 23.99, oracleIteration: 2922 }),
      row('inpainting', I, 'sgd-input-avg', { psnr: 26.39, oraclePsnr: 26.72, oracleIteration: 2990 }),
      row('inpainting', I, 'sgld', { psnr: 26.83, stdErrorCosine: 0.618 }),
      row('inpainting', I, 'sgd', { psnr: 24.01, oraclePsnr: 24.41, oracleIteration: 2800 }, 1),
      row('inpainting', I, 'sgld', { psnr: 26.0, stdErrorCosine: 0.6 }, 1),
      // run 2: SGD only, so it does not count for the verdict yet
      row('inpainting', I, 'sgd', { psnr: 30, oraclePsnr: 30, oracleIteration: 10 }, 2),
    ];
    const out = bayesianDip.report(rows, [], ctx);
    expect(out.markdown).toContain('mean over runs');
    expect(out.markdown).toContain('25.87 (3: 23.59, 24.01, 30.00) (at 5000)');
    expect(out.markdown).toContain('26.41 (2: 26.83, 26.00)');
    expect(out.markdown).toContain('0.62, 0.60'); // cosines to two decimals
    // rows land in the order their runs finished; the table lists each column's values in run order all the same
    const shuffled = bayesianDip.report([rows[4]!, rows[5]!, rows[2]!, rows[1]!, rows[3]!, rows[0]!], [], ctx).markdown;
    expect(shuffled).toContain('25.87 (3: 23.59, 24.01, 30.00) (at 5000)');
    expect(shuffled).toContain('26.41 (2: 26.83, 26.00)');
    expect(shuffled).toContain('0.62, 0.60');
    const [v] = out.verdicts.filter((x) => x.claim.includes('centre crop'));
    // SGLD 26.415 (shown 26.41) against SGD 23.80 over runs 0 and 1; against the averaged variant on run 0 only: 26.83 > 26.39
    expect(v!.status).toBe('reproduced');
    expect(v!.evidence).toBe(
      "SGLD 26.41 dB against SGD 23.80 and SGD + input noise + averaging 26.39 (its 1 run so far; SGLD over those 26.83) at their read-outs (means over 2 runs; SGLD ahead of SGD in 2 of 2); SGD's best iterate (an oracle no real run can pick) 24.20 dB.",
    );
    // the averaged variant ahead on the run it shares with SGLD: partly
    const worse = rows.map((r) => (r.params.variant === 'sgd-input-avg' ? { ...r, metrics: { ...r.metrics, psnr: 27 } } : r));
    expect(bayesianDip.report(worse, [], ctx).verdicts.filter((x) => x.claim.includes('centre crop')).map((x) => x.status)).toEqual(['partly reproduced']);
    // no averaged run at all: the Langevin noise's own share is untested, so partly, and said so
    const [u] = bayesianDip.report(rows.filter((r) => r.params.variant !== 'sgd-input-avg'), [], ctx).verdicts.filter((x) => x.claim.includes('centre crop'));
    expect(u!.status).toBe('partly reproduced');
    expect(u!.evidence).toContain('has not run yet.');
  });

  it('full size: SGLD against SGD per image with its run count, and against the averaged variant, which "reproduced" also asks it to beat', () => {
    const full = (task: string, image: string, variant: string, psnr: number, run = 0): ReproRow => ({
      ...row(task, image, variant, { psnr }, run),
      id: `${task}|${image}|${variant}|run${run}`,
      params: { task, image, variant, run, h: 256, w: 256 },
    });
    const I = 'Cameraman256.png'; // published SGD 27.05, SGLD 30.33: gain 3.28
    const rows = [full('inpainting', I, 'sgd', 26.4), full('inpainting', I, 'sgd-input-avg', 28.13), full('inpainting', I, 'sgld', 29.5)];
    const [v] = bayesianDip.report(rows, [], ctx).verdicts.filter((x) => x.claim.startsWith('inpainting: '));
    expect(v!.status).toBe('reproduced');
    expect(v!.evidence).toBe(
      'SGLD ahead of SGD on 1 of 1 image(s) run, by 3.10 dB on average (published gain on the same images: 3.28 dB): Cameraman +3.10 (1 run). Against SGD + input noise + averaging (read at 11000): SGLD ahead on 1 of 1: Cameraman +1.37.',
    );
    // ahead of SGD by more than half the published gain, but behind the averaged variant: partly
    const behindAvg = [full('inpainting', I, 'sgd', 26.4), full('inpainting', I, 'sgd-input-avg', 29.8), full('inpainting', I, 'sgld', 29.5)];
    const [w] = bayesianDip.report(behindAvg, [], ctx).verdicts.filter((x) => x.claim.startsWith('inpainting: '));
    expect(w!.status).toBe('partly reproduced');
    expect(w!.evidence).toContain('SGLD ahead on 0 of 1: Cameraman -0.30.');
    // within 0.1 dB of the averaged variant is level, not ahead: partly
    const levelAvg = [full('inpainting', I, 'sgd', 26.96), full('inpainting', I, 'sgd-input-avg', 29.66), full('inpainting', I, 'sgld', 29.68)];
    const [t] = bayesianDip.report(levelAvg, [], ctx).verdicts.filter((x) => x.claim.startsWith('inpainting: '));
    expect(t!.status).toBe('partly reproduced');
    expect(t!.evidence).toContain('SGLD ahead on 0 of 1, level with it (within 0.1 dB) on 1: Cameraman +0.02.');
    // without the averaged variant the Langevin noise's own share is untested: partly, and said so
    const [u] = bayesianDip.report([full('inpainting', I, 'sgd', 26.4), full('inpainting', I, 'sgld', 29.5)], [], ctx).verdicts.filter((x) => x.claim.startsWith('inpainting: '));
    expect(u!.status).toBe('partly reproduced');
    expect(u!.evidence).toContain('has not run yet on Cameraman.');
    // crop rows never enter the full-size verdict
    const cropOnly = bayesianDip.report([row('inpainting', I, 'sgd', { psnr: 23 }), row('inpainting', I, 'sgld', { psnr: 27 })], [], ctx).verdicts;
    expect(cropOnly.find((x) => x.claim.startsWith('inpainting: '))!.status).toBe('not yet run');
  });

  it('leaves out a row written under an earlier schedule (no PSNR at the current read-out)', () => {
    const I = 'Cameraman256.png';
    const rows = [row('inpainting', I, 'sgd', { psnr: 22.35, oraclePsnr: 23.86, oracleIteration: 2410 }), row('inpainting', I, 'sgld', { psnr: 26.83 })];
    // read at 500 under the old schedule: psnr and psnrAt500, but no psnrAt5000
    const old = { ...row('inpainting', I, 'sgd', {}), metrics: { psnr: 23.59, psnrAt500: 23.59, oraclePsnr: 23.99, oracleIteration: 2922 } };
    const base = bayesianDip.report(rows, [], ctx);
    const withOld = bayesianDip.report([...rows, old], [], ctx);
    expect(withOld.verdicts).toEqual(base.verdicts);
    // everything but the progress line, which counts every row the runner has (as the runner does)
    expect(withOld.markdown.split('\n').slice(1)).toEqual(base.markdown.split('\n').slice(1));
    expect(base.markdown).toContain('22.35 (at 5000)');
  });

  it('plans the crop check for three runs, run 0 of every crop before any run 1', () => {
    const trials = bayesianDip.trials({ ...ctx, quick: false }).filter((t) => t.params.crop !== undefined);
    expect(trials).toHaveLength(3 * 2 * 3);
    const runs = trials.map((t) => t.params.run as number);
    expect(runs).toEqual([...runs].sort((a, b) => a - b));
    expect(new Set(trials.map((t) => t.id)).size).toBe(trials.length);
  });
});
