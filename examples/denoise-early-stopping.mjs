// Denoising with an early-stopped Deep Image Prior: no ground truth is used to stop.
// The variance rule watches how much the network's output still moves (the running variance of the
// last 100 iterates) and keeps the iterate where it was least: the fit has learnt the image and not
// yet the noise. On this image it keeps ~26.2 dB where the fit's best is ~27.3 (a hold-out of 10% of
// the pixels, patience 150, kept 24.8); REPRODUCTION.md compares both rules on the papers' images.
// Run: node examples/denoise-early-stopping.mjs [--quick]
import * as ucs from 'untrained-cs';

const quick = process.argv.includes('--quick'); // a seconds-long smoke run (CI runs every example so)

const image = ucs.cameraman();
const shape = image.shape; // [128, 128]
const noisy = ucs.addNoise(image.data, { sigma: 25 / 255 }, 1);
const operator = ucs.identity({ shape });

const generator = ucs.deepImagePrior({ outShape: shape, inputChannels: 16, channelsDown: [32, 32, 32, 32], channelsSkip: [4, 4, 4, 4], seed: 1 });
// The fit runs on a worker thread: this thread stays free, so Ctrl-C is seen at once and stops
// the fit within one iteration, keeping the best result so far (stopReason 'aborted').
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
const result = await ucs.fitGenerator({
  generator,
  operator,
  measurements: noisy,
  iterations: quick ? 30 : 3000, // a cap: the rule stops near 1200
  inputJitter: 1 / 30,
  outputAveraging: 0.99,
  earlyStopping: quick ? { kind: 'variance', window: 5, patience: 10 } : { kind: 'variance' }, // window 100, patience 500
  reference: image.data, // only to record the PSNR curve
  onProgress: (p) => process.stdout.write(`\riteration ${p.iteration}  loss ${p.loss.toExponential(2)}  psnr ${p.psnr?.toFixed(2)}   `),
  progressEvery: 25,
  signal: stop.signal,
});
console.log(`\nnoisy ${ucs.psnr(noisy, image.data).toFixed(2)} dB -> DIP ${ucs.psnr(result.x, image.data).toFixed(2)} dB (${result.stopReason} at ${result.iterations}, best ${result.bestIteration})`);
const best = Math.max(...result.history.psnr);
console.log(`best PSNR along the fit (oracle): ${best.toFixed(2)} dB at iteration ${result.history.psnr.indexOf(best) + 1}`);
ucs.writeImage('denoised.png', result.x.map((v) => Math.min(1, Math.max(0, v))), shape);
console.log('wrote denoised.png');
