// Where the time of one generator step goes: every kernel call timed through a wrapper, the
// rest (JS glue in the layers, the loss, Adam) by difference. Also checks that a long fit does
// not grow its memory after the first step. Run: npm run build && node bench/profile.mjs [NET]
// SIZE CHANNELS K DEPTH STEPS, NET one of dd (Deep Decoder, the default), convdecoder, dip
// (DIP ignores K and DEPTH: its default 128-channel, 5-scale hourglass).
import * as ucs from '../dist/index.js';

// --cpu: time with this process's CPU time instead of the wall clock (with UNTRAINED_CS_THREADS=1
// on a shared machine, time spent descheduled then does not count).
const cpuClock = process.argv.includes('--cpu');
const now = cpuClock ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();
const argv = process.argv.slice(2).filter((a) => a !== '--cpu');
const net = argv.length && Number.isNaN(Number(argv[0])) ? argv.shift() : 'dd';
const [size, channels, k, depth, steps] = argv.map(Number);
const S = size || 256;
const C = channels || 1;
const K = k || 64;
const D = depth || 5;
const N = steps || 10;
const outShape = C === 1 ? [S, S] : [C, S, S];
const makers = {
  dd: () => ucs.deepDecoder({ outShape, channels: K, depth: D, seed: 1 }),
  convdecoder: () => ucs.convDecoder({ outShape, channels: K, depth: D, seed: 1 }),
  dip: () => ucs.deepImagePrior({ outShape, seed: 1 }),
};
if (!makers[net]) throw new Error(`profile: unknown network ${net} (dd, convdecoder, dip)`);

const base = ucs.getKernels();
const totals = new Map();
const timed = {};
let flops = 0; // multiply-adds x 2 of every GEMM in the measured steps
for (const key of Object.keys(base)) {
  const v = base[key];
  if (typeof v !== 'function') continue;
  timed[key] = (...args) => {
    if (key === 'gemm') flops += 2 * args[3] * args[4] * args[5];
    if (key === 'gemmIm2col') flops += 2 * args[4] * args[5] * args[6];
    const label = key === 'gemm' ? `gemm ${args[1] ? 'T' : 'N'}${args[2] ? 'T' : 'N'}` : key === 'gemmIm2col' ? `gemm+im2col ${args[3] ? 'NT' : 'NN'}` : key;
    const t = now();
    const r = v.apply(base, args);
    totals.set(label, (totals.get(label) ?? 0) + now() - t);
    return r;
  };
}
// The direct 3x3 convolution is an object of methods: time each of its passes.
if (base.conv3x3) {
  const d = base.conv3x3;
  const wrap = (label, fn, flopsOf) => (...args) => {
    const [, g, out] = args;
    flops += flopsOf ? 2 * 9 * g.c * out * g.h * g.w : 0;
    const t = now();
    const r = fn.apply(d, args);
    totals.set(label, (totals.get(label) ?? 0) + now() - t);
    return r;
  };
  timed.conv3x3 = {
    serves: (...a) => d.serves(...a),
    scratchFloats: (...a) => d.scratchFloats(...a),
    forward: wrap('conv3x3 forward', d.forward, true),
    backwardData: wrap('conv3x3 input grad', d.backwardData, true),
    backwardWeight: wrap('conv3x3 weight grad', d.backwardWeight, true),
  };
}
Object.defineProperty(timed, 'name', { value: base.name });
Object.defineProperty(timed, 'threads', { get: () => base.threads });
ucs.setKernels(timed);
const gen = makers[net]();
ucs.setKernels(null);
const params = gen.initialParams();
const adam = new ucs.Adam(params.length, { learningRate: 0.01 });
const grad = new Float32Array(gen.outSize);
const step = () => {
  const run = gen.forward(params);
  for (let i = 0; i < grad.length; i++) grad[i] = run.output[i] - 0.5;
  adam.step(params, run.backward(grad));
};
step();
totals.clear();
flops = 0;
const rss0 = process.memoryUsage().rss;
const t0 = now();
for (let i = 0; i < N; i++) step();
const total = (now() - t0) / N;
const rss1 = process.memoryUsage().rss;
console.log(`${gen.name} ${C === 1 ? '' : C + 'x'}${S}x${S}${net === 'dip' ? '' : ` k=${K} depth ${D}`}: ${total.toFixed(1)} ms per step (${ucs.getKernels().name}, ${ucs.getThreads()} threads), ${gen.numParams} parameters`);
console.log(`  ${(flops / N / 1e9).toFixed(1)} GFLOP of GEMM and convolution per step: ${(flops / N / total / 1e6).toFixed(0)} GFLOP/s over the whole step`);
let kernelSum = 0;
for (const [label, ms] of [...totals.entries()].sort((a, b) => b[1] - a[1])) {
  const per = ms / N;
  kernelSum += per;
  console.log(`  ${label.padEnd(22)} ${per.toFixed(1).padStart(8)} ms  ${((100 * per) / total).toFixed(1).padStart(5)}%`);
}
console.log(`  ${'JS glue, loss, Adam'.padEnd(22)} ${(total - kernelSum).toFixed(1).padStart(8)} ms  ${((100 * (total - kernelSum)) / total).toFixed(1).padStart(5)}%`);
console.log(`memory after ${N} steps: RSS ${(rss0 / 2 ** 20).toFixed(0)} MB -> ${(rss1 / 2 ** 20).toFixed(0)} MB`);
process.exit(0);
