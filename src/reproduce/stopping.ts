/**
 * Stopping rules read off a recorded fit: the experiments run one long fit and record the training
 * loss, the rules' statistics and the PSNR of every iterate, then ask where each rule would have
 * stopped and which iterate it keeps, so every rule is compared on the same trajectory.
 */

/**
 * The iterate the papers' `find_best` keeps (Deep Decoder, ICLR 2020, ConvDecoder code): a new
 * best only when the training loss falls below the best so far divided by 1 + hysteresis (0.5%).
 * Returns an iteration number (1-based), 0 for an empty history.
 */
export function findBestIteration(loss: ArrayLike<number>, hysteresis = 0.005): number {
  let best = Infinity;
  let at = 0;
  for (let i = 0; i < loss.length; i++) {
    if (best > (1 + hysteresis) * loss[i]!) {
      best = loss[i]!;
      at = i + 1;
    }
  }
  return at;
}

/**
 * Where a patience rule on a score (lower is better; NaN while undefined, e.g. before the variance
 * window is full) stops: after `patience` iterations without a new minimum, as fitGenerator's
 * early stopping does; `chosen` is the iterate of that minimum. A rule that never fires stops at
 * the end of the history.
 */
export function patienceStop(score: ArrayLike<number>, patience: number): { stop: number; chosen: number } {
  let best = Infinity;
  let at = 0;
  for (let i = 0; i < score.length; i++) {
    const v = score[i]!;
    if (v < best) {
      best = v;
      at = i + 1;
    } else if (at > 0 && i + 1 - at >= patience) return { stop: i + 1, chosen: at };
  }
  return { stop: score.length, chosen: at };
}

/** The iterate (1-based) of the largest value, e.g. the oracle-best PSNR. */
export function argmaxIteration(values: ArrayLike<number>): number {
  let best = -Infinity;
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! > best) {
      best = values[i]!;
      at = i + 1;
    }
  }
  return at;
}
