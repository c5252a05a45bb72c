// `npm run bench`: times the library against reference implementations run in the same script
// (numpy for FFTs and matmuls, PyTorch for generator steps) and prints ratios ours/reference.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as ucs from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
// Debian's python3 (with python3-numpy / python3-torch) rather than a pyenv shim, when present.
const PYTHON = process.env.UCS_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
// --priors: the operators and every generator step (512x512 and MRI included), nothing else.
const priorsOnly = args.has('--priors');
// --operators: the operator figures only (FFTs, Gaussian products) against numpy.
const operatorsOnly = args.has('--operators');
// --cpu: generator steps on one thread in CPU time against PyTorch on one thread the same way
// (a measure that the load of a shared machine disturbs much less; see bench/priors.mjs).
// --fits: only the whole fits against PyTorch (bench/fits.mjs; --fit-iterations=N, --fit=NAME,
// --cpu).
const fitsOnly = args.has('--fits');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(f, repeat) {
  f(); // warm-up (JIT, plan caches)
  const ts = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return median(ts);
}
function cpuTime(f, repeat) {
  f();
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const u = process.cpuUsage();
    f();
    const d = process.cpuUsage(u);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}
// Both sides at their best setting: glibc keeps freed memory instead of returning large blocks
// to the OS (mmap/munmap per buffer), so a freshly allocated array does not pay a page fault per
// 4 KB page (~6 us each on this VM). Measured: PyTorch's Deep Decoder 256 step 86-294 ms without,
// 90 ms with; its 3x3 conv 128 at 256x256 620-800 against 325-342 ms; our 256x256 Fourier forward
// allocates its 1 MB output (0.75 ms of page faults without, 0.09 ms with). This script re-runs
// itself once with the setting (a caller's own values win), so numpy, PyTorch and we share it.
const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '33554432', MALLOC_TRIM_THRESHOLD_: '68719476736', MALLOC_TOP_PAD_: '1073741824' };
if (process.env.MALLOC_TRIM_THRESHOLD_ === undefined) {
  const r = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...MALLOC_ENV, ...process.env } });
  process.exit(r.status ?? 1);
}
function python(script, extra = []) {
  try {
    const out = execFileSync(PYTHON, [join(here, script), ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    console.log(`(reference ${script} unavailable: ${String(e.message).split('\n')[0]})`);
    return {};
  }
}

const rows = [];
function report(name, ms, ref) {
  rows.push({ name, ms, ref });
  const ratio = ref ? (ms / ref).toFixed(2) + 'x' : 'n/a';
  console.log(`${name.padEnd(66)} ${ms.toFixed(2).padStart(10)} ms   ref ${ref ? ref.toFixed(2).padStart(9) + ' ms' : '      n/a'}   ratio ${ratio}`);
}

if (fitsOnly) {
  await (await import(join(here, 'fits.mjs'))).run({ report, python, args });
  process.exit(0);
}

// --cpu: operators on one thread, timed in this process's CPU time (minimum), and numpy the same
// way with one BLAS thread: what each side costs, whatever the load of a shared machine.
const cpuOperators = args.has('--cpu');
if (cpuOperators) {
  ucs.setThreads(1);
  process.env.OPENBLAS_NUM_THREADS ??= '1';
  process.env.OMP_NUM_THREADS ??= '1';
}
const opTime = cpuOperators ? cpuTime : time;
console.log(`== operators (reference: numpy, same machine, same run${cpuOperators ? '; one thread each, CPU time, minimum' : ''}) ==`);
const np = python('fft_numpy.py', [...(quick ? [] : ['--gaussian']), ...(cpuOperators ? ['--cpu'] : [])]);
for (const [h, w] of [
  [256, 256],
  [640, 368],
]) {
  const op = ucs.fourier({ shape: [h, w], complexInput: true });
  const rng = new ucs.Rng(1);
  const x = rng.gaussianArray(2 * h * w);
  const ms = opTime(() => op.adjoint(op.forward(x)), 20);
  report(`fourier ${h}x${w} fwd+adj`, ms, np[`fourier ${h}x${w} fwd+adj`]);
}
for (const [n, m] of [
  [4096, 1024],
  [65536, 16384],
]) {
  const op = ucs.structuredRandom({ m, n, seed: 1 });
  const x = new ucs.Rng(1).gaussianArray(n);
  const y = new ucs.Rng(2).gaussianArray(m);
  const ms = opTime(() => {
    op.forward(x);
    op.adjoint(y);
  }, 50);
  report(`structuredRandom dct ${n} m=${m} fwd+adj`, ms, np[`structuredRandom dct ${n} m=${m} fwd+adj`]);
}
if (!quick) {
  // Dense (float32 entries, float64 sums) against numpy's float32 products; matrix-free against
  // the same dense reference, with its cost per entry (each product regenerates every entry).
  for (const [m, n, modes] of [
    [4096, 16384, ['dense', 'matrix-free']],
    [1024, 4096, ['dense']],
  ]) {
    const x = new ucs.Rng(2).gaussianArray(n);
    const y = new ucs.Rng(3).gaussianArray(m);
    for (const mode of modes) {
      const op = ucs.gaussian({ m, n, seed: 1, mode });
      const ms = opTime(() => {
        op.forward(x);
        op.adjoint(y);
      }, mode === 'dense' ? (m * n > 1 << 24 ? 20 : 100) : 5);
      report(`gaussian ${mode} ${m}x${n} fwd+adj`, ms, np[`gaussian ${m}x${n} fwd+adj`]);
      console.log(`  ${((ms * 1e6) / (2 * m * n)).toFixed(3)} ns per entry per product`);
    }
  }
}

// Generators against PyTorch, then (unless --quick) the GP and sweep figures.
for (const [name, enabled] of [
  ['priors.mjs', true],
  ['gp.mjs', (!quick && !priorsOnly) || args.has('--gp')],
  ['sweeps.mjs', (!quick && !priorsOnly) || args.has('--sweeps')],
]) {
  if (!enabled || operatorsOnly) continue;
  const mod = await import(join(here, name));
  await mod.run({ report, python, time, quick, cpu: args.has('--cpu') });
}
process.exit(0);
