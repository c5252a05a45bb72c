// AssemblyScript source of the Philox normal generator used when the native addon is absent
// (compiled by `npm run build:wasm` into src/core/philoxWasmBinary.ts). It is native/gaussian.c's
// generic path op for op: float32 +, -, *, sqrt and exact conversions in the same order (wasm
// has no fused multiply-add), so its entries are bit-identical to the addon's and to the
// JavaScript twin in src/core/philox.ts. Plain wasm (no SIMD): the 64-bit products Philox needs
// are single i64 multiplies here, which JavaScript has to assemble from 16-bit halves.

// @ts-nocheck

const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

// Cephes logf on [sqrt(1/2), sqrt(2)) and sinf/cosf on [-pi/4, pi/4] (exact float32 values).
const LOG_C8: f32 = 0.070376835763454437;
const LOG_C7: f32 = -0.11514610052108765;
const LOG_C6: f32 = 0.11676998436450958;
const LOG_C5: f32 = -0.12420140951871872;
const LOG_C4: f32 = 0.14249323308467865;
const LOG_C3: f32 = -0.16668057441711426;
const LOG_C2: f32 = 0.20000714063644409;
const LOG_C1: f32 = -0.24999994039535522;
const LOG_C0: f32 = 0.33333331346511841;
const LN2_LO: f32 = -0.00021219444170128554;
const LN2_HI: f32 = 0.693359375;
const SQRT2F: f32 = 1.4142135381698608;
const SIN_C2: f32 = -0.00019515295571181923;
const SIN_C1: f32 = 0.0083321612328290939;
const SIN_C0: f32 = -0.16666655242443085;
const COS_C2: f32 = 2.4433156795566902e-5;
const COS_C1: f32 = -0.0013887316454201937;
const COS_C0: f32 = 0.041666645556688309;
const PIO2F: f32 = 1.5707963705062866;
const ANGLE_MID: f32 = 4194303.5;
const TWO_M23: f32 = 1.1920928955078125e-7;

// Two normals from one radius word and one angle word, stored at zc and zs.
@inline function boxMuller(wr: u32, wa: u32, zc: usize, zs: usize): void {
  const fv = <f32>((wr >>> 8) | 1);
  const bits = reinterpret<u32>(fv);
  let e = <f32>(<i32>(bits >>> 23) - 151);
  let mm = reinterpret<f32>((bits & 0x7fffff) | 0x3f800000);
  const above = mm > SQRT2F;
  mm = select<f32>(mm * 0.5, mm, above);
  e = select<f32>(e + 1.0, e, above);
  const x = mm - 1.0;
  const z = x * x;
  let p = LOG_C8;
  p = p * x + LOG_C7;
  p = p * x + LOG_C6;
  p = p * x + LOG_C5;
  p = p * x + LOG_C4;
  p = p * x + LOG_C3;
  p = p * x + LOG_C2;
  p = p * x + LOG_C1;
  p = p * x + LOG_C0;
  let y = p * x;
  y = y * z;
  y = y + LN2_LO * e;
  y = y - <f32>0.5 * z;
  let l = x + y;
  l = l + LN2_HI * e;
  const r = sqrt<f32>(l * <f32>-2.0);

  const q = wa >>> 30;
  const v = (<f32>((wa >>> 7) & 0x7fffff) - ANGLE_MID) * TWO_M23;
  const xa = v * PIO2F;
  const z2 = xa * xa;
  let sn = SIN_C2 * z2 + SIN_C1;
  sn = sn * z2 + SIN_C0;
  sn = sn * z2;
  sn = sn * xa;
  sn = sn + xa;
  let cs = COS_C2 * z2 + COS_C1;
  cs = cs * z2 + COS_C0;
  cs = cs * z2;
  cs = cs * z2;
  cs = cs - <f32>0.5 * z2;
  cs = cs + <f32>1.0;
  // Quadrant q rotates (cos x, sin x) by q pi / 2: swap on odd q, sign bits flipped.
  const odd = (q & 1) != 0;
  const a = select<f32>(sn, cs, odd);
  const b = select<f32>(cs, sn, odd);
  const ca = reinterpret<f32>(reinterpret<u32>(a) ^ (((q + 1) & 2) << 30));
  const sb = reinterpret<f32>(reinterpret<u32>(b) ^ ((q & 2) << 30));
  store<f32>(zc, r * ca);
  store<f32>(zs, r * sb);
}

// Row `row`, columns [64 g0, 64 (g0 + groups)), as float32 at byte address out.
export function fill_groups(out: usize, k0: u32, k1: u32, row: u32, g0: u32, groups: u32): void {
  for (let gi: u32 = 0; gi < groups; gi++) {
    const base = out + ((<usize>gi) << 8);
    const g = g0 + gi;
    for (let l: u32 = 0; l < 16; l++) {
      let c0: u32 = 16 * g + l;
      let c1: u32 = row;
      let c2: u32 = 0;
      let c3: u32 = 0;
      let a0 = k0;
      let a1 = k1;
      for (let r = 0; r < 10; r++) {
        if (r > 0) {
          a0 += W0;
          a1 += W1;
        }
        const p0 = M0 * <u64>c0;
        const p1 = M1 * <u64>c2;
        c0 = (<u32>(p1 >>> 32)) ^ c1 ^ a0;
        c1 = <u32>p1;
        c2 = (<u32>(p0 >>> 32)) ^ c3 ^ a1;
        c3 = <u32>p0;
      }
      const at = base + ((<usize>l) << 2);
      boxMuller(c0, c1, at, at + 64);
      boxMuller(c2, c3, at + 128, at + 192);
    }
  }
}
