// Generator steps (fwd + bwd + Adam) against PyTorch in the same run. Imported by bench/run.mjs.
import * as ucs from '../dist/index.js';

// --cpu (with one thread): this process's CPU time and the minimum over the repetitions, against
// PyTorch's the same way; on a shared machine the time each side ran, not the time it waited.
let clock = () => performance.now();
let pick = (ts) => ts[Math.floor(ts.length / 2)];
function useCpuClock() {
  clock = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  pick = (ts) => ts[0];
}

function stepTimer(gen, reps) {
  const params = gen.initialParams();
  const adam = new ucs.Adam(params.length, { learningRate: 0.01 });
  const target = new Float32Array(gen.outSize).map((_, i) => (i % 7) / 7);
  const grad = new Float32Array(gen.outSize);
  const step = () => {
    const run = gen.forward(params);
    const out = run.output;
    for (let i = 0; i < out.length; i++) grad[i] = (2 / out.length) * (out[i] - target[i]);
    adam.step(params, run.backward(grad));
  };
  step();
  step();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t = clock();
    step();
    ts.push(clock() - t);
  }
  ts.sort((a, b) => a - b);
  return pick(ts);
}

export async function run({ report, python, quick, cpu }) {
  if (cpu) {
    ucs.setThreads(1);
    useCpuClock();
  }
  const refThreads = cpu ? 1 : 2;
  console.log(`\n== generator steps: fwd+bwd+Adam (engine ${ucs.getKernels().name}, ${ucs.getThreads()} thread(s); reference PyTorch, ${refThreads} thread(s); ${cpu ? 'CPU time, minimum' : 'wall time, median'}) ==`);
  const torch = python('torch_ref.py', [String(refThreads), ...(quick ? ['--quick'] : []), ...(cpu ? ['--cpu'] : [])]);
  if (torch._torch) console.log(`(PyTorch ${torch._torch}, ${torch._threads} threads; malloc: ${torch._malloc ?? 'not reported'})`);
  const cases = [
    ['deepDecoder 256x256 gray k=64 depth 5', () => ucs.deepDecoder({ outShape: [256, 256], channels: 64, depth: 5, seed: 1 }), 10],
    ['deepDecoder 512x512 RGB k=128 depth 6', () => ucs.deepDecoder({ outShape: [3, 512, 512], channels: 128, depth: 6, seed: 1 }), 3],
    ['convDecoder 256x256 gray k=64 depth 6', () => ucs.convDecoder({ outShape: [256, 256], channels: 64, depth: 6, seed: 1 }), 5],
    ['deepImagePrior 512x512 RGB (128 x5, skip 4)', () => ucs.deepImagePrior({ outShape: [3, 512, 512], seed: 1 }), 3],
    ['convDecoder MRI 640x368 k=160 depth 8 (2 channels)', () => ucs.convDecoder({ outShape: [2, 640, 368], ...ucs.CONV_DECODER_MRI, seed: 1 }), 3],
  ];
  for (const [name, make, reps] of cases) {
    if (quick && (name.includes('512') || name.includes('MRI'))) continue;
    const ms = stepTimer(make(), reps);
    report(name, ms, torch[name]);
  }
  // One 3x3 conv layer 128 -> 128 at 256x256, forward + backward with the input's gradient (as
  // PyTorch's x.requires_grad): an identity activation (leaky slope 1) in front makes the conv's
  // input a tensor that takes a gradient; it costs one elementwise pass.
  const b = new ucs.NetworkBuilder(128, 256, 256);
  const x = b.activation(b.input, 'leaky-relu', 1);
  const y = b.conv(x, { outChannels: 128, kernel: [3, 3], padding: 'zero', bias: true });
  const net = b.build(y, { seed: 1 });
  const ones = new Float32Array(y.size).fill(1);
  const conv = () => {
    net.forward();
    net.backward(ones);
  };
  conv();
  const ts = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    const t = clock();
    conv();
    ts.push(clock() - t);
  }
  ts.sort((a, b) => a - b);
  const convMs = pick(ts);
  report('conv3x3 128->128 256x256 fwd+bwd', convMs, torch['conv3x3 128->128 256x256 fwd+bwd']);
  const flops = 3 * 2 * 128 * 128 * 9 * 256 * 256;
  console.log(`  conv3x3: ${(flops / convMs / 1e6).toFixed(1)} GFLOP/s (ours)`);
}
