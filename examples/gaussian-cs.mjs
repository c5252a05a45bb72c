// Compressive sensing of a smooth 1D signal from m Gaussian measurements: a Deep Decoder fitted
// TO CONVERGENCE (the library's defaults: no early stopping, a linear output unless the data lie in
// [0, 1]) against Lasso in db4 wavelets, its weight chosen by its own rule.
// Run: node examples/gaussian-cs.mjs [--quick]
import * as ucs from 'untrained-cs';

const quick = process.argv.includes('--quick'); // a seconds-long smoke run (CI runs every example so)

const n = 256;
const x = Float64Array.from({ length: n }, (_, i) => {
  const t = i / n;
  return 0.5 + 0.25 * Math.sin(2 * Math.PI * 2 * t) + 0.15 * Math.exp(-((t - 0.6) ** 2) / 0.005);
});
console.log('   m   deep-decoder   lasso(db4)');
for (const m of quick ? [32, 128] : [16, 32, 64, 128, 192]) {
  const A = ucs.gaussian({ m, n, seed: 3 });
  const y = A.forward(x);
  const dd = await ucs.reconstruct({ method: 'deep-decoder', operator: A, measurements: y, seed: 1, ...(quick ? { iterations: 100 } : {}) });
  const l1 = await ucs.reconstruct({ method: 'lasso', operator: A, measurements: y, basis: 'db4' });
  console.log(`${String(m).padStart(4)}   ${ucs.relativeError(dd.x, x).toFixed(4).padStart(12)}   ${ucs.relativeError(l1.x, x).toFixed(4).padStart(10)}`);
}
