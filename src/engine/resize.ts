import type { FloatArray } from '../core/vector.js';

/**
 * Separable resampling of [c, h, w] planes to [c, H, W]: output (oy, ox) blends input rows
 * yi0/yi1 with weights yw0/yw1 and columns xi0/xi1 with xw0/xw1 (nearest: weight 1 on i0).
 */
export interface ResizeMap {
  yi0: Int32Array;
  yi1: Int32Array;
  yw0: Float64Array;
  yw1: Float64Array;
  xi0: Int32Array;
  xi1: Int32Array;
  xw0: Float64Array;
  xw1: Float64Array;
  /** Every weight is 1 on i0: a gather (and a scatter-add backward). */
  nearest: boolean;
}

export interface ResizeShape {
  c: number;
  h: number;
  w: number;
  H: number;
  W: number;
}

export function resizePortable(f: FloatArray, m: ResizeMap, s: ResizeShape, x: number, y: number): void {
  for (let c = 0; c < s.c; c++) {
    const src = x + c * s.h * s.w;
    const dst = y + c * s.H * s.W;
    for (let oy = 0; oy < s.H; oy++) {
      const r0 = src + m.yi0[oy]! * s.w;
      const r1 = src + m.yi1[oy]! * s.w;
      const a0 = m.yw0[oy]!;
      const a1 = m.yw1[oy]!;
      const out = dst + oy * s.W;
      for (let ox = 0; ox < s.W; ox++) {
        const c0 = m.xi0[ox]!;
        const c1 = m.xi1[ox]!;
        const b0 = m.xw0[ox]!;
        const b1 = m.xw1[ox]!;
        f[out + ox] = a0 * (b0 * f[r0 + c0]! + b1 * f[r0 + c1]!) + a1 * (b0 * f[r1 + c0]! + b1 * f[r1 + c1]!);
      }
    }
  }
}

/** Adjoint of resizePortable: adds (or writes, without accumulate) into dx. */
export function resizeBackwardPortable(f: FloatArray, m: ResizeMap, s: ResizeShape, dy: number, dx: number, accumulate: boolean): void {
  if (!accumulate) f.fill(0, dx, dx + s.c * s.h * s.w);
  for (let c = 0; c < s.c; c++) {
    const gx = dx + c * s.h * s.w;
    const gy = dy + c * s.H * s.W;
    for (let oy = 0; oy < s.H; oy++) {
      const r0 = gx + m.yi0[oy]! * s.w;
      const r1 = gx + m.yi1[oy]! * s.w;
      const a0 = m.yw0[oy]!;
      const a1 = m.yw1[oy]!;
      const g = gy + oy * s.W;
      for (let ox = 0; ox < s.W; ox++) {
        const v = f[g + ox]!;
        const c0 = m.xi0[ox]!;
        const c1 = m.xi1[ox]!;
        const b0 = m.xw0[ox]! * v;
        const b1 = m.xw1[ox]! * v;
        f[r0 + c0]! += a0 * b0;
        f[r0 + c1]! += a0 * b1;
        f[r1 + c0]! += a1 * b0;
        f[r1 + c1]! += a1 * b1;
      }
    }
  }
}
