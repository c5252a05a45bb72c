import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import {
  convDecoder,
  deepDecoder,
  deepImagePrior,
  fitGeneratorSync,
  gaussian,
  setEngine,
  getEngine,
  engineInfo,
  kernelsFor,
  tfjsBackend,
  twoLayerGenerator,
  InvalidArgumentError,
  NotSupportedError,
  type EngineBackend,
  type Generator,
} from '../src/index.js';
import { loadTfjs } from '../src/engine/tfjsBackend.js';
import { cliBuilt, runCli } from './sweepHelpers.js';
import { relErr } from './helpers.js';

// The tfjs engine on TensorFlow.js's own cpu backend (@tensorflow/tfjs, a devDependency): the
// same arithmetic a CUDA backend runs, checked against the native (arena) engine.
// A worktree whose node_modules predate the devDependency skips these (npm install brings it).
type TfLike = { memory(): { numTensors: number }; getBackend(): string };
function loadTf(): TfLike | null {
  try {
    return createRequire(import.meta.url)('@tensorflow/tfjs') as TfLike;
  } catch {
    return null;
  }
}
const loaded = loadTf();
const tf = loaded!;
const tfjs = loaded ? tfjsBackend(loaded) : (null as unknown as EngineBackend);
const suite = loaded ? describe : describe.skip;

afterEach(() => setEngine(null));

function build<G>(make: () => G, engine: EngineBackend | 'native'): G {
  setEngine(engine);
  try {
    return make();
  } finally {
    setEngine(null);
  }
}

/** ||a - b|| / ||b||. */
function relNorm(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    s += b[i]! ** 2;
  }
  return Math.sqrt(d / s);
}

function outputAndGradient(g: Generator): { out: Float64Array; grad: Float64Array } {
  const f = g.forward(g.initialParams());
  const out = Float64Array.from(f.output);
  const r = new Float32Array(out.length).map((_, i) => Math.sin(0.37 * i));
  return { out, grad: Float64Array.from(f.backward(r)) };
}

