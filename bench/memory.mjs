// Memory of large Deep Decoders (issue 13): the estimate (before allocating), the build, the
// time of each fit step and the peak resident memory. One network per process, so the peak is
// its own. Usage: npm run build && node bench/memory.mjs C H W CHANNELS [STEPS]
// e.g. node bench/memory.mjs 3 1024 1024 128 3; node bench/memory.mjs 1 2048 2048 64 3
import * as ucs from '../dist/index.js';

const [c, h, w, k, steps = 3] = process.argv.slice(2).map(Number);
if (!(c >= 1 && h >= 1 && w >= 1 && k >= 1)) {
  console.error('usage: node bench/memory.mjs C H W CHANNELS [STEPS]');
  process.exit(2);
}
const shape = c === 1 ? [h, w] : [c, h, w];
const gib = (b) => (b / 2 ** 30).toFixed(2);
const build = () => ucs.deepDecoder({ outShape: shape, channels: k, seed: 1 });
const est = ucs.estimateMemory(build);
console.log(`${shape.join('x')}, ${k} channels, ${ucs.getKernels().name}: estimate arena ${gib(est.arena)} GiB + fit ${gib(est.fit)} GiB = ${gib(est.total)} GiB (${est.kind} arena); available ${gib(ucs.availableMemory())} GiB`);
let t = performance.now();
let gen;
try {
  gen = build();
} catch (e) {
  console.log(`${e.name}: ${e.message}`);
  process.exit(0);
}
console.log(`built in ${(performance.now() - t).toFixed(0)} ms (${gen.numParams} parameters)`);
const y = new Float64Array(c * h * w).map((_, i) => 0.5 + 0.3 * Math.sin(i / 97));
let last = 0;
ucs.fitGeneratorSync({
  generator: gen,
  operator: ucs.identity({ shape }),
  measurements: y,
  iterations: steps,
  progressEvery: 1,
  onProgress: (p) => {
    console.log(`step ${p.iteration}: ${((p.elapsedMs - last) / 1000).toFixed(1)} s`);
    last = p.elapsedMs;
  },
});
console.log(`peak resident memory ${gib(process.resourceUsage().maxRSS * 1024)} GiB`);
