import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidArgumentError } from '../core/errors.js';
import { METHODS } from '../solvers/reconstruct.js';

const positiveInt = z.number().int().positive();
const fraction = z.number().gt(0).lte(1);

const signal = z.discriminatedUnion('family', [
  z
    .object({
      family: z.literal('sparse'),
      n: positiveInt,
      /** Non-zero entries: Gaussian amplitudes or random signs. */
      distribution: z.enum(['gaussian', 'sign']).default('gaussian'),
      /** Basis in which the signal is sparse. */
      basis: z.enum(['canonical', 'dct', 'haar', 'db2', 'db4']).default('canonical'),
    })
    .strict(),
  z
    .object({
      family: z.literal('smooth'),
      n: positiveInt,
    })
    .strict(),
  z
    .object({
      family: z.literal('piecewise-smooth'),
      n: positiveInt,
    })
    .strict(),
  z
    .object({
      family: z.literal('images'),
      folder: z.string().min(1),
      /** Images are centre-cropped to a square and resized to [size, size], gray. */
      size: positiveInt,
    })
    .strict(),
]);

const operator = z
  .object({
    name: z.enum(['gaussian', 'structured', 'fourier', 'mask']),
    options: z.record(z.unknown()).default({}),
  })
  .strict();

const methodSpec = z
  .object({
    method: z.string().refine((m) => (METHODS as readonly string[]).includes(m) || m === 'gp', (m) => ({ message: `unknown method '${m}' (known: ${METHODS.join(', ')}, gp)` })),
    label: z.string().min(1).optional(),
    options: z.record(z.unknown()).default({}),
  })
  .strict();

const axis = (name: string) =>
  z
    .object({
      counts: z.array(positiveInt).nonempty().optional(),
      rates: z.array(fraction).nonempty().optional(),
    })
    .strict()
    .refine((a) => (a.counts === undefined) !== (a.rates === undefined), { message: `${name}: give exactly one of counts or rates` });

/**
 * The zod schema of sweep definitions: signal, operator, measurements, sparsity or structure,
 * noise, methods, trials.
 */
export const sweepSchema = z
  .object({
    name: z.string().default('sweep'),
    seed: z.union([z.number().int(), z.string().min(1)]).default(0),
    signal,
    operator,
    /** Number of measurements m, as counts or rates delta = m / n. */
    measurements: axis('measurements'),
    /** Sparse signals: k as counts or rho = k / m. Smooth signals: the structure knob (bandwidth or pieces). */
    sparsity: axis('sparsity').optional(),
    structure: z.array(positiveInt).nonempty().optional(),
    noise: z.array(z.number().min(0)).nonempty().default([0]),
    methods: z.array(methodSpec).nonempty(),
    trials: positiveInt,
    /** A trial running longer than this (seconds) is stopped and recorded as failed (default 600). */
    trialTimeLimit: z.number().positive().default(600),
    /** Success when the relative error is below this (default 1e-2). */
    success: z.object({ relativeError: z.number().positive().default(1e-2) }).strict().default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.signal.family === 'sparse' && !s.sparsity) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['sparsity'], message: 'required for sparse signals' });
    if (s.signal.family !== 'sparse' && s.sparsity) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['sparsity'], message: 'only for sparse signals (use structure)' });
    if (s.signal.family === 'images' && s.structure) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['structure'], message: 'not used for images' });
    const labels = s.methods.map((m) => m.label ?? m.method);
    if (new Set(labels).size !== labels.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['methods'], message: 'two methods share a label; give each a distinct label' });
  });

/** A parsed, validated sweep definition (see sweepSchema and examples/sweep-*.json). */
export type SweepDefinition = z.infer<typeof sweepSchema>;

/** One recovery problem of the grid, identified by a stable id. */
export interface TrialSpec {
  id: string;
  /** Id of the cell (everything but the trial index). */
  cell: string;
  m: number;
  k: number | null;
  structure: number | null;
  noise: number;
  method: string;
  trial: number;
  /** Seed of the signal, operator and noise (shared by all methods of a cell and trial). */
  problemSeed: string;
  /** Seed of the method's own randomness. */
  methodSeed: string;
}

/** Validates a parsed JSON value; errors name the path, what was expected and what came. */
export function parseSweep(value: unknown, source = 'sweep'): SweepDefinition {
  const r = sweepSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new InvalidArgumentError('sweep', path, issue.message, `${source}: ${r.error.issues.length} problem(s)`);
  }
  return r.data;
}

/** Size of the signal (images: size^2). */
export function signalSize(def: SweepDefinition): number {
  return def.signal.family === 'images' ? def.signal.size * def.signal.size : def.signal.n;
}

/** Stable hash of the definition: a results file belongs to exactly one sweep. */
export function sweepHash(def: SweepDefinition): string {
  return createHash('sha256').update(JSON.stringify(def)).digest('hex').slice(0, 16);
}

/** The full grid: measurements x sparsity/structure x noise x methods x trials. */
export function expandTrials(def: SweepDefinition): TrialSpec[] {
  const n = signalSize(def);
  const ms = def.measurements.counts ?? def.measurements.rates!.map((d) => Math.max(1, Math.round(d * n)));
  for (const m of ms) {
    if (m > n && def.operator.name !== 'gaussian') {
      throw new InvalidArgumentError('sweep', 'measurements', `at most n = ${n} for the ${def.operator.name} operator`, m);
    }
  }
  const specs: TrialSpec[] = [];
  for (const m of ms) {
    const ks: (number | null)[] = def.sparsity
      ? (def.sparsity.counts ?? def.sparsity.rates!.map((rho) => Math.max(1, Math.round(rho * m)))).map((k) => Math.min(k, n))
      : [null];
    const structures: (number | null)[] = def.structure ?? [null];
    for (const k of ks)
      for (const structure of structures)
        for (const noise of def.noise)
          for (const spec of def.methods) {
            const method = spec.label ?? spec.method;
            const problemCell = `m=${m}|k=${k ?? '-'}|s=${structure ?? '-'}|noise=${noise}`;
            const cell = `${problemCell}|method=${method}`;
            for (let t = 0; t < def.trials; t++) {
              const problemSeed = `${def.seed}|${problemCell}|t=${t}`;
              specs.push({ id: `${cell}|t=${t}`, cell, m, k, structure, noise, method, trial: t, problemSeed, methodSeed: `${problemSeed}|${method}` });
            }
          }
  }
  // Distinct ids even when rates round to the same m.
  const seen = new Set<string>();
  return specs.filter((s) => (seen.has(s.id) ? false : (seen.add(s.id), true)));
}
