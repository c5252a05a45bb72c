import type { FloatArray } from '../core/vector.js';

/** Geometry of a convolution's input and output for im2col: "same" padding of (k-1)/2. */
export interface ConvGeometry {
  /** Input channels and plane size. */
  c: number;
  h: number;
  w: number;
  /** Odd kernel sizes. */
  kh: number;
  kw: number;
  stride: number;
  /** Reflection padding (else zero padding). */
  reflect: boolean;
  /** Output width. */
  wo: number;
}

/** Source index along one axis with padding; -1 for a zero pad. */
function source(i: number, n: number, reflect: boolean): number {
  if (i >= 0 && i < n) return i;
  if (!reflect) return -1;
  return i < 0 ? -i : 2 * (n - 1) - i;
}

/**
 * Output columns [lo, hi) whose source column ox + dx - pw lies inside the input (stride 1):
 * the interior of each im2col row is one contiguous copy; only the borders need padding.
 */
function interior(g: ConvGeometry, dx: number): [number, number] {
  const pw = (g.kw - 1) / 2;
  const lo = Math.max(0, pw - dx);
  const hi = Math.min(g.wo, g.w - dx + pw);
  return [lo, Math.max(lo, hi)];
}

/** cols[(ci*kh + dy)*kw + dx][r*wo + x] = padded input at output rows [row0, row0 + rows). */
export function im2colPortable(f: FloatArray, g: ConvGeometry, x: number, cols: number, row0: number, rows: number): void {
  const { kh, kw, stride, wo, reflect } = g;
  const ph = (kh - 1) / 2;
  const pw = (kw - 1) / 2;
  const n = rows * wo;
  const plane = g.h * g.w;
  let r = cols;
  for (let ci = 0; ci < g.c; ci++) {
    const base = x + ci * plane;
    for (let dy = 0; dy < kh; dy++) {
      for (let dx = 0; dx < kw; dx++) {
        const [lo, hi] = stride === 1 ? interior(g, dx) : [0, 0];
        for (let oy = 0; oy < rows; oy++) {
          const sy = source((row0 + oy) * stride + dy - ph, g.h, reflect);
          const dst = r + oy * wo;
          if (sy < 0) {
            f.fill(0, dst, dst + wo);
            continue;
          }
          const srcRow = base + sy * g.w;
          if (stride === 1) {
            f.copyWithin(dst + lo, srcRow + lo + dx - pw, srcRow + hi + dx - pw);
            for (let ox = 0; ox < lo; ox++) {
              const sx = source(ox + dx - pw, g.w, reflect);
              f[dst + ox] = sx < 0 ? 0 : f[srcRow + sx]!;
            }
            for (let ox = hi; ox < wo; ox++) {
              const sx = source(ox + dx - pw, g.w, reflect);
              f[dst + ox] = sx < 0 ? 0 : f[srcRow + sx]!;
            }
            continue;
          }
          for (let ox = 0; ox < wo; ox++) {
            const sx = source(ox * stride + dx - pw, g.w, reflect);
            f[dst + ox] = sx < 0 ? 0 : f[srcRow + sx]!;
          }
        }
        r += n;
      }
    }
  }
}

/** Adds cols back into the input gradient at dx (the adjoint of im2colPortable). */
export function col2imPortable(f: FloatArray, g: ConvGeometry, cols: number, dxOff: number, row0: number, rows: number): void {
  const { kh, kw, stride, wo, reflect } = g;
  const ph = (kh - 1) / 2;
  const pw = (kw - 1) / 2;
  const n = rows * wo;
  const plane = g.h * g.w;
  let r = cols;
  for (let ci = 0; ci < g.c; ci++) {
    const base = dxOff + ci * plane;
    for (let dy = 0; dy < kh; dy++) {
      for (let dx = 0; dx < kw; dx++) {
        const [lo, hi] = stride === 1 ? interior(g, dx) : [0, 0];
        for (let oy = 0; oy < rows; oy++) {
          const sy = source((row0 + oy) * stride + dy - ph, g.h, reflect);
          if (sy < 0) continue;
          const src = r + oy * wo;
          const dstRow = base + sy * g.w;
          if (stride === 1) {
            const shift = dstRow + dx - pw;
            for (let ox = lo; ox < hi; ox++) f[shift + ox]! += f[src + ox]!;
            for (let ox = 0; ox < lo; ox++) {
              const sx = source(ox + dx - pw, g.w, reflect);
              if (sx >= 0) f[dstRow + sx]! += f[src + ox]!;
            }
            for (let ox = hi; ox < wo; ox++) {
              const sx = source(ox + dx - pw, g.w, reflect);
              if (sx >= 0) f[dstRow + sx]! += f[src + ox]!;
            }
            continue;
          }
          for (let ox = 0; ox < wo; ox++) {
            const sx = source(ox * stride + dx - pw, g.w, reflect);
            if (sx >= 0) f[dstRow + sx]! += f[src + ox]!;
          }
        }
        r += n;
      }
    }
  }
}
