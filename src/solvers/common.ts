import { InvalidArgumentError, ShapeMismatchError } from '../core/errors.js';
import { checkSeed, toFloat64, type NumericArray } from '../core/validate.js';
import type { Seed } from '../core/rng.js';
import { checkOperator, type LinearOperator } from '../operators/linearOperator.js';
import { basisByName } from './bases/bases.js';

/** Shared argument checks of the classical solvers: operator, measurements, optional x0. */
export function solverInputs(fn: string, operator: unknown, measurements: unknown, x0?: unknown): { A: LinearOperator; y: Float64Array; x0: Float64Array | null } {
  const A = checkOperator(fn, 'operator', operator);
  const y = toFloat64(fn, 'measurements', measurements as NumericArray, A.outSize, { copy: true });
  const start = x0 === undefined ? null : toFloat64(fn, 'x0', x0 as NumericArray, A.inSize, { copy: true });
  return { A, y, x0: start };
}

/**
 * A basis given as an operator or by name ('dct', 'haar', 'db4', ...; built on the operator's
 * input grid, or its real part for complex data). It must act on that space.
 */
export function resolveBasis(fn: string, basis: unknown, A: LinearOperator, levels?: number, cycleSpinning?: number): LinearOperator | null {
  if (basis === undefined) return null;
  if (typeof basis === 'string') {
    const complex = A.inShape.length > 1 && A.inShape[A.inShape.length - 1] === 2;
    const grid = complex ? A.inShape.slice(0, -1) : A.inShape.slice();
    return basisByName(basis, grid, levels, fn, cycleSpinning);
  }
  const W = checkOperator(fn, 'basis', basis);
  if (W.inSize !== A.inSize && 2 * W.inSize !== A.inSize) {
    throw new ShapeMismatchError(fn, 'basis', `an input of size ${A.inSize} (or ${A.inSize / 2} for complex data)`, `input [${W.inShape.join(', ')}]`);
  }
  return W;
}

export function solverSeed(fn: string, seed: unknown): Seed {
  return checkSeed(fn, seed ?? 0);
}

export function positiveOrThrow(fn: string, name: string, v: number): number {
  if (!(v > 0)) throw new InvalidArgumentError(fn, name, 'a positive number', v);
  return v;
}
