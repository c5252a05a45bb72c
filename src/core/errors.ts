/**
 * Typed errors for caller mistakes. Every message names the function, the argument,
 * what was expected and what came, so a user can fix the call without reading our source.
 * Numerical trouble (divergence, NaN produced by a fit) is never thrown: solvers report it.
 */

export class UntrainedCsError extends Error {
  readonly fn: string;
  readonly argument: string;
  readonly expected: string;
  readonly received: string;

  constructor(fn: string, argument: string, expected: string, received: unknown) {
    const got = describeValue(received);
    super(`${fn}: argument '${argument}' expected ${expected}, got ${got}`);
    this.name = new.target.name;
    this.fn = fn;
    this.argument = argument;
    this.expected = expected;
    this.received = got;
  }
}

/** Lengths or shapes that do not fit together. */
export class ShapeMismatchError extends UntrainedCsError {}

/** A value that is out of range, of the wrong type, NaN, or an unknown option. */
export class InvalidArgumentError extends UntrainedCsError {}

/** A fit's checkpoint file belongs to another fit, or is not a checkpoint (delete it to start afresh). */
export class CheckpointMismatchError extends InvalidArgumentError {}

/** A valid request this build cannot serve (e.g. an npy dtype we do not read). */
export class NotSupportedError extends UntrainedCsError {}

/**
 * A network (and its fit) that needs more memory than the engine or the machine can hold,
 * found before anything is allocated. The message names the estimate, the limit and what to
 * lower; the numbers are fields too.
 */
export class MemoryLimitError extends UntrainedCsError {
  constructor(
    fn: string,
    argument: string,
    expected: string,
    received: string,
    readonly bytesNeeded: number,
    readonly bytesAvailable: number,
  ) {
    super(fn, argument, expected, received);
    // `received` is already a description: say it as it is, not quoted.
    this.message = `${fn}: argument '${argument}' expected ${expected}, got ${received}`;
    (this as { received: string }).received = received;
  }
}

/** Short, readable rendering of whatever the caller passed. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value.length > 60 ? `'${value.slice(0, 57)}...'` : `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (ArrayBuffer.isView(value) && 'length' in value) {
    return `${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  }
  if (Array.isArray(value)) {
    if (value.length <= 8 && value.every((v) => typeof v === 'number')) return `[${value.join(', ')}]`;
    return `array of length ${value.length}`;
  }
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return `object {${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}}`;
  }
  return typeof value;
}
