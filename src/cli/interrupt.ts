/**
 * Ctrl-C for one CLI run. The first SIGINT (or SIGTERM) aborts `signal`: a running fit stops
 * within one iteration and returns its best iterate, the command writes every file it promised,
 * and the run exits with the conventional code (130 for SIGINT, 143 for SIGTERM). A second one
 * exits at once. Fits run on worker threads, so this thread is free to see the signal.
 */
export class Interrupt {
  private readonly controller = new AbortController();
  private received: NodeJS.Signals | null = null;
  /** What the first Ctrl-C prints (commands say what they keep). */
  message = 'interrupted: stopping and keeping the best result so far (Ctrl-C again to quit)';
  private readonly onSignal = (sig: NodeJS.Signals) => {
    if (this.received) process.exit(exitCodeOf(sig));
    this.received = sig;
    process.stderr.write(`\n${this.message}\n`);
    this.controller.abort();
  };

  install(): this {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    return this;
  }

  uninstall(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.received !== null;
  }

  /** 0, or the conventional code of the signal that stopped the run. */
  get exitCode(): number {
    return this.received ? exitCodeOf(this.received) : 0;
  }
}

function exitCodeOf(sig: NodeJS.Signals): number {
  return sig === 'SIGTERM' ? 143 : 130;
}

let current: Interrupt | null = null;

/** The interrupt of the running CLI command (a fresh, uninstalled one outside runCli). */
export function cliInterrupt(): Interrupt {
  current ??= new Interrupt();
  return current;
}

/** Starts a run's interrupt handling (runCli does this around every command). */
export function beginInterrupt(): Interrupt {
  current?.uninstall();
  current = new Interrupt().install();
  return current;
}
