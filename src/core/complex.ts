/**
 * Complex data is stored interleaved (re, im, re, im, ...) in Float64Array, so a complex array
 * of shape S is a real array of shape [...S, 2]. These helpers keep that convention in one place.
 */

export function complexFromReal(re: ArrayLike<number>, im?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(2 * re.length);
  for (let i = 0; i < re.length; i++) {
    out[2 * i] = re[i]!;
    out[2 * i + 1] = im ? im[i]! : 0;
  }
  return out;
}

/** Real parts of interleaved complex values (re, im, re, im, ...). */
export function realPart(z: ArrayLike<number>): Float64Array {
  const out = new Float64Array(z.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = z[2 * i]!;
  return out;
}

/** Imaginary parts of interleaved complex values (re, im, re, im, ...). */
export function imagPart(z: ArrayLike<number>): Float64Array {
  const out = new Float64Array(z.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = z[2 * i + 1]!;
  return out;
}

/** Magnitudes |z| of interleaved complex values (re, im, re, im, ...). */
export function complexAbs(z: ArrayLike<number>): Float64Array {
  const out = new Float64Array(z.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(z[2 * i]!, z[2 * i + 1]!);
  return out;
}

/** In place z <- conj(z). */
export function conjugateInPlace(z: Float64Array): Float64Array {
  for (let i = 1; i < z.length; i += 2) z[i] = -z[i]!;
  return z;
}
