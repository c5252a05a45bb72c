// Inpainting 50% missing pixels with Bayesian DIP (SGLD): posterior mean and per-pixel
// uncertainty; the uncertainty is larger where the error is larger.
// Run: node examples/inpaint-sgld.mjs [--quick]
import * as ucs from 'untrained-cs';

const quick = process.argv.includes('--quick'); // a seconds-long smoke run (CI runs every example so)

const image = ucs.cameraman();
const shape = image.shape;
const keep = ucs.bernoulliMask({ shape, keep: 0.5, seed: 2 });
const operator = ucs.mask({ mask: keep, shape });
const y = operator.forward(image.data);

// A chain of minutes: Ctrl-C stops it and saves it to sgld.ckpt; running the example again
// continues it to the result of an uninterrupted chain.
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
const result = await ucs.reconstruct({
  method: 'sgld',
  prior: 'deep-image-prior',
  operator,
  measurements: y,
  shape,
  generator: { inputChannels: 16, channelsDown: [32, 32, 32, 32], channelsSkip: [4, 4, 4, 4] },
  iterations: quick ? 40 : 2000,
  sgld: quick ? { burnIn: 20, thinning: 5 } : { burnIn: 1000, thinning: 5 },
  inputJitter: 1 / 30,
  seed: 1,
  signal: stop.signal,
  checkpoint: { path: 'sgld.ckpt' },
  onProgress: (p) => process.stdout.write(`\riteration ${p.iteration}/${p.iterations}   `),
});
if (result.stopReason === 'aborted') {
  console.log('\nstopped: the chain is saved in sgld.ckpt; run the example again to continue it');
  process.exit(130);
}
const err = result.x.map((v, i) => Math.abs(v - image.data[i]));
const sd = result.variance.map(Math.sqrt);
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const [me, ms] = [mean(err), mean(sd)];
let cov = 0, ve = 0, vs = 0;
for (let i = 0; i < err.length; i++) {
  cov += (err[i] - me) * (sd[i] - ms);
  ve += (err[i] - me) ** 2;
  vs += (sd[i] - ms) ** 2;
}
console.log(`\nSGLD posterior mean PSNR ${ucs.psnr(result.x, image.data).toFixed(2)} dB; corr(|error|, posterior sd) = ${(cov / Math.sqrt(ve * vs)).toFixed(3)}`);
ucs.writeImage('inpainted.png', result.x.map((v) => Math.min(1, Math.max(0, v))), shape);
const top = Math.max(...sd);
ucs.writeImage('inpainted-uncertainty.png', sd.map((v) => v / top), shape);
console.log('wrote inpainted.png, inpainted-uncertainty.png');
