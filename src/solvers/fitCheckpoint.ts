import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';
import { CheckpointMismatchError, InvalidArgumentError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { LinearOperator } from '../operators/linearOperator.js';

/**
 * The file a resumable fit writes (fitGenerator's `checkpoint` option): a JSON header (what the
 * fit is, where it stands, its scalars) followed by the raw float arrays of its state (parameters,
 * optimizer moments, running averages). Written to a temporary file and renamed, so a kill while
 * writing leaves the previous checkpoint whole.
 *
 * Layout: the 8 bytes "UCSFIT01", a little-endian uint32 header length, the header's UTF-8 JSON,
 * zero padding to a multiple of 8, then each array's bytes in the header's order.
 */
const MAGIC = 'UCSFIT01';

/** JSON values of a checkpoint's header. */
export type CheckpointJson = null | boolean | number | string | CheckpointJson[] | { [key: string]: CheckpointJson };

export type CheckpointArray = Float64Array | Float32Array;

export interface CheckpointFile {
  /** Identifies the fit (generator, operator, measurements, options): a checkpoint of another fit is refused. */
  fingerprint: { [key: string]: CheckpointJson };
  /** Where the fit stands (iteration, counters, random streams, history). */
  state: { [key: string]: CheckpointJson };
  arrays: Record<string, CheckpointArray>;
}

interface ArrayEntry {
  name: string;
  type: 'f64' | 'f32';
  length: number;
}

export function writeCheckpoint(path: string, file: CheckpointFile): void {
  const entries: ArrayEntry[] = Object.entries(file.arrays).map(([name, a]) => ({ name, type: a instanceof Float32Array ? 'f32' : 'f64', length: a.length }));
  const header = Buffer.from(JSON.stringify({ fingerprint: file.fingerprint, state: file.state, arrays: entries }), 'utf8');
  const prefix = Buffer.alloc(Math.ceil((12 + header.length) / 8) * 8);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  header.copy(prefix, 12);
  // Per process and thread: worker threads share the pid.
  const tmp = `${path}.tmp-${process.pid}-${threadId}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, prefix);
      for (const a of Object.values(file.arrays)) writeAll(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** writeSync may write less than asked (at most ~2 GB a call on Linux): loop until all is out. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}

/** The checkpoint's folder must exist and be writable when the fit starts, not hours later. */
export function checkWritableFolder(fn: string, argument: string, path: string): void {
  const dir = dirname(path);
  let ok: boolean;
  try {
    ok = statSync(dir).isDirectory();
    accessSync(dir, constants.W_OK);
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidArgumentError(fn, argument, 'a file path in an existing, writable folder', path);
}

/**
 * The operator as a checkpoint sees it: its name, sizes and three sums of its output on a fixed
 * random probe, so a fit resumed against another operator with the same sizes is refused. Sums,
 * compared with a tolerance (probeDiffers), not a digest of the bits: the same operator on
 * another engine or thread count may round differently.
 */
export function operatorProbe(A: LinearOperator): { [key: string]: CheckpointJson } {
  const rng = new Rng('untrained-cs checkpoint probe');
  const probe = Float64Array.from({ length: A.inSize }, () => rng.uniformIn(-1, 1));
  const out = A.apply(probe);
  let sum = 0;
  let sq = 0;
  let ramp = 0;
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    sum += v;
    sq += v * v;
    ramp += ((i % 7) - 3) * v;
  }
  return { name: A.name, inSize: A.inSize, outSize: A.outSize, sums: [sum, sq, ramp] };
}

function probeDiffers(a: CheckpointJson | undefined, b: CheckpointJson | undefined): boolean {
  const pa = a as { sums?: number[] } | undefined;
  const pb = b as { sums?: number[] } | undefined;
  if (!pa?.sums || !pb?.sums) return JSON.stringify(a) !== JSON.stringify(b);
  const { sums: sa, ...ra } = pa;
  const { sums: sb, ...rb } = pb;
  if (JSON.stringify(ra) !== JSON.stringify(rb)) return true;
  // relative to the output's norm: 1e-6 is far above rounding (~1e-12) and far below any real change
  const scale = Math.sqrt(Math.max(Math.abs(sa[1]!), Math.abs(sb[1]!), 1e-300)) * 10;
  return sa.some((v, i) => !(Math.abs(v - sb[i]!) <= 1e-6 * scale));
}

/** The keys on which two fingerprints differ (the operator compared with a tolerance). */
export function fingerprintDifferences(a: { [key: string]: CheckpointJson }, b: { [key: string]: CheckpointJson }): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => (k === 'operator' ? probeDiffers(a[k], b[k]) : JSON.stringify(a[k]) !== JSON.stringify(b[k])));
}

interface Header {
  fingerprint: CheckpointFile['fingerprint'];
  state: CheckpointFile['state'];
  arrays: ArrayEntry[];
}

/** The header from a file's first bytes (magic, length, JSON) with its length, or why there is none. */
function parseHeader(buf: Buffer): { header: Header; length: number } | string {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) return 'not a checkpoint file';
  const length = buf.readUInt32LE(8);
  if (12 + length > buf.length) return 'truncated header';
  try {
    return { header: JSON.parse(buf.toString('utf8', 12, 12 + length)) as Header, length };
  } catch {
    return 'unreadable header';
  }
}

/** Reads a checkpoint, or null when there is none at `path`; a damaged file is a clear error. */
export function readCheckpoint(fn: string, path: string): CheckpointFile | null {
  if (!existsSync(path)) return null;
  const bad = (why: string) => new CheckpointMismatchError(fn, 'checkpoint.path', 'a checkpoint written by fitGenerator (delete the file to start afresh)', `${path}: ${why}`);
  const buf = readFileSync(path);
  const parsed = parseHeader(buf);
  if (typeof parsed === 'string') throw bad(parsed);
  const { header } = parsed;
  let offset = Math.ceil((12 + parsed.length) / 8) * 8;
  const arrays: Record<string, CheckpointArray> = {};
  for (const e of header.arrays ?? []) {
    const bytes = e.length * (e.type === 'f32' ? 4 : 8);
    if (offset + bytes > buf.length) throw bad(`truncated at array ${e.name}`);
    // Copy out: the file buffer's offset need not suit a typed array view.
    const raw = new Uint8Array(bytes);
    raw.set(buf.subarray(offset, offset + bytes));
    arrays[e.name] = e.type === 'f32' ? new Float32Array(raw.buffer) : new Float64Array(raw.buffer);
    offset += bytes;
  }
  return { fingerprint: header.fingerprint, state: header.state, arrays };
}

/**
 * Where a checkpointed fit stands (iteration reached, of how many, and what is counted: 'iteration',
 * or the state's own unit, e.g. a baseline search's 'solve'), from the header alone; null if unreadable.
 */
export function checkpointProgress(path: string): { iteration: number; iterations: number; unit: string } | null {
  try {
    const fd = openSync(path, 'r');
    try {
      // The 12-byte prefix gives the header's length; then only the header is read, not the arrays.
      const prefix = Buffer.alloc(12);
      const got = readSync(fd, prefix, 0, 12, 0);
      const buf = Buffer.alloc(12 + (got === 12 ? prefix.readUInt32LE(8) : 0));
      readSync(fd, buf, 0, buf.length, 0);
      const parsed = parseHeader(buf);
      if (typeof parsed === 'string') return null;
      const unit = parsed.header.state.unit;
      return { iteration: Number(parsed.header.state.iteration), iterations: Number(parsed.header.fingerprint.iterations), unit: typeof unit === 'string' ? unit : 'iteration' };
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true });
}

/** FNV-1a over the float64 bytes: ties a checkpoint to its measurements and initial parameters. */
export function arrayDigest(a: ArrayLike<number>): string {
  const f = Float64Array.from(a as ArrayLike<number>);
  const bytes = new Uint8Array(f.buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${f.length}:${h.toString(16)}`;
}
