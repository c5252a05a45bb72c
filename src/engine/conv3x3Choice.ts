import type { ConvGeometry } from './im2col.js';

/**
 * Where the direct 3x3 convolution (native/conv3x3.c) beats the implicit GEMM, from timing both
 * on the layer shapes of ConvDecoder, DIP and the benchmarks (forward + backward with the input
 * gradient, one thread, CPU time; direct / implicit GEMM):
 *   64 -> 64 zero padding: 16x16 0.88-0.94, 32x32 0.70-0.80, 64x64 0.57-0.78, 256x256 0.78-0.79;
 *   128 -> 128 zero, 256x256: 0.85-0.86; 160 -> 160 zero: 80x46 1.00, 160x92 to 640x368 0.85-0.89;
 *   128 -> 128 reflection: 32x32 1.00-1.12, 64x64 0.94-1.02, 128x128 0.94, 256x256 (132 in) 0.96,
 *   512x512 0.86; 32 -> 32 at 64x64 0.66, 16 -> 16 at 128x128 0.41-0.45;
 *   3 -> 64 at 256x256 1.22 (too few input channels for the 8 x 32 tile), 64 -> 3: 0.27.
 * A fixed rule rather than timing at run time: a network's arithmetic, and so a seeded fit, must
 * not depend on what the machine was doing when it was built.
 */
export function direct3x3Wins(g: ConvGeometry, outChannels: number): boolean {
  const pixels = g.h * g.w;
  if (g.c < 8) return false;
  // Reflection's input gradient runs on the padded plane and folds it: a loss on small planes.
  if (g.reflect && pixels < 128 * 128) return false;
  // Wide layers on small planes: about even; keep the implicit GEMM.
  if (g.c * outChannels > 64 * 64 && pixels < 64 * 64) return false;
  return true;
}

/**
 * Where Winograd F(4x4, 3x3) (native/winograd.c) beats the direct kernel for one pass, a
 * convolution of nin -> nout channels on an h x w plane (the forward pass and the weight
 * gradient are c -> out, the input gradient out -> c). Winograd / direct, one thread, CPU time
 * (2026-11-30), zero padding, forward and input gradient:
 *   64 -> 64: 32x32 0.80, 48x48 0.41, 256x256 0.36-0.37; 128 -> 128: 32x32 0.83, 256x256 0.34;
 *   160 -> 160 at 80x46 0.36; at 256x256 16 -> 64 0.48 (input gradient 0.43), 64 -> 8 0.59,
 *   8 -> 64 0.59 (0.49);
 * weight gradient: 64 -> 64 32x32 1.07, 48x48 0.57, 256x256 0.34; 128 -> 128 32x32 1.00, 256x256
 * 0.30; 160 -> 160 80x46 0.46; 16 -> 64 0.45, 64 -> 8 0.93, 8 -> 64 0.51.
 * Reflection padding (DIP; forward / input gradient / weight gradient): 128 -> 128 32x32 0.87 /
 * 0.45 / 1.00, 64x64 0.40 / 0.42 / 0.39, 128x128 0.34 / 0.43 / 0.30, 256x256 0.36 / 0.41 / 0.29,
 * 512x512 0.30 / 0.35 / 0.28; 132 -> 128 (DIP's skip concatenation) alike; 64 -> 64 256x256 0.38 /
 * 0.56 / 0.35 (the input gradient runs on the 2-padded plane and folds its border, as the direct
 * kernel's). Where the direct kernel is not used on reflection (planes under 128x128) it was
 * even with the implicit GEMM, so Winograd beats both there.
 * Its float32 rounding is 5-10x the direct kernel's (forward and input gradient 0.4-7e-6 of the
 * largest entry against 0.3-1.3e-6; weight gradient 0.7-3.3e-6; test/winograd.test.ts), well
 * inside what a fit's gradients need.
 * On AVX2 (no direct kernel; native/winograd_avx2.c against the implicit GEMM the layers ran on
 * before, forward and both gradients, one thread, CPU time, 2026-12-01, beside two fits):
 * 64 -> 64 zero 256x256 0.32, 64x64 0.36, 40x40 0.63, 32x32 0.69, 16x16 1.6, 8x8 3.5; 128 -> 128
 * zero 256x256 0.30; reflection 128 -> 128 128x128 0.37, 64x64 0.49, 32x32 0.89, 16x16 2.3;
 * 16 -> 16 128x128 0.30; 8 -> 64 256x256 0.58, 64 -> 8 0.34; 160 -> 160 20x12 2.4. Below ~32x32
 * its fixed cost per call outweighs the products (on a 1x1 plane, forward / weight gradient:
 * 0.36 / 0.48 ms at 64 -> 64, 1.5 / 2.1 ms at 128 -> 128: the filter transforms and the
 * per-thread product sums), so the same threshold serves both ISAs, and the engine uses
 * Winograd there only where it serves all three passes (nativeKernels.ts).
 */
export function winograd3x3Wins(g: ConvGeometry, nin: number, nout: number): boolean {
  if (nin < 8 || nout < 8) return false;
  return g.h * g.w >= 40 * 40;
}
