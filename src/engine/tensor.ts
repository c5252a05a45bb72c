/**
 * One block of engine storage (a tensor's values, its gradient, a parameter, a layer's saved
 * state). Layers hold slots and hand them to the engine; only the engine touches what is in
 * them. The arena engines place a slot at an offset of their arena (assigned when the network
 * is laid out, -1 before); a device engine keys its device tensors by the slot.
 */
export class Slot {
  offset = -1;

  /** `dims`: [c, h, w] for a network tensor (a device engine may store it in its own layout); none for flat vectors. */
  constructor(
    readonly size: number,
    readonly dims: readonly [number, number, number] | null = null,
  ) {}
}

/**
 * A CHW float32 tensor of a network: its shape, the slot of its values and, when a gradient
 * flows into it, the slot of that gradient. A 1D signal is a tensor with h = 1.
 */
export class Tensor {
  readonly value: Slot;
  /** Null when no gradient flows into this tensor (the network input). */
  readonly grad: Slot | null;

  constructor(
    readonly c: number,
    readonly h: number,
    readonly w: number,
    readonly requiresGrad: boolean,
  ) {
    this.value = new Slot(c * h * w, [c, h, w]);
    this.grad = requiresGrad ? new Slot(c * h * w, [c, h, w]) : null;
  }

  get plane(): number {
    return this.h * this.w;
  }

  get size(): number {
    return this.c * this.h * this.w;
  }
}

export type ParamKind = 'weight' | 'bias' | 'scale' | 'shift';

/** One trainable parameter block of a layer: its place in the flat parameter vector and its slots. */
export interface Param {
  readonly size: number;
  readonly kind: ParamKind;
  /** Index into the flat parameter vector (and its gradient), set when the network is built. */
  index: number;
  readonly value: Slot;
  readonly grad: Slot;
}

export function param(size: number, kind: ParamKind): Param {
  return { size, kind, index: -1, value: new Slot(size), grad: new Slot(size) };
}
