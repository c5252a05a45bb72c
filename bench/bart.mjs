// Side by side with BART 0.8 (Debian package `bart`): l1-wavelet and TV MRI reconstructions from
// the SAME k-space and mask, even and odd image sizes. Both sides are compared at their best: the
// regularisation weight of each is the oracle on a grid (the truth is known here; see
// bestLambda), BART runs enough iterations to converge, ours runs its defaults (which stop on
// their own criteria). Conventions are checked first: the zero-filled images of both must agree.
// Run: npm run build && node bench/bart.mjs   (figures for BENCHMARKS.md, section "BART")
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ucs from '../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ucs-bart-'));
const bart = (...args) => execFileSync('bart', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** BART's .cfl/.hdr: complex float32, first dimension fastest. Our [h, w] image is BART [w, h]. */
function writeCfl(name, data, h, w) {
  writeFileSync(join(dir, `${name}.hdr`), `# Dimensions\n${w} ${h} 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n`);
  writeFileSync(join(dir, `${name}.cfl`), Buffer.from(Float32Array.from(data).buffer));
}
function readCfl(name) {
  const b = readFileSync(join(dir, `${name}.cfl`));
  return Float64Array.from(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4));
}
const magnitude = (z) => Float64Array.from({ length: z.length / 2 }, (_, i) => Math.hypot(z[2 * i], z[2 * i + 1]));
const psnr = (z, truth) => ucs.psnr(magnitude(z).map((v) => Math.min(1, v)), truth);
function timed(f) {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

function crop(img, h, w) {
  const [H, W] = img.shape;
  const r0 = (H - h) >> 1;
  const c0 = (W - w) >> 1;
  return Float64Array.from({ length: h * w }, (_, k) => img.data[(r0 + Math.floor(k / w)) * W + c0 + (k % w)]);
}

const cam = ucs.toGray(ucs.readImage(new URL('../assets/cameraman128.png', import.meta.url).pathname));
const cases = [
  { label: 'cameraman 128x128', h: 128, w: 128 },
  { label: 'cameraman 117x93 (odd)', h: 117, w: 93 },
].filter((c) => !process.env.BART_CASE || c.label.startsWith(process.env.BART_CASE));
const grid = (lo, hi, n) => ucs.logGrid(lo, hi, n);
// Weight grids (half-decade steps) around each side's optimum, found on a first wider run; a
// quick mode for shared machines: BART_QUICK=1.
const quick = process.env.BART_QUICK === '1';
const BART_GRID = quick ? grid(1e-3, 3e-2, 4) : grid(1e-4, 1e-1, 7);
const OUR_GRID = quick ? grid(1e-4, 1e-2, 5) : grid(1e-5, 1e-1, 9);
const BART_ITERATIONS = quick ? 100 : 200;
const rows = [];
for (const c of cases) {
  const { h, w } = c;
  const truth = crop(cam, h, w);
  const img = Float64Array.from({ length: 2 * h * w }, (_, i) => (i % 2 ? 0 : truth[i >> 1]));
  // Variable-density random sampling at 1/4 (each k-space point drawn independently, dense centre).
  const mask = ucs.variableDensityMask({ shape: [h, w], rate: 0.25, seed: 1 });
  const A = ucs.fourier({ shape: [h, w], mask, complexInput: true });
  const y = A.forward(img);
  // Full centred k-space with zeros off the mask, for BART (same numbers as y).
  const full = ucs.fourier({ shape: [h, w], complexInput: true }).forward(img);
  for (let i = 0; i < h * w; i++) if (!mask[i]) full[2 * i] = full[2 * i + 1] = 0;
  writeCfl('ksp', full, h, w);
  bart('ones', '2', String(w), String(h), 'sens');
  // Conventions: zero-filled images (A^T y against BART's unitary centred inverse FFT).
  const zfOurs = A.adjoint(y);
  bart('fft', '-i', '-u', '3', 'ksp', 'zf');
  const zfBart = readCfl('zf');
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < zfOurs.length; i++) {
    diff = Math.max(diff, Math.abs(zfOurs[i] - zfBart[i]));
    ref = Math.max(ref, Math.abs(zfOurs[i]));
  }
  // pics with (almost) no regularisation must also give the zero-filled image back on a
  // fully sampled k-space; on odd sizes BART 0.8's pics is one pixel off its own fft -u.
  console.log(`${c.label}: zero-filled max |ours - bart fft -iu| / max = ${(diff / ref).toExponential(1)}, PSNR ${psnr(zfOurs, truth).toFixed(2)} dB`);
  rows.push({ case: c.label, method: 'zero-filled', ours: psnr(zfOurs, truth), bart: psnr(zfBart, truth), oursMs: NaN, bartMs: NaN });

  for (const kind of ['l1-wavelet', 'tv']) {
    // BART: oracle over -r (its data are scaled internally; -S off, -w 1 keeps our scale).
    let bestB = { psnr: -Infinity };
    for (const r of BART_GRID) {
      const reg = kind === 'tv' ? `T:3:0:${r}` : `W:3:0:${r}`;
      const [, ms] = timed(() => bart('pics', '-w', '1', '-i', String(BART_ITERATIONS), '-R', reg, 'ksp', 'sens', 'rec'));
      const rec = readCfl('rec');
      const p = psnr(rec, truth);
      if (p > bestB.psnr) bestB = { psnr: p, r, ms, rec };
    }
    // Ours: the same oracle search (warm-started, looser tolerance to keep the bench short),
    // then the chosen weight solved from scratch with the defaults and timed alone.
    // Wavelet db2 = BART's default 'dau2' (4 taps); 2x2 cycle spinning against its random shifts.
    const basis = ucs.waveletBasis({ shape: [h, w], wavelet: 'db2', cycleSpinning: 2 });
    const solve = (lambda, prev, tolerance) =>
      kind === 'tv'
        ? ucs.tv({ operator: A, measurements: y, lambda, shape: [h, w, 2], x0: prev?.x, tolerance })
        : ucs.fista({ operator: A, measurements: y, basis, lambda, x0: prev?.x, tolerance });
    const orc = ucs.bestLambda({ solve: (l, prev) => solve(l, prev, kind === 'tv' ? 1e-3 : 1e-4), reference: img, grid: OUR_GRID });
    const [res, ms] = timed(() => solve(orc.lambda, null, undefined));
    const p = psnr(res.x, truth);
    console.log(`  ${kind}: ours ${p.toFixed(2)} dB in ${(ms / 1000).toFixed(2)} s (lambda ${orc.lambda.toExponential(1)}, ${res.iterations} it, ${res.stopReason}); bart ${bestB.psnr.toFixed(2)} dB in ${(bestB.ms / 1000).toFixed(2)} s (-r ${bestB.r.toExponential(1)}, ${BART_ITERATIONS} it)`);
    rows.push({ case: c.label, method: kind, ours: p, bart: bestB.psnr, oursMs: ms, bartMs: bestB.ms });
  }
}
console.log('\n| image | method | ours PSNR (dB) | BART PSNR (dB) | ours time (s) | BART time (s) |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.case} | ${r.method} | ${r.ours.toFixed(2)} | ${r.bart.toFixed(2)} | ${Number.isNaN(r.oursMs) ? '-' : (r.oursMs / 1000).toFixed(2)} | ${Number.isNaN(r.bartMs) ? '-' : (r.bartMs / 1000).toFixed(2)} |`);
rmSync(dir, { recursive: true, force: true });
