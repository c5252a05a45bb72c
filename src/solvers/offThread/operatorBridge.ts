import { ShapeMismatchError } from '../../core/errors.js';
import { defineOperator, type LinearOperator } from '../../operators/linearOperator.js';
import { FAILED, IDLE, REPLY, REQUEST, STATE, type OperatorCall, type OperatorShape, type WorkerMessage } from './protocol.js';

/**
 * A caller's operators, seen from a fit's worker thread. Users pass closures (their own
 * operators, compositions) that cannot cross threads, so the worker asks the caller for every
 * product: it writes x into shared memory, posts a request and sleeps on the STATE slot; the
 * caller computes A x in its event loop (between other work: it never blocks) and wakes it.
 * The numbers are the caller's own, so a fit off the thread equals the synchronous fit.
 */

/** Sizes of the shared argument/result buffers: the longest side of any operator. */
export function bridgeLength(operators: readonly LinearOperator[]): number {
  return Math.max(1, ...operators.map((A) => Math.max(A.inSize, A.outSize)));
}

export function operatorShape(A: LinearOperator): OperatorShape {
  return { name: A.name, inShape: A.inShape.slice(), outShape: A.outShape.slice() };
}

/** Caller side: answers one request; returns the operator's exception, if it threw. */
export function serveOperatorCall(operators: readonly LinearOperator[], op: number, call: OperatorCall, control: Int32Array, input: SharedArrayBuffer, output: SharedArrayBuffer): unknown {
  let failure: unknown = null;
  try {
    const A = operators[op]!;
    const inLength = call === 'adjoint' ? A.outSize : A.inSize;
    const outLength = call === 'forward' ? A.outSize : A.inSize;
    // A copy: operators may work in place on arrays they are given.
    const x = new Float64Array(input, 0, inLength).slice();
    const y = call === 'forward' ? A.apply(x) : call === 'adjoint' ? A.applyAdjoint(x) : A.applyNormal(x);
    if (y.length !== outLength) throw new ShapeMismatchError(`${A.name}.${call}`, 'result', `${outLength} values`, `${y.length} values`);
    new Float64Array(output, 0, outLength).set(y);
  } catch (e) {
    failure = e;
  }
  Atomics.store(control, STATE, failure === null ? REPLY : FAILED);
  Atomics.notify(control, STATE);
  return failure;
}

/** Worker side: an operator whose products are computed by the caller. */
export function proxyOperator(index: number, shape: OperatorShape, control: Int32Array, input: SharedArrayBuffer, output: SharedArrayBuffer, post: (m: WorkerMessage) => void): LinearOperator {
  const inView = new Float64Array(input);
  const outView = new Float64Array(output);
  const call = (kind: OperatorCall, x: Float64Array, outLength: number): Float64Array => {
    inView.set(x);
    Atomics.store(control, STATE, REQUEST);
    post({ type: 'op', op: index, call: kind });
    while (Atomics.load(control, STATE) === REQUEST) Atomics.wait(control, STATE, REQUEST);
    const state = Atomics.load(control, STATE);
    Atomics.store(control, STATE, IDLE);
    // The caller keeps the operator's own exception and reports that one.
    if (state === FAILED) throw new Error(`operator '${shape.name}' failed (${kind}) on the calling thread`);
    return outView.slice(0, outLength);
  };
  let inSize = 1;
  for (const d of shape.inShape) inSize *= d;
  let outSize = 1;
  for (const d of shape.outShape) outSize *= d;
  return defineOperator({
    name: shape.name,
    inShape: shape.inShape,
    outShape: shape.outShape,
    forward: (x) => call('forward', x, outSize),
    adjoint: (y) => call('adjoint', y, inSize),
    normal: (x) => call('normal', x, inSize),
  });
}
