#!/usr/bin/env python3
"""Independent check (OpenEXR's Python bindings, PyPI `OpenEXR`) that an output frame keeps every
part, layer and channel of its plate: for each plate part, the output has a part of the same name
with the same data and display windows, storage type (scanline, tiled, deep) and tile description
(tile size, level mode, rounding), every plate attribute with the same value, and every channel
with the same pixel type and the same values bit for bit, except the channels named with
--swapped (the layer plateswap replaced). Deep channels are compared pixel by pixel: the same
number of samples and the same sample values. --dump PART:CHANNEL prints the distinct values of an
output channel (as stored: uint samples as integers). Prints one line per part; exits 1 on any
difference. (These bindings read level 0 only: compare the reduced levels of mip/ripmaps with
`idiff -a`.)

    .venv-exr/bin/python scripts/check_exr_passthrough.py PLATE.exr OUTPUT.exr --swapped main:R,G,B --dump id:objectId
"""
import argparse
import sys

import numpy as np
import OpenEXR

STRUCTURAL = {"channels", "chunkCount", "compression", "dataWindow", "displayWindow", "lineOrder", "name", "type", "tiles"}


def parts(path):
    with OpenEXR.File(path, separate_channels=True) as f:
        return {(p.name() or str(i)): (dict(p.header), {n: (c.type(), np.array(c.pixels)) for n, c in p.channels.items()})
                for i, p in enumerate(f.parts)}


def deep_samples(pixels):
    """Per-pixel sample counts and all sample bytes of a deep channel (an array of arrays or None)."""
    flat = pixels.ravel()
    counts = np.array([0 if p is None else len(p) for p in flat])
    values = [np.asarray(p).view(np.uint8) for p in flat if p is not None and len(p)]
    return counts, (np.concatenate(values) if values else np.zeros(0, np.uint8))


def same_pixels(a, b):
    if a.shape != b.shape:
        return False, 0
    if a.dtype == object or b.dtype == object:
        (ca, va), (cb, vb) = deep_samples(a), deep_samples(b)
        return np.array_equal(ca, cb) and np.array_equal(va, vb), int(ca.sum())
    return np.array_equal(a.view(np.uint8), b.view(np.uint8)), a.size


def same(a, b):
    if isinstance(a, tuple) or isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    return a == b


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("plate")
    parser.add_argument("output")
    parser.add_argument("--swapped", action="append", default=[], help="PART:CH,CH,... channels plateswap replaced")
    parser.add_argument("--dump", action="append", default=[], help="PART:CH output channel whose distinct values to print")
    args = parser.parse_args()
    swapped = {}
    for item in args.swapped:
        part, _, names = item.partition(":")
        swapped[part] = set(names.split(","))
    plate, output = parts(args.plate), parts(args.output)
    problems = []
    for name, (header, channels) in plate.items():
        if name not in output:
            problems.append(f"part {name!r} is missing (output parts: {sorted(output)})")
            continue
        out_header, out_channels = output[name]
        for key in ["dataWindow", "displayWindow"] + [k for k in ["type", "tiles"] if k in header] + [k for k in header if k not in STRUCTURAL]:
            if key not in out_header or not same(header[key], out_header[key]):
                problems.append(f"part {name!r}: attribute {key} {header.get(key)!r} -> {out_header.get(key)!r}")
        kept, samples = 0, 0
        for channel, (kind, pixels) in channels.items():
            if channel in swapped.get(name, set()):
                continue
            if channel not in out_channels:
                problems.append(f"part {name!r}: channel {channel} is missing")
                continue
            out_kind, out_pixels = out_channels[channel]
            if out_kind != kind:
                problems.append(f"part {name!r}: channel {channel} was {kind}, now {out_kind}")
            equal, count = same_pixels(pixels, out_pixels)
            if not equal:
                problems.append(f"part {name!r}: channel {channel} values differ")
            kept += 1
            samples += count
        added = sorted(set(out_channels) - set(channels))
        print(f"{name} ({header.get('type', 'single part')}): {kept} channels kept bit for bit ({samples} samples), "
              f"{len(swapped.get(name, ()))} swapped, added {added}")
    for item in args.dump:
        part, _, channel = item.partition(":")
        values = np.unique(output[part][1][channel][1]) if part in output and channel in output[part][1] else None
        print(f"values {part}.{channel}: " + ("missing" if values is None else " ".join(str(v) for v in values.tolist())))
    for problem in problems:
        print("DIFFERENCE:", problem)
    print("ok" if not problems else f"{len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
