import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { InvalidArgumentError } from '../core/errors.js';
import { sweepHash, type SweepDefinition } from './definition.js';
import type { TrialRow } from './trial.js';

/** The first line of a JSON-lines results file: what produced the rows below it. */
export interface LogHeader {
  /** 'sweep', 'reproduce', ...: rows of one type only. */
  type: string;
  /** Identity of the run's definition: a file belongs to exactly one. */
  hash: string;
  name: string;
}

export interface ResultsHeader extends LogHeader {
  type: 'sweep';
  definition: SweepDefinition;
}

export interface LogFile<H extends LogHeader, R> {
  header: H | null;
  rows: R[];
  /** Bytes up to the end of the last complete line. */
  validBytes: number;
  /** A torn (incomplete or unparsable) last line was found. */
  torn: boolean;
}

export type ResultsFile = LogFile<ResultsHeader, TrialRow>;

/**
 * Reads a JSON-lines file: a header line (an object whose `type` is `headerType`), then one row
 * per finished task. A last line cut by a crash is reported (and dropped), never fatal; a bad
 * line in the middle is an error, since that is not how this writer fails.
 */
export function readLog<H extends LogHeader, R>(path: string, headerType: string): LogFile<H, R> {
  if (!existsSync(path)) return { header: null, rows: [], validBytes: 0, torn: false };
  const text = readFileSync(path).toString('utf8');
  let header: H | null = null;
  const rows: R[] = [];
  let offset = 0;
  let torn = false;
  let validBytes = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(offset, end);
    const complete = nl >= 0;
    let parsed: unknown = undefined;
    if (line.trim().length > 0) {
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
    }
    if (!complete || (line.trim().length > 0 && parsed === undefined)) {
      const rest = text.slice(end + 1);
      if (complete && rest.trim().length > 0) {
        throw new InvalidArgumentError('readResults', 'file', 'JSON lines (only the last line may be cut by a crash)', `${path}: unreadable line at byte ${Buffer.byteLength(text.slice(0, offset))}`);
      }
      torn = true;
      break;
    }
    if (parsed !== undefined) {
      if ((parsed as { type?: string }).type === headerType) header = parsed as H;
      else rows.push(parsed as R);
    }
    offset = end + 1;
    validBytes = Buffer.byteLength(text.slice(0, offset));
  }
  return { header, rows, validBytes, torn };
}

/** Reads a sweep results file. */
export function readResults(path: string): ResultsFile {
  return readLog<ResultsHeader, TrialRow>(path, 'sweep');
}

/**
 * Appends rows to a JSON-lines file, one write per line, so a killed process leaves at most one
 * torn line, which the next open truncates away. Rows whose id is already present are skipped:
 * every task appears exactly once. A file written for another definition (other hash) is refused.
 */
export class LogWriter<R extends { id: string }> {
  readonly path: string;
  readonly done: Set<string>;
  /** The rows already in the file when it was opened. */
  readonly existing: R[];
  readonly droppedTornLine: boolean;
  private fd: number;
  private sinceSync = 0;

  constructor(path: string, header: LogHeader, what = 'untrained-cs sweep') {
    this.path = path;
    const existing = readLog<LogHeader, R>(path, header.type);
    if (existing.header && existing.header.hash !== header.hash) {
      throw new InvalidArgumentError(what, '--out', `a results file of this ${header.type} (hash ${header.hash}) or a new path`, `${path} belongs to ${header.type} '${existing.header.name}' (hash ${existing.header.hash})`);
    }
    if (!existing.header && existing.rows.length > 0) {
      throw new InvalidArgumentError(what, '--out', `a results file written by ${what}`, `${path} has rows but no ${header.type} header`);
    }
    this.existing = existing.rows;
    this.done = new Set(existing.rows.map((r) => r.id));
    this.droppedTornLine = existing.torn;
    this.fd = openSync(path, existing.header ? 'r+' : 'w');
    if (existing.header) ftruncateSync(this.fd, existing.validBytes);
    else writeSync(this.fd, JSON.stringify(header) + '\n', 0);
    closeSync(this.fd);
    this.fd = openSync(path, 'a');
  }

  /** Appends a row unless its task is already recorded; returns whether it was written. */
  append(row: R): boolean {
    if (this.done.has(row.id)) return false;
    writeSync(this.fd, JSON.stringify(row) + '\n');
    this.done.add(row.id);
    // Process death loses nothing written; fsync now and then guards against power loss.
    if (++this.sinceSync >= 50) {
      fsyncSync(this.fd);
      this.sinceSync = 0;
    }
    return true;
  }

  close(): void {
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/** The results file of a sweep: a header with the definition, then one TrialRow per trial. */
export class ResultsWriter extends LogWriter<TrialRow> {
  constructor(path: string, def: SweepDefinition) {
    const header: ResultsHeader = { type: 'sweep', hash: sweepHash(def), name: def.name, definition: def };
    super(path, header);
  }
}
