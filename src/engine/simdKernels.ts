import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { FloatArray } from '../core/vector.js';
import { memoryOf, PACK_BYTES } from './arena.js';
import { portableKernels, type Kernels } from './kernels.js';
import { KERNELS_WASM_BASE64 } from './wasmBinary.js';
import { getThreads } from '../core/threads.js';

/**
 * GEMM on WebAssembly SIMD128 (wasm/kernels.ts), on the arena's own shared memory, optionally
 * split across a second thread that waits on Atomics. Float64 arenas, or machines without
 * SIMD support, fall back to the portable kernels.
 */

type GemmXn = (ta: number, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number, n0: number, n1: number, pack: number) => void;
type GemmNt = (M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number, m0: number, m1: number) => void;
interface Exports {
  gemm_xn: GemmXn;
  gemm_nt: GemmNt;
  sum_f64(x: number, n: number, relu: number): number;
  centered_sumsq(x: number, n: number, mean: number, relu: number): number;
  affine(x: number, y: number, n: number, a: number, b: number, relu: number): void;
  leaky(x: number, y: number, n: number, slope: number): void;
  leaky_back(x: number, dy: number, dx: number, n: number, slope: number, acc: number): void;
  bn_back_sums(x: number, dy: number, n: number, mean: number, relu: number): void;
  bn_back_apply(x: number, dy: number, dx: number, n: number, mean: number, k: number, meanDy: number, c: number, acc: number, relu: number): void;
  up2(x: number, y: number, h: number, w: number, vertical: number, tmp: number): void;
  up2_back(dy: number, dx: number, h: number, w: number, vertical: number, tmp: number, acc: number): void;
}

let wasmModule: WebAssembly.Module | null | undefined;
function moduleOrNull(): WebAssembly.Module | null {
  if (wasmModule === undefined) {
    try {
      wasmModule = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    } catch {
      wasmModule = null; // no SIMD or no threads support in this engine
    }
  }
  return wasmModule;
}

/** Whether the SIMD kernels can run here. */
export function simdAvailable(): boolean {
  return moduleOrNull() !== null;
}

interface Bound {
  ex: Exports;
  /** The kernels' two float64 return slots at byte 0. */
  ret: Float64Array;
}
const instances = new WeakMap<ArrayBufferLike, Bound>();
function boundFor(f: FloatArray): Bound | null {
  if (!(f instanceof Float32Array)) return null;
  let b = instances.get(f.buffer);
  if (b) return b;
  const memory = memoryOf(f.buffer);
  const mod = moduleOrNull();
  if (!memory || !mod) return null;
  b = { ex: new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as Exports, ret: new Float64Array(memory.buffer, 0, 2) };
  instances.set(f.buffer, b);
  return b;
}
function exportsFor(f: FloatArray): Exports | null {
  return boundFor(f)?.ex ?? null;
}

// ---- the helper thread -------------------------------------------------------------------
// ctrl: [0] job sequence (main), [1] finished sequence (helper), [2] op, [3] memory id, [4..] args
const OP_XN = 0;
const OP_NT = 1;
const OP_ATTACH = 2;
const OP_DETACH = 3;

