// Recovery error against the number of measurements for several methods on the same signal,
// operator and noise: the comparison the SDK exists for, every method with its defaults (weights
// chosen by each method's own rule). Writes error-vs-m.png.
// Run: node examples/error-vs-measurements.mjs [--quick]
import * as ucs from 'untrained-cs';

const quick = process.argv.includes('--quick'); // a seconds-long smoke run (CI runs every example so)

const n = 128;
const x = Float64Array.from({ length: n }, (_, i) => (i < 40 ? 0.8 : i < 80 ? 0.3 + 0.004 * i : 0.6) + 0.1 * Math.sin(i / 6));
const methods = {
  'deep-decoder': quick ? { iterations: 100 } : {},
  lasso: { basis: 'db4' },
  tv: {},
  'least-squares': {},
};
const ms = quick ? [16, 64] : [16, 32, 48, 64, 96];
const series = Object.keys(methods).map((name) => ({ name, x: ms, y: [] }));
for (const m of ms) {
  const A = ucs.gaussian({ m, n, seed: 5 });
  const y = ucs.addNoise(A.forward(x), { sigma: 0.005 }, 6);
  for (const s of series) {
    const r = await ucs.reconstruct({ method: s.name, operator: A, measurements: y, seed: 1, ...methods[s.name] });
    s.y.push(ucs.relativeError(r.x, x));
  }
  console.log(`m = ${m}: ` + series.map((s) => `${s.name} ${s.y.at(-1).toFixed(3)}`).join(', '));
}
ucs.writeFigure('error-vs-m.png', ucs.lineChartSvg(series, { title: 'relative error against measurements', xLabel: 'm', yLabel: 'relative error', logY: true }));
console.log('wrote error-vs-m.png');
