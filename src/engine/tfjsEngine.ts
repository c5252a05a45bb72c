import type * as TfModule from '@tensorflow/tfjs';
import type { FloatArray } from '../core/vector.js';
import type { ConcatPart, ConvSpec, Engine, EngineOptimizer, NormSpec, OptimizerOptions, PointwiseKind, ResizeSpec, SeparableSpec, TapMap } from './engine.js';
import type { Slot } from './tensor.js';

/** The TensorFlow.js API this engine uses (any of @tensorflow/tfjs, tfjs-node, tfjs-node-gpu). */
export type Tf = typeof TfModule;
type T = TfModule.Tensor;

/** The tfjs backend in use ('cpu', 'tensorflow', 'webgl', 'wasm', ...), initialising the best registered one if none is yet. */
export function tfBackendName(tf: Tf): string {
  if (!tf.getBackend()) tf.backend();
  return tf.getBackend() ?? 'none';
}

/** Constant tensors of one resampling: indices and weights along each axis. */
interface ResizeConsts {
  yi0: TfModule.Tensor1D;
  yi1: TfModule.Tensor1D;
  yw0: T;
  yw1: T;
  xi0: TfModule.Tensor1D;
  xi1: TfModule.Tensor1D;
  xw0: T;
  xw1: T;
}

/**
 * The engine on TensorFlow.js: every slot is a tensor on the registered tfjs backend (CUDA with
 * tfjs-node-gpu), network tensors as [1, h, w, c] (NHWC, what tfjs's convolutions take; the
 * layout changes only in `write` and `read`), parameters and state as flat vectors, each
 * convolution weight rearranged to [kh, kw, in, out] per call (weights are small next to
 * activations). Parameters, activations, gradients and Adam's moments stay on the device; the
 * measurement operator's products stay on the host (the operators are ours: FFTs, masks, seeded
 * Gaussian matrices), so a step moves the output to the host and dL/doutput back, once each.
 * Every operation runs in tf.tidy, so nothing but the slots' tensors outlives it.
 */
export class TfjsEngine implements Engine {
  readonly location = 'device';
  readonly precision = 'float32';
  private readonly store = new Map<Slot, T>();
  private readonly consts = new WeakMap<ResizeSpec, ResizeConsts>();
  private readonly tapConsts = new WeakMap<TapMap, { index: TfModule.Tensor1D; weight: T }[]>();
  private readonly constList: T[] = [];

  constructor(
    readonly tf: Tf,
    readonly name: string,
    /** Whether the weight gradient comes from the backend's Conv2DBackpropFilter kernel (else from a forward convolution). */
    private readonly filterKernel: boolean,
  ) {}

  private get(slot: Slot): T {
    const t = this.store.get(slot);
    if (t) return t;
    const z = slot.dims ? this.tf.zeros([1, slot.dims[1], slot.dims[2], slot.dims[0]]) : this.tf.zeros([slot.size]);
    this.store.set(slot, z);
    return z;
  }

  /** Makes `t` the slot's tensor (or adds it to the slot's tensor when `accumulate`). */
  private put(slot: Slot, make: () => T, accumulate = false): void {
    const tf = this.tf;
    const old = this.store.get(slot);
    const t = accumulate && old ? tf.tidy(() => tf.add(old, make())) : tf.tidy(make);
    if (old && old !== t) old.dispose();
    this.store.set(slot, t);
  }

  write(slot: Slot, data: ArrayLike<number>): void {
    const tf = this.tf;
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const d = slot.dims;
    // CHW on the host, HWC on the device.
    this.put(slot, () => (d ? tf.transpose(tf.tensor3d(values, [d[0], d[1], d[2]]), [1, 2, 0]).reshape([1, d[1], d[2], d[0]]) : tf.tensor1d(values)));
  }

