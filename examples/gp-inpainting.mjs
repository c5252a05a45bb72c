// The Gaussian-process view: inpaint with the GP posterior of the DIP-equivalent kernel and of
// an RBF kernel (mean by FFT-preconditioned CG, per-pixel variance by posterior sampling).
// Run: node examples/gp-inpainting.mjs [--quick]
import * as ucs from 'untrained-cs';

const quick = process.argv.includes('--quick'); // a seconds-long smoke run (CI runs every example so)

const image = ucs.cameraman();
const shape = image.shape;
const A = ucs.mask({ mask: ucs.bernoulliMask({ shape, keep: 0.5, seed: 1 }), shape });
const y = A.forward(image.data);
for (const [name, kernel] of [
  ['DIP kernel', ucs.scaleKernel(ucs.dipKernel({ depth: 4, sigma: 1 }), 0.05)],
  ['RBF kernel', ucs.rbfKernel({ lengthScale: 1, variance: 0.05 })],
]) {
  const r = ucs.gpPosterior({ kernel, operator: A, measurements: y, noiseVariance: 1e-4, priorMean: 'auto', samples: quick ? 1 : 8, seed: 1, tolerance: quick ? 1e-3 : 1e-5 });
  console.log(`${name}: PSNR ${ucs.psnr(r.x, image.data).toFixed(2)} dB in ${(r.timeMs / 1000).toFixed(1)} s (${r.iterations} CG iterations)`);
}
