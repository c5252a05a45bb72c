import { InvalidArgumentError, MemoryLimitError, NotSupportedError, ShapeMismatchError, UntrainedCsError } from './errors.js';

/** An error as plain data, to cross a thread boundary (structured clone drops custom classes). */
export interface ErrorData {
  name: string;
  message: string;
  stack?: string;
  /** Own fields with primitive values: fn, argument, expected, received, code, bytesNeeded, ... */
  fields: Record<string, string | number | boolean>;
}

// Only their prototypes are used (instances are made without constructors).
const TYPED: Record<string, { prototype: UntrainedCsError }> = { UntrainedCsError, ShapeMismatchError, InvalidArgumentError, NotSupportedError, MemoryLimitError };

export function errorToData(e: unknown): ErrorData {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: ErrorData['fields'] = {};
  for (const [k, v] of Object.entries(e)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/**
 * The error again, of its original class when it is one of ours (so `instanceof
 * InvalidArgumentError` holds for a mistake found on a worker thread), with its message and
 * fields intact.
 */
export function errorFromData(data: ErrorData): Error {
  const typed = TYPED[data.name];
  // Built without the constructor: it would re-describe the already described received value.
  const e: Error = typed ? (Object.create(typed.prototype) as Error) : data.name === 'RangeError' ? new RangeError() : data.name === 'TypeError' ? new TypeError() : new Error();
  for (const [k, v] of [['message', data.message], ['name', data.name], ['stack', data.stack]] as const) {
    if (v !== undefined) Object.defineProperty(e, k, { value: v, writable: true, configurable: true, enumerable: false });
  }
  Object.assign(e, data.fields);
  return e;
}
