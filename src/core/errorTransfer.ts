import { InvalidArgumentError, NotSupportedError, ShapeMismatchError, UntrainedCsError } from './errors.js';

/** An error as plain data, to cross a thread boundary (structured clone drops custom classes). */
export interface ErrorData {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  fields?: { fn: string; argument: string; expected: string; received: string };
}

const TYPED: Record<string, typeof UntrainedCsError> = { UntrainedCsError, ShapeMismatchError, InvalidArgumentError, NotSupportedError };

export function errorToData(e: unknown): ErrorData {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const data: ErrorData = { name: e.name, message: e.message, stack: e.stack };
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code === 'string') data.code = code;
  if (e instanceof UntrainedCsError) data.fields = { fn: e.fn, argument: e.argument, expected: e.expected, received: e.received };
  return data;
}

/**
 * The error again, of its original class when it is one of ours (so `instanceof
 * InvalidArgumentError` holds for a mistake found on a worker thread) and with its message intact.
 */
export function errorFromData(data: ErrorData): Error {
  const typed = data.fields ? TYPED[data.name] : undefined;
  // Built without the constructor: it would re-describe the already described received value.
  const e: Error = typed ? (Object.create(typed.prototype) as Error) : data.name === 'RangeError' ? new RangeError() : data.name === 'TypeError' ? new TypeError() : new Error();
  Object.defineProperty(e, 'message', { value: data.message, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(e, 'name', { value: data.name, writable: true, configurable: true, enumerable: false });
  if (data.stack) Object.defineProperty(e, 'stack', { value: data.stack, writable: true, configurable: true, enumerable: false });
  if (data.code) (e as NodeJS.ErrnoException).code = data.code;
  if (typed && data.fields) Object.assign(e, data.fields);
  return e;
}
