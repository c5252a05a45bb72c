import { createRequire } from 'node:module';
import { InvalidArgumentError, NotSupportedError } from '../core/errors.js';
import type { Precision } from './arena.js';
import type { Engine, EngineBackend } from './engine.js';
import { TfjsEngine, tfBackendName, type Tf } from './tfjsEngine.js';

/**
 * The TensorFlow.js packages the tfjs engine looks for, in order: the CUDA backend, the
 * libtensorflow CPU backend, then the pure JavaScript package (cpu backend, or whichever backend
 * the user registered and selected with tf.setBackend). All are optional peer dependencies:
 * nothing loads them unless the tfjs engine is chosen.
 */
export const TFJS_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs'] as const;

export interface Loaded {
  tf: Tf;
  /** The package it came from, or 'given' for a module passed to tfjsBackend. */
  from: string;
}

let loaded: Loaded | null = null;
const backends = new WeakMap<object, EngineBackend>();

/** The first of `packages` that loads (cached for the default list); NotSupportedError naming what to install when none does. */
export function loadTfjs(packages: readonly string[] = TFJS_PACKAGES): Loaded {
  if (loaded && packages === TFJS_PACKAGES) return loaded;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const name of packages) {
    try {
      const l = { tf: require(name) as Tf, from: name };
      if (packages === TFJS_PACKAGES) loaded = l;
      return l;
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      // A package that is installed but fails to load (tfjs-node without its libtensorflow) is worth naming.
      if (!msg.includes('Cannot find module')) failures.push(`${name}: ${msg}`);
    }
  }
  throw new NotSupportedError(
    'tfjs engine',
    'UNTRAINED_CS_KERNELS',
    `an installed TensorFlow.js: npm install @tensorflow/tfjs-node-gpu (NVIDIA GPU, CUDA), @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs (pure JavaScript)`,
    failures.length > 0 ? `none that loads (${failures.join('; ')})` : 'none of them installed',
  );
}

const backendName = tfBackendName;

function makeBackend(l: Loaded): EngineBackend {
  const { tf, from } = l;
  return Object.freeze({
    get name() {
      return `tfjs-${backendName(tf)}`;
    },
    location: 'device' as const,
    open(precision: Precision): Engine {
      if (precision !== 'float32') throw new InvalidArgumentError('tfjs engine', 'precision', "'float32' (TensorFlow.js computes in float32)", precision);
      return new TfjsEngine(tf, `tfjs-${backendName(tf)}`);
    },
    describe: () => `tfjs ${tf.version_core ?? ''} (backend ${backendName(tf)}, from ${from})`,
  });
}

/**
 * The TensorFlow.js engine backend: `tf` a tfjs module you loaded (and configured, e.g. after
 * `await tf.setBackend('wasm')`), or by default the first of TFJS_PACKAGES that is installed.
 * Throws NotSupportedError naming what to install when none is.
 */
export function tfjsBackend(tf?: unknown): EngineBackend {
  if (tf !== undefined) {
    const t = tf as Partial<Tf>;
    if (typeof tf !== 'object' || tf === null || typeof t.conv2d !== 'function' || typeof t.getBackend !== 'function') {
      throw new InvalidArgumentError('tfjsBackend', 'tf', 'a TensorFlow.js module (import * as tf from "@tensorflow/tfjs")', tf);
    }
    let b = backends.get(tf);
    if (!b) {
      b = makeBackend({ tf: tf as Tf, from: 'given' });
      backends.set(tf, b);
    }
    return b;
  }
  const l = loadTfjs();
  let b = backends.get(l.tf);
  if (!b) {
    b = makeBackend(l);
    backends.set(l.tf, b);
  }
  return b;
}
