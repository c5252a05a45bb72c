// Two builds of the package in one process, Deep Decoder 256x256 k = 64 steps alternated between
// them (one thread, CPU time), so both see the same load: a steadier A/B than separate runs on a
// shared machine. Each tree needs dist/ and native/build/ (each loads its own addon).
// Run: node bench/pairSteps.mjs TREE_A TREE_B [STEPS]
const trees = [process.argv[2], process.argv[3]];
if (!trees[0] || !trees[1]) throw new Error('usage: node bench/pairSteps.mjs TREE_A TREE_B [STEPS]');
const N = Number(process.argv[4]) || 30;
const clock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
async function stepper(tree) {
  const ucs = await import(`${tree}/dist/index.js`);
  ucs.setThreads(1);
  const gen = ucs.deepDecoder({ outShape: [256, 256], channels: 64, depth: 5, seed: 1 });
  const params = gen.initialParams();
  const adam = new ucs.Adam(params.length, { learningRate: 0.01 });
  const target = new Float32Array(gen.outSize).map((_, i) => (i % 7) / 7);
  const grad = new Float32Array(gen.outSize);
  const step = () => {
    const out = gen.forward(params);
    for (let i = 0; i < out.output.length; i++) grad[i] = (2 / out.output.length) * (out.output[i] - target[i]);
    adam.step(params, out.backward(grad));
  };
  step();
  step();
  return step;
}
const steps = [await stepper(trees[0]), await stepper(trees[1])];
const ts = [[], []];
for (let i = 0; i < N; i++) {
  for (const j of i % 2 ? [1, 0] : [0, 1]) {
    const t = clock();
    steps[j]();
    ts[j].push(clock() - t);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const diff = ts[0].map((x, i) => ts[1][i] - x);
console.log(`A ${trees[0]}: min ${Math.min(...ts[0]).toFixed(1)} median ${median(ts[0]).toFixed(1)} ms`);
console.log(`B ${trees[1]}: min ${Math.min(...ts[1]).toFixed(1)} median ${median(ts[1]).toFixed(1)} ms`);
console.log(`median of the paired differences B - A: ${median(diff).toFixed(2)} ms`);
