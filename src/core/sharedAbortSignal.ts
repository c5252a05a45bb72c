/**
 * An AbortSignal whose `aborted` reads a flag in shared memory (`flags[index] !== 0`): a thread
 * busy in a fit loop sees memory but not messages or events, and the loop polls `aborted` at the
 * top of every iteration. Only `aborted` is live: no 'abort' event fires.
 */
export function sharedAbortSignal(flags: Int32Array, index = 0): AbortSignal {
  const signal = new AbortController().signal;
  Object.defineProperty(signal, 'aborted', { get: () => Atomics.load(flags, index) !== 0 });
  return signal;
}
