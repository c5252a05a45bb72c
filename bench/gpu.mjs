// `npm run bench:gpu`: the fit step (forward, loss gradient on the host, backward, Adam) per
// generator and size on a chosen engine, printed as a Markdown table to paste into
// BENCHMARKS.md. Made for the tfjs engine on a GPU (npm install @tensorflow/tfjs-node-gpu);
// runs on any engine:
//   node bench/gpu.mjs [--engine tfjs|native|wasm|portable] [--quick] [--reps N] [--only NAME]
// --quick: small sizes only (what a CPU-only tfjs backend can time in a minute or two).
import os from 'node:os';
import * as ucs from '../dist/index.js';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const engine = opt('engine', process.env.UNTRAINED_CS_KERNELS ?? 'tfjs');
const quick = argv.includes('--quick');
const reps = Number(opt('reps', quick ? 3 : 10));
const only = opt('only', null);

ucs.setEngine(engine);
const info = ucs.engineInfo();

const full = [
  ['deepDecoder', '256x256 gray k=64 depth 5', () => ucs.deepDecoder({ outShape: [256, 256], channels: 64, depth: 5, seed: 1 })],
  ['deepDecoder', '512x512 RGB k=128 depth 6', () => ucs.deepDecoder({ outShape: [3, 512, 512], channels: 128, depth: 6, seed: 1 })],
  ['convDecoder', '256x256 gray k=64 depth 6', () => ucs.convDecoder({ outShape: [256, 256], channels: 64, depth: 6, seed: 1 })],
  ['convDecoder', 'MRI 640x368 k=160 depth 8 (2 channels)', () => ucs.convDecoder({ outShape: [2, 640, 368], ...ucs.CONV_DECODER_MRI, seed: 1 })],
  ['deepImagePrior', '256x256 RGB (128 x5, skip 4)', () => ucs.deepImagePrior({ outShape: [3, 256, 256], seed: 1 })],
  ['deepImagePrior', '512x512 RGB (128 x5, skip 4)', () => ucs.deepImagePrior({ outShape: [3, 512, 512], seed: 1 })],
  ['twoLayerGenerator', '256x256 k=64 upsampling 4', () => ucs.twoLayerGenerator({ outShape: [256, 256], channels: 64, upsampleFactor: 4, seed: 1 })],
];
const small = [
  ['deepDecoder', '32x32 gray k=16 depth 4', () => ucs.deepDecoder({ outShape: [32, 32], channels: 16, depth: 4, seed: 1 })],
  ['deepDecoder', '64x64 RGB k=32 depth 5', () => ucs.deepDecoder({ outShape: [3, 64, 64], channels: 32, depth: 5, seed: 1 })],
  ['convDecoder', '32x32 gray k=16 depth 4', () => ucs.convDecoder({ outShape: [32, 32], channels: 16, depth: 4, seed: 1 })],
  ['convDecoder', '64x64 gray k=32 depth 5', () => ucs.convDecoder({ outShape: [64, 64], channels: 32, depth: 5, seed: 1 })],
  ['deepImagePrior', '32x32 RGB (16 x3, skip 4)', () => ucs.deepImagePrior({ outShape: [3, 32, 32], channelsDown: [16, 16, 16], seed: 1 })],
  ['twoLayerGenerator', '64x64 k=32 upsampling 2', () => ucs.twoLayerGenerator({ outShape: [64, 64], channels: 32, upsampleFactor: 2, seed: 1 })],
];

/** Median ms of one fit step as fitGenerator runs it: on the engine's own optimiser when it has one. */
function stepTime(gen) {
  const target = new Float32Array(gen.outSize).map((_, i) => (i % 7) / 7);
  const grad = new Float32Array(gen.outSize);
  const params = gen.initialParams();
  const trainer = gen.trainOnEngine ? gen.trainOnEngine({ kind: 'adam', learningRate: 0.01, params }) : null;
  const adam = trainer ? null : new ucs.Adam(params.length, { learningRate: 0.01 });
  const step = () => {
    const run = trainer ? trainer.forward() : gen.forward(params);
    const out = run.output; // crosses to the host: the step is complete when this is read
    for (let i = 0; i < out.length; i++) grad[i] = (2 / out.length) * (out[i] - target[i]);
    const g = run.backward(grad);
    if (trainer) trainer.step();
    else adam.step(params, g);
  };
  step();
  step();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    step();
    ts.push(performance.now() - t);
  }
  trainer?.dispose();
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

console.log(`engine ${info.engine}; node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}; median of ${reps} steps (forward, host loss gradient, backward, Adam)`);
console.log('');
console.log('| generator | size | parameters | step (ms) |');
console.log('|---|---|---|---|');
for (const [name, size, make] of quick ? small : full) {
  if (only && !name.toLowerCase().includes(only.toLowerCase())) continue;
  let row;
  try {
    const gen = make();
    row = `| ${name} | ${size} | ${gen.numParams} | ${stepTime(gen).toFixed(1)} |`;
  } catch (e) {
    row = `| ${name} | ${size} | | failed: ${String(e.message).split('\n')[0]} |`;
  }
  console.log(row);
}
