// The GP view: the 64x64 Bernoulli inpainting experiment of Cheng et al. (GP with the DIP kernel
// against GP with an RBF kernel) and the time of 256x256 / 512x512 inpainting posteriors against
// SGLD. Imported by bench/run.mjs (--gp); the figures go to BENCHMARKS.md.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ucs from '../dist/index.js';

const SHARED = fileURLToPath(new URL('../../shared/data/inpainting-bernoulli/', import.meta.url));

function crop(img, size) {
  const [h, w] = img.shape;
  const r0 = Math.floor((h - size) / 2);
  const c0 = Math.floor((w - size) / 2);
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out[i * size + j] = img.data[(r0 + i) * w + c0 + j];
  return out;
}

/** Hyper-parameters chosen on 10% held-out observed pixels, never on the missing ones. */
function tuneAndFit(truth, size, keep, kernels) {
  const shape = [size, size];
  const A = ucs.mask({ mask: keep, shape });
  const y = A.forward(truth);
  const variance = y.reduce((s, v, i, a) => s + (v - a.reduce((t, u) => t + u, 0) / a.length) ** 2, 0) / y.length;
  const rng = new ucs.Rng('holdout');
  const fitMask = Uint8Array.from(keep);
  const held = [];
  for (let i = 0; i < keep.length; i++) if (keep[i] && rng.uniform() < 0.1) { fitMask[i] = 0; held.push(i); }
  const Afit = ucs.mask({ mask: fitMask, shape });
  const yfit = Afit.forward(truth);
  let best = null;
  for (const { label, kernel } of kernels) {
    for (const noise of [1e-4, 1e-3]) {
      const r = ucs.gpPosterior({ kernel: ucs.scaleKernel(kernel, variance), operator: Afit, measurements: yfit, noiseVariance: noise, priorMean: 'auto', tolerance: 1e-6 });
      const err = held.reduce((s, i) => s + (r.x[i] - truth[i]) ** 2, 0);
      if (!best || err < best.err) best = { err, label, kernel, noise };
    }
  }
  const r = ucs.gpPosterior({ kernel: ucs.scaleKernel(best.kernel, variance), operator: A, measurements: y, noiseVariance: best.noise, priorMean: 'auto', tolerance: 1e-6 });
  return { psnr: ucs.psnr(r.x.map((v) => Math.min(1, Math.max(0, v))), truth), label: best.label, noise: best.noise };
}

export async function run({ report }) {
  console.log('\n== GP posteriors (Cheng et al. 2019, 50% Bernoulli inpainting) ==');
  const file = `${SHARED}house.png`;
  if (!existsSync(file)) {
    console.log(`(skipped: ${file} not found)`);
    return;
  }
  const house = ucs.toGray(ucs.readImage(file));
  const size = 64;
  const truth = crop(house, size);
  const keep = ucs.bernoulliMask({ shape: [size, size], keep: 0.5, seed: 0 });
  const dip = [];
  for (const depth of [2, 3, 4, 5]) for (const sigma of [0.5, 1, 2]) dip.push({ label: `dip depth ${depth} sigma ${sigma}`, kernel: ucs.dipKernel({ depth, sigma }) });
  const rbf = [0.5, 0.75, 1, 1.5, 2, 3].map((l) => ({ label: `rbf l=${l}`, kernel: ucs.rbfKernel({ lengthScale: l }) }));
  const a = tuneAndFit(truth, size, keep, dip);
  const b = tuneAndFit(truth, size, keep, rbf);
  console.log(`64x64 centre crop of house.png: GP + DIP kernel ${a.psnr.toFixed(2)} dB (${a.label}, noise ${a.noise}); GP + RBF kernel ${b.psnr.toFixed(2)} dB (${b.label}, noise ${b.noise}); published 26.34 / 25.78 dB`);

  for (const n of [256, 512]) {
    const img = ucs.toGray(ucs.readImage(`${SHARED}${n === 256 ? 'Cameraman256.png' : 'Lena512.png'}`));
    const shape = img.shape;
    const m = ucs.bernoulliMask({ shape, keep: 0.5, seed: 1 });
    const A = ucs.mask({ mask: m, shape });
    const y = A.forward(img.data);
    const kernel = ucs.scaleKernel(ucs.dipKernel({ depth: 4, sigma: 1 }), 0.05);
    let t = performance.now();
    const mean = ucs.gpPosterior({ kernel, operator: A, measurements: y, noiseVariance: 1e-3, priorMean: 'auto', tolerance: 1e-4 });
    const meanMs = performance.now() - t;
    t = performance.now();
    ucs.gpPosterior({ kernel, operator: A, measurements: y, noiseVariance: 1e-3, priorMean: 'auto', tolerance: 1e-4, samples: 8, seed: 1 });
    const varMs = performance.now() - t;
    report(`GP posterior mean ${n}x${n} (${mean.iterations} CG its, ${mean.history.loss.length ? 'PSNR ' + ucs.psnr(mean.x, img.data).toFixed(2) : ''})`, meanMs, null);
    report(`GP posterior mean + variance (8 samples) ${n}x${n}`, varMs, null);
    // SGLD (Bayesian DIP) on the same problem: time per iteration, and a 1000-iteration run at 256.
    const gen = ucs.deepImagePrior({ outShape: shape, inputChannels: 16, channelsDown: [32, 32, 32, 32, 32], channelsSkip: [4, 4, 4, 4, 4], seed: 1 });
    // SGLD needs thousands of iterations; time a short run and scale to 1000 (stated as such).
    const iters = n === 256 ? 200 : 30;
    t = performance.now();
    const s = ucs.fitGeneratorSync({ generator: gen, operator: A, measurements: y, iterations: iters, sgld: { burnIn: Math.floor(iters / 2) }, inputJitter: 1 / 30 });
    const sgldMs = performance.now() - t;
    const per = sgldMs / iters;
    report(`SGLD (DIP 32 ch) ${n}x${n}, 1000 iterations (scaled from ${iters})`, per * 1000, null);
    void s;
  }
}
