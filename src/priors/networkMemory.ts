import { MemoryLimitError } from '../core/errors.js';
import { availableMemory, formatBytes } from '../core/memory.js';
import { arenaLimit, type ArenaKind, type Precision } from '../engine/arena.js';

/** What a built network and a fit of it take, in bytes (estimated before anything is allocated). */
export interface NetworkMemory {
  /** The arena: parameters, gradients, activations, their gradients and scratch (exact). */
  arena: number;
  /** Of which parameters and their gradients. */
  parameters: number;
  /**
   * What a fit adds outside the arena (estimate): per parameter two float32 copies and Adam's two
   * float64 moments (~28 B); per output value ~10 float64 buffers of the loop and the operator
   * (~80 B, measurements assumed as many as outputs).
   */
  fit: number;
  total: number;
  /** Where the arena lives ('wasm': one WebAssembly memory, 4 GiB at most). */
  kind: ArenaKind;
}

export function networkMemory(arenaBytes: number, numParams: number, outputSize: number, precision: Precision, kind: ArenaKind): NetworkMemory {
  const width = precision === 'float64' ? 8 : 4;
  const fit = 28 * numParams + 80 * outputSize;
  return { arena: arenaBytes, parameters: 2 * width * numParams, fit, total: arenaBytes + fit, kind };
}

/**
 * Throws MemoryLimitError, before allocating, when the network's arena exceeds what its engine
 * addresses or the network and its fit exceed the memory this machine has available. The
 * message names the estimate, the limit and what to lower.
 */
export function checkNetworkMemory(owner: string, m: NetworkMemory, precision: Precision, shape: { outShape: number[]; widest: number }): void {
  const engineLimit = arenaLimit(m.kind, precision);
  const machine = availableMemory();
  const overEngine = m.arena > engineLimit;
  const overMachine = m.total > machine;
  if (!overEngine && !overMachine) return;
  const engine = m.kind === 'wasm' ? 'the WebAssembly engine' : precision === 'float64' ? 'a float64 arena' : 'the native engine';
  const limits = [`at most ${formatBytes(engineLimit)} per network on ${engine}`, `${formatBytes(machine)} available on this machine`];
  const needs =
    `one needing ${formatBytes(m.total)} (arena ${formatBytes(m.arena)}: ${formatBytes(m.parameters)} of parameters and gradients, the rest ` +
    `activations, their gradients and scratch; a fit adds ~${formatBytes(m.fit)})`;
  const lower = [`the output size (${shape.outShape.join('x')})`, `the channels (widest layer ${shape.widest})`, 'the depth'];
  let advice = `lower ${lower.slice(0, -1).join(', ')} or ${lower[lower.length - 1]}`;
  if (precision === 'float64') advice += ", or use precision 'float32'";
  if (m.kind === 'wasm' && overEngine && !overMachine) advice += ', or use the native kernels (built at npm install with a C compiler), whose arenas may exceed 4 GiB';
  throw new MemoryLimitError(owner, 'options', `a network that fits in memory (${limits.join('; ')})`, `${needs}; ${advice}`, m.total, Math.min(engineLimit, machine));
}
