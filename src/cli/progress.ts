let quiet = false;

/** --quiet on any command: no progress lines from any Progress in this process. */
export function setQuiet(value: boolean): void {
  quiet = value;
}

/**
 * A progress line for long runs: a redrawn bar on a terminal, plain lines (every 10%) otherwise,
 * so logs stay readable. Writes to stderr so stdout stays clean for --json.
 */
export class Progress {
  private readonly tty: boolean;
  private lastDecile = -1;
  private readonly start = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(done: number, detail = ''): void {
    if (quiet) return;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : 0;
    if (this.tty) {
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      this.stream.write(`\r${this.label} [${bar}] ${(100 * frac).toFixed(0).padStart(3)}% ${done}/${this.total} ${detail} eta ${eta.toFixed(0)}s   `);
      return;
    }
    const decile = Math.floor(frac * 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${this.label}: ${(100 * frac).toFixed(0)}% (${done}/${this.total}) ${detail} elapsed ${elapsed.toFixed(1)}s\n`);
    }
  }

  finish(detail = ''): void {
    if (quiet) return;
    if (this.tty) this.stream.write(`\r${this.label} done ${detail} in ${((Date.now() - this.start) / 1000).toFixed(1)}s${' '.repeat(30)}\n`);
  }
}
