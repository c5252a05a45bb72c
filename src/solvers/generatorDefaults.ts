import type { SgldOptions } from './fitGenerator.js';

export type GeneratorKind = 'deep-decoder' | 'conv-decoder' | 'deep-image-prior' | 'two-layer';

/** The problem a generator is fitted to, as far as the defaults care. */
export interface FitProblem {
  /** Signal shape without channels or the complex axis: [n] or [h, w]. */
  shape: readonly number[];
  /** Real measurements (complex pairs count twice). */
  m: number;
  complex: boolean;
  /** 'sgld' samples the prior instead of fitting it. */
  method?: GeneratorKind | 'sgld';
  /** Iterations the caller asked for (SGLD's burn-in and thinning scale with them). */
  iterations?: number;
  /**
   * Whether a stopping rule (early stopping, or a loss tolerance that ends the fit at an
   * interpolant) decides the result: then the raw outputs are kept, not averaged.
   */
  stoppingRule?: boolean;
}

/**
 * Fits of at least this many iterations average their outputs by default: the exponential average
 * (weight 0.99) forgets its start by then (0.99^1000 = 4e-5); a shorter fit keeps the raw iterate.
 */
export const AVERAGING_MIN_ITERATIONS = 1000;

/** Architecture, iterations, learning rate and fitting extras that `reconstruct` uses unless told otherwise. */
export interface FitDefaults {
  generator: Record<string, unknown>;
  iterations: number;
  learningRate: number;
  inputJitter?: number;
  outputAveraging?: number;
  sgld?: SgldOptions;
  /** The TV penalty on the output, relative to the signal's level (reconstruct's `tvPenalty`). */
  tvPenalty?: number;
}

/**
 * Per-method defaults, set by the reproduction of the papers (reproduction/REPRODUCTION.md), not
 * tuned on one image:
 * - Deep Decoder: the paper's network (6 blocks, k = 128 channels) for images of 64x64 and more;
 *   narrower for small signals (deepDecoderWidth), which fit as well and many times faster;
 *   fitted to convergence, fewer blocks when m is large (deepDecoderDepth).
 *   Over-parameterised networks did not hurt: at 64x64, 10% and 25% Gaussian measurements,
 *   k = 64 lost 0.4 dB to k = 128 and k = 256 gained a median 0.3 dB (six images, no verdict
 *   against TV changed; k = 512 nothing more), not worth two to four times the compute; on 1D
 *   signals of 128 and 1000 samples k = 16 to 128 all recovered them. Adam lr 0.01 (0.005 and
 *   0.02: within 0.45 dB, no consistent order, four images x two seeds at 10%). Iterations grow
 *   with the image (convergenceBudget): 3000 up to 64x64, where the PSNR of a fit to noiseless
 *   random measurements settles within the first thousand; 8000 at 128x128. Fitted to
 *   convergence (no stopping rule or loss tolerance), the output is the exponential average of
 *   the iterates (weight 0.99): at 10% and 25% Gaussian measurements of 11 images at 64x64 it gained 0.03 to
 *   0.28 dB on 22 of 22 fits (median 0.13), for nothing (a longer memory, 0.998 or the mean of the
 *   last 500-1500 iterates, gained a median 0.05-0.07 dB more); driving the loss to 1e-10 instead
 *   (learning rate x0.65 every 500 iterations) lost 0.25-0.42 dB on 6 of 6.
 *   Fitted to convergence on a real image from fewer measurements than pixels, a TV penalty on
 *   the output (compressiveTvPenalty): +0.06 to +2.42 dB on 22 of 22 64x64 Gaussian CS fits,
 *   a median +1.06 / +0.51 dB at 128x128 (10% / 25%), where it lost 0.58 / 1.16 dB on House.
 * - ConvDecoder: 64 channels, 6 layers, nearest upsampling, lr 0.01, 3000 iterations (k-space:
 *   convergenceBudget, 20000 at 128x128).
 * - Deep Image Prior: the paper's hourglass with the Bayesian-DIP recipe that needs no stopping
 *   rule (input noise 1/30, exponential output averaging 0.99), 1800 iterations (Cheng et al.).
 * - SGLD: Cheng et al.'s chain: 20000 iterations, weight noise 2 lr on convolutions, burn-in
 *   7000, every 50th sample, input noise 1/30.
 * - Two-layer generator: 2000 iterations, lr 0.01.
 * Whether the output ends in a sigmoid is decided from the data (outputRange.ts).
 */