  read(slot: Slot): FloatArray {
    const tf = this.tf;
    const t = this.get(slot);
    const d = slot.dims;
    if (!d) return t.dataSync() as Float32Array;
    const chw = tf.tidy(() => tf.transpose(t.reshape([d[1], d[2], d[0]]), [2, 0, 1]));
    const out = chw.dataSync() as Float32Array;
    chw.dispose();
    return out;
  }

  dispose(): void {
    for (const t of this.store.values()) t.dispose();
    this.store.clear();
    for (const t of this.constList) t.dispose();
    this.constList.length = 0;
  }

  /** [out, in, kh, kw] (PyTorch's order, the flat parameter vector's) as tfjs's [kh, kw, in, out]. */
  private filter(spec: ConvSpec, weight: Slot): TfModule.Tensor4D {
    return this.tf.transpose(this.get(weight).reshape([spec.outChannels, spec.c, spec.kh, spec.kw]), [2, 3, 1, 0]) as TfModule.Tensor4D;
  }

  /** The padded input and the padding argument of tfjs's convolutions: zero padding is explicit in them, reflection is padded here. */
  private padded(spec: ConvSpec, x: T): { xp: TfModule.Tensor4D; pad: 'valid' | [[number, number], [number, number], [number, number], [number, number]] } {
    const ph = (spec.kh - 1) / 2;
    const pw = (spec.kw - 1) / 2;
    const pads: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [ph, ph],
      [pw, pw],
      [0, 0],
    ];
    if (!spec.reflect || (ph === 0 && pw === 0)) return { xp: x as TfModule.Tensor4D, pad: pads };
    return { xp: this.tf.mirrorPad(x as TfModule.Tensor4D, pads, 'reflect'), pad: 'valid' };
  }

  conv2d(spec: ConvSpec, x: Slot, weight: Slot, bias: Slot | null, y: Slot): void {
    const tf = this.tf;
    if (spec.pointwise) {
      // 1x1: one matrix product [P, in] x [out, in]^T, weights in their own order.
      const P = spec.ho * spec.wo;
      this.put(y, () => {
        const out = tf.matMul(this.get(x).reshape([P, spec.c]), this.get(weight).reshape([spec.outChannels, spec.c]), false, true);
        return (bias ? tf.add(out, this.get(bias)) : out).reshape([1, spec.ho, spec.wo, spec.outChannels]);
      });
      return;
    }
    this.put(y, () => {
      const { xp, pad } = this.padded(spec, this.get(x));
      const out = tf.conv2d(xp, this.filter(spec, weight), spec.stride, pad);
      return bias ? tf.add(out, this.get(bias)) : out;
    });
  }

  conv2dBackward(spec: ConvSpec, x: Slot, dy: Slot, weight: Slot, dWeight: Slot, dBias: Slot | null, dx: Slot | null, accumulate: boolean): void {
    const tf = this.tf;
    const g = this.get(dy) as TfModule.Tensor4D;
    if (dBias) this.put(dBias, () => tf.sum(g, [0, 1, 2]));
    if (spec.pointwise) {
      const P = spec.ho * spec.wo;
      const g2 = () => g.reshape([P, spec.outChannels]);
      this.put(dWeight, () => tf.matMul(g2(), this.get(x).reshape([P, spec.c]), true, false).reshape([dWeight.size]));
      if (dx) this.put(dx, () => tf.matMul(g2(), this.get(weight).reshape([spec.outChannels, spec.c])).reshape([1, spec.h, spec.w, spec.c]), accumulate);
      return;
    }
    const { xp, pad } = this.tf.tidy(() => this.padded(spec, this.get(x)));
    const strides: [number, number] = [spec.stride, spec.stride];
    this.put(dWeight, () => {
      if (!this.filterKernel) {
        // The backends without a fast filter-gradient kernel (cpu: a plain loop; wasm: none): the
        // weight gradient is itself a convolution, of the input's channels (as a batch) by dY
        // (as a filter, dilated by the stride): [c, kh, kw, out].
        const xt = tf.transpose(xp, [3, 1, 2, 0]) as TfModule.Tensor4D;
        const dyf = tf.transpose(g, [1, 2, 0, 3]) as TfModule.Tensor4D;
        const full = tf.conv2d(xt, dyf, 1, pad, 'NHWC', spec.stride);
        const dw = tf.slice(full, [0, 0, 0, 0], [spec.c, spec.kh, spec.kw, spec.outChannels]);
        return tf.transpose(dw, [3, 0, 1, 2]).reshape([dWeight.size]);
      }
      // No public op for the filter gradient: its kernel, which the accelerated backends register.
      const filterShape = [spec.kh, spec.kw, spec.c, spec.outChannels];
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xp, dy: g }, { strides, pad, dataFormat: 'NHWC', filterShape }) as T;
      return tf.transpose(dw, [3, 2, 0, 1]).reshape([dWeight.size]);
    });
    if (dx) {
      this.put(
        dx,
        () => {
          const dxp = tf.conv2dTranspose(g, this.filter(spec, weight), xp.shape as [number, number, number, number], spec.stride, pad);
          return pad === 'valid' ? this.unreflect(spec, dxp) : dxp;
        },
        accumulate,
      );
    }
    if (xp !== this.store.get(x)) xp.dispose();
  }

  /** The adjoint of reflection padding: padded rows and columns fold back onto the rows and columns they copy. */
  private unreflect(spec: ConvSpec, d: T): T {
    const tf = this.tf;
    const fold = (t: T, axis: 1 | 2, p: number, n: number): T => {
      if (p === 0) return t;
      const size = t.shape.slice();
      const take = (start: number, len: number) => {
        const begin = [0, 0, 0, 0];
        const sz = size.slice();
        begin[axis] = start;
        sz[axis] = len;
        return tf.slice(t, begin, sz);
      };
      const padAxis = (u: T, before: number, after: number) => {
        const pads: [number, number][] = [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, 0],
        ];
        pads[axis] = [before, after];
        return tf.pad(u, pads);
      };
      // Padded index i < p copies input p - i; padded p + n + j copies input n - 2 - j.
      const core = take(p, n);
      const before = tf.reverse(take(0, p), axis);
      const after = tf.reverse(take(p + n, p), axis);
      return tf.addN([core, padAxis(before, 1, n - 1 - p), padAxis(after, n - 1 - p, 1)]);
    };
    return fold(fold(d, 1, (spec.kh - 1) / 2, spec.h), 2, (spec.kw - 1) / 2, spec.w);
  }

  batchNorm(spec: NormSpec, x: Slot, y: Slot, scale: Slot, shift: Slot, state: Slot): void {
    const tf = this.tf;
    const stats = tf.tidy(() => {
      const xv = this.get(x);
      const r = spec.relu ? tf.relu(xv) : xv;
      const mean = tf.mean(r, [0, 1, 2]);
      // Centred second moment (two passes), as the arena engines compute it.
      const invStd = tf.rsqrt(tf.add(tf.mean(tf.square(tf.sub(r, mean)), [0, 1, 2]), spec.eps));
      return { mean, invStd };
    });
    this.put(y, () => {
      const xv = this.get(x);
      const r = spec.relu ? tf.relu(xv) : xv;
      const g = tf.mul(this.get(scale), stats.invStd);
      return tf.add(tf.mul(tf.sub(r, stats.mean), g), this.get(shift));
    });
    // Saved as (mean, 1/std) per channel, the arena engines' layout.
    this.put(state, () => tf.stack([stats.mean, stats.invStd], 1).reshape([2 * spec.channels]));
    stats.mean.dispose();
    stats.invStd.dispose();
  }

  batchNormBackward(spec: NormSpec, x: Slot, dy: Slot, scale: Slot, state: Slot, dScale: Slot, dShift: Slot, dx: Slot | null, accumulate: boolean): void {
    const tf = this.tf;
    const P = spec.plane;
    const parts = tf.tidy(() => {
      const s = this.get(state).reshape([spec.channels, 2]);
      const mean = tf.squeeze(tf.slice(s, [0, 0], [spec.channels, 1]), [1]);
      const invStd = tf.squeeze(tf.slice(s, [0, 1], [spec.channels, 1]), [1]);
      const xv = this.get(x);
      const r = spec.relu ? tf.relu(xv) : xv;
      const xhat = tf.mul(tf.sub(r, mean), invStd);
      const g = this.get(dy);
      return { invStd, xhat, sumDy: tf.sum(g, [0, 1, 2]), sumDyXhat: tf.sum(tf.mul(g, xhat), [0, 1, 2]) };
    });
    if (dx) {
      this.put(
        dx,
        () => {
          // dx = gamma invStd / P (P dy - sum dy - xhat sum(dy xhat)), times (x > 0) after a fused ReLU.
          const k = tf.mul(this.get(scale), parts.invStd);
          const inner = tf.sub(tf.sub(this.get(dy), tf.div(parts.sumDy, P)), tf.mul(parts.xhat, tf.div(parts.sumDyXhat, P)));
          const v = tf.mul(inner, k);
          return spec.relu ? tf.mul(v, tf.cast(tf.greater(this.get(x), 0), 'float32')) : v;
        },
        accumulate,
      );
    }
    this.put(dScale, () => tf.clone(parts.sumDyXhat));
    this.put(dShift, () => tf.clone(parts.sumDy));
    for (const t of Object.values(parts)) t.dispose();
  }

  private resizeConsts(spec: ResizeSpec): ResizeConsts {
    let c = this.consts.get(spec);
    if (c) return c;
    const tf = this.tf;
    const m = spec.map;
    const keep = <U extends T>(t: U): U => {
      this.constList.push(t);
      return t;
    };
    c = {
      yi0: keep(tf.tensor1d(m.yi0, 'int32')),
      yi1: keep(tf.tensor1d(m.yi1, 'int32')),
      yw0: keep(tf.tensor1d(Float32Array.from(m.yw0)).reshape([-1, 1, 1])),
      yw1: keep(tf.tensor1d(Float32Array.from(m.yw1)).reshape([-1, 1, 1])),
      xi0: keep(tf.tensor1d(m.xi0, 'int32')),
      xi1: keep(tf.tensor1d(m.xi1, 'int32')),
      xw0: keep(tf.tensor1d(Float32Array.from(m.xw0)).reshape([1, -1, 1])),
      xw1: keep(tf.tensor1d(Float32Array.from(m.xw1)).reshape([1, -1, 1])),
    };
    this.consts.set(spec, c);
    return c;
  }

  resize(spec: ResizeSpec, x: Slot, y: Slot): void {
    const tf = this.tf;
    const c = this.resizeConsts(spec);
    const { h, w, H, W } = spec.shape;
    const nearest = spec.map.nearest;
    this.put(y, () => {
      // Separable: rows (axis 0 of [h, w, c]) then columns, each a blend of two gathers.
      const xv = this.get(x).reshape([h, w, spec.shape.c]);
      const rows = nearest ? tf.gather(xv, c.yi0, 0) : tf.add(tf.mul(tf.gather(xv, c.yi0, 0), c.yw0), tf.mul(tf.gather(xv, c.yi1, 0), c.yw1));
      const out = nearest ? tf.gather(rows, c.xi0, 1) : tf.add(tf.mul(tf.gather(rows, c.xi0, 1), c.xw0), tf.mul(tf.gather(rows, c.xi1, 1), c.xw1));
      return out.reshape([1, H, W, spec.shape.c]);
    });
  }

  resizeBackward(spec: ResizeSpec, dy: Slot, dx: Slot, accumulate: boolean): void {
    const tf = this.tf;
    const c = this.resizeConsts(spec);
    const { h, w, H, W } = spec.shape;
    const ch = spec.shape.c;
    const nearest = spec.map.nearest;
    this.put(
      dx,
      () => {
        // The adjoint of a gather along axis 0 is a scatter-add (scatterND sums repeated indices).
        const scatter = (t: T, idx: TfModule.Tensor1D, n: number) => tf.scatterND(idx.reshape([-1, 1]), t, [n, ...t.shape.slice(1)]);
        const g = this.get(dy).reshape([H, W, ch]);
        const gt = tf.transpose(g, [1, 0, 2]); // [W, H, c]
        const cols = nearest ? scatter(gt, c.xi0, w) : tf.add(scatter(tf.mul(gt, c.xw0.reshape([-1, 1, 1])), c.xi0, w), scatter(tf.mul(gt, c.xw1.reshape([-1, 1, 1])), c.xi1, w));
        const back = tf.transpose(cols, [1, 0, 2]); // [H, w, c]
        const rows = nearest ? scatter(back, c.yi0, h) : tf.add(scatter(tf.mul(back, c.yw0), c.yi0, h), scatter(tf.mul(back, c.yw1), c.yi1, h));
        return rows.reshape([1, h, w, ch]);
      },
      accumulate,
    );
  }

  /** Per tap: the indices (int32) and weights of a tap map, the weights shaped to broadcast along `axis`. */
  private taps(m: TapMap, axis: 0 | 1): { index: TfModule.Tensor1D; weight: T }[] {
    let c = this.tapConsts.get(m);
    if (c) return c;
    const tf = this.tf;
    const n = m.index.length / m.taps;
    c = [];
    for (let a = 0; a < m.taps; a++) {
      const idx = new Int32Array(n);
      const wt = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        idx[i] = m.index[i * m.taps + a]!;
        wt[i] = m.weight[i * m.taps + a]!;
      }
      const index = tf.tensor1d(idx, 'int32');
      const weight = tf.tensor1d(wt).reshape(axis === 0 ? [-1, 1, 1] : [1, -1, 1]);
      this.constList.push(index, weight);
      c.push({ index, weight });
    }
    this.tapConsts.set(m, c);
    return c;
  }

  separable(spec: SeparableSpec, x: Slot, y: Slot): void {
    const tf = this.tf;
    const rows = this.taps(spec.rows, 0);
    const cols = this.taps(spec.cols, 1);
    this.put(y, () => {
      const xv = this.get(x).reshape([spec.h, spec.w, spec.c]);
      const r = tf.addN(rows.map((t) => tf.mul(tf.gather(xv, t.index, 0), t.weight)));
      const out = tf.addN(cols.map((t) => tf.mul(tf.gather(r, t.index, 1), t.weight)));
      return out.reshape([1, spec.H, spec.W, spec.c]);
    });
  }

  separableBackward(spec: SeparableSpec, dy: Slot, dx: Slot, accumulate: boolean): void {
    const tf = this.tf;
    const rows = this.taps(spec.rows, 0);
    const cols = this.taps(spec.cols, 1);
    this.put(
      dx,
      () => {
        const scatter = (t: T, idx: TfModule.Tensor1D, n: number) => tf.scatterND(idx.reshape([-1, 1]), t, [n, ...t.shape.slice(1)]);
        const gt = tf.transpose(this.get(dy).reshape([spec.H, spec.W, spec.c]), [1, 0, 2]); // [W, H, c]
        const back = tf.transpose(tf.addN(cols.map((t) => scatter(tf.mul(gt, t.weight.reshape([-1, 1, 1])), t.index, spec.w))), [1, 0, 2]); // [H, w, c]
        return tf.addN(rows.map((t) => scatter(tf.mul(back, t.weight), t.index, spec.h))).reshape([1, spec.h, spec.w, spec.c]);
      },
      accumulate,
    );
  }

  pointwise(kind: PointwiseKind, slope: number, x: Slot, y: Slot): void {
    const tf = this.tf;
    this.put(y, () => {
      const xv = this.get(x);
      if (kind === 'relu') return tf.relu(xv);
      if (kind === 'leaky-relu') return tf.where(tf.greater(xv, 0), xv, tf.mul(xv, slope));
      if (kind === 'sigmoid') return tf.sigmoid(xv);
      return tf.clone(xv);
    });
  }

  pointwiseBackward(kind: PointwiseKind, slope: number, x: Slot, y: Slot, dy: Slot, dx: Slot, accumulate: boolean): void {
    const tf = this.tf;
    this.put(
      dx,
      () => {
        const g = this.get(dy);
        if (kind === 'relu' || kind === 'leaky-relu') return tf.where(tf.greater(this.get(x), 0), g, kind === 'relu' ? tf.zerosLike(g) : tf.mul(g, slope));
        if (kind === 'sigmoid') {
          const o = this.get(y);
          return tf.mul(g, tf.mul(o, tf.sub(1, o)));
        }
        return tf.clone(g);
      },
      accumulate,
    );
  }

  concat(parts: readonly Slot[], y: Slot): void {
    this.put(y, () =>
      this.tf.concat(
        parts.map((p) => this.get(p)),
        3,
      ),
    );
  }

  concatBackward(dy: Slot, parts: readonly ConcatPart[], accumulate: readonly boolean[]): void {
    const tf = this.tf;
    const g = this.get(dy);
    const [, h, w] = g.shape as [number, number, number, number];
    let at = 0;
    parts.forEach((p, k) => {
      const ch = p.size / (h * w);
      const start = at;
      if (p.grad) this.put(p.grad, () => tf.slice(g, [0, 0, 0, start], [1, h, w, ch]), accumulate[k]);
      at += ch;
    });
  }

  copy(x: Slot, y: Slot, accumulate: boolean): void {
    const tf = this.tf;
    this.put(
      y,
      () => {
        const t = this.get(x);
        // Between a flat (CHW) slot and a network tensor's (HWC) one the layout changes.
        if (!x.dims && y.dims) {
          const [c, h, w] = y.dims;
          return tf.transpose(t.reshape([c, h, w]), [1, 2, 0]).reshape([1, h, w, c]);
        }
        if (x.dims && !y.dims) {
          const [c, h, w] = x.dims;
          return tf.transpose(t.reshape([h, w, c]), [2, 0, 1]).reshape([y.size]);
        }
        return tf.clone(t);
      },
      accumulate,
    );
  }

  /**
   * Adam (as torch.optim.Adam) or plain SGD as tf ops: moments and parameters stay on the
   * device, so a fit moves only the output and dL/doutput each step.
   */
  optimizer(params: readonly Slot[], grads: readonly Slot[], options: OptimizerOptions): EngineOptimizer {
    const tf = this.tf;
    const lr = options.learningRate;
    if (options.kind === 'sgd') {
      return {
        step: () => params.forEach((p, i) => this.put(p, () => tf.sub(this.get(p), tf.mul(this.get(grads[i]!), lr)))),
        dispose: () => {},
      };
    }
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    const m = params.map((p) => tf.zeros([p.size]));
    const v = params.map((p) => tf.zeros([p.size]));
    let t = 0;
    return {
      step: () => {
        t++;
        const stepSize = lr / (1 - b1 ** t);
        const bc2Sqrt = Math.sqrt(1 - b2 ** t);
        params.forEach((p, i) => {
          const g = this.get(grads[i]!);
          const mi = tf.tidy(() => tf.add(tf.mul(m[i]!, b1), tf.mul(g, 1 - b1)));
          const vi = tf.tidy(() => tf.add(tf.mul(v[i]!, b2), tf.mul(tf.square(g), 1 - b2)));
          m[i]!.dispose();
          v[i]!.dispose();
          m[i] = mi;
          v[i] = vi;
          this.put(p, () => tf.sub(this.get(p), tf.div(tf.mul(mi, stepSize), tf.add(tf.div(tf.sqrt(vi), bc2Sqrt), eps))));
        });
      },
      dispose: () => {
        for (const t of [...m, ...v]) t.dispose();
      },
    };
  }
}
