// Denoising with an early-stopped Deep Image Prior: no ground truth is used to stop.
// The hold-out rule keeps 10% of the noisy pixels aside and stops at their best loss.
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
  iterations: quick ? 30 : 1500,
  inputJitter: 1 / 30,
  outputAveraging: 0.99,
  earlyStopping: { kind: 'holdout', fraction: 0.1, patience: quick ? 10 : 150 },
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