export function generatorDefaults(kind: GeneratorKind, p: FitProblem): FitDefaults {
  if (p.method === 'sgld') {
    // Burn-in and thinning scale with the chain: 7000 and 50 at 20000 iterations.
    const iterations = p.iterations ?? 20000;
    const sgld = { noiseScale: 2, burnIn: Math.round(0.35 * iterations), thinning: Math.max(1, Math.round(iterations / 400)) };
    const generator = kind === 'deep-image-prior' ? dipScales(p.shape) : {};
    return { generator, iterations, learningRate: 0.01, inputJitter: 1 / 30, sgld };
  }
  switch (kind) {
    case 'deep-decoder': {
      // A stopping rule ends the fit early, so the budget is only a cap: the budget of small images.
      const iterations = p.stoppingRule ? 3000 : convergenceBudget(p.shape, p.complex);
      const averaged = !p.stoppingRule && (p.iterations ?? iterations) >= AVERAGING_MIN_ITERATIONS;
      // Fitted to convergence, the architecture alone regularises: its depth follows m (a complex
      // sample, two real measurements, counts once). A stopping rule (denoising) keeps 6 blocks.
      const depth = p.stoppingRule ? 6 : deepDecoderDepth(p.shape, p.complex ? p.m / 2 : p.m);
      const tvPenalty = compressiveTvPenalty(p);
      const extras = { ...(averaged ? { outputAveraging: 0.99 } : {}), ...(tvPenalty ? { tvPenalty } : {}) };
      return { generator: { channels: deepDecoderWidth(p.shape), depth }, iterations, learningRate: 0.01, ...extras };
    }
    case 'conv-decoder':
      // k-space (complex) fits to convergence take the long budget; real ones keep 3000 (convergenceBudget).
      return { generator: {}, iterations: p.complex && !p.stoppingRule ? convergenceBudget(p.shape, true) : 3000, learningRate: 0.01 };
    case 'deep-image-prior':
      return { generator: dipScales(p.shape), iterations: 1800, learningRate: 0.01, inputJitter: 1 / 30, outputAveraging: 0.99 };
    case 'two-layer':
      return { generator: {}, iterations: 2000, learningRate: 0.01 };
  }
}

/**
 * The Deep Decoder's default TV penalty (reconstruct's `tvPenalty`, relative to the signal's level):
 * 0.015 n / m for a real image fitted to convergence from fewer measurements than pixels, none
 * otherwise (1D signals, complex images, a stopping rule, m >= n: denoising, deblurring). Fitted to
 * convergence on noiseless compressive measurements the network leaves the operator's null space to
 * its architecture; the penalty picks the output of least variation there. The rule was chosen on
 * six 64x64 images with Gaussian measurements (0.06 at 25% and 0.12-0.15 at 10% did best among
 * 0.03-0.12; as c in ||A x - y||^2 + c rms TV(x) the best c falls about as 1 / m) and checked on
 * the grid's other images and sizes (reproduction/checks/cs-tv-penalty.ts; REPRODUCTION.md,
 * cs-images, "What closes the gap").
 */
export function compressiveTvPenalty(p: FitProblem): number | undefined {
  const n = p.shape.reduce((a, b) => a * b, 1);
  if (p.stoppingRule || p.complex || p.shape.length !== 2 || !(p.m < n)) return undefined;
  return (0.015 * n) / p.m;
}