const helperSource = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ctrl: sab, port, module } = workerData;
const ctrl = new Int32Array(sab);
const inst = new Map();
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  const op = ctrl[2];
  const id = ctrl[3];
  const a = ctrl.subarray(4, 17);
  if (op === ${OP_ATTACH}) {
    const msg = receiveMessageOnPort(port).message;
    inst.set(msg.id, new WebAssembly.Instance(module, { env: { memory: msg.memory } }).exports);
  } else if (op === ${OP_DETACH}) {
    inst.delete(id);
  } else if (op === ${OP_XN}) {
    inst.get(id).gemm_xn(a[0], a[1], a[2], a[3], a[4] >>> 0, a[5], a[6] >>> 0, a[7], a[8] >>> 0, a[9], a[10], a[11], a[12], ctrl[17] >>> 0);
  } else if (op === ${OP_NT}) {
    inst.get(id).gemm_nt(a[0], a[1], a[2], a[3] >>> 0, a[4], a[5] >>> 0, a[6], a[7] >>> 0, a[8], a[9], a[10], a[11]);
  }
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
`;

interface Helper {
  ctrl: Int32Array;
  port: MessagePort;
  seq: number;
  ids: WeakMap<WebAssembly.Memory, number>;
  nextId: number;
}

let helper: Helper | null = null;

const released = new FinalizationRegistry<number>((id) => {
  if (helper) post(helper, OP_DETACH, id, []);
});

function startHelper(): Helper | null {
  const mod = moduleOrNull();
  if (!mod) return null;
  const sab = new SharedArrayBuffer(4 * 24);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(helperSource, { eval: true, workerData: { ctrl: sab, port: port2, module: mod }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { ctrl: new Int32Array(sab), port: port1, seq: 0, ids: new WeakMap(), nextId: 1 };
}

function post(h: Helper, op: number, id: number, args: number[], pack = 0): void {
  const c = h.ctrl;
  c[2] = op;
  c[3] = id;
  for (let i = 0; i < args.length; i++) c[4 + i] = args[i]! | 0;
  c[17] = pack | 0;
  h.seq = (h.seq + 1) | 0;
  Atomics.store(c, 0, h.seq);
  Atomics.notify(c, 0);
}

function wait(h: Helper): void {
  for (;;) {
    const done = Atomics.load(h.ctrl, 1);
    if (done === h.seq) return;
    Atomics.wait(h.ctrl, 1, done, 1000);
  }
}

function helperIdFor(h: Helper, memory: WebAssembly.Memory): number {
  let id = h.ids.get(memory);
  if (id !== undefined) return id;
  id = h.nextId++;
  h.ids.set(memory, id);
  h.port.postMessage({ id, memory });
  post(h, OP_ATTACH, id, []);
  wait(h);
  released.register(memory, id);
  return id;
}

/** Byte address of the main thread's packing buffer (after the 64 bytes of return slots). */
const PACK_MAIN = 64;

/** Work below this many multiply-adds is not worth waking the helper thread. */
const SPLIT_WORK = 1 << 21;

/**
 * The WebAssembly SIMD128 kernels (two threads): the fallback engine where the native kernels
 * cannot be built.
 */
export const simdKernels: Kernels = {
  name: 'wasm-simd128',
  get threads() {
    return getThreads();
  },
  gemm(f, transA, transB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, accumulate) {
    const ex = exportsFor(f);
    if (!ex || (transA && transB)) {
      portableKernels.gemm(f, transA, transB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, accumulate);
      return;
    }
    const base = f.byteOffset;
    const a = base + 4 * aOff;
    const b = base + 4 * bOff;
    const c = base + 4 * cOff;
    const acc = accumulate ? 1 : 0;
    const split = getThreads() > 1 && M * N * K >= SPLIT_WORK;
    if (split && !helper) helper = startHelper();
    const h = split ? helper : null;
    if (transB) {
      if (h && M >= 4) {
        const id = helperIdFor(h, memoryOf(f.buffer)!);
        const mid = (M >> 2) << 1; // even split point
        post(h, OP_NT, id, [M, N, K, a, lda, b, ldb, c, ldc, acc, mid, M]);
        ex.gemm_nt(M, N, K, a, lda, b, ldb, c, ldc, acc, 0, mid);
        wait(h);
      } else ex.gemm_nt(M, N, K, a, lda, b, ldb, c, ldc, acc, 0, M);
      return;
    }
    const ta = transA ? 1 : 0;
    // Each thread packs strips of B into its own buffer in the arena header.
    if (h && N >= 16) {
      const id = helperIdFor(h, memoryOf(f.buffer)!);
      const mid = ((N >> 1) + 7) & ~7;
      post(h, OP_XN, id, [ta, M, N, K, a, lda, b, ldb, c, ldc, acc, mid, N], PACK_MAIN + PACK_BYTES);
      ex.gemm_xn(ta, M, N, K, a, lda, b, ldb, c, ldc, acc, 0, mid, PACK_MAIN);
      wait(h);
    } else ex.gemm_xn(ta, M, N, K, a, lda, b, ldb, c, ldc, acc, 0, N, PACK_MAIN);
  },
  leaky(f, x, y, n, slope) {
    const ex = exportsFor(f);
    if (!ex) return portableKernels.leaky(f, x, y, n, slope);
    ex.leaky(f.byteOffset + 4 * x, f.byteOffset + 4 * y, n, slope);
  },
  leakyBackward(f, x, dy, dx, n, slope, accumulate) {
    const ex = exportsFor(f);
    if (!ex) return portableKernels.leakyBackward(f, x, dy, dx, n, slope, accumulate);
    const o = f.byteOffset;
    ex.leaky_back(o + 4 * x, o + 4 * dy, o + 4 * dx, n, slope, accumulate ? 1 : 0);
  },
  sum(f, x, n, relu) {
    const ex = exportsFor(f);
    return ex ? ex.sum_f64(f.byteOffset + 4 * x, n, relu ? 1 : 0) : portableKernels.sum(f, x, n, relu);
  },
  centeredSumSquares(f, x, n, mean, relu) {
    const ex = exportsFor(f);
    return ex ? ex.centered_sumsq(f.byteOffset + 4 * x, n, mean, relu ? 1 : 0) : portableKernels.centeredSumSquares(f, x, n, mean, relu);
  },
  affine(f, x, y, n, a, b, relu) {
    const ex = exportsFor(f);
    if (!ex) return portableKernels.affine(f, x, y, n, a, b, relu);
    ex.affine(f.byteOffset + 4 * x, f.byteOffset + 4 * y, n, a, b, relu ? 1 : 0);
  },
  batchNormSums(f, x, dy, n, mean, out, relu) {
    const bd = boundFor(f);
    if (!bd) return portableKernels.batchNormSums(f, x, dy, n, mean, out, relu);
    bd.ex.bn_back_sums(f.byteOffset + 4 * x, f.byteOffset + 4 * dy, n, mean, relu ? 1 : 0);
    out[0] = bd.ret[0]!;
    out[1] = bd.ret[1]!;
  },
  batchNormApply(f, x, dy, dx, n, mean, k, meanDy, c, accumulate, relu) {
    const ex = exportsFor(f);
    if (!ex) return portableKernels.batchNormApply(f, x, dy, dx, n, mean, k, meanDy, c, accumulate, relu);
    const o = f.byteOffset;
    ex.bn_back_apply(o + 4 * x, o + 4 * dy, o + 4 * dx, n, mean, k, meanDy, c, accumulate ? 1 : 0, relu ? 1 : 0);
  },
  upsample2x(f, x, y, h, w, vertical, tmp) {
    const ex = exportsFor(f);
    if (!ex) return portableKernels.upsample2x(f, x, y, h, w, vertical, tmp);
    const o = f.byteOffset;
    ex.up2(o + 4 * x, o + 4 * y, h, w, vertical ? 1 : 0, o + 4 * tmp);
  },
  upsample2xBackward(f, dy, dx, h, w, vertical, tmp, accumulate) {
    const ex = exportsFor(f);
    if (!ex) return portableKernels.upsample2xBackward(f, dy, dx, h, w, vertical, tmp, accumulate);
    const o = f.byteOffset;
    ex.up2_back(o + 4 * dy, o + 4 * dx, h, w, vertical ? 1 : 0, o + 4 * tmp, accumulate ? 1 : 0);
  },
  im2col: portableKernels.im2col,
  col2im: portableKernels.col2im,
  resize: portableKernels.resize,
  resizeBackward: portableKernels.resizeBackward,
};
