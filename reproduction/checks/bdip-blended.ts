// A side check of the bayesian-dip experiment (REPRODUCTION.md): does it matter whether the
// paper's inpainting table reads the network's output or that output with the kept pixels put
// back? The authors' script reads every variant both ways (`*_psnr_list` and `*_psnr_list2`,
// "with known": "blending the known parts with the predictions from CNN on the masked parts") and
// does not say which one the paper printed. Reads run 0's saved outputs (OUT/artifacts, 8-bit PNGs
// clipped to [0, 1]) and prints, against the clean image, the PSNR of the output, of the output
// blended with the kept pixels, and on the kept and on the missing pixels alone.
//
//   npx vite-node reproduction/checks/bdip-blended.ts IMAGE FILE...
//   e.g. npx vite-node reproduction/checks/bdip-blended.ts house.png OUT/artifacts/bayesian-dip-inpainting-house-sgd.png
//
// The crop size is read from the file (128x128 for the crops, 256x256 at full size). The 8-bit
// rounding adds an MSE of at most 1.3e-6 (0.02 dB at 35 dB, 0.06 at 40), so read a difference
// between the two PSNRs of less than about 0.1 dB as none.
import { psnrValue } from '../../src/core/quality.js';
import { readImage } from '../../src/io/image.js';
import { findData } from '../../src/reproduce/data.js';
import { bayesianDipProblem } from '../../src/reproduce/experiments/bayesianDip.js';

const [image, ...files] = process.argv.slice(2);
if (!image || !files.length) {
  console.error('usage: bdip-blended.ts IMAGE FILE...');
  process.exit(2);
}
// the papers' test images: $UNTRAINED_CS_DATA, ./data or ../shared/data
const data = findData();
if (!data.root) {
  console.error('bdip-blended.ts: no data folder found (set UNTRAINED_CS_DATA to the folder with inpainting-bernoulli/)');
  process.exit(2);
}
for (const file of files) {
  const output = readImage(file, { gray: true });
  const [h, w] = output.shape as [number, number];
  const params = { task: 'inpainting', image, run: 0, h, w, ...(h < 256 ? { crop: h } : {}) };
  const { truth, operator, y } = bayesianDipProblem(params, data);
  const x = output.data;
  // the mask, and the measurements in place, as full-size images
  const kept = operator.adjoint(operator.forward(new Float64Array(x.length).fill(1)));
  const known = operator.adjoint(y);
  const blended = Float64Array.from(x, (v, i) => (kept[i] ? known[i]! : v));
  const on = (sel: 0 | 1) => {
    const idx = [...kept.keys()].filter((i) => kept[i] === sel);
    return psnrValue(Float64Array.from(idx, (i) => x[i]!), Float64Array.from(idx, (i) => truth.data[i]!));
  };
  const f = (v: number) => Number(v.toFixed(2));
  const psnr = f(psnrValue(x, truth.data));
  console.log(JSON.stringify({ file, image, size: h, psnr, blended: f(psnrValue(blended, truth.data)), keptPixels: f(on(1)), missingPixels: f(on(0)) }));
}