/**
 * Iterations of a generator fitted to convergence (no stopping rule): the budget grows with the
 * image, 3000 up to 64x64, then 3000 (n / 4096)^0.7 rounded to 500 (8000 at 128x128), at most the
 * ConvDecoder paper's 20000 (reached at 256x256). A complex image (the k-space problems measured)
 * counts four times its pixels (20000 at 128x128). The Deep Decoder uses it for every fit to
 * convergence, the ConvDecoder for complex ones only. The rule passes through what was measured
 * (reproduce cs-images and mri), nothing is fitted to it:
 * - 64x64 Gaussian CS: the Deep Decoder's PSNR settles within ~750 iterations; 8000 gained nothing.
 * - 128x128 Gaussian CS: 8000 instead of 3000 gained a median +0.49 dB at 25% (six images,
 *   -0.11 to +2.71; the training loss still falling at 3000, Peppers 3.8e-3, 1.5e-3 at 8000) and
 *   was a wash at 10% (six images, median -0.04, -0.19 to +0.62): it costs 2.7x the time and
 *   hurts nowhere by more than the 0.2-0.4 dB rounding-order spread of such fits.
 * - 128x128 multi-coil MRI (8 coils, 4x, complex images): 20000 instead of 3000, read by the least
 *   training loss, gained 1.5-9.7 dB for the Deep Decoder and 1.5-4.5 dB for the ConvDecoder on 5
 *   of 5 images, and the PSNR still rose between 10000 and 20000 on most. The networks fit an
 *   image's fine scales last, and these problems ask for them.
 * - 256x256 structured random CS (six fits): at 10% 20000 read 0.11-0.46 dB below the same fits
 *   at 3000 (House 31.38 against 31.49, Cameraman 24.34 against 24.48, Peppers 21.95 against
 *   22.40: a wash or a small loss, as at 128x128 and 10%, and no verdict changes with it); at 25%
 *   Cameraman gained 0.36 dB (28.98 against 28.62) and House 0.98 dB (35.29 against 34.32, the
 *   difference between losing and beating TV), as the 128x128 fits at 25% did; Peppers, which
 *   stalls near 24.9 dB from iteration 2000, lost 0.25 dB (24.68 against 24.93).
 * Untested: real images above 128x128 at 50%,
 * complex images below 128x128, the ConvDecoder on real data above 64x64, masks.
 */
export function convergenceBudget(shape: readonly number[], complex: boolean): number {
  const n = shape.reduce((a, b) => a * b, 1) * (complex ? 4 : 1);
  if (n <= 4096) return 3000;
  return Math.min(20000, Math.round((3000 * (n / 4096) ** 0.7) / 500) * 500);
}

/**
 * The DIP hourglass of the paper (128 channels, 4-channel skips) with 5 scales, or fewer for small
 * images: the deepest scale keeps at least 4 pixels a side (reflection padding needs 2).
 */
export function dipScales(shape: readonly number[], channels = 128): Record<string, unknown> {
  const side = Math.min(...shape);
  const scales = Math.max(1, Math.min(5, Math.floor(Math.log2(side)) - 2));
  return { channelsDown: Array<number>(scales).fill(channels), channelsSkip: Array<number>(scales).fill(4) };
}

/**
 * Deep Decoder width for a signal of n samples: 2 sqrt(n) rounded to a power of two, in [16, 128].
 * The cap is not what limits large images: fitted to the 256x256 Peppers itself (every pixel
 * observed, 3000 iterations) k = 128 reaches 26.75 dB and k = 256, four times the weights and
 * the cost, 27.03; the architecture's smoothness, not its size, is what falls short there.
 */
export function deepDecoderWidth(shape: readonly number[]): number {
  const n = shape.reduce((a, b) => a * b, 1);
  return Math.min(128, Math.max(16, 2 ** Math.round(Math.log2(2 * Math.sqrt(n)))));
}

/**
 * Deep Decoder depth for m measurements, fitted to convergence: the paper's 6 blocks, fewer when
 * many measurements can pin down a finer input grid, which the 2x2 input of 6 blocks on a 64x64
 * image cannot represent. The input grid (the signal's side / 2^(depth-1) per axis) is the finest
 * with at most m / 100 points, in 4 to 6 blocks. Measured in cs-images at 64x64 with Gaussian
 * measurements (single fits; seed-to-seed spread 0.4-0.7 dB): at 50% (training loss stuck at
 * ~1e-3 with 6 blocks) 5 blocks gained 0.8-2.8 dB and 4 blocks 0.6-3.3 dB on House, Man and Boat;
 * at 25% 4 blocks lost on 8 of 11 images (median -0.19 dB) and at 10% 5 blocks gained a median
 * 0.18 dB (-0.40 to +0.93, within the seed spread), so both keep 6 (m / 100 gives 5 blocks from
 * 40% on 64x64). 1D signals of 1000 samples, and any problem with m >= n (denoising), keep 6.
 * Chosen on Gaussian operators; on the structured random grid 5 blocks at 50% gained a median
 * 0.7 dB (11 images). Masks (inpainting) follow the rule untested.
 */
export function deepDecoderDepth(shape: readonly number[], m: number): number {
  // Not undersampled (denoising a full image): the paper's network.
  if (m >= shape.reduce((a, b) => a * b, 1)) return 6;
  for (let depth = 4; depth < 6; depth++) {
    const points = shape.reduce((a, side) => a * Math.ceil(side / 2 ** (depth - 1)), 1);
    if (points <= m / 100) return depth;
  }
  return 6;
}