suite('tfjs engine (TensorFlow.js cpu backend) against the native engine', () => {
  // measured (max |difference| / max |native|): outputs 1.3e-7 to 1.4e-6, gradients 1.6e-7 to
  // 1.3e-6 (the largest: ConvDecoder and DIP, 3x3 convolutions summed in another order); 1e-5 leaves margin.
  const TOL = 1e-5;
  const cases: [string, () => Generator][] = [
    ['deepDecoder RGB 16x16 (bilinear x2)', () => deepDecoder({ outShape: [3, 16, 16], channels: 8, depth: 3, seed: 1 })],
    ['deepDecoder 12x20 (non-dyadic bilinear)', () => deepDecoder({ outShape: [12, 20], channels: 6, depth: 3, seed: 2 })],
    ['deepDecoder 1D [64]', () => deepDecoder({ outShape: [64], channels: 6, depth: 3, seed: 1 })],
    ['convDecoder 2x16x12 (nearest, 3x3 zero padding, bias)', () => convDecoder({ outShape: [2, 16, 12], channels: 6, depth: 3, seed: 3 })],
    ['convDecoder 16x16 bilinear', () => convDecoder({ outShape: [16, 16], channels: 6, depth: 3, upsample: 'bilinear', seed: 3 })],
    [
      'deepImagePrior 3x16x16 (stride 2, reflection, skips, LeakyReLU, sigmoid)',
      () => deepImagePrior({ outShape: [3, 16, 16], inputChannels: 4, channelsDown: [6, 6], channelsUp: [6, 6], channelsSkip: [2, 2], seed: 4 }),
    ],
    [
      'deepImagePrior 17x15 (zero padding, nearest, a scale without skip)',
      () => deepImagePrior({ outShape: [17, 15], inputChannels: 3, channelsDown: [5, 5], channelsSkip: [0, 2], padding: 'zero', upsample: 'nearest', seed: 5 }),
    ],
    ['twoLayerGenerator 2D 16x16 (upsampling 2, fixed output weights)', () => twoLayerGenerator({ outShape: [16, 16], channels: 6, upsampleFactor: 2, seed: 6 })],
    ['twoLayerGenerator 1D 2x40 (Gaussian filter)', () => twoLayerGenerator({ outShape: [2, 40], oneDimensional: true, channels: 6, filter: { kind: 'gaussian', sigma: 2 }, seed: 7 })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: output and parameter gradient`, () => {
      const native = build(make, 'native');
      const device = build(make, tfjs);
      expect(device.numParams).toBe(native.numParams);
      expect(Array.from(device.initialParams())).toEqual(Array.from(native.initialParams()));
      const a = outputAndGradient(native);
      const b = outputAndGradient(device);
      expect(relErr(b.out, a.out)).toBeLessThan(TOL);
      expect(relErr(b.grad, a.grad)).toBeLessThan(TOL);
    });
  }

  // The weight gradient of k x k convolutions as accelerated backends compute it (their
  // Conv2DBackpropFilter kernel; the cpu backend has it too, only slow): the path a GPU runs.
  const kernelPath = loaded ? tfjsBackend(loaded, { filterGradient: 'kernel' }) : tfjs;
  for (const [name, make] of [cases[3]!, cases[5]!, cases[6]!]) {
    it(`${name}: the filter-gradient kernel path (what a GPU backend runs) agrees too`, () => {
      const a = outputAndGradient(build(make, 'native'));
      const b = outputAndGradient(build(make, kernelPath));
      // measured: the same as the default path (gradients 9e-7 to 1.3e-6).
      expect(relErr(b.out, a.out)).toBeLessThan(TOL);
      expect(relErr(b.grad, a.grad)).toBeLessThan(TOL);
    });
  }

  it('keeps no tensors per step (every operation runs in tf.tidy)', () => {
    const g = build(() => convDecoder({ outShape: [12, 12], channels: 4, depth: 3, seed: 1 }), tfjs);
    const p = g.initialParams();
    const r = new Float32Array(g.outSize).fill(0.01);
    g.forward(p).backward(r);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) g.forward(p).backward(r);
    expect(tf.memory().numTensors).toBe(before);
  });
});

suite('20-step fits on 32x32: tfjs engine (Adam on the device) against the native engine', () => {
  const n = 32;
  const truth = new Float64Array(n * n).map((_, i) => 0.5 + 0.3 * Math.sin((i % n) / 5) * Math.cos(Math.floor(i / n) / 7));
  const A = gaussian({ m: 400, n: n * n, seed: 3 });
  const y = A.apply(truth);
  const fit = (make: () => Generator, engine: EngineBackend | 'native', optimizer: 'adam' | 'sgd', learningRate: number) =>
    fitGeneratorSync({ generator: build(make, engine), operator: A, measurements: y, iterations: 20, optimizer, learningRate, seed: 1 });

  it('Deep Decoder (Adam, lr 0.01): the fits agree to a relative difference below 1e-3', () => {
    // measured: 1.9e-7 (native vs portable: 1.4e-7). With seed 1 the tfjs fit differs by 7.3e-4:
    // at step 12 a pre-activation sits on the ReLU kink, and rounding decides its side.
    const make = () => deepDecoder({ outShape: [n, n], channels: 16, depth: 4, seed: 2 });
    const a = fit(make, 'native', 'adam', 0.01);
    const b = fit(make, tfjs, 'adam', 0.01);
    expect(b.iterations).toBe(20);
    expect(relNorm(b.x, a.x)).toBeLessThan(1e-3);
    expect(Math.abs(b.history.loss[19]! - a.history.loss[19]!) / a.history.loss[19]!).toBeLessThan(1e-3);
  });

  it('ConvDecoder (SGD, lr 0.03): the fits agree to a relative difference below 1e-3', () => {
    // measured: 1.1e-6 (native vs portable: 8.9e-7). Not Adam: the ConvDecoder's conv biases
    // (before ReLU + norm) get gradients at float32 rounding level (5e-8 against a largest
    // entry of 4), which Adam turns into full +-lr steps of rounding-dependent sign, so ANY
    // two float32 engines part within a step (native vs portable: 1.1e-3 after one Adam step,
    // 6e-2 to 1.8e-1 after 20, seeds 1-6).
    const make = () => convDecoder({ outShape: [n, n], channels: 16, depth: 4, seed: 1 });
    const a = fit(make, 'native', 'sgd', 0.03);
    const b = fit(make, tfjs, 'sgd', 0.03);
    expect(relNorm(b.x, a.x)).toBeLessThan(1e-3);
  });

  it('a jittered input (DIP) is written to the device when it changes', () => {
    const make = () => deepImagePrior({ outShape: [16, 16], inputChannels: 4, channelsDown: [6, 6], channelsSkip: [2, 2], seed: 3 });
    const A16 = gaussian({ m: 120, n: 256, seed: 5 });
    const y16 = A16.apply(truth.subarray(0, 256));
    const opts = { operator: A16, measurements: y16, iterations: 8, seed: 1, inputJitter: 0.05 };
    const a = fitGeneratorSync({ generator: build(make, 'native'), ...opts });
    const b = fitGeneratorSync({ generator: build(make, tfjs), ...opts });
    // measured: 5e-7; the same fit without jitter differs by 1.4e-1, so a stale input on the device would show.
    expect(relNorm(b.x, a.x)).toBeLessThan(1e-4);
  });

  it('fits that touch the parameters on the host (backtracking) run on the host path of the same engine', () => {
    const make = () => deepDecoder({ outShape: [16, 16], channels: 8, depth: 3, seed: 2 });
    const A16 = gaussian({ m: 100, n: 256, seed: 4 });
    const y16 = A16.apply(truth.subarray(0, 256));
    const opts = { operator: A16, measurements: y16, iterations: 10, seed: 1, backtracking: 3 };
    const a = fitGeneratorSync({ generator: build(make, 'native'), ...opts });
    const b = fitGeneratorSync({ generator: build(make, tfjs), ...opts });
    // measured: 2e-7.
    expect(relNorm(b.x, a.x)).toBeLessThan(1e-4);
  });
});

suite('tfjs engine selection and bad input', () => {
  it('setEngine / getEngine / engineInfo name the tfjs engine and its backend', () => {
    setEngine(tfjs);
    expect(getEngine().name).toBe(`tfjs-${tf.getBackend()}`);
    const info = engineInfo();
    expect(info.device).toBe(true);
    expect(info.engine).toMatch(/^tfjs .*\(backend cpu, from given\)/);
    setEngine('tfjs');
    expect(getEngine().location).toBe('device');
    setEngine(null);
    expect(getEngine().location).toBe('host');
  });

  it('typed errors: unknown engine, not a tfjs module, float64 on tfjs, tfjs as arena kernels, nothing installed', () => {
    expect(() => setEngine('gpu' as never)).toThrow(InvalidArgumentError);
    expect(() => setEngine({} as never)).toThrow(InvalidArgumentError);
    expect(() => tfjsBackend({ conv2d: 1 })).toThrow(/tfjsBackend: argument 'tf' expected a TensorFlow.js module/);
    expect(() => tfjsBackend(tf, { filterGradient: 'fast' as never })).toThrow(/tfjsBackend: argument 'options' expected/);
    expect(() => tfjsBackend(tf, { unknown: 1 } as never)).toThrow(InvalidArgumentError);
    expect(() => kernelsFor('tfjs')).toThrow(InvalidArgumentError);
    setEngine(tfjs);
    expect(() => deepDecoder({ outShape: [8, 8], channels: 4, depth: 2, seed: 1, precision: 'float64' })).toThrow(/tfjs engine: argument 'precision' expected 'float32'/);
    setEngine(null);
    expect(() => loadTfjs(['@tensorflow/not-installed-here'])).toThrow(NotSupportedError);
    expect(() => loadTfjs(['@tensorflow/not-installed-here'])).toThrow(/npm install @tensorflow\/tfjs-node-gpu/);
  });

  it('untrained-cs info reports the tfjs engine with UNTRAINED_CS_KERNELS=tfjs', () => {
    cliBuilt();
    const r = runCli(['info'], 120_000, { UNTRAINED_CS_KERNELS: 'tfjs' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/engine: tfjs \d+\.\d+\.\d+ \(backend cpu, from @tensorflow\/tfjs\)/);
  });
});
