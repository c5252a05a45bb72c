// Builds the optional native kernels (native/ucs_native.c) into native/build/ at install time,
// with the machine's C compiler against Node's own headers: no download, no node-gyp. When
// anything is missing the package still works on its WebAssembly SIMD kernels, so this script
// never fails the install. UNTRAINED_CS_NATIVE=0 skips it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build', 'untrained_cs_native.node');
const say = (msg) => console.log(`untrained-cs: ${msg}`);

function headerDir() {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  return candidates.find((d) => existsSync(join(d, 'node_api.h')));
}

function build() {
  if (process.env.UNTRAINED_CS_NATIVE === '0') return say('native kernels skipped (UNTRAINED_CS_NATIVE=0)');
  if (process.platform !== 'linux' && process.platform !== 'darwin') return say(`no native kernels on ${process.platform}: using WebAssembly SIMD`);
  const include = headerDir();
  if (!include) return say("Node's headers (node_api.h) not found: using WebAssembly SIMD kernels");
  const cc = process.env.CC || 'cc';
  const tmp = out.replace(/\.node$/, '.tmp.node');
  mkdirSync(dirname(out), { recursive: true });
  const sources = ['ucs_native.c', 'pool.c', 'gemm.c', 'passes.c', 'fft.c', 'fft_fast.c', 'gaussian.c', 'conv3x3.c', 'gemm_skinny.c', 'winograd.c', 'winograd_avx2.c', 'normhead.c', 'upnorm.c', 'sigmoid.c', 'finite.c', 'tvprox.c'].map((f) => join(here, f));
  // -fno-math-errno changes no value (nothing reads errno) but lets sqrt vectorise (tvprox.c).
  const flags = ['-std=c11', '-O3', '-fno-math-errno', '-shared', '-fPIC', '-pthread', `-I${include}`, ...sources, '-o', tmp, '-lm'];
  if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
  // Never unmapped, even when the last Node worker that loaded it exits: the engine's helper
  // thread (pool.c) lives as long as the process and runs this library's code.
  else flags.push('-Wl,-z,nodelete');
  try {
    execFileSync(cc, flags, { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    rmSync(tmp, { force: true });
    return say(`could not compile the native kernels with ${cc} (${String(e.message).split('\n')[0]}): using WebAssembly SIMD`);
  }
  // Load it in a child process first: a binary that cannot load or computes wrong is not installed.
  const check = spawnSync(process.execPath, ['-e', `
    const m = require(${JSON.stringify(tmp)});
    const f = new Float32Array(6); f.set([1, 2, 3, 4]);
    m.gemm(f, false, false, 1, 1, 2, 0, 2, 2, 1, 4, 1, false, 1);
    if (f[4] !== 11) throw new Error('gemm gave ' + f[4]);
    process.stdout.write(m.isa());`], { encoding: 'utf8' });
  if (check.status !== 0) {
    rmSync(tmp, { force: true });
    return say(`native kernels failed their load check (${(check.stderr || '').trim().split('\n')[0]}): using WebAssembly SIMD`);
  }
  renameSync(tmp, out);
  say(`native kernels built (${check.stdout.trim()})`);
}

build();
