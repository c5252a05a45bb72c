// Can an untrained generator represent your image at all? Fit it to the image itself, every pixel
// observed (the identity operator, no noise): a reconstruction with that network from fewer
// measurements should not expect to do better than the PSNR it reaches there (an optimiser's bound,
// not a theorem: a longer fit may reach more). Check this before blaming the measurements.
// On the 256x256 Peppers the default Deep Decoder reaches 26.75 dB in 3000 iterations (k = 256:
// 27.03), while TV recovers 32.03 dB from 25% of random measurements; on House it reaches 36.50
// (reproduction/REPRODUCTION.md, cs-images). The Peppers run, exactly (same seed and network):
//   node examples/represent-image.mjs ../shared/data/inpainting-bernoulli/peppers256.png --size 256
// Run: node examples/represent-image.mjs [IMAGE.png] [--size N] [--channels K] [--iterations T] [--quick]
// (default image: the package's built-in 128x128 cameraman; default width: the library's own)
import { basename } from 'node:path';
import * as ucs from 'untrained-cs';

const args = process.argv.slice(2);
const quick = args.includes('--quick'); // a seconds-long smoke run (CI runs every example so)
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const VALUED = ['--size', '--channels', '--iterations']; // flags followed by a number; --quick takes none
const file = args.find((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1]));

const image = ucs.toGray(file ? ucs.readImage(file) : ucs.cameraman());
const size = flag('--size', quick ? 32 : image.shape[0]);
const truth = ucs.squareResize(image, size).data;
const channels = flag('--channels', undefined);
const iterations = flag('--iterations', quick ? 30 : 3000);
const name = file ? basename(file) : 'cameraman128.png';

const A = ucs.identity({ shape: [size, size] });
const started = Date.now();
const r = await ucs.reconstruct({
  method: 'deep-decoder',
  operator: A,
  measurements: truth,
  shape: [size, size],
  seed: `rep|${name}`,
  iterations,
  reference: truth,
  ...(channels ? { generator: { channels } } : {}),
});
const curve = r.history.psnr;
const marks = [Math.round(iterations / 3), Math.round((2 * iterations) / 3)].filter((k) => curve[k - 1] !== undefined);
console.log(`${name} at ${size}x${size}: the Deep Decoder (${r.options.numParams} weights for ${size * size} pixels) represents it to ${ucs.psnr(r.x, truth).toFixed(2)} dB after ${r.iterations} iterations`);
console.log(`  on the way: ${marks.map((k) => `${curve[k - 1].toFixed(2)} dB at ${k}`).join(', ')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
console.log('  expect no more from this network, at this budget, when fewer measurements are observed');
