// tv() per outer iteration on the two problems its reproduction searches spend most time on: a
// 256x256 image under the structured random operator at 10% and a 128x128 complex image under a
// Cartesian 4x mask (the MRI experiment's layout). Fixed weight, fixed 200 iterations (tolerance
// 0), best of three runs; the final loss is printed so two builds can be checked to agree.
// Run: npm run build && node bench/tv.mjs   (figures for BENCHMARKS.md, section "BART")
import * as ucs from '../dist/index.js';

const image256 = ucs.squareResize(ucs.cameraman(), 256).data;
const structured = ucs.structuredRandom({ m: 6554, inShape: [256, 256], seed: 1 });
const image128 = ucs.squareResize(ucs.cameraman(), 128).data;
const complex = new Float64Array(128 * 128 * 2);
for (let i = 0; i < image128.length; i++) complex[2 * i] = image128[i];
const cartesian = ucs.fourier({ shape: [128, 128], mask: ucs.cartesianMask({ shape: [128, 128], acceleration: 4, seed: 1 }), complexInput: true });
const problems = [
  ['structured random 256x256, 10%', structured, structured.forward(image256), [256, 256]],
  ['Cartesian 4x, complex 128x128', cartesian, cartesian.forward(complex), [128, 128, 2]],
];
const iterations = 200;
console.log(`native kernels: ${JSON.stringify(ucs.nativeStatus())}`);
for (const [name, operator, measurements, shape] of problems) {
  const run = () => ucs.tv({ operator, measurements, shape, lambda: 1e-3, iterations, tolerance: 0 });
  run();
  let best = Infinity;
  let loss = NaN;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const r = run();
    best = Math.min(best, (performance.now() - t0) / iterations);
    loss = r.history.loss.at(-1);
  }
  console.log(`${name}: ${best.toFixed(2)} ms per iteration (final loss ${loss})`);
}
