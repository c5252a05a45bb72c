import { InvalidArgumentError } from '../../core/errors.js';

/**
 * Daubechies orthonormal low-pass filters dbN (N vanishing moments, 2N taps), computed by
 * spectral factorisation instead of a copied table: |Q|^2 = P(sin^2(w/2)) with
 * P(y) = sum_k C(N-1+k, k) y^k; the roots inside the unit circle give the minimum-phase filter.
 * Matches PyWavelets' rec_lo for dbN (db1 = Haar).
 */
export function daubechiesFilter(order: number): Float64Array {
  if (!Number.isInteger(order) || order < 1 || order > 20) {
    throw new InvalidArgumentError('daubechiesFilter', 'order', 'an integer in [1, 20]', order);
  }
  const n = order;
  // Coefficients of P(y), ascending powers.
  const p: number[] = [];
  for (let k = 0; k < n; k++) p.push(binomial(n - 1 + k, k));
  const yRoots = polynomialRoots(p);
  // Filter polynomial (x + 1)^N * prod (x - z_j), complex arithmetic, descending powers.
  let poly: [number, number][] = [[1, 0]];
  const mulLinear = (root: [number, number]) => {
    const out: [number, number][] = poly.map(() => [0, 0]);
    out.push([0, 0]);
    for (let i = 0; i < poly.length; i++) {
      out[i]![0] += poly[i]![0];
      out[i]![1] += poly[i]![1];
      // - root * poly[i] goes to degree one lower (index i + 1)
      out[i + 1]![0] -= root[0] * poly[i]![0] - root[1] * poly[i]![1];
      out[i + 1]![1] -= root[0] * poly[i]![1] + root[1] * poly[i]![0];
    }
    poly = out;
  };
  for (let k = 0; k < n; k++) mulLinear([-1, 0]);
  for (const [yr, yi] of yRoots) {
    // z^2 - (2 - 4y) z + 1 = 0; take the root inside the unit circle.
    const br = 2 - 4 * yr;
    const bi = -4 * yi;
    const [sr, si] = complexSqrt(br * br - bi * bi - 4, 2 * br * bi);
    const z1: [number, number] = [(br + sr) / 2, (bi + si) / 2];
    const z2: [number, number] = [(br - sr) / 2, (bi - si) / 2];
    mulLinear(Math.hypot(...z1) < 1 ? z1 : z2);
  }
  const h = Float64Array.from(poly, (c) => c[0]);
  const s = h.reduce((a, b) => a + b, 0);
  for (let i = 0; i < h.length; i++) h[i] = (h[i]! * Math.SQRT2) / s;
  return h;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function complexSqrt(re: number, im: number): [number, number] {
  const r = Math.hypot(re, im);
  const a = Math.sqrt((r + re) / 2);
  const b = Math.sign(im || 1) * Math.sqrt(Math.max(0, (r - re) / 2));
  return [a, b];
}

/** Roots of sum_k c[k] y^k (ascending) by Durand-Kerner iteration, polished to convergence. */
function polynomialRoots(c: number[]): [number, number][] {
  const deg = c.length - 1;
  if (deg < 1) return [];
  const lead = c[deg]!;
  const monic = c.map((v) => v / lead);
  const evalAt = (zr: number, zi: number): [number, number] => {
    let r = 1;
    let i = 0;
    for (let k = deg - 1; k >= 0; k--) {
      const nr = r * zr - i * zi + monic[k]!;
      const ni = r * zi + i * zr;
      r = nr;
      i = ni;
    }
    return [r, i];
  };
  const roots: [number, number][] = [];
  for (let k = 0; k < deg; k++) {
    const ang = (2 * Math.PI * k) / deg + 0.4;
    roots.push([0.9 * Math.cos(ang), 0.9 * Math.sin(ang)]);
  }
  for (let it = 0; it < 2000; it++) {
    let delta = 0;
    for (let k = 0; k < deg; k++) {
      const [zr, zi] = roots[k]!;
      const [nr, ni] = evalAt(zr, zi);
      let dr = 1;
      let di = 0;
      for (let j = 0; j < deg; j++) {
        if (j === k) continue;
        const ar = zr - roots[j]![0];
        const ai = zi - roots[j]![1];
        const tr = dr * ar - di * ai;
        di = dr * ai + di * ar;
        dr = tr;
      }
      const den = dr * dr + di * di;
      const qr = (nr * dr + ni * di) / den;
      const qi = (ni * dr - nr * di) / den;
      roots[k] = [zr - qr, zi - qi];
      delta = Math.max(delta, Math.hypot(qr, qi));
    }
    if (delta < 1e-15) break;
  }
  return roots;
}
