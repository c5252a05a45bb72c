// Whole fits against PyTorch (`npm run bench -- --fits`): the same problems, generators,
// operators, loss and optimiser in both, timed to the same iteration count in the same run.
// Ours: the public fitGenerator (a worker thread; the operator answers on this thread) and
// fitGeneratorSync. PyTorch: bench/torch_fits.py, 2 threads, the faster of NCHW and
// channels_last, operator in torch (FFT for MRI, a float32 matrix for Gaussian CS).
//
// 3000 iterations of every fit take over an hour here, so by default each fit runs fewer
// iterations (FIT_ITERATIONS below) and the 3000-iteration time is extrapolated from the time
// per iteration (both sides the same way); --fit-iterations=N runs N of each instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ucs from '../dist/index.js';

const DATA = process.env.UCS_DATA ?? '/work/shared/data';
const FIT_ITERATIONS = { 'deepDecoder MRI 256x256 4x': 200, 'convDecoder MRI 256x256 4x': 40, 'DIP denoising 256x256 RGB': 10, 'deepDecoder Gaussian CS 64x64 25%': 300 };
const TARGET = 3000;

/** Centre crop and box-filter resize (the lead's 64x64 Gaussian-CS setup). */
function resizeGray(img, size) {
  const [h, w] = img.shape;
  const side = Math.min(h, w);
  const r0 = (h - side) >> 1;
  const c0 = (w - side) >> 1;
  const out = new Float64Array(size * size);
  const sc = side / size;
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      const y0 = r0 + Math.floor(i * sc);
      const y1 = Math.max(y0 + 1, r0 + Math.floor((i + 1) * sc));
      const x0 = c0 + Math.floor(j * sc);
      const x1 = Math.max(x0 + 1, c0 + Math.floor((j + 1) * sc));
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += img.data[y * w + x];
      out[i * size + j] = s / ((y1 - y0) * (x1 - x0));
    }
  return out;
}

/** The four problems; each writes what PyTorch needs (measurements, mask, matrix) into dir. */
function problems(dir) {
  const cameraman = ucs.toGray(ucs.readImage(join(DATA, 'inpainting-bernoulli', 'Cameraman256.png')));
  const mask = ucs.cartesianMask({ shape: [256, 256], acceleration: 4, seed: 1 });
  const mri = ucs.fourier({ shape: [256, 256], mask });
  const yMri = mri.forward(cameraman.data);
  ucs.writeNpy(join(dir, 'mri_mask.npy'), Float32Array.from(mask), [256, 256], { dtype: 'float32' });
  ucs.writeNpy(join(dir, 'mri_y.npy'), yMri, [yMri.length / 2, 2], { dtype: 'float32' });

  const house = ucs.readImage(join(DATA, 'denoising', 'image_House256rgb.png'));
  const noisy = ucs.addNoise(house.data, { sigma: 25 / 255 }, 1);
  ucs.writeNpy(join(dir, 'dip_y.npy'), noisy, [3, 256, 256], { dtype: 'float32' });

  const small = resizeGray(cameraman, 64);
  const m = 1024;
  const gauss = ucs.gaussian({ m, inShape: [64, 64], seed: 7 });
  const yCs = gauss.forward(small);
  // The operator's matrix, column by column (A e_j), so PyTorch multiplies by the same entries.
  const a = new Float32Array(m * 4096);
  const e = new Float64Array(4096);
  for (let j = 0; j < 4096; j++) {
    e[j] = 1;
    const col = gauss.forward(e);
    for (let i = 0; i < m; i++) a[i * 4096 + j] = col[i];
    e[j] = 0;
  }
  ucs.writeNpy(join(dir, 'cs_a.npy'), a, [m, 4096], { dtype: 'float32' });
  ucs.writeNpy(join(dir, 'cs_y.npy'), yCs, [m], { dtype: 'float32' });

  return [
    {
      name: 'deepDecoder MRI 256x256 4x',
      make: () => ucs.deepDecoder({ outShape: [256, 256], channels: 64, depth: 5, seed: 1 }),
      operator: mri,
      y: yMri,
      options: {},
    },
    {
      name: 'convDecoder MRI 256x256 4x',
      make: () => ucs.convDecoder({ outShape: [256, 256], channels: 64, depth: 6, seed: 1 }),
      operator: mri,
      y: yMri,
      options: {},
    },
    {
      name: 'DIP denoising 256x256 RGB',
      make: () => ucs.deepImagePrior({ outShape: [3, 256, 256], seed: 1 }),
      operator: ucs.identity({ shape: [3, 256, 256] }),
      y: noisy,
      options: { inputJitter: 1 / 30, outputAveraging: 0.99 },
    },
    {
      name: 'deepDecoder Gaussian CS 64x64 25%',
      make: () => ucs.deepDecoder({ outShape: [64, 64], seed: 1 }),
      operator: gauss,
      y: yCs,
      options: {},
    },
  ];
}

// --cpu: one thread on both sides, timed in process CPU time (steadier on a busy machine).
let clock = () => performance.now();

async function timeFit(p, iterations, sync) {
  const fit = sync ? ucs.fitGeneratorSync : ucs.fitGenerator;
  const base = { operator: p.operator, measurements: p.y, seed: 1, ...p.options };
  await fit({ generator: p.make(), iterations: 3, ...base }); // warm-up, as PyTorch's layout trial
  const generator = p.make();
  const t = clock();
  const r = await fit({ generator, iterations, ...base });
  const ms = clock() - t;
  if (r.iterations !== iterations) throw new Error(`${p.name}: ran ${r.iterations} of ${iterations} iterations (${r.stopReason})`);
  return ms;
}

export async function run({ report, python, args }) {
  const fixed = [...args].find((a) => a.startsWith('--fit-iterations='));
  const only = [...args].find((a) => a.startsWith('--fit='));
  const cpu = args.has('--cpu');
  if (cpu) {
    ucs.setThreads(1);
    clock = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
  }
  console.log(`\n== whole fits (engine ${ucs.getKernels().name}, ${ucs.getThreads()} thread(s); reference PyTorch, ${cpu ? 1 : 2} thread(s), same loop; ${cpu ? 'process CPU time' : 'wall time'}) ==`);
  const dir = mkdtempSync(join(tmpdir(), 'ucs-fits-'));
  try {
    const list = problems(dir).filter((p) => !only || p.name.toLowerCase().includes(only.slice(6).toLowerCase()));
    const iters = Object.fromEntries(list.map((p) => [p.name, fixed ? Number(fixed.split('=')[1]) : FIT_ITERATIONS[p.name]]));
    const torch = python('torch_fits.py', [dir, JSON.stringify(iters), ...(cpu ? ['--cpu'] : [])]);
    if (torch._torch) console.log(`(PyTorch ${torch._torch}, ${torch._threads} threads)`);
    for (const p of list) {
      const n = iters[p.name];
      const ms = await timeFit(p, n, false);
      const msSync = await timeFit(p, n, true);
      const ref = torch[p.name];
      const scale = TARGET / n;
      const label = n === TARGET ? `${p.name}, ${n} its` : `${p.name}, ${n} its x ${scale.toFixed(0)} -> ${TARGET}`;
      report(label, ms * scale, ref ? ref * scale : undefined);
      console.log(`  per iteration: fitGenerator ${(ms / n).toFixed(2)} ms, fitGeneratorSync ${(msSync / n).toFixed(2)} ms, PyTorch ${ref ? (ref / n).toFixed(2) : 'n/a'} ms (${torch['_layout ' + p.name] ?? ''})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
