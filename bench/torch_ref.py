"""Reference timings for bench/priors.mjs: the same networks in PyTorch (CPU), fwd+bwd+Adam.

Architecture as the reference Deep Decoder code: 1x1 conv (no bias), bilinear x2 upsampling
(align_corners=False), ReLU, BatchNorm2d (training mode); last 1x1 conv and sigmoid.
Prints one JSON object of median milliseconds per step (--cpu: minimum CPU milliseconds).

PyTorch's best setting on this kind of machine keeps freed memory in the process: each step
allocates and frees activations of tens to hundreds of MB, and glibc returning them to the OS
costs a page fault (~6 us here) per page at the next step. bench/run.mjs sets the variables for
its children; run directly, set them yourself:
  MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \
    /usr/bin/python3 bench/torch_ref.py 1 --quick --cpu
The JSON's _malloc says which were set.
"""
import json, os, sys, time
import torch
import torch.nn as nn
from torch_nets import conv_decoder, deep_decoder, dip_skip

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
# --cpu: this process's CPU time and the minimum over the repetitions (one thread, on a shared
# machine: the time it ran, not the time it waited); the default is wall time, median.
CPU = '--cpu' in sys.argv
clock = time.process_time if CPU else time.perf_counter
pick = (lambda ts: ts[0]) if CPU else (lambda ts: ts[len(ts) // 2])
torch.manual_seed(0)

def median_step(net, inp, target, reps):
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    def step():
        opt.zero_grad()
        loss = ((net(inp) - target) ** 2).mean()
        loss.backward()
        opt.step()
    step(); step()
    ts = []
    for _ in range(reps):
        t = clock(); step(); ts.append(clock() - t)
    ts.sort()
    return 1000 * pick(ts)

def best_layout(make_net, make_inp, target_shape, reps):
    # PyTorch at its best setting: the faster of the default (NCHW) and channels_last layouts.
    best = None
    for layout in ('nchw', 'channels_last'):
        net, inp = make_net(), make_inp()
        target = torch.rand(*target_shape)
        if layout == 'channels_last':
            net = net.to(memory_format=torch.channels_last)
            inp = inp.contiguous(memory_format=torch.channels_last)
            target = target.contiguous(memory_format=torch.channels_last)
        ms = median_step(net, inp, target, reps)
        if best is None or ms < best[0]:
            best = (ms, layout)
    return best

out = {}
quick = '--quick' in sys.argv
# (name, network, input, target shape, repetitions); the Deep Decoder input is k x size/2^(depth-1).
cases = [
    ('deepDecoder 256x256 gray k=64 depth 5', lambda: deep_decoder(64, 5, 1), lambda: torch.rand(1, 64, 16, 16) * 0.1, (1, 1, 256, 256), 10),
    ('deepDecoder 512x512 RGB k=128 depth 6', lambda: deep_decoder(128, 6, 3), lambda: torch.rand(1, 128, 16, 16) * 0.1, (1, 3, 512, 512), 3),
    ('convDecoder 256x256 gray k=64 depth 6', lambda: conv_decoder(64, 6, 1, (8, 8), (256, 256)), lambda: torch.rand(1, 64, 8, 8) * 0.1, (1, 1, 256, 256), 5),
    ('deepImagePrior 512x512 RGB (128 x5, skip 4)', lambda: dip_skip(32, 3, [128] * 5, [128] * 5, [4] * 5), lambda: torch.rand(1, 32, 512, 512) * 0.1, (1, 3, 512, 512), 3),
    ('convDecoder MRI 640x368 k=160 depth 8 (2 channels)', lambda: conv_decoder(160, 8, 2, (8, 4), (640, 368)), lambda: torch.rand(1, 160, 8, 4) * 0.1, (1, 2, 640, 368), 3),
]
if quick:
    cases = cases[:1] + cases[2:3]
for (name, make_net, make_inp, shape, reps) in cases:
    ms, layout = best_layout(make_net, make_inp, shape, reps)
    out[name] = ms
    out['_layout ' + name] = layout

best = None
for layout in ('nchw', 'channels_last'):
    conv = nn.Conv2d(128, 128, 3, padding=1)
    x = torch.rand(1, 128, 256, 256)
    if layout == 'channels_last':
        conv = conv.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    x.requires_grad_(True)
    def conv_step():
        y = conv(x)
        y.backward(torch.ones_like(y))
    conv_step()
    ts = []
    for _ in range(3 if quick else 5):
        t = clock(); conv_step(); ts.append(clock() - t)
    ts.sort()
    ms = 1000 * pick(ts)
    if best is None or ms < best[0]:
        best = (ms, layout)
out['conv3x3 128->128 256x256 fwd+bwd'] = best[0]
out['_layout conv3x3'] = best[1]
out['_torch'] = torch.__version__
out['_threads'] = torch.get_num_threads()
out['_malloc'] = ' '.join(f'{k}={os.environ[k]}' for k in ('MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_') if k in os.environ) or 'glibc defaults'
print(json.dumps(out))
