"""The networks of the PyTorch references (bench/torch_ref.py, bench/torch_fits.py), mirroring
src/priors: Deep Decoder, ConvDecoder and the Deep Image Prior hourglass."""
import math
import torch
import torch.nn as nn

def deep_decoder(k, depth, out_ch):
    layers = []
    for i in range(depth):
        layers.append(nn.Conv2d(k, k, 1, bias=False))
        if i < depth - 1:
            layers.append(nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False))
        layers.append(nn.ReLU())
        layers.append(nn.BatchNorm2d(k))
    layers.append(nn.Conv2d(k, out_ch, 1, bias=False))
    layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)

def conv_decoder(k, depth, out_ch, in_hw, out_hw, mode='nearest'):
    # Same sizes as ConvDecoder's reference code (and layerSizes in src/priors/generator.ts).
    def sizes(start, end, steps):
        s = (end / start) ** (1 / steps)
        return [max(1, math.ceil(s ** n * start - 1e-9)) for n in range(1, steps)] + [end]
    hs, ws = sizes(in_hw[0], out_hw[0], depth - 1), sizes(in_hw[1], out_hw[1], depth - 1)
    layers = []
    for i in range(depth - 1):
        layers += [nn.Upsample(size=(hs[i], ws[i]), mode=mode), nn.Conv2d(k, k, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(k)]
    layers += [nn.Conv2d(k, k, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(k), nn.Conv2d(k, out_ch, 1)]
    return nn.Sequential(*layers)

class Concat(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.a, self.b = a, b
    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], 1)

def dip_skip(in_ch, out_ch, down, up, skip, slope=0.2):
    # The hourglass of src/priors/deepImagePrior.ts (the reference `skip` net): reflection padding,
    # stride-2 3x3 downsampling, bilinear x2 upsampling, BN + LeakyReLU after every conv.
    def cba(cin, cout, k, stride=1):
        mods = [nn.ReflectionPad2d((k - 1) // 2)] if k > 1 else []
        return mods + [nn.Conv2d(cin, cout, k, stride=stride), nn.BatchNorm2d(cout), nn.LeakyReLU(slope)]
    def level(i, cin):
        deeper = cba(cin, down[i], 3, 2) + cba(down[i], down[i], 3)
        deeper_out = down[i]
        if i + 1 < len(down):
            deeper.append(level(i + 1, down[i]))
            deeper_out = up[i + 1]
        deeper.append(nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False))
        merged = Concat(nn.Sequential(*cba(cin, skip[i], 1)), nn.Sequential(*deeper))
        return nn.Sequential(merged, nn.BatchNorm2d(skip[i] + deeper_out), *cba(skip[i] + deeper_out, up[i], 3), *cba(up[i], up[i], 1))
    return nn.Sequential(level(0, in_ch), nn.Conv2d(up[0], out_ch, 1), nn.Sigmoid())
