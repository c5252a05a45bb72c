import { afterEach, describe, expect, it } from 'vitest';
import { fitGeneratorSync, deepImagePrior, deepDecoder, mask, bernoulliMask, identity, nativeKernels, simdKernels, simdAvailable, setKernels, setThreads, getThreads, Rng, type Generator, type Kernels } from '../src/index.js';

// A fit takes the same steps to the bit on one engine thread and on two, so a run resumed with
// another thread count, or a sweep split over other workers, gives the same bits. Native:
// native/pool.c run_slices sums every reduction in fixed slices in a fixed order. WebAssembly:
// only the GEMM is split, by output rows or columns, so every sum stays on one thread.
const engines: [string, Kernels | null][] = [
  ['native', nativeKernels()],
  ['WebAssembly', simdAvailable() ? simdKernels : null],
];

/** x and the loss of every step of a few-step fit on `threads` engine threads. */
function fit(
  kernels: Kernels,
  threads: number,
  make: () => Generator,
  operator: ReturnType<typeof identity>,
  y: Float64Array,
  iterations: number,
): { x: Float64Array; loss: number[] } {
  setThreads(threads);
  setKernels(kernels);
  try {
    const r = fitGeneratorSync({ generator: make(), operator, measurements: y, iterations, learningRate: 0.01 });
    return { x: r.x, loss: Array.from(r.history.loss) };
  } finally {
    setKernels(null);
  }
}

describe.each(engines)('%s fits give the same bits on one engine thread and two', (_name, kernels) => {
  const before = getThreads();
  afterEach(() => setThreads(before));

  /** Runs 1, 2, 2 threads and expects every x and loss curve bit-identical to the first. */
  function expectSameBits(make: () => Generator, operator: ReturnType<typeof identity>, y: Float64Array, iterations: number): void {
    const runs = [1, 2, 2].map((t) => fit(kernels!, t, make, operator, y, iterations));
    for (let r = 1; r < runs.length; r++) {
      const a = runs[0]!;
      const b = runs[r]!;
      let differ = 0;
      for (let i = 0; i < a.x.length; i++) if (!Object.is(a.x[i], b.x[i])) differ++;
      expect(differ, `run ${r} (2 threads): entries of x that differ from 1 thread`).toBe(0);
      expect(b.loss, `run ${r} (2 threads): loss curve`).toEqual(a.loss);
    }
  }

  it.runIf(kernels !== null)('DIP inpainting, 3 x 64 x 64, 6 steps', () => {
    const [h, w] = [64, 64];
    const rng = new Rng(1);
    const image = Float64Array.from({ length: 3 * h * w }, (_, i) => 0.5 + 0.3 * Math.sin(i / 37) + 0.05 * rng.gaussian());
    const A = mask({ mask: bernoulliMask({ shape: [h, w], keep: 0.5, seed: 2 }), shape: [3, h, w] });
    const y = Float64Array.from(A.forward(image));
    const channels = [32, 32, 32, 32];
    const make = () => deepImagePrior({ outShape: [3, h, w], inputChannels: 16, channelsDown: channels, channelsUp: channels, channelsSkip: [4, 4, 4, 4], seed: 3 });
    expectSameBits(make, A, y, 6);
  });

  it.runIf(kernels !== null)('Deep Decoder denoising, 64 x 64, 6 steps', () => {
    const [h, w] = [64, 64];
    const rng = new Rng(4);
    const y = Float64Array.from({ length: h * w }, (_, i) => 0.5 + 0.3 * Math.cos(i / 23) + 0.05 * rng.gaussian());
    const make = () => deepDecoder({ outShape: [h, w], channels: 48, depth: 4, seed: 5 });
    expectSameBits(make, identity({ shape: [h, w] }), y, 6);
  });
});
