import type { FloatArray } from '../core/vector.js';

/**
 * Adam exactly as torch.optim.Adam (no weight decay, no amsgrad), in place on a flat float32
 * parameter vector. Moments live in their own buffers, allocated once.
 */
export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(size: number, options: { learningRate: number; beta1?: number; beta2?: number; eps?: number }) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  get steps(): number {
    return this.t;
  }

  step(params: FloatArray, grad: FloatArray, learningRate = this.learningRate): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps, m, v } = this;
    const bc1 = 1 - b1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    const stepSize = learningRate / bc1;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      const mi = b1 * m[i]! + (1 - b1) * g;
      const vi = b2 * v[i]! + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i]! -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }

  /** Snapshot/restore of the moments, for backtracking. */
  state(): { m: Float64Array; v: Float64Array; t: number } {
    return { m: this.m.slice(), v: this.v.slice(), t: this.t };
  }

  restore(s: { m: Float64Array; v: Float64Array; t: number }): void {
    this.m.set(s.m);
    this.v.set(s.v);
    this.t = s.t;
  }
}

/** Plain gradient descent, same interface. */
export class Sgd {
  readonly learningRate: number;
  readonly momentum: number;
  private readonly buf: Float64Array;

  constructor(size: number, options: { learningRate: number; momentum?: number }) {
    this.learningRate = options.learningRate;
    this.momentum = options.momentum ?? 0;
    this.buf = new Float64Array(size);
  }

  step(params: FloatArray, grad: FloatArray, learningRate = this.learningRate): void {
    const mu = this.momentum;
    for (let i = 0; i < params.length; i++) {
      const b = mu * this.buf[i]! + grad[i]!;
      this.buf[i] = b;
      params[i]! -= learningRate * b;
    }
  }

  /** Snapshot/restore of the momentum buffer (checkpoints). */
  state(): { m: Float64Array; v: Float64Array; t: number } {
    return { m: this.buf.slice(), v: new Float64Array(0), t: 0 };
  }

  restore(s: { m: Float64Array; v: Float64Array; t: number }): void {
    this.buf.set(s.m);
  }
}
