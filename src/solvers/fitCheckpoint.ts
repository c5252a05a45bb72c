import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { InvalidArgumentError } from '../core/errors.js';

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
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, prefix);
    for (const a of Object.values(file.arrays)) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Reads a checkpoint, or null when there is none at `path`; a damaged file is a clear error. */
export function readCheckpoint(fn: string, path: string): CheckpointFile | null {
  if (!existsSync(path)) return null;
  const bad = (why: string) => new InvalidArgumentError(fn, 'checkpoint.path', 'a checkpoint written by fitGenerator (delete the file to start afresh)', `${path}: ${why}`);
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw bad('not a checkpoint file');
  const headerLength = buf.readUInt32LE(8);
  if (12 + headerLength > buf.length) throw bad('truncated header');
  let header: { fingerprint: CheckpointFile['fingerprint']; state: CheckpointFile['state']; arrays: ArrayEntry[] };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength));
  } catch {
    throw bad('unreadable header');
  }
  let offset = Math.ceil((12 + headerLength) / 8) * 8;
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
