#!/usr/bin/env python3
"""Reference for plateswap's masked DSSIM loss (Sources/LatentSwapModel/MaskedDSSIM.swift).

Writes Tests/LatentSwapModelTests/Fixtures/masked_dssim.safetensors: a prediction x and a target y
[2, 3, 24, 24] in [0, 1], per-pixel weights w [2, 1, 24, 24], the loss and d loss / d x by torch's
autograd. The definition: SSIM from Gaussian-windowed statistics (sigma 1.5, 11 taps, zero padding,
C1 = 0.01^2, C2 = 0.03^2), DSSIM = (1 - SSIM) / 2, loss = sum(w * DSSIM) / (C * sum(w)).
Run: /path/to/torch-venv/bin/python scripts/dssim_reference.py
"""
import math
import os
import torch
import torch.nn.functional as F
from safetensors.torch import save_file


def gaussian_window(channels):
    taps = torch.tensor([math.exp(-(k * k) / (2 * 1.5 * 1.5)) for k in range(-5, 6)], dtype=torch.float64)
    taps = taps / taps.sum()
    return (taps[:, None] * taps[None, :]).expand(channels, 1, 11, 11).contiguous()


def masked_dssim(x, y, w):
    c = x.shape[1]
    g = gaussian_window(c).to(x.dtype)
    blur = lambda t: F.conv2d(t, g, padding=5, groups=c)
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    ssim = (2 * mx * my + c1) * (2 * sxy + c2) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return (w * (1 - ssim) / 2).sum() / (c * w.sum())


def main():
    gen = torch.Generator().manual_seed(7)
    y = torch.rand(2, 3, 24, 24, generator=gen, dtype=torch.float64)
    # A blurred, noisy copy: the kind of reconstruction the loss sees.
    x = (F.avg_pool2d(y, 3, stride=1, padding=1) + 0.05 * torch.randn(2, 3, 24, 24, generator=gen, dtype=torch.float64)).clamp(0, 1)
    yy, xx = torch.meshgrid(torch.arange(24.0), torch.arange(24.0), indexing="ij")
    disc = ((xx - 11.5) ** 2 + (yy - 11.5) ** 2 < 81).double()
    w = (0.25 + 0.75 * disc).expand(2, 1, 24, 24).contiguous()
    x.requires_grad_(True)
    loss = masked_dssim(x, y, w)
    loss.backward()
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "LatentSwapModelTests", "Fixtures", "masked_dssim.safetensors")
    save_file({"x": x.detach().float(), "y": y.float(), "w": w.float(), "loss": loss.detach().float().reshape(1),
               "grad": x.grad.float()}, out)
    print(f"loss {loss.item():.8f} -> {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
