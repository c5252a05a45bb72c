import { afterEach, describe, expect, it } from 'vitest';
import {
  Arena,
  availableMemory,
  convDecoder,
  deepDecoder,
  deepImagePrior,
  estimateMemory,
  InvalidArgumentError,
  MemoryLimitError,
  nativeAvailable,
  nativeKernels,
  setKernels,
  simdAvailable,
  simdKernels,
  UntrainedCsError,
} from '../src/index.js';
import { ARENA_BYTE_OFFSET } from '../src/engine/arena.js';

// Issue 13: arenas beyond 4 GiB on the native engine, and a typed error naming the memory a
// network needs (before anything is allocated) when the engine or the machine cannot hold it.
const GiB = 2 ** 30;

afterEach(() => setKernels(null));

describe('network memory', () => {
  it('estimates without allocating, exactly the arena that a build allocates', () => {
    const big = estimateMemory(() => deepDecoder({ outShape: [3, 16384, 16384], channels: 128, seed: 1 }));
    // 1.26 TiB of activations for 100 k parameters: estimated in milliseconds, nothing allocated.
    expect(big.arena).toBeGreaterThan(1000 * GiB);
    expect(big.total).toBe(big.arena + big.fit);
    const opts = { outShape: [3, 32, 48], channels: 16, depth: 4, seed: 2 };
    const m = estimateMemory(() => deepDecoder(opts));
    const g = deepDecoder(opts);
    // The generator's input is a view of its arena: the estimate is the arena's size (a
    // WebAssembly memory rounds it up to whole 64 KiB pages).
    const bytes = g.input!.buffer.byteLength;
    expect(bytes).toBe(m.kind === 'native' ? m.arena : Math.ceil(m.arena / 65536) * 65536);
    expect(m.arena).toBeGreaterThan(ARENA_BYTE_OFFSET + m.parameters);
    expect(m.parameters).toBe(8 * g.numParams);
    expect(m.fit).toBe(28 * g.numParams + 80 * 3 * 32 * 48);
    for (const build of [() => convDecoder({ outShape: [64, 64], channels: 8, depth: 3, seed: 1 }), () => deepImagePrior({ outShape: [32, 32], inputChannels: 4, channelsDown: [8, 8], seed: 1 })]) {
      expect(estimateMemory(build).arena).toBeGreaterThan(0);
    }
    expect(() => estimateMemory(3 as never)).toThrow(InvalidArgumentError);
    expect(() => estimateMemory(() => 1)).toThrow(/built none/);
  });

  it('16384x16384 RGB with 128 channels: a typed error naming the memory it needs and what to lower', () => {
    let err: unknown;
    try {
      deepDecoder({ outShape: [3, 16384, 16384], channels: 128, seed: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MemoryLimitError);
    expect(err).toBeInstanceOf(UntrainedCsError);
    const e = err as MemoryLimitError;
    expect(e.message).toMatch(/^deepDecoder: argument 'options' expected a network that fits in memory \(at most .+ per network on the .+; .+ available on this machine\), got one needing 1\.32 TiB \(arena 1\.26 TiB/);
    expect(e.message).toMatch(/lower the output size \(3x16384x16384\), the channels \(widest layer 128\) or the depth/);
    expect(e.bytesNeeded).toBeGreaterThan(1000 * GiB);
    expect(e.bytesAvailable).toBeLessThan(e.bytesNeeded);
    expect(() => deepImagePrior({ outShape: [3, 16384, 16384], seed: 1 })).toThrow(/^deepImagePrior: .*needing/);
    expect(() => convDecoder({ outShape: [16384, 16384], channels: 256, seed: 1, precision: 'float64' })).toThrow(/or use precision 'float32'/);
  });

  it.skipIf(!simdAvailable())('the WebAssembly engine keeps its 4 GiB limit and says so (1024x1024 RGB, 128 channels)', () => {
    setKernels(simdKernels);
    expect(() => deepDecoder({ outShape: [3, 1024, 1024], channels: 128, seed: 1 })).toThrow(
      /needing 5\.28 GiB .*at most 4\.00 GiB per network on the WebAssembly engine|at most 4\.00 GiB per network on the WebAssembly engine.*needing 5\.28 GiB.*use the native kernels/,
    );
    // Small networks still live in a WebAssembly memory the SIMD kernels can use.
    const small = deepDecoder({ outShape: [16, 16], channels: 4, depth: 2, seed: 1 });
    expect(small.input!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(new Arena(64).memory).toBeInstanceOf(WebAssembly.Memory);
  });

  it.skipIf(!nativeAvailable() || availableMemory() < 7 * GiB)('a 1024x1024 RGB Deep Decoder with 128 channels builds on the native engine (a 5 GiB arena)', () => {
    setKernels(nativeKernels());
    const g = deepDecoder({ outShape: [3, 1024, 1024], channels: 128, seed: 1 });
    // The arena is one SharedArrayBuffer past 4 GiB (pages are committed only when touched).
    const buffer = g.input!.buffer as SharedArrayBuffer;
    expect(buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(buffer.byteLength).toBeGreaterThan(4 * GiB);
    const last = new Float32Array(buffer, buffer.byteLength - 4, 1);
    last[0] = 1.5;
    expect(last[0]).toBe(1.5);
    expect(g.numParams).toBe(100224);
  });

  it('an arena beyond its engine is refused with a typed error', () => {
    expect(() => new Arena(2 ** 31, 'float32', 'wasm')).toThrow(InvalidArgumentError);
  });
});
