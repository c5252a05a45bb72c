// Time to draw one SGLD step's noise (2.2 million N(0, 1) entries, a 256x256 DIP's weights) by
// the generators a fit can use: `philoxNormalRow` (the native addon, or its WebAssembly build
// without it), the JavaScript twin, and the seedrandom (Alea) stream of 0.1. Minimum of 8 runs,
// one thread. Run it twice, with and without UNTRAINED_CS_NATIVE=0, on a quiet machine:
//
//   npx vite-node reproduction/checks/noise-generator-speed.ts
//   UNTRAINED_CS_NATIVE=0 npx vite-node reproduction/checks/noise-generator-speed.ts
import { philoxNormalBlockJs, philoxNormalRow } from '../../src/core/philox.js';
import { nativeAddon } from '../../src/core/native.js';
import { Rng } from '../../src/core/rng.js';

const n = 2_200_000;
const out = new Float32Array(n);
const rng = new Rng(5);
let row = Infinity;
let twin = Infinity;
let alea = Infinity;
for (let rep = 0; rep < 8; rep++) {
  let t = performance.now();
  philoxNormalRow(1, 2, rep, out);
  row = Math.min(row, performance.now() - t);
  t = performance.now();
  philoxNormalBlockJs(1, 2, rep, 1, 0, n, out);
  twin = Math.min(twin, performance.now() - t);
  t = performance.now();
  for (let i = 0; i < n; i++) out[i] = rng.gaussian();
  alea = Math.min(alea, performance.now() - t);
}
console.log(
  `native addon ${nativeAddon() ? 'loaded' : 'off'}; per 2.2M entries, min of 8: ` +
    `philoxNormalRow ${row.toFixed(1)} ms, JavaScript twin ${twin.toFixed(1)} ms, Alea stream (0.1) ${alea.toFixed(1)} ms`,
);
