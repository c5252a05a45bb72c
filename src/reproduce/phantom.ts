/**
 * The modified Shepp-Logan phantom (Toft's contrast-enhanced variant, as MATLAB's phantom and
 * BART's `phantom` draw it): ten ellipses (intensity, semi-axes a, b, centre x0, y0, rotation in
 * degrees) on [-1, 1]^2, y pointing up. Values in [0, 1].
 */
const ELLIPSES: readonly (readonly [number, number, number, number, number, number])[] = [
  [1, 0.69, 0.92, 0, 0, 0],
  [-0.8, 0.6624, 0.874, 0, -0.0184, 0],
  [-0.2, 0.11, 0.31, 0.22, 0, -18],
  [-0.2, 0.16, 0.41, -0.22, 0, 18],
  [0.1, 0.21, 0.25, 0, 0.35, 0],
  [0.1, 0.046, 0.046, 0, 0.1, 0],
  [0.1, 0.046, 0.046, 0, -0.1, 0],
  [0.1, 0.046, 0.023, -0.08, -0.605, 0],
  [0.1, 0.023, 0.023, 0, -0.606, 0],
  [0.1, 0.023, 0.046, 0.06, -0.605, 0],
];

/**
 * The phantom on a size x size grid, each pixel the mean of 4 x 4 sub-samples: an MRI image is
 * band-limited, and point-sampled ellipse edges would put aliased jaggies into its k-space.
 */
export function sheppLogan(size: number): Float64Array {
  const sub = 4;
  const out = new Float64Array(size * size);
  const trig = ELLIPSES.map(([, , , , , deg]) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)] as const);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let acc = 0;
      for (let si = 0; si < sub; si++) {
        const y = 1 - (2 * (i + (si + 0.5) / sub)) / size;
        for (let sj = 0; sj < sub; sj++) {
          const x = (2 * (j + (sj + 0.5) / sub)) / size - 1;
          for (let e = 0; e < ELLIPSES.length; e++) {
            const [v, a, b, x0, y0] = ELLIPSES[e]!;
            const [c, s] = trig[e]!;
            const dx = x - x0;
            const dy = y - y0;
            const u = dx * c + dy * s;
            const w = -dx * s + dy * c;
            if ((u * u) / (a * a) + (w * w) / (b * b) <= 1) acc += v;
          }
        }
      }
      out[i * size + j] = Math.min(1, Math.max(0, acc / (sub * sub)));
    }
  }
  return out;
}
