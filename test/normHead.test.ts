import { describe, expect, it } from 'vitest';
import { NetworkBuilder, nativeKernels, portableKernels, setThreads, type Kernels } from '../src/index.js';
import { perturbedPass, relErr } from './helpers.js';

// The fused batch norm + 1x1 head convolution (native/normhead.c, HeadNorm/HeadConv) against the
// same two layers unfused (BatchNorm then Conv2d: each finite-difference checked in
// gradients.test.ts), same seed, so the same parameters. A 1x1 conv in front makes the norm's
// input gradient reach a parameter gradient.
function run(kernels: Kernels, fused: boolean, C: number, h: number, w: number, outs: number, relu: boolean) {
  const b = new NetworkBuilder(C, h, w);
  const x = b.conv(b.input, { outChannels: C, kernel: [1, 1] });
  let y;
  if (fused) y = b.normHead(x, { relu, outChannels: outs });
  else y = b.conv(b.batchNorm(x, { relu }), { outChannels: outs, kernel: [1, 1] });
  const net = b.build(y, { seed: 7, kernels });
  return perturbedPass(net, `in ${C} ${h}`);
}

describe('batch norm fused with the 1x1 head convolution', () => {
  const native = nativeKernels();
  it.runIf(native !== null).each([
    [5, 7, 9, 1],
    [16, 40, 60, 3], // 38 400 values: both threads
    [8, 33, 31, 4],
    [64, 32, 32, 1],
  ])('%i channels of %ix%i to %i: output and every parameter gradient match the unfused layers', (C, h, w, outs) => {
    expect(native!.normHeadForward).toBeDefined();
    for (const relu of [true, false]) {
      const ref = run(portableKernels, false, C, h, w, outs, relu);
      const unfused = run(native!, false, C, h, w, outs, relu);
      for (const threads of [1, 2]) {
        setThreads(threads);
        const got = run(native!, true, C, h, w, outs, relu);
        // float32 sums in another order (the head's dW from sums of dout (r - mean)): measured
        // output <= 3.3e-7, gradients <= 4.2e-7 of their largest entry; the unfused native
        // engine differs from the portable one by <= 3.2e-7
        expect(relErr(got.out, ref.out), `output relu=${relu} threads=${threads}`).toBeLessThan(2e-6);
        expect(relErr(got.grad, ref.grad), `gradient relu=${relu} threads=${threads}`).toBeLessThan(2e-6);
        expect(relErr(unfused.grad, ref.grad)).toBeLessThan(2e-6);
      }
      setThreads(2);
    }
  });

  it('the portable kernels run the two layers as they are (same output as batchNorm then conv)', () => {
    const a = run(portableKernels, true, 6, 5, 7, 2, true);
    const b = run(portableKernels, false, 6, 5, 7, 2, true);
    expect(Array.from(a.out)).toEqual(Array.from(b.out));
    expect(Array.from(a.grad)).toEqual(Array.from(b.grad));
  });
});
