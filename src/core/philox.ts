import { InvalidArgumentError } from './errors.js';
import { nativeAddon } from './native.js';
import { philoxWasmAvailable, philoxWasmBlock } from './philoxWasm.js';
import { Rng, type Seed } from './rng.js';
import { getThreads } from './threads.js';

/**
 * Counter-based normal entries Z(i, j) ~ N(0, 1) of a seeded matrix: the JavaScript twin of
 * native/gaussian.c, bit-identical to it (float32 values). Philox4x32-10 (Salmon et al., SC
 * 2011) on the counter (16 floor(j / 64) + j % 16, i, 0, 0) gives four words; words (0, 1) and
 * (2, 3) each give two normals by Box-Muller; word pair p, cosine (h = 0) or sine (h = 1) goes to
 * column 64 floor(j / 64) + 32 p + 16 h + j % 16. An entry depends only on (key, i, j), so any
 * row or block regenerates alone, at any thread count, in any order.
 *
 * Bit-identity: every step is a float32 +, -, *, sqrt (Math.fround of the double result; double
 * rounding is harmless for these operations since 53 >= 2 * 24 + 2) or an exact conversion, in
 * the same order as the C code; log and sin/cos are Cephes' float polynomials.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

// Exact float32 values (the C file spells the same values as hex floats).
const LOG_C = [
  0.070376835763454437, -0.11514610052108765, 0.11676998436450958, -0.12420140951871872, 0.14249323308467865, -0.16668057441711426,
  0.20000714063644409, -0.24999994039535522, 0.33333331346511841,
] as const;
const LN2_LO = -0.00021219444170128554;
const LN2_HI = 0.693359375;
const SQRT2F = 1.4142135381698608;
const SIN_C2 = -0.00019515295571181923;
const SIN_C1 = 0.0083321612328290939;
const SIN_C0 = -0.16666655242443085;
const COS_C2 = 2.4433156795566902e-5;
const COS_C1 = -0.0013887316454201937;
const COS_C0 = 0.041666645556688309;
const PIO2F = 1.5707963705062866;
const ANGLE_MID = 4194303.5;

const f = Math.fround;
const TWO_M16 = 1.52587890625e-5; // 2^-16
const TWO_M23 = 1.1920928955078125e-7; // 2^-23
const INV_POW2 = new Float64Array(32).map((_, k) => 2 ** -k);
// SQRT2_FLOOR[t] = floor(SQRT2F 2^t): v 2^-t > SQRT2F exactly when the integer v > SQRT2_FLOOR[t].
const SQRT2_FLOOR = new Int32Array(25).map((_, t) => Math.floor(SQRT2F * 2 ** t));
const CS_SN = new Float64Array(2);
/** Philox's output words (int32 bit patterns) of the last `philoxRounds`. */
const WORDS = new Int32Array(4);

/**
 * Philox4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1), into WORDS. Words are kept as
 * int32 bit patterns (V8 keeps them in integer registers); the high half of the 64-bit product
 * M c is exact in doubles from c's 16-bit halves: floor((M ch + floor(M cl 2^-16)) 2^-16).
 */
function philoxRounds(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  k0 |= 0;
  k1 |= 0;
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + W0) | 0;
      k1 = (k1 + W1) | 0;
    }
    const hi0 = Math.floor((M0 * (c0 >>> 16) + Math.floor(M0 * (c0 & 0xffff) * TWO_M16)) * TWO_M16) | 0;
    const lo0 = Math.imul(M0, c0);
    const hi1 = Math.floor((M1 * (c2 >>> 16) + Math.floor(M1 * (c2 & 0xffff) * TWO_M16)) * TWO_M16) | 0;
    const lo1 = Math.imul(M1, c2);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  WORDS[0] = c0;
  WORDS[1] = c1;
  WORDS[2] = c2;
  WORDS[3] = c3;
}

/** Philox4x32-10 of counter c (four uint32, overwritten with the output) under key (k0, k1). */
export function philox4x32(c: Uint32Array, k0: number, k1: number): Uint32Array {
  philoxRounds(c[0]! | 0, c[1]! | 0, c[2]! | 0, c[3]! | 0, k0, k1);
  for (let i = 0; i < 4; i++) c[i] = WORDS[i]!;
  return c;
}

/**
 * Box-Muller: writes the cosine normal at out[i0] and the sine normal at out[i1]. Branch-free
 * where the branch would be a coin flip (mantissa above sqrt 2, quadrant); with the int32 words
 * above, the twin went from ~210 to ~100 ms per 2.2 million entries.
 */
