import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointFile, TrialInterrupted } from '../src/reproduce/common.js';
import { mri } from '../src/reproduce/experiments/mri.js';
import { trialContext } from '../src/reproduce/run.js';
import { sheppLogan } from '../src/reproduce/phantom.js';
import { addComplexNoise, coilSensitivities, exactCartesianMask, magnitude, withSmoothPhase } from '../src/reproduce/mriSimulation.js';
import { mriPsnr, mriScores } from '../src/reproduce/mriScore.js';
import { argmaxIteration, findBestIteration, patienceStop } from '../src/reproduce/stopping.js';
import type { ReproRow } from '../src/reproduce/types.js';

/** The pieces the MRI and denoising reproductions are built from (their numbers come from `reproduce`). */
describe('synthetic MRI data', () => {
  it('Shepp-Logan: values in [0, 1], the skull rim at 1, the brain at 0.2-0.4', () => {
    const p = sheppLogan(64);
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...p)).toBeCloseTo(1, 6);
    // centre pixel: inside ellipses 1 and 2 only (1 - 0.8)
    expect(p[32 * 64 + 31]).toBeCloseTo(0.2, 6);
    expect(p[0]).toBe(0);
  });

  it('coil maps have unit root sum of squares; the smooth phase keeps the magnitude', () => {
    const maps = coilSensitivities(16, 12, 8);
    for (let i = 0; i < 16 * 12; i++) {
      const ss = maps.reduce((s, m) => s + m[2 * i]! ** 2 + m[2 * i + 1]! ** 2, 0);
      expect(ss).toBeCloseTo(1, 12);
    }
    const mag = Float64Array.from({ length: 16 * 12 }, (_, i) => (i % 7) / 7);
    const z = withSmoothPhase(mag, 16, 12, 'seed');
    const back = magnitude(z);
    for (let i = 0; i < mag.length; i++) expect(back[i]).toBeCloseTo(mag[i]!, 12);
    expect(Array.from(withSmoothPhase(mag, 16, 12, 'seed'))).toEqual(Array.from(z));
  });

  it('exactCartesianMask keeps exactly w / acceleration columns, the centre band included', () => {
    for (const [accel, cf] of [
      [4, 0.08],
      [8, 0.04],
    ] as const) {
      const m = exactCartesianMask(8, 128, accel, cf, `s${accel}`);
      let cols = 0;
      for (let j = 0; j < 128; j++) cols += m[j]!;
      expect(cols).toBe(128 / accel);
      expect(m[64]).toBe(1);
      for (let r = 1; r < 8; r++) expect(Array.from(m.subarray(r * 128, r * 128 + 128))).toEqual(Array.from(m.subarray(0, 128)));
    }
    const y = new Float64Array(1000);
    const n = addComplexNoise(y, 0.1, 1);
    const sd = Math.sqrt(n.reduce((s, v) => s + v * v, 0) / n.length);
    expect(sd).toBeGreaterThan(0.09);
    expect(sd).toBeLessThan(0.11);
  });

  it('the paper score ignores gain and offset of the reconstruction, and rejects a constant image', () => {
    const truth = sheppLogan(32);
    const rec = truth.map((v) => 3 * v + 0.5);
    expect(mriPsnr(rec, truth)).toBeGreaterThan(200);
    const noisy = rec.map((v, i) => v + 0.01 * Math.sin(i));
    const s = mriScores(noisy, truth, [32, 32]);
    expect(s.psnr).toBeGreaterThan(30);
    expect(s.ssim).toBeGreaterThan(0.9);
    expect(mriPsnr(new Float64Array(truth.length).fill(0.3), truth)).toBeNaN();
  });
});

describe('stopping rules read off a recorded fit', () => {
  it('findBestIteration: a new best only below best / 1.005', () => {
    expect(findBestIteration([1, 0.999, 0.99, 0.9899, 0.5, 0.4999])).toBe(5);
    expect(findBestIteration([])).toBe(0);
  });

  it('patienceStop: stops `patience` iterations after the last minimum, NaN entries never count', () => {
    expect(patienceStop([NaN, NaN, 3, 2, 2.5, 2.6, 2.7, 1], 3)).toEqual({ stop: 7, chosen: 4 });
    expect(patienceStop([3, 2, 1], 3)).toEqual({ stop: 3, chosen: 3 });
    expect(argmaxIteration([1, 5, 2, 5])).toBe(2);
  });
});

describe('the MRI paper-length fits resume', () => {
  it('an interrupted long fit keeps its checkpoint and resumes to the uninterrupted metrics and PSNR curve', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ucs-repro-mri-'));
    const base = { ...trialContext({ quick: true, out: fresh }), artifacts: null };
    const trial = mri.trials(base).find((t) => String(t.params.method).endsWith('-long'))!;
    mkdirSync(base.checkpoints!, { recursive: true });
    const clean = mri.run(trial, { ...base, checkpoints: null });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(flag, 0, 1);
    expect(() => mri.run(trial, { ...base, abortFlag: flag.buffer as SharedArrayBuffer })).toThrow(TrialInterrupted);
    expect(existsSync(checkpointFile(base, trial)!)).toBe(true);
    const resumed = mri.run(trial, base);
    expect(existsSync(checkpointFile(base, trial)!)).toBe(false);
    expect(resumed.metrics).toEqual(clean.metrics);
    expect(resumed.curves).toEqual(clean.curves);
    expect((resumed.curves!.psnr as number[]).length).toBeGreaterThan(1);
  });
});

describe('mri report: every image', () => {
  const row = (image: string, coils: number, method: string, metrics: Record<string, number>): ReproRow => ({
    id: `${image}|128|4x|${coils}c|${method}`,
    experiment: 'mri',
    params: { image, size: 128, acceleration: 4, coils, method },
    status: 'ok',
    timeMs: 1,
    engine: 'test',
    metrics,
  });
  const ctx = { data: { root: null, astronaut: null }, quick: false, artifacts: null, checkpoints: null };

  it('lists each (image, setting) with a generator trial: hold-out, paper rule and oracle readings beside the baselines', () => {
    const gen = (psnr: number) => ({ psnr, columnsPsnr: psnr, paperPsnr: psnr + 0.1, oraclePsnr: psnr + 0.2, zeroFilled: 20.5 });
    const rows = [
      row('house.png', 1, 'conv-decoder', gen(21)),
      row('house.png', 1, 'deep-decoder', gen(22)),
      row('house.png', 1, 'tv', { psnr: 24.25, zeroFilled: 20.5 }),
      row('barbara.png', 1, 'tv', { psnr: 23, zeroFilled: 20 }), // no generator yet: no row
      row('phantom', 8, 'deep-decoder', gen(30)),
    ];
    const md = mri.report(rows, mri.trials(ctx), ctx).markdown;
    const table = md.slice(md.indexOf('**Every image, 3000-iteration trials**'));
    expect(table).toContain('| house | 4x, single-coil | 20.50 | 21.00 | 21.10 | 21.20 | 22.00 | 22.10 | 22.20 | 24.25 | — |');
    expect(table).toContain('| phantom | 4x, 8 coils | 20.50 | — | — | — | 30.00 | 30.10 | 30.20 | — | — |');
    expect(table).not.toContain('| barbara |');
  });
});
