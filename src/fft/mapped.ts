import { nativeAddon, type NativeAddon } from '../core/native.js';
import { getThreads } from '../core/threads.js';
import { fftNdInPlace } from './fft.js';

/** native/fft_fast.c's fftMapped (absent from addons built before it). */
type NativeFftMapped = (
  buf: Float64Array, shape: Int32Array, inverse: boolean, threads: number, input: Float64Array, inMap: Int32Array, realIn: boolean,
  output: Float64Array, outMap: Int32Array, realOut: boolean, zeroFill: boolean,
) => void;

/** Below this many complex values the JavaScript loops cost about what a native call does. */
const NATIVE_MIN = 256;

/**
 * One Fourier-operator apply: buf[inMap[i]] = input[i] (buf zeroed first when `zeroFill`), the
 * orthonormal FFT of buf over `shape`, then output[k] = buf[outMap[k]]. `realIn`: input holds
 * real values (imaginary parts 0); `realOut`: output receives the real parts only. In one native
 * call when the addon has it (the placement and sampling loops cost as much as the FFT in
 * JavaScript), else the same loops here. Maps must be in range (callers build them).
 */
export function fftMapped(
  buf: Float64Array, shape: Int32Array, inverse: boolean, input: Float64Array, inMap: Int32Array, realIn: boolean,
  output: Float64Array, outMap: Int32Array, realOut: boolean, zeroFill: boolean,
): void {
  const native = nativeAddon() as (NativeAddon & { fftMapped?: NativeFftMapped }) | null;
  if (native?.fftMapped && buf.length >= 2 * NATIVE_MIN) {
    native.fftMapped(buf, shape, inverse, getThreads(), input, inMap, realIn, output, outMap, realOut, zeroFill);
    return;
  }
  if (zeroFill) buf.fill(0);
  const nin = inMap.length;
  if (realIn) {
    for (let i = 0; i < nin; i++) {
      const p = 2 * inMap[i]!;
      buf[p] = input[i]!;
      buf[p + 1] = 0;
    }
  } else {
    for (let i = 0; i < nin; i++) {
      const p = 2 * inMap[i]!;
      buf[p] = input[2 * i]!;
      buf[p + 1] = input[2 * i + 1]!;
    }
  }
  fftNdInPlace(buf, Array.from(shape), inverse);
  const nout = outMap.length;
  if (realOut) {
    for (let k = 0; k < nout; k++) output[k] = buf[2 * outMap[k]!]!;
  } else {
    for (let k = 0; k < nout; k++) {
      const q = 2 * outMap[k]!;
      output[2 * k] = buf[q]!;
      output[2 * k + 1] = buf[q + 1]!;
    }
  }
}
