import { ssim } from '../metrics/ssim.js';

/**
 * The ConvDecoder paper's MRI score (MLI-lab/ConvDecoder, `scores`): the ground-truth magnitude is
 * first renormalised to the reconstruction's mean and standard deviation, then PSNR and SSIM use
 * the renormalised truth's maximum as data range. This makes the score blind to a global gain and
 * offset of the reconstruction (the networks' output scale is arbitrary), so ours is read the same
 * way for every method. SSIM is our Gaussian-window SSIM, not skimage's 7x7 box.
 */
function renormalisedTruth(rec: ArrayLike<number>, truth: ArrayLike<number>): { gt: Float64Array; peak: number; flat: boolean } {
  const n = truth.length;
  const stats = (v: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i]!;
    const m = s / n;
    let q = 0;
    for (let i = 0; i < n; i++) q += (v[i]! - m) ** 2;
    return { mean: m, std: Math.sqrt(q / n) };
  };
  const t = stats(truth);
  const r = stats(rec);
  const gt = new Float64Array(n);
  let peak = -Infinity;
  for (let i = 0; i < n; i++) {
    gt[i] = ((truth[i]! - t.mean) / t.std) * r.std + r.mean;
    peak = Math.max(peak, gt[i]!);
  }
  // (a constant image has a rounding-level std, not exactly 0)
  return { gt, peak, flat: !(r.std > 1e-12 * Math.abs(r.mean)) };
}

/** PSNR of a magnitude image against the renormalised truth (NaN for a constant image, which the renormalisation would score as perfect). */
export function mriPsnr(rec: ArrayLike<number>, truth: ArrayLike<number>): number {
  const { gt, peak, flat } = renormalisedTruth(rec, truth);
  if (flat) return NaN;
  let se = 0;
  for (let i = 0; i < gt.length; i++) se += (gt[i]! - rec[i]!) ** 2;
  return 10 * Math.log10((peak * peak) / (se / gt.length));
}

export function mriScores(rec: Float64Array, truth: Float64Array, shape: [number, number]): { psnr: number; ssim: number } {
  const { gt, peak } = renormalisedTruth(rec, truth);
  return { psnr: mriPsnr(rec, truth), ssim: ssim(rec, gt, { shape, dataRange: peak }) };
}
