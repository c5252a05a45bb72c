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

function checkTf(tf: unknown): Tf {
  const t = tf as Partial<Tf> | null;
  if (typeof tf !== 'object' || t === null || typeof t.conv2d !== 'function' || typeof t.getBackend !== 'function') {
    throw new InvalidArgumentError('tfjsBackend', 'tf', 'a TensorFlow.js module (import * as tf from "@tensorflow/tfjs")', tf);
  }
  return tf as Tf;
}

/** Options of tfjsBackend. */
export interface TfjsBackendOptions {
  /**
   * How the weight gradient of a k x k convolution is computed: 'kernel', the backend's
   * Conv2DBackpropFilter (cuDNN on tfjs-node-gpu); 'convolution', a forward convolution of the
   * input's channels by dY (for backends whose filter kernel is slow or missing: cpu, wasm).
   * Default: 'convolution' on the cpu and wasm backends, else 'kernel'.
   */
  filterGradient?: 'kernel' | 'convolution';
}

function makeBackend(l: Loaded, options: TfjsBackendOptions = {}): EngineBackend {
  const { tf, from } = l;
  return Object.freeze({
    get name() {
      return `tfjs-${backendName(tf)}`;
    },
    location: 'device' as const,
    open(precision: Precision): Engine {
      if (precision !== 'float32') throw new InvalidArgumentError('tfjs engine', 'precision', "'float32' (TensorFlow.js computes in float32)", precision);
      const backend = backendName(tf);
      const useKernel = options.filterGradient ? options.filterGradient === 'kernel' : backend !== 'cpu' && backend !== 'wasm';
      return new TfjsEngine(tf, `tfjs-${backend}`, useKernel);
    },
    describe: () => `tfjs ${tf.version_core ?? ''} (backend ${backendName(tf)}, from ${from})`,
  });
}

/**
 * The TensorFlow.js engine backend: `tf` a tfjs module you loaded (and configured, e.g. after
 * `await tf.setBackend('wasm')`), or by default the first of TFJS_PACKAGES that is installed.
 * Throws NotSupportedError naming what to install when none is.
 */
export function tfjsBackend(tf?: unknown, options?: TfjsBackendOptions): EngineBackend {
  if (options !== undefined) {
    const fg = (options as Partial<TfjsBackendOptions> | null)?.filterGradient;
    if (typeof options !== 'object' || options === null || Object.keys(options).some((k) => k !== 'filterGradient') || (fg !== undefined && fg !== 'kernel' && fg !== 'convolution')) {
      throw new InvalidArgumentError('tfjsBackend', 'options', "{ filterGradient?: 'kernel' | 'convolution' }", options);
    }
    // A backend with its own options is not shared through the cache.
    return makeBackend(tf === undefined ? loadTfjs() : { tf: checkTf(tf), from: 'given' }, options);
  }
  if (tf !== undefined) {
    const given = checkTf(tf);
    let b = backends.get(given);
    if (!b) {
      b = makeBackend({ tf: given, from: 'given' });
      backends.set(given, b);
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
