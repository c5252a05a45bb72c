/** The dimensions of an array, outermost first (e.g. [h, w] or [c, h, w]). */
export type Shape = readonly number[];

/** Number of elements of a shape (the product of its dimensions; 1 for []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Whether two shapes have the same dimensions. */
export function shapeEquals(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A shape as text, e.g. '3x128x128' (for messages). */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
