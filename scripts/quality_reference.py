#!/usr/bin/env python3
"""Reference numbers for Tests/ImagingTests/FaceQualityTests.swift (FaceQuality.measure).

Builds the same deterministic textured fixture as the Swift test (`QualityFixture`) and scores it
with library code that shares nothing with plateswap: scipy.ndimage's gaussian_filter and prewitt
(edges 'nearest', as plateswap clamps), and scikit-image's structural_similarity for SSIM.
Run: python3 -m venv /tmp/q && /tmp/q/bin/pip install numpy scipy scikit-image
     /tmp/q/bin/python scripts/quality_reference.py
"""
import numpy as np
from scipy import ndimage

W, H = 48, 40


def fixture():
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    ref = np.stack([
        0.5 + 0.35 * np.sin(0.45 * x + 0.3 * y) * np.cos(0.2 * y - 0.1 * x),
        0.45 + 0.3 * np.sin(0.9 * x) * np.sin(0.7 * y) + 0.1 * np.cos(0.05 * x * y),
        0.4 + 0.4 * np.cos(0.33 * x - 0.6 * y),
    ])
    out = np.stack([ref[c] * 1.1 + 0.05 + 0.08 * np.sin(1.9 * x + 0.4 * y + c) * np.cos(1.3 * y) for c in range(3)])
    r = np.hypot(x + 0.5 - 24, y + 0.5 - 20)
    mask = np.clip((14 - r) / 4, 0, 1)
    # The Swift fixture stores Float32.
    return out.astype(np.float32).astype(np.float64), ref.astype(np.float32).astype(np.float64), \
        mask.astype(np.float32).astype(np.float64)


def luminance(rgb):
    rgb = np.clip(rgb, 0, 1)
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def ssim_map(a, b):
    # gaussian_filter with truncate 3.5 at sigma 1.5 is the 11x11 window (radius 5).
    g = lambda v: ndimage.gaussian_filter(v, 1.5, truncate=3.5, mode='nearest')
    ma, mb = g(a), g(b)
    va, vb, cov = g(a * a) - ma * ma, g(b * b) - mb * mb, g(a * b) - ma * mb
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    return (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2))


def detail_energy(v):
    g = lambda s: ndimage.gaussian_filter(v, s, truncate=3.0, mode='nearest')
    return (g(1) - g(3)) ** 2


def gms_map(a, b):
    def magnitude(v):
        v = v * 255
        gx = ndimage.prewitt(v, axis=1, mode='nearest') / 3
        gy = ndimage.prewitt(v, axis=0, mode='nearest') / 3
        return np.hypot(gx, gy)
    mo, mr = magnitude(a), magnitude(b)
    return (2 * mo * mr + 170) / (mo * mo + mr * mr + 170)


def scores(out, ref, mask):
    wmean = lambda m: (m * mask).sum() / mask.sum()
    yo, yr = luminance(out), luminance(ref)
    mse = wmean(((np.clip(out, 0, 1) - np.clip(ref, 0, 1)) ** 2).mean(axis=0))
    return dict(psnr=10 * np.log10(1 / mse), ssim=wmean(ssim_map(yo, yr)),
                detail=wmean(detail_energy(yo)) / wmean(detail_energy(yr)), gms=wmean(gms_map(yo, yr)))


def main():
    # scikit-image only for the self-test, so that other scripts can import the functions above.
    from skimage.metrics import structural_similarity
    out, ref, mask = fixture()
    for name, value in scores(out, ref, mask).items():
        print(f"disk mask {name}: {value:.6f}")
    # scikit-image's SSIM averages the map without a 5-pixel border, where no window leaves the image.
    interior = np.zeros((H, W))
    interior[5:H - 5, 5:W - 5] = 1
    print(f"interior ssim (scipy map): {scores(out, ref, interior)['ssim']:.6f}")
    sk = structural_similarity(luminance(out), luminance(ref), data_range=1, gaussian_weights=True, sigma=1.5,
                               use_sample_covariance=False)
    print(f"interior ssim (scikit-image): {sk:.6f}")


if __name__ == "__main__":
    main()