function boxMuller(wr: number, wa: number, out: Float32Array, i0: number, i1: number): void {
  // u = v 2^-24 with v odd in [1, 2^24): never 0 or 1; mantissa mm in [1, 2) halved above
  // sqrt 2 (exactly: a power-of-two scale), exponent e.
  const v = (wr >>> 8) | 1;
  const top = 31 - Math.clz32(v);
  const above = (SQRT2_FLOOR[top]! - v) >>> 31;
  const mm = v * INV_POW2[top + above]!;
  const e = top - 24 + above;
  const x = mm - 1;
  const z = f(x * x);
  let p = f(f(LOG_C[0] * x) + LOG_C[1]);
  p = f(f(p * x) + LOG_C[2]);
  p = f(f(p * x) + LOG_C[3]);
  p = f(f(p * x) + LOG_C[4]);
  p = f(f(p * x) + LOG_C[5]);
  p = f(f(p * x) + LOG_C[6]);
  p = f(f(p * x) + LOG_C[7]);
  p = f(f(p * x) + LOG_C[8]);
  let y = f(p * x);
  y = f(y * z);
  y = f(y + f(LN2_LO * e));
  y = f(y - f(0.5 * z));
  let l = f(x + y);
  l = f(l + f(LN2_HI * e));
  const r = f(Math.sqrt(f(l * -2)));

  const q = wa >>> 30;
  const xa = f(((((wa >>> 7) & 0x7fffff) - ANGLE_MID) * TWO_M23) * PIO2F);
  const z2 = f(xa * xa);
  let sn = f(f(SIN_C2 * z2) + SIN_C1);
  sn = f(f(sn * z2) + SIN_C0);
  sn = f(sn * z2);
  sn = f(sn * xa);
  sn = f(sn + xa);
  let cs = f(f(COS_C2 * z2) + COS_C1);
  cs = f(f(cs * z2) + COS_C0);
  cs = f(cs * z2);
  cs = f(cs * z2);
  cs = f(cs - f(0.5 * z2));
  cs = f(cs + 1);
  // Quadrant q rotates (cos x, sin x) by q pi / 2; the sign factors are exactly +-1, and the
  // float32 store rounds r a once, as the C code does.
  CS_SN[0] = cs;
  CS_SN[1] = sn;
  const odd = q & 1;
  out[i0] = r * (1 - ((q + 1) & 2)) * CS_SN[odd]!;
  out[i1] = r * (1 - (q & 2)) * CS_SN[1 - odd]!;
}

/** The 64 entries of row `row`, columns [64 g, 64 g + 64), into out[at .. at + 64). */
export function philoxGroup(k0: number, k1: number, row: number, g: number, out: Float32Array, at = 0): void {
  for (let l = 0; l < 16; l++) {
    philoxRounds((16 * g + l) | 0, row | 0, 0, 0, k0, k1);
    boxMuller(WORDS[0]!, WORDS[1]!, out, at + l, at + 16 + l);
    boxMuller(WORDS[2]!, WORDS[3]!, out, at + 32 + l, at + 48 + l);
  }
}

/** Fills out[r cols + c] = Z(row0 + r, col0 + c), a block of the key's matrix, and returns out. */
export type PhiloxBlockFill = (k0: number, k1: number, row0: number, rows: number, col0: number, cols: number, out: Float32Array) => Float32Array;

const wasmBlockFill: PhiloxBlockFill = (k0, k1, row0, rows, col0, cols, out) =>
  philoxWasmBlock(k0, k1, row0, rows, col0, cols, out) ? out : philoxNormalBlockJs(k0, k1, row0, rows, col0, cols, out);

/**
 * The block generator to use: the WebAssembly one (src/core/philoxWasm.ts), or the JavaScript
 * twin where WebAssembly is missing or UNTRAINED_CS_KERNELS=portable pins plain JavaScript. All
 * give the same bits. Read once by whatever builds on it (an operator keeps its choice).
 */
export function philoxBlockFill(): PhiloxBlockFill {
  return process.env.UNTRAINED_CS_KERNELS === 'portable' || !philoxWasmAvailable() ? philoxNormalBlockJs : wasmBlockFill;
}

/** out[r cols + c] = Z(row0 + r, col0 + c): a block of the key's matrix (see philoxBlockFill). */
export function philoxNormalBlock(k0: number, k1: number, row0: number, rows: number, col0: number, cols: number, out: Float32Array): Float32Array {
  return philoxBlockFill()(k0, k1, row0, rows, col0, cols, out);
}

/** philoxNormalBlock in plain JavaScript (~45 ns an entry). */
export function philoxNormalBlockJs(k0: number, k1: number, row0: number, rows: number, col0: number, cols: number, out: Float32Array): Float32Array {
  const tmp = new Float32Array(64);
  const g0 = Math.floor(col0 / 64);
  const g1 = Math.ceil((col0 + cols) / 64);
  for (let r = 0; r < rows; r++) {
    const base = r * cols - col0;
    for (let g = g0; g < g1; g++) {
      const a = Math.max(64 * g, col0);
      const b = Math.min(64 * g + 64, col0 + cols);
      if (b - a === 64) {
        philoxGroup(k0, k1, row0 + r, g, out, base + a);
        continue;
      }
      philoxGroup(k0, k1, row0 + r, g, tmp);
      for (let j = a; j < b; j++) out[base + j] = tmp[j - 64 * g]!;
    }
  }
  return out;
}

/**
 * Row `row` of the key's matrix, columns [0, out.length): a vector of N(0, 1) noise addressed by
 * (key, row) alone, so a fit can draw step `row`'s noise without carrying a stream's state. The
 * native addon fills it (2.2 million entries in ~2 ms) when it loaded; otherwise the WebAssembly
 * generator (~28 ms) or the JavaScript twin (~100 ms) gives the same bits.
 */
export function philoxNormalRow(k0: number, k1: number, row: number, out: Float32Array): Float32Array {
  const addon = nativeAddon();
  if (addon) addon.gaussianFill(out, k0, k1, row, 1, 0, out.length, getThreads());
  else philoxNormalBlock(k0, k1, row, 1, 0, out.length, out);
  return out;
}

/** The Philox key (two uint32) of a seed, in the namespace `label` (so uses never collide). */
export function philoxKey(seed: Seed, label: string): [number, number] {
  if (typeof label !== 'string') throw new InvalidArgumentError('philoxKey', 'label', 'a string', label);
  const r = new Rng(seed).fork(`philox:${label}`);
  return [Math.floor(r.uniform() * 2 ** 32), Math.floor(r.uniform() * 2 ** 32)];
}
