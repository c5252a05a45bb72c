// MRI-style recovery from Cartesian k-space masks at 4x and 8x: single-coil and 3-coil
// (synthetic smooth sensitivity maps), ConvDecoder with data consistency against Lasso and TV.
// Run: node examples/mri-cartesian.mjs [--quick]
import * as ucs from 'untrained-cs';

const quick = process.argv.includes('--quick'); // a seconds-long smoke run (CI runs every example so)

const image = ucs.cameraman();
const [h, w] = image.shape;
const complexImage = ucs.complexFromReal(image.data);

// Smooth coil sensitivities around the image (Gaussian bumps with a phase ramp).
function coilMaps(coils) {
  return Array.from({ length: coils }, (_, c) => {
    const cy = h / 2 + (h / 2) * Math.cos((2 * Math.PI * c) / coils);
    const cx = w / 2 + (w / 2) * Math.sin((2 * Math.PI * c) / coils);
    const s = new Float64Array(2 * h * w);
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const mag = Math.exp(-((i - cy) ** 2 + (j - cx) ** 2) / (2 * (0.6 * h) ** 2));
        const ph = (0.02 * (i + j) * (c + 1)) / coils;
        s[2 * (i * w + j)] = mag * Math.cos(ph);
        s[2 * (i * w + j) + 1] = mag * Math.sin(ph);
      }
    return s;
  });
}

const magnitude = (z) => ucs.complexAbs(z);
for (const coils of quick ? [1] : [1, 3]) {
  for (const acceleration of quick ? [4] : [4, 8]) {
    const mask = ucs.cartesianMask({ shape: [h, w], acceleration, seed: 1 });
    const A = ucs.fourier({ shape: [h, w], mask, complexInput: true, sensitivities: coils > 1 ? coilMaps(coils) : undefined });
    const y = A.forward(complexImage);
    const rows = [];
    const cd = await ucs.reconstruct({ method: 'conv-decoder', operator: A, measurements: y, shape: [h, w], generator: { channels: 32, depth: 5 }, iterations: quick ? 20 : 300, seed: 1 });
    // Data consistency is exact for the single-coil masked orthonormal FFT.
    const cdx = coils === 1 ? ucs.dataConsistency({ x: cd.x, operator: A, measurements: y }) : cd.x;
    rows.push(['conv-decoder' + (coils === 1 ? ' + DC' : ''), cdx, cd.timeMs]);
    const l1 = await ucs.reconstruct({ method: 'lasso', operator: A, measurements: y, shape: [h, w], basis: 'db4' });
    rows.push(['lasso (db4)', l1.x, l1.timeMs]);
    const tvr = await ucs.reconstruct({ method: 'tv', operator: A, measurements: y, shape: [h, w] });
    rows.push(['tv', tvr.x, tvr.timeMs]);
    console.log(`\n${coils} coil(s), ${acceleration}x (${(100 * ucs.samplingRate(mask)).toFixed(1)}% of k-space)`);
    for (const [name, x, ms] of rows) {
      const mag = magnitude(x);
      console.log(`  ${name.padEnd(20)} PSNR ${ucs.psnr(mag, image.data).toFixed(2)} dB  SSIM ${ucs.ssim(mag.map((v) => Math.min(1, v)), image.data, { shape: [h, w] }).toFixed(3)}  ${(ms / 1000).toFixed(1)} s`);
    }
  }
}
