import { InvalidArgumentError } from '../core/errors.js';
import { portableKernels, type Kernels } from './kernels.js';
import { nativeStatus } from '../core/native.js';
import { nativeKernels } from './nativeKernels.js';
import { simdAvailable, simdKernels } from './simdKernels.js';
import { getThreads } from '../core/threads.js';

/**
 * Which kernels new networks use: an installed override, else the fastest available of native
 * (AVX-512 / AVX2), WebAssembly SIMD128 and portable JavaScript. UNTRAINED_CS_KERNELS=native,
 * wasm or portable pins one (falling back down that list when it is unavailable).
 */
export type EngineName = 'native' | 'wasm' | 'portable';

let active: Kernels | null = null;

function fromEnv(): EngineName | null {
  const v = process.env.UNTRAINED_CS_KERNELS;
  return v === 'native' || v === 'wasm' || v === 'portable' ? v : null;
}

/** The kernels of one engine, or null when it is unavailable on this machine. */
export function kernelsFor(engine: EngineName): Kernels | null {
  if (engine === 'native') return nativeKernels();
  if (engine === 'wasm') return simdAvailable() ? simdKernels : null;
  if (engine === 'portable') return portableKernels;
  throw new InvalidArgumentError('kernelsFor', 'engine', "'native', 'wasm' or 'portable'", engine);
}

/** The kernels new networks use. */
export function getKernels(): Kernels {
  if (active) return active;
  const order: EngineName[] = ['native', 'wasm', 'portable'];
  const pinned = fromEnv();
  const start = pinned ? order.indexOf(pinned) : 0;
  for (const e of order.slice(start)) {
    const k = kernelsFor(e);
    if (k) return k;
  }
  return portableKernels;
}

/** Installs kernels for networks built afterwards (null restores the default choice). */
export function setKernels(kernels: Kernels | null): void {
  active = kernels;
}

/** What `untrained-cs info` reports about the compute engine. */
export function engineInfo(): { kernels: string; threads: number; native: string; wasm: string } {
  const n = nativeStatus();
  return {
    kernels: getKernels().name,
    threads: getThreads(),
    native: n.available ? `available (${n.isa})` : `unavailable: ${n.reason}`,
    wasm: simdAvailable() ? 'available (SIMD128)' : 'unavailable',
  };
}
