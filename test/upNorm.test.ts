import { describe, expect, it } from 'vitest';
import { NetworkBuilder, nativeKernels, portableKernels, setThreads, type Kernels } from '../src/index.js';
import { perturbedPass, relErr } from './helpers.js';

// Bilinear x2 fused with the batch norm after it (native/upnorm.c, NormUpsample/UpsampledNorm)
// against the same two layers unfused (Upsample then BatchNorm, each finite-difference checked
// in gradients.test.ts), same seed. A 1x1 conv in front makes the fused backward's input
// gradient reach a parameter gradient, and one after it makes the norm's output matter.
function run(kernels: Kernels, fused: boolean, C: number, h: number, w: number, relu: boolean) {
  const b = new NetworkBuilder(C, h, w);
  const x = b.conv(b.input, { outChannels: C, kernel: [1, 1] });
  const H = h === 1 ? 1 : 2 * h;
  const n = fused ? b.upsampleNorm(x, H, 2 * w, 'bilinear', { relu }) : b.batchNorm(b.upsample(x, H, 2 * w, 'bilinear'), { relu });
  const y = b.conv(n, { outChannels: 2, kernel: [1, 1] });
  const net = b.build(y, { seed: 11, kernels });
  return perturbedPass(net, `up ${C} ${h} ${w}`);
}

describe('bilinear x2 fused with the batch norm after it', () => {
  const native = nativeKernels();
  it.runIf(native !== null).each([
    [3, 5, 7],
    [16, 40, 30], // 76 800 upsampled values: both threads
    [8, 1, 50], // a 1D signal: horizontal doubling only
    [64, 16, 16],
  ])('%i channels of %ix%i: the same output and gradients as the unfused layers', (C, h, w) => {
    expect(native!.upNormForward).toBeDefined();
    for (const relu of [true, false]) {
      const ref = run(portableKernels, false, C, h, w, relu);
      for (const threads of [1, 2]) {
        setThreads(threads);
        const unfused = run(native!, false, C, h, w, relu);
        const got = run(native!, true, C, h, w, relu);
        // the same functions in the same order: bit for bit
        expect(Array.from(got.out), `output relu=${relu} threads=${threads}`).toEqual(Array.from(unfused.out));
        expect(Array.from(got.grad), `gradient relu=${relu} threads=${threads}`).toEqual(Array.from(unfused.grad));
        // and the portable engine within float32 sums in another order: measured output <= 2.4e-7,
        // gradients <= 3.1e-6 of their largest entry
        expect(relErr(got.out, ref.out)).toBeLessThan(2e-6);
        expect(relErr(got.grad, ref.grad)).toBeLessThan(2e-5);
      }
      setThreads(2);
    }
  });

  it('the portable kernels run the two layers as they are', () => {
    const a = run(portableKernels, true, 4, 3, 5, true);
    const b = run(portableKernels, false, 4, 3, 5, true);
    expect(Array.from(a.out)).toEqual(Array.from(b.out));
    expect(Array.from(a.grad)).toEqual(Array.from(b.grad));
  });
});
