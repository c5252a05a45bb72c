/** JSON values: trial parameters and row payloads cross worker threads and the BullMQ queue. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One unit of an experiment's grid: a seeded, self-contained recovery problem and method. */
export interface ReproTrial {
  /** Unique within the experiment and stable across runs (resuming skips finished ids). */
  id: string;
  experiment: string;
  params: { [key: string]: Json };
  /** Relative cost (about seconds of one core), to start the long trials first and report compute. */
  cost: number;
}

/** What a trial produced: its numbers, optional curves (e.g. PSNR against iteration) and notes. */
export interface TrialOutcome {
  metrics: { [key: string]: number | null };
  curves?: { [key: string]: number[] };
  info?: { [key: string]: Json };
}

/** One line of an experiment's results file. */
export interface ReproRow extends TrialOutcome {
  id: string;
  experiment: string;
  params: { [key: string]: Json };
  status: 'ok' | 'failed';
  timeMs: number;
  /** Compute engine and threads the trial ran on (timings depend on them). */
  engine: string;
  error?: string;
}

/** Where the papers' test images are (../shared/data layout: denoising/, inpainting-bernoulli/). */
export interface DataPaths {
  /** The folder with denoising/ and inpainting-bernoulli/, or null when not found. */
  root: string | null;
  /** An optional extra image for the Deep Decoder anchor (astronaut.png), or null. */
  astronaut: string | null;
}

export interface TrialContext {
  data: DataPaths;
  quick: boolean;
  /** Folder for images a trial writes (reconstructions, uncertainty maps), or null (queue workers). */
  artifacts: string | null;
  /**
   * Folder for the checkpoints of long fits, so a killed trial resumes where it was instead of
   * starting over (removed when the trial ends); null or absent: none (queue workers).
   */
  checkpoints?: string | null;
  /**
   * A flag in shared memory (Int32 0) the runner raises on Ctrl-C: long fits stop within one
   * iteration and write their checkpoint, and the trial ends without a row. Null or absent: none.
   */
  abortFlag?: SharedArrayBuffer | null;
  /**
   * Engine threads a worker runs each trial on (default 1: one per core of the worker pool). Two
   * speed up a lone long trial, e.g. one SGLD chain (0.71 -> 0.50 s a 256x256 step with 2), and
   * do not change its numbers: every reduction of the native kernels sums slices fixed by the
   * problem's size, each in a fixed order, whichever thread runs them (native/pool.c run_slices),
   * so a row is the same to the bit on one thread or two, from run to run, and when a checkpointed
   * trial resumes on another count (on the same engine and instruction set: AVX-512 and AVX2 round
   * differently). Rows computed before 2026-12-03 grouped some sums by thread: on two threads they
   * were not reproducible to the bit, and no row of then is bit-identical to a re-run now.
   */
  engineThreads?: number;
  /**
   * Milliseconds the trial has spent, its earlier (interrupted) segments included; set by
   * runReproTrial, so a trial can record its time whenever it writes a checkpoint (see
   * recordCheckpointTime).
   */
  spentMs?: () => number;
}

/** A figure of the report: an SVG written as PNG (and SVG) next to REPRODUCTION.md. */
export interface Figure {
  file: string;
  caption: string;
  svg: string;
}

/** 'too few results': some trials ran, too few for either verdict (the evidence says how many). */
export type VerdictStatus = 'reproduced' | 'partly reproduced' | 'not reproduced' | 'too few results' | 'not yet run';

/** A claim of the paper and what our numbers say about it, computed from the rows. */
export interface Verdict {
  claim: string;
  status: VerdictStatus;
  /** The numbers behind the status, in a sentence. */
  evidence: string;
}

export interface ExperimentReport {
  /** Markdown of the results (tables, published numbers next to ours). */
  markdown: string;
  figures: Figure[];
  verdicts: Verdict[];
}

export interface Experiment {
  name: string;
  title: string;
  /** The papers and claims this experiment tests. */
  claim: string;
  /** Bumped when the protocol changes: results of an older version are set aside, not mixed in. */
  version: number;
  /** The protocol we run, in markdown (what, how many, which iterate is read). */
  protocol: string;
  /** Every deviation from the paper's protocol, and why. */
  deviations: string[];
  /** What we learned, beyond the verdicts (written after reading the results). */
  discussion?: string;
  trials(ctx: TrialContext): ReproTrial[];
  /** Runs one trial (deterministic from its parameters); throwing records a failed row. */
  run(trial: ReproTrial, ctx: TrialContext): TrialOutcome;
  report(rows: ReproRow[], trials: ReproTrial[], ctx: TrialContext): ExperimentReport;
}
