import { constants } from 'node:buffer';
import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import { nativeAddon } from '../core/native.js';
import type { FloatArray } from '../core/vector.js';

/**
 * One contiguous float32 arena for every parameter, gradient, activation and scratch buffer of
 * a network. Tensors are offsets into it, channel-major [C, H*W], so kernels (portable JS today,
 * SIMD WebAssembly or a second thread later) work on it without copies. Layout happens once,
 * at build time: a fit never allocates per step.
 */
export type Precision = 'float32' | 'float64';

/** Rows of a packed B strip (K x 8 floats per thread; longer K is packed in chunks). Matches KMAX in wasm/kernels.ts. */
export const PACK_MAX_K = 4096;
/** Bytes of one thread's packing buffer. */
export const PACK_BYTES = 32 * PACK_MAX_K;
/**
 * The first bytes of the memory belong to the SIMD kernels: 64 bytes of return slots, then one
 * packing buffer per thread (2). Tensors start after them.
 */
export const ARENA_BYTE_OFFSET = 64 + 2 * PACK_BYTES;

/** Memory an arena can live in and another thread can share. */
export type ArenaMemory = WebAssembly.Memory | SharedArrayBuffer;

/**
 * Where a float32 arena lives: 'wasm' is one shared 32-bit WebAssembly memory (what the SIMD
 * kernels need; at most 4 GiB), 'native' a SharedArrayBuffer (native and portable kernels: any
 * size up to the largest typed array, 16 GiB of float32 on Node 20).
 */
export type ArenaKind = 'wasm' | 'native';

/** The most a WebAssembly memory holds: 65536 pages of 64 KiB. */
export const WASM_ARENA_MAX_BYTES = 65536 * 65536;

/** Bytes an arena of `floats` takes (the kernels' reserved head and ALIGN_SLACK included for float32). */
export function arenaBytes(floats: number, precision: Precision = 'float32'): number {
  return precision === 'float64' ? 8 * floats : ARENA_BYTE_OFFSET + ALIGN_SLACK + 4 * Math.max(4, floats);
}

/** Room after the head of a float32 arena for moving its first float to a 64-byte boundary. */
const ALIGN_SLACK = 64;

/**
 * Where the floats of an arena on a SharedArrayBuffer start: after the reserved head, moved to
 * a 64-byte boundary of the address space. Node places a SharedArrayBuffer's memory 16 bytes
 * past one, so every 64-byte vector of the native kernels (tensors are 16-float aligned in the
 * arena) used to straddle two cache lines: the Deep Decoder 256x256 k = 64 step ~28 -> ~26
 * ms on one thread (BENCHMARKS.md, fifth round). The same buffer gives the same offset in every
 * thread of the process. WebAssembly memories keep ARENA_BYTE_OFFSET (the SIMD kernels address
 * tensors from the memory's start; its pages are aligned).
 */
function sharedByteOffset(buffer: SharedArrayBuffer): number {
  const mod = nativeAddon()?.addressMod64?.(new Uint8Array(buffer, 0, 1)) ?? 0;
  const pad = (64 - ((mod + ARENA_BYTE_OFFSET) % 64)) % 64;
  return ARENA_BYTE_OFFSET + (pad % 4 === 0 ? pad : 0);
}

/** The largest arena an engine can address, in bytes (the machine may hold less). */
export function arenaLimit(kind: ArenaKind, precision: Precision = 'float32'): number {
  // A typed array has at most buffer.constants.MAX_LENGTH elements (2^32 on Node 20).
  if (precision === 'float64') return 8 * constants.MAX_LENGTH;
  return kind === 'wasm' ? WASM_ARENA_MAX_BYTES : ARENA_BYTE_OFFSET + ALIGN_SLACK + 4 * constants.MAX_LENGTH;
}

/** Set only while onArenaMemory runs its build: the memory the next float32 arena adopts. */
let adopted: ArenaMemory | null = null;

/**
 * Runs `build` with the first float32 Arena it creates placed on `memory` (an arena of another
 * thread) instead of fresh memory. A worker thread rebuilds a caller's network this way, so
 * both threads see one arena and a large network is never held twice.
 */
export function adoptingArenaMemory(): boolean {
  return adopted !== null;
}

export function onArenaMemory<T>(memory: ArenaMemory, build: () => T): T {
  adopted = memory;
  try {
    return build();
  } finally {
    adopted = null;
  }
}

/**
 * One block of memory holding every tensor of a network (parameters, activations, gradients,
 * optimiser state), so the kernels run without allocating per step; float32 on the fast engines,
 * float64 for reference checks.
 */
export class Arena {
  /** The WebAssembly memory behind a float32 arena (null for float64 reference arenas). */
  readonly memory: WebAssembly.Memory | null;
  /** The memory to hand to another thread (null for float64 arenas, which are not shared). */
  readonly shared: ArenaMemory | null;
  readonly f32: FloatArray;
  readonly floats: number;

  constructor(floats: number, precision: Precision = 'float32', kind: ArenaKind = 'wasm') {
    this.floats = floats;
    const bytes = arenaBytes(floats, precision);
    if (bytes > arenaLimit(kind, precision)) {
      throw new InvalidArgumentError('Arena', 'floats', `at most ${arenaLimit(kind, precision)} bytes on the ${kind} arena (${precision})`, `${bytes} bytes`);
    }
    if (precision === 'float64') {
      this.memory = null;
      this.shared = null;
      this.f32 = new Float64Array(floats);
      return;
    }
    const given = adopted;
    adopted = null;
    if (given) {
      const buffer = given instanceof WebAssembly.Memory ? given.buffer : given;
      if (buffer.byteLength < bytes) throw new ShapeMismatchError('Arena', 'memory', `at least ${bytes} bytes for this network`, `${buffer.byteLength} bytes`);
      this.memory = given instanceof WebAssembly.Memory ? given : null;
      this.shared = given;
      this.f32 = new Float32Array(buffer, this.memory ? ARENA_BYTE_OFFSET : sharedByteOffset(buffer as SharedArrayBuffer), floats);
      if (this.memory) memories.set(this.memory.buffer, this.memory);
      return;
    }
    if (kind === 'native') {
      // Shared too: a fit's worker thread adopts it (onArenaMemory).
      const buffer = new SharedArrayBuffer(bytes);
      this.memory = null;
      this.shared = buffer;
      this.f32 = new Float32Array(buffer, sharedByteOffset(buffer), floats);
      return;
    }
    const pages = Math.ceil(bytes / 65536);
    // Shared, so the SIMD kernels' second thread can work on the same tensors without copies.
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.shared = this.memory;
    this.f32 = new Float32Array(this.memory.buffer, ARENA_BYTE_OFFSET, floats);
    memories.set(this.memory.buffer, this.memory);
  }
}

const memories = new WeakMap<ArrayBufferLike, WebAssembly.Memory>();

/** The WebAssembly memory behind an arena's buffer, if it has one. */
export function memoryOf(buffer: ArrayBufferLike): WebAssembly.Memory | undefined {
  return memories.get(buffer);
}

/** Bump allocator used while a network is laid out; offsets are 16-float aligned (64 bytes). */
export class ArenaLayout {
  private next = 0;

  alloc(floats: number): number {
    const offset = this.next;
    this.next += Math.ceil(floats / 16) * 16;
    return offset;
  }

  get size(): number {
    return this.next;
  }
}
