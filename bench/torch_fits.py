"""Whole fits in PyTorch for bench/fits.mjs: the same generators, operators (torch.fft for
Cartesian MRI, the operator's own float32 matrix for Gaussian CS), loss mean((A G - y)^2) and
Adam (lr 0.01) as fitGenerator, timed over the same number of iterations. Each network runs in
the faster of NCHW and channels_last (chosen on 3 iterations, which also warm up oneDNN).

argv: data directory (written by fits.mjs), JSON {fit name: iterations}, optionally --cpu.
Prints one JSON object: milliseconds per whole fit.
"""
import json, os, sys, time
import numpy as np
import torch
from torch_nets import conv_decoder, deep_decoder, dip_skip

# --cpu: one thread, timed in this process's CPU time (as fits.mjs --cpu times ours).
CPU = '--cpu' in sys.argv
torch.set_num_threads(1 if CPU else 2)
clock = time.process_time if CPU else time.perf_counter
data, iterations = sys.argv[1], json.loads(sys.argv[2])
load = lambda name: np.load(os.path.join(data, name))

mask = torch.from_numpy(load('mri_mask.npy').astype(bool))
y_mri = torch.from_numpy(load('mri_y.npy'))  # [samples, 2], row-major order of the centred mask


def mri_residual(out):
    # Orthonormal centred 2D FFT of the real image, sampled by the mask (src/operators/fourier.ts).
    k = torch.fft.fftshift(torch.fft.fft2(torch.fft.ifftshift(out[0, 0].float(), dim=(-2, -1)), norm='ortho'), dim=(-2, -1))
    return torch.view_as_real(k[mask]) - y_mri


a_cs = torch.from_numpy(load('cs_a.npy'))  # A itself (entries already scaled by 1/sqrt(m))
y_cs = torch.from_numpy(load('cs_y.npy'))


def cs_residual(out):
    return a_cs @ out.reshape(-1) - y_cs


y_dip = torch.from_numpy(load('dip_y.npy'))[None]


problems = {
    'deepDecoder MRI 256x256 4x': (lambda: deep_decoder(64, 5, 1), lambda: torch.rand(1, 64, 16, 16) * 0.1, mri_residual, {}),
    'convDecoder MRI 256x256 4x': (lambda: conv_decoder(64, 6, 1, (8, 8), (256, 256)), lambda: torch.rand(1, 64, 8, 8) * 0.1, mri_residual, {}),
    'DIP denoising 256x256 RGB': (lambda: dip_skip(32, 3, [128] * 5, [128] * 5, [4] * 5), lambda: torch.rand(1, 32, 256, 256) * 0.1, lambda out: out - y_dip, {'jitter': 1 / 30, 'ema': 0.99}),
    'deepDecoder Gaussian CS 64x64 25%': (lambda: deep_decoder(128, 6, 1), lambda: torch.rand(1, 128, 2, 2) * 0.1, cs_residual, {}),
}


def fit(make_net, make_inp, residual, extra, n, layout):
    net, inp = make_net(), make_inp()
    if layout == 'channels_last':
        net = net.to(memory_format=torch.channels_last)
        inp = inp.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    jitter, ema = extra.get('jitter', 0), extra.get('ema', 0)
    base = inp.clone()
    avg = None
    t = clock()
    for _ in range(n):
        if jitter:
            inp = base + jitter * torch.randn_like(base)
        opt.zero_grad()
        out = net(inp)
        loss = (residual(out) ** 2).mean()
        loss.backward()
        opt.step()
        if ema:
            with torch.no_grad():
                avg = out.detach() if avg is None else ema * avg + (1 - ema) * out.detach()
    return 1000 * (clock() - t)


out = {}
for name, n in iterations.items():
    make_net, make_inp, residual, extra = problems[name]
    trial = {layout: fit(make_net, make_inp, residual, extra, 3, layout) for layout in ('nchw', 'channels_last')}
    layout = min(trial, key=trial.get)
    out[name] = fit(make_net, make_inp, residual, extra, n, layout)
    out['_layout ' + name] = layout
out['_torch'] = torch.__version__
out['_threads'] = torch.get_num_threads()
print(json.dumps(out))
