"""Reference timings for bench/run.mjs: numpy's FFT and dense float32 matrix-vector products on the same sizes."""
import json, sys, time
import numpy as np

# --cpu: this process's CPU time and the minimum (with one BLAS thread; see bench/run.mjs --cpu).
CPU = '--cpu' in sys.argv

def best(f, repeat):
    clock = time.process_time if CPU else time.perf_counter
    times = []
    for _ in range(repeat):
        t = clock(); f(); times.append(clock() - t)
    times.sort()
    return (times[0] if CPU else times[len(times) // 2]) * 1000

out = {}
rng = np.random.default_rng(0)
for (h, w) in [(256, 256), (640, 368)]:
    x = rng.standard_normal((h, w)) + 1j * rng.standard_normal((h, w))
    def fa():
        y = np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x), norm='ortho'))
        np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(y), norm='ortho'))
    out[f'fourier {h}x{w} fwd+adj'] = best(fa, 20)
try:
    import scipy.fft as sfft
except ImportError:
    sfft = None
if sfft is not None:
    # structuredRandom (DCT): signs, orthonormal DCT-II, m rows; the adjoint back.
    for (n, m) in [(4096, 1024), (65536, 16384)]:
        s = rng.choice([-1.0, 1.0], n)
        rows = np.sort(rng.choice(n, m, replace=False))
        sc = np.sqrt(n / m)
        xv, yv = rng.standard_normal(n), rng.standard_normal(m)
        def sr():
            sc * sfft.dct(s * xv, norm='ortho')[rows]
            b = np.zeros(n)
            b[rows] = sc * yv
            s * sfft.idct(b, norm='ortho')
        out[f'structuredRandom dct {n} m={m} fwd+adj'] = best(sr, 50)
if '--gaussian' in sys.argv:
    # Dense float32 products, as numpy users would hold a Gaussian measurement matrix.
    for (m, n) in [(4096, 16384), (1024, 4096)]:
        a = rng.standard_normal((m, n), dtype=np.float32)
        v = rng.standard_normal(n, dtype=np.float32)
        w = rng.standard_normal(m, dtype=np.float32)
        out[f'gaussian {m}x{n} fwd+adj'] = best(lambda: (a @ v, a.T @ w), 20 if m * n > 1 << 24 else 100)
        del a
print(json.dumps(out))
