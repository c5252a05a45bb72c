import { Rng } from '../src/core/rng.js';
import type { Network } from '../src/priors/network.js';

export function randn(n: number, seed: number | string = 1): Float64Array {
  return new Rng(seed).gaussianArray(n);
}

/** Naive O(n^2) DFT (orthonormal) used as the oracle for the FFT. */
export function naiveDft(x: Float64Array, inverse = false): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a);
      const s = Math.sin(a);
      re += x[2 * j]! * c - x[2 * j + 1]! * s;
      im += x[2 * j]! * s + x[2 * j + 1]! * c;
    }
    out[2 * k] = re / Math.sqrt(n);
    out[2 * k + 1] = im / Math.sqrt(n);
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Float64 3x3 "same" convolution (zero or reflection padding), its input and weight gradients (and each weight gradient's sum of |terms|). */
export function conv3x3Reference(cin: number, cout: number, h: number, w: number, reflect: boolean, x: Float32Array, wt: Float32Array, b: Float32Array, dy: Float32Array) {
  const src = (i: number, n: number) => (i >= 0 && i < n ? i : !reflect ? -1 : i < 0 ? -i : 2 * (n - 1) - i);
  const y = new Float64Array(cout * h * w);
  const dx = new Float64Array(cin * h * w);
  const dw = new Float64Array(cout * cin * 9);
  const dwAbs = new Float64Array(cout * cin * 9);
  const db = new Float64Array(cout);
  for (let i = 0; i < cout * h * w; i++) db[Math.floor(i / (h * w))]! += dy[i]!;
  for (let o = 0; o < cout; o++) y.fill(b[o]!, o * h * w, (o + 1) * h * w);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let kh = 0; kh < 3; kh++)
        for (let kw = 0; kw < 3; kw++) {
          const wi = ((o * cin + i) * 3 + kh) * 3 + kw;
          const wv = wt[wi]!;
          for (let r = 0; r < h; r++) {
            const sr = src(r + kh - 1, h);
            if (sr < 0) continue;
            for (let c = 0; c < w; c++) {
              const sc = src(c + kw - 1, w);
              if (sc < 0) continue;
              y[(o * h + r) * w + c]! += wv * x[(i * h + sr) * w + sc]!;
              const d = dy[(o * h + r) * w + c]!;
              dx[(i * h + sr) * w + sc]! += wv * d;
              dw[wi]! += d * x[(i * h + sr) * w + sc]!;
              dwAbs[wi]! += Math.abs(d * x[(i * h + sr) * w + sc]!);
            }
          }
        }
  return { y, dx, dw, dwAbs, db };
}

/** max |a - b| / max |scale| (scale: b itself unless given). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, scale: ArrayLike<number> = b): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(scale[i]!));
  }
  return d / s;
}

/**
 * One forward and backward pass of a built network with its inputs drawn from U(-1, 1) and its
 * parameters moved off their initial values (norm scales 1, shifts 0), so every term of the
 * gradient shows; seeded by `label`, so a fused and an unfused network see the same numbers.
 */
export function perturbedPass(net: Network, label: string): { out: Float32Array; grad: Float32Array } {
  const rng = new Rng(label);
  for (let i = 0; i < net.inputValues.length; i++) net.inputValues[i] = rng.uniformIn(-1, 1);
  const p = net.params;
  for (let i = 0; i < p.length; i++) p[i] = p[i]! + 0.3 * rng.uniformIn(-1, 1);
  const out = Float32Array.from(net.forward());
  const g = new Float32Array(out.length).map((_, i) => Math.sin(0.37 * i + 1));
  return { out, grad: Float32Array.from(net.backward(g)) };
}
