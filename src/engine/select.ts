import { InvalidArgumentError } from '../core/errors.js';
import { portableKernels, type Kernels } from './kernels.js';
import { nativeStatus } from '../core/native.js';
import { nativeKernels } from './nativeKernels.js';
import { simdAvailable, simdKernels } from './simdKernels.js';
import { getThreads } from '../core/threads.js';
import type { EngineBackend } from './engine.js';
import { tfjsBackend } from './tfjsBackend.js';

/**
 * Which engine new networks use: an installed override (setEngine, setKernels), else
 * UNTRAINED_CS_KERNELS, else the fastest available arena engine of native (AVX-512 / AVX2),
 * WebAssembly SIMD128 and portable JavaScript. UNTRAINED_CS_KERNELS=native, wasm or portable pins
 * one (falling back down that list when it is unavailable); UNTRAINED_CS_KERNELS=tfjs selects the
 * TensorFlow.js engine on whichever tfjs backend is registered (loaded only then).
 */
export type EngineName = 'native' | 'wasm' | 'portable' | 'tfjs';

let activeKernels: Kernels | null = null;
let activeEngine: EngineBackend | null = null;

function fromEnv(): EngineName | null {
  const v = process.env.UNTRAINED_CS_KERNELS;
  return v === 'native' || v === 'wasm' || v === 'portable' || v === 'tfjs' ? v : null;
}

/** The kernels of one arena engine, or null when it is unavailable on this machine. */
export function kernelsFor(engine: EngineName): Kernels | null {
  if (engine === 'native') return nativeKernels();
  if (engine === 'wasm') return simdAvailable() ? simdKernels : null;
  if (engine === 'portable') return portableKernels;
  throw new InvalidArgumentError('kernelsFor', 'engine', "'native', 'wasm' or 'portable' (tfjs has no arena kernels: use engineFor)", engine);
}

/** The arena kernels new networks use (when the selected engine is an arena engine). */
export function getKernels(): Kernels {
  if (activeKernels) return activeKernels;
  const order: EngineName[] = ['native', 'wasm', 'portable'];
  const pinned = fromEnv();
  const start = pinned && pinned !== 'tfjs' ? order.indexOf(pinned) : 0;
  for (const e of order.slice(start)) {
    const k = kernelsFor(e);
    if (k) return k;
  }
  return portableKernels;
}

/** Installs arena kernels for networks built afterwards (null restores the default choice); clears setEngine. */
export function setKernels(kernels: Kernels | null): void {
  activeKernels = kernels;
  activeEngine = null;
}

const arenaBackends = new WeakMap<Kernels, EngineBackend>();

/** The engine backend of arena kernels: the network lays out one arena and runs these kernels on it. */
export function arenaBackend(kernels: Kernels): EngineBackend {
  let b = arenaBackends.get(kernels);
  if (!b) {
    b = Object.freeze({ name: kernels.name, location: 'host' as const, kernels, describe: () => `${kernels.name} kernels` });
    arenaBackends.set(kernels, b);
  }
  return b;
}

/** The backend of a named engine (tfjs: loads TensorFlow.js; throws when it is not installed), or null when unavailable. */
export function engineFor(engine: EngineName): EngineBackend | null {
  if (engine === 'tfjs') return tfjsBackend();
  const k = kernelsFor(engine);
  return k ? arenaBackend(k) : null;
}

/** The engine new networks use. */
export function getEngine(): EngineBackend {
  if (activeEngine) return activeEngine;
  if (!activeKernels && fromEnv() === 'tfjs') return tfjsBackend();
  return arenaBackend(getKernels());
}

/**
 * Selects the engine of networks built afterwards: a name ('native', 'wasm', 'portable',
 * 'tfjs'), a backend (e.g. `tfjsBackend(tf)` for a tfjs module you loaded and configured), or
 * null for the default choice.
 */
export function setEngine(engine: EngineName | EngineBackend | null): void {
  if (engine === null) {
    activeEngine = null;
    activeKernels = null;
    return;
  }
  if (typeof engine === 'string') {
    if (!['native', 'wasm', 'portable', 'tfjs'].includes(engine)) throw new InvalidArgumentError('setEngine', 'engine', "'native', 'wasm', 'portable', 'tfjs', a backend or null", engine);
    const b = engineFor(engine);
    if (!b) throw new InvalidArgumentError('setEngine', 'engine', 'an engine available on this machine', engine);
    engine = b;
  } else if (typeof engine !== 'object' || typeof engine.name !== 'string' || (!engine.kernels && typeof engine.open !== 'function')) {
    throw new InvalidArgumentError('setEngine', 'engine', "'native', 'wasm', 'portable', 'tfjs', a backend or null", engine);
  }
  activeEngine = engine;
  activeKernels = engine.kernels ?? null;
}

/** What `untrained-cs info` reports about the compute engine. */
export function engineInfo(): { engine: string; device: boolean; kernels: string; threads: number; native: string; wasm: string } {
  const n = nativeStatus();
  const e = getEngine();
  return {
    engine: e.describe(),
    device: e.location === 'device',
    kernels: getKernels().name,
    threads: getThreads(),
    native: n.available ? `available (${n.isa})` : `unavailable: ${n.reason}`,
    wasm: simdAvailable() ? 'available (SIMD128)' : 'unavailable',
  };
}
