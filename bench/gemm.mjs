// One-thread GEMM throughput of the native kernel (native/gemm.c, the ISA picked at load) against
// numpy's float32 product (OpenBLAS, OPENBLAS_NUM_THREADS=1), each in its own process CPU time,
// minimum of 5. The shapes are the generators' convolutions as GEMMs (M x N x K): 3x3 layers of
// 128 and 64 channels on 256x256 (implicit GEMM, K = 9 C), their weight gradient, a square one,
// the Deep Decoder's 1x1 at 64 channels. Run: node bench/gemm.mjs (after npm install).
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
const addon = require(process.env.UCS_NATIVE_BINARY ?? '../native/build/untrained_cs_native.node');
const PYTHON = process.env.UCS_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const shapes = [[128, 65536, 1152], [64, 65536, 576], [1152, 65536, 128], [128, 1152, 65536], [512, 512, 512], [64, 65536, 64]];
console.log(`== GEMM, one thread, CPU time, min of 5 (ours: native ${addon.isa()}; reference numpy/OpenBLAS) ==`);
for (const [M, N, K] of shapes) {
  const f = new Float32Array(M * K + K * N + M * N);
  for (let i = 0; i < M * K + K * N; i++) f[i] = Math.sin(i);
  // C = A B, A at 0 (lda K), B at M K (ldb N), C after them (ldc N), overwrite, 1 thread
  const product = () => addon.gemm(f, false, false, M, N, K, 0, K, M * K, N, M * K + K * N, N, false, 1);
  product();
  let ours = Infinity;
  for (let r = 0; r < 5; r++) {
    const u = process.cpuUsage();
    product();
    const d = process.cpuUsage(u);
    ours = Math.min(ours, (d.user + d.system) / 1e3);
  }
  let ref = NaN;
  try {
    const script = `import numpy as np, time
a = np.sin(np.arange(${M * K}, dtype=np.float32)).reshape(${M}, ${K}); b = np.ones((${K}, ${N}), np.float32); c = a @ b
best = 1e9
for r in range(5):
    t = time.process_time(); c = a @ b; best = min(best, time.process_time() - t)
print(best * 1e3)`;
    ref = Number(execFileSync(PYTHON, ['-c', script], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } }).toString().trim());
  } catch {
    // no numpy: ours only
  }
  const gflop = (2 * M * N * K) / 1e6;
  const refText = Number.isFinite(ref) ? `numpy ${ref.toFixed(1)} ms (${(gflop / ref).toFixed(1)} GFLOP/s)   ratio ${(ours / ref).toFixed(2)}x` : 'numpy n/a';
  console.log(`${`${M} x ${N} x ${K}`.padEnd(20)} ours ${ours.toFixed(1)} ms (${(gflop / ours).toFixed(1)} GFLOP/s)   ${refText}`);
}
