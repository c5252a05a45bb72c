import type { StopRule } from './driver.js';

/**
 * The pluggable parts of a generator fit's early stopping, for the shared driver: which iterate
 * to return (the best by a score), the running variance of the outputs as a score, and the two
 * patience rules (held-out loss, output variance).
 */

/**
 * Keeps the iterate with the lowest score (held-out loss, output variance, or the training loss
 * when no rule is set) and counts the accepted iterations since it.
 */
export class BestIterate {
  score = Infinity;
  /** 1-based iteration of the best score (0: none yet). */
  iteration = 0;
  sinceBest = 0;
  readonly x: Float64Array;

  constructor(n: number) {
    this.x = new Float64Array(n);
  }

  offer(score: number, iteration: number, current: Float64Array): void {
    if (score < this.score) {
      this.score = score;
      this.iteration = iteration;
      this.sinceBest = 0;
      this.x.set(current);
    } else this.sinceBest++;
  }
}

/**
 * Mean per-entry variance of the last `window` outputs, from a ring buffer with running sums
 * (Wang et al.'s variance-based stopping for DIP): low when the fit has settled, rising again
 * when it starts to fit noise.
 */
export class OutputVariance {
  // Public for checkpoints: the window's outputs and their running sums.
  readonly ring: Float32Array;
  readonly sum: Float64Array;
  readonly sq: Float64Array;

  constructor(
    readonly window: number,
    private readonly n: number,
  ) {
    this.ring = new Float32Array(window * n);
    this.sum = new Float64Array(n);
    this.sq = new Float64Array(n);
  }

  /** Adds the output of loop step `step` (0-based); returns the variance, or NaN until the window is full. */
  push(current: Float64Array, step: number): number {
    const { n, window, ring, sum, sq } = this;
    const base = (step % window) * n;
    for (let i = 0; i < n; i++) {
      if (step >= window) {
        const old = ring[base + i]!;
        sum[i]! -= old;
        sq[i]! -= old * old;
      }
      const v = current[i]!;
      ring[base + i] = v;
      sum[i]! += v;
      sq[i]! += v * v;
    }
    if (step + 1 < window) return NaN;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const mean = sum[i]! / window;
      total += Math.max(0, sq[i]! / window - mean * mean);
    }
    return total / n;
  }
}

/** 'early-stopped' after `patience` accepted iterations without a better held-out loss. */
export function heldOutPatience(best: BestIterate, patience: number): StopRule {
  return { name: `held-out patience ${patience}`, check: () => (best.sinceBest >= patience ? 'early-stopped' : null) };
}

/** 'early-stopped' once the variance window is full and `patience` iterations passed without a new minimum. */
export function variancePatience(best: BestIterate, window: number, patience: number): StopRule {
  return { name: `variance patience ${patience}`, check: (s) => (s.iteration >= window && best.sinceBest >= patience ? 'early-stopped' : null) };
}

/** Welford's running mean and M2 of the SGLD samples (the posterior mean and per-entry variance). */
export class SampleAccumulator {
  samples = 0;
  readonly mean: Float64Array;
  /** Sum of squared deviations from the mean (Welford); public for checkpoints. */
  readonly m2: Float64Array;

  constructor(n: number) {
    this.mean = new Float64Array(n);
    this.m2 = new Float64Array(n);
  }

  add(x: Float64Array): void {
    this.samples++;
    const { mean, m2 } = this;
    for (let i = 0; i < mean.length; i++) {
      const d = x[i]! - mean[i]!;
      mean[i]! += d / this.samples;
      m2[i]! += d * (x[i]! - mean[i]!);
    }
  }

  variance(): Float64Array {
    return this.m2.map((v) => v / this.samples);
  }
}
