import { PHILOX_WASM_BASE64 } from './philoxWasmBinary.js';

/**
 * The Philox normal generator compiled to WebAssembly (wasm/philox.ts): bit-identical to the
 * native addon and to the JavaScript twin, ~13 ns an entry where the twin takes ~45 (the 64-bit
 * products are single i64 multiplies in wasm). Used wherever the addon is not.
 */

interface PhiloxExports {
  memory: WebAssembly.Memory;
  fill_groups(out: number, k0: number, k1: number, row: number, g0: number, groups: number): void;
}

/** Where the output starts in the module's own memory (its first KiB is left to the module). */
const BASE = 1024;
/** Groups of 64 entries per call: 1 MiB of output at most, so memory stays small. */
const CHUNK_GROUPS = 4096;

let instance: PhiloxExports | null | undefined;
function exportsOrNull(): PhiloxExports | null {
  if (instance === undefined) {
    try {
      const module = new WebAssembly.Module(Buffer.from(PHILOX_WASM_BASE64, 'base64'));
      instance = new WebAssembly.Instance(module, {}).exports as unknown as PhiloxExports;
      const need = BASE + CHUNK_GROUPS * 256;
      const have = instance.memory.buffer.byteLength;
      if (have < need) instance.memory.grow(Math.ceil((need - have) / 65536));
    } catch {
      instance = null; // no WebAssembly in this runtime
    }
  }
  return instance;
}

/** Whether the WebAssembly generator can run here. */
export function philoxWasmAvailable(): boolean {
  return exportsOrNull() !== null;
}

/**
 * out[r cols + c] = Z(row0 + r, col0 + c) by the WebAssembly generator; false (out untouched)
 * when WebAssembly is unavailable.
 */
export function philoxWasmBlock(k0: number, k1: number, row0: number, rows: number, col0: number, cols: number, out: Float32Array): boolean {
  const ex = exportsOrNull();
  if (!ex) return false;
  const g0 = Math.floor(col0 / 64);
  const g1 = Math.ceil((col0 + cols) / 64);
  for (let r = 0; r < rows; r++) {
    for (let gs = g0; gs < g1; gs += CHUNK_GROUPS) {
      const groups = Math.min(CHUNK_GROUPS, g1 - gs);
      // Unsigned words pass to wasm's i32 parameters by ToInt32, which keeps their bits.
      ex.fill_groups(BASE, k0, k1, row0 + r, gs, groups);
      const a = Math.max(64 * gs, col0);
      const b = Math.min(64 * (gs + groups), col0 + cols);
      out.set(new Float32Array(ex.memory.buffer, BASE + 4 * (a - 64 * gs), b - a), r * cols + a - col0);
    }
  }
  return true;
}
