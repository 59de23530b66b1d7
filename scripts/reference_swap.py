#!/usr/bin/env python3
"""The plain PyTorch reference swap model of issue 18, trained on plateswap's own latent caches.

The yardstick for plateswap's trainer: on the same face sets and the same wall-clock, plateswap's
held-out fidelity should be at least this model's. The reference, as the issue describes it:
- TAEF2 latents of the 256 px crops and their mirror images (variants 0 and 1 of plateswap's cache
  `<faceset>/latents/<codec id>/256px/<face>.safetensors`; its warped variants 2.. are not used);
- DF layout: encoder of three 5x5 stride-2 convs (48, 96, 192 channels, LeakyReLU 0.1) from 32x32
  down to 4x4; a dense inter, flatten -> 256 -> 8x8x64;
- VQ 512 x 64 with EMA updates (decay 0.99), dead codes restarted from the batch, commitment 0.25;
- each decoder: twice (3x3 conv to 4x the channels, LeakyReLU 0.1, pixel shuffle, residual block),
  at 128 then 64 channels, then a 3x3 conv to the 32 latent channels;
- masked latent MSE with weights 0.25 + 0.75 x mask, Adam 2e-4, batch 8 source + 8 target,
  4.4 M parameters; no pixel losses, no warp.

Held-out fidelity is measured as plateswap's trainer does (Sources/ShotPipeline/Train/HoldoutEvaluator.swift):
the held-out actor faces' latents go through encoder -> inter -> VQ -> source decoder, the TAEF2
decoder (re-implemented here from ../shared/models/MANIFEST.md, "TAESD family") turns them into
pixels, clamped to [0, 1], and they are scored against the real crops inside the face mask with
PSNR, SSIM, detail ratio and GMS (the functions of scripts/quality_reference.py), pooled over the
faces by mask weight as FaceQualityScores.pooled does, plus the latent checkerboard ratio
(LatentCheckerboard.swift: energy of the outputs over that of the held-out latents).

`--minutes` counts the training loop only (evaluations are not counted); `seconds` in the JSON log
is that training time at the evaluation.

Run:
    python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy safetensors scipy
    .venv-torch/bin/python scripts/reference_swap.py --source out/demo/facesets/actor \\
        --target out/demo/facesets/plate --holdout out/demo/facesets/actor-holdout \\
        --minutes 15 --eval-every 500 --json out/reference_swap.json --preview out/reference_swap
Checks: `--self-check` scores a held-out crop against itself and a blur of it (no training);
`--check-decode PNG` compares this TAEF2 decoder's output for the first held-out face with PNG,
a decode of the same latent by plateswap (`plateswap codec decode IN.safetensors PNG --bit-depth 16`,
IN holding that face's `latents` [1, 32, 32, 32]).
"""
import argparse
import json
import math
import os
import struct
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "shared", "models")

DIMS = dict(channels=32, encoder=48, ae_dims=256, code=64, decoder=64, codebook=512)
TRAIN = dict(batch=8, learning_rate=2e-4, background_weight=0.25, commitment=0.25, ema_decay=0.99,
             dead_threshold=0.01, variants=2, threads=2, seed=0)


def log(message):
    print(message, file=sys.stderr, flush=True)


# MARK: the metric functions of scripts/quality_reference.py

def load_quality_reference():
    """scripts/quality_reference.py's functions (its self-test runs only as a script)."""
    sys.path.insert(0, HERE)
    import quality_reference
    return vars(quality_reference)


Q = load_quality_reference()


def face_scores(output, reference, mask):
    """FaceQuality.measure: output and reference [3, H, W] in [0, 1] (clamped), mask [H, W] weights.
    Returns the parts FaceQualityScores keeps, or None when the mask has no weight."""
    w = np.clip(np.nan_to_num(mask.astype(np.float64)), 0, 1)
    weight = w.sum()
    if weight <= 0:
        return None
    out, ref = np.clip(np.nan_to_num(output.astype(np.float64)), 0, 1), np.clip(reference.astype(np.float64), 0, 1)
    yo, yr = Q["luminance"](out), Q["luminance"](ref)
    return dict(weight=weight,
                mse=(w * ((out - ref) ** 2).mean(axis=0)).sum() / weight,
                output_detail=(w * Q["detail_energy"](yo)).sum() / weight,
                reference_detail=(w * Q["detail_energy"](yr)).sum() / weight,
                ssim_sum=(w * Q["ssim_map"](yo, yr)).sum(),
                gms_sum=(w * Q["gms_map"](yo, yr)).sum())


def pooled(parts):
    """FaceQualityScores.pooled, then its psnr, ssim, detail and gms."""
    weight = sum(p["weight"] for p in parts)
    mean = lambda key: sum(p["weight"] * p[key] for p in parts) / weight
    mse, out_d, ref_d = mean("mse"), mean("output_detail"), mean("reference_detail")
    detail = out_d / ref_d if ref_d > 0 else (math.inf if out_d > 0 else 1.0)
    return dict(faces=len(parts), psnr=10 * math.log10(1 / mse) if mse > 0 else math.inf,
                ssim=float(sum(p["ssim_sum"] for p in parts) / weight), detail=float(detail),
                gms=float(sum(p["gms_sum"] for p in parts) / weight))


def checkerboard_energy(latent):
    """LatentCheckerboard.energy of an [N, C, H, W] tensor."""
    x = latent.double()
    v = (x[..., :-1, :-1] - x[..., :-1, 1:] - x[..., 1:, :-1] + x[..., 1:, 1:]) / 4
    return (v * v).mean().item()


# MARK: PNG (8/16-bit, grey / RGB / RGBA, not interlaced) without an imaging library

def read_png(path):
    """[H, W, channels] float64 in [0, 1] (code / 255 or / 65535, as plateswap's PNGFile)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    assert depth in (8, 16) and interlace == 0, f"{path}: {depth}-bit, interlace {interlace} not supported"
    bpp = channels * depth // 8
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(height, stride + 1)
    rows = np.zeros((height, stride), np.int64)
    prior = np.zeros(stride, np.int64)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int64)
        if kind == 0:
            row = line
        elif kind == 2:
            row = (line + prior) & 255
        elif kind == 1:  # Sub: a running sum per byte lane
            row = (line.reshape(width, bpp).cumsum(axis=0).reshape(-1)) & 255
        else:  # Average, Paeth: byte by byte
            row = line.copy()
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = prior[i]
                if kind == 3:
                    row[i] = (row[i] + (a + b) // 2) & 255
                else:
                    c = prior[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows[y], prior = row, row
    if depth == 16:
        values = rows[:, 0::2] * 256 + rows[:, 1::2]
        return (values / 65535.0).reshape(height, width, channels)
    return (rows / 255.0).reshape(height, width, channels)


def write_png(path, rgb):
    """8-bit RGB PNG of an [H, W, 3] array in [0, 1]."""
    h, w, _ = rgb.shape
    pixels = np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


# MARK: face sets (plateswap's latent caches)

def cache_folder(faceset, codec_id, size):
    base = os.path.join(faceset, "latents")
    if codec_id is None:
        ids = sorted(d for d in os.listdir(base) if d.startswith("taef2-")) if os.path.isdir(base) else []
        if len(ids) != 1:
            sys.exit(f"{base}: expected one TAEF2 latent cache, found {ids or 'none'} "
                     "(encode the face set with plateswap first, or pass --codec-id)")
        codec_id = ids[0]
    folder = os.path.join(base, codec_id, f"{size}px")
    if not os.path.isdir(folder):
        sys.exit(f"{folder}: no latent cache (train once with plateswap to encode it)")
    return folder, codec_id


def load_faceset(faceset, variants, codec_id=None, size=256, images=False):
    """Latents [N * variants, 32, s, s] and masks [N * variants, 1, s, s] of the first `variants`
    variants of every face in faceset.json's order; with `images`, also the crops [N, 3, S, S] and
    masks [N, S, S] of the PNGs. Returns a dict and the codec id."""
    with open(os.path.join(faceset, "faceset.json")) as f:
        document = json.load(f)
    folder, codec_id = cache_folder(faceset, codec_id, size)
    latents, masks, crops, pixel_masks = [], [], [], []
    for entry in document["faces"]:
        stem = os.path.splitext(os.path.basename(entry["file"]))[0]
        path = os.path.join(folder, stem + ".safetensors")
        with safe_open(path, "pt") as f:
            key = (f.metadata() or {}).get("key", "")
            lat, mask = f.get_tensor("latents"), f.get_tensor("masks")
        if lat.shape[0] < variants:
            sys.exit(f"{path}: {lat.shape[0]} variants, need {variants}")
        if variants > 1 and "flip=false" in key:
            sys.exit(f"{path}: cached without mirror images (key {key!r})")
        latents.append(lat[:variants])
        masks.append(mask[:variants])
        if images:
            crop = read_png(os.path.join(faceset, entry["file"]))[..., :3]
            assert crop.shape[:2] == (size, size), f"{entry['file']}: {crop.shape[:2]}, not {size} px (extract at {size})"
            crops.append(np.clip(crop, 0, 1).transpose(2, 0, 1))
            pixel_masks.append(read_png(os.path.join(faceset, entry["mask"]))[..., 0])
    out = dict(latents=torch.cat(latents).float().contiguous(), masks=torch.cat(masks).float().contiguous(),
               faces=len(document["faces"]))
    if images:
        out.update(crops=np.stack(crops), pixel_masks=np.stack(pixel_masks))
    return out, codec_id


# MARK: TAEF2 decoder (MANIFEST.md, "TAESD family")

def taesd_conv(cin, cout, bias=True):
    return nn.Conv2d(cin, cout, 3, padding=1, bias=bias)


class TAEBlock(nn.Module):
    """out = ReLU(conv(x) + x), after x = x + pool(x) when the block has the GroupNorm branch."""
    def __init__(self, n, midblock_gn=False):
        super().__init__()
        self.conv = nn.Sequential(taesd_conv(n, n), nn.ReLU(), taesd_conv(n, n), nn.ReLU(), taesd_conv(n, n))
        self.pool = nn.Sequential(nn.Conv2d(n, 4 * n, 1, bias=False), nn.GroupNorm(4, 4 * n), nn.ReLU(),
                                  nn.Conv2d(4 * n, n, 1, bias=False)) if midblock_gn else None

    def forward(self, x):
        if self.pool is not None:
            x = x + self.pool(x)
        return F.relu(self.conv(x) + x)


class Clamp(nn.Module):
    def forward(self, x):
        return torch.tanh(x / 3) * 3


def taef2_decoder(path=os.path.join(MODELS, "taesd", "taef2_decoder.safetensors")):
    """taesd.py's Decoder with TAEF2's weights (keys N.<...>), frozen, in eval mode."""
    with safe_open(path, "pt") as f:
        weights = {k: f.get_tensor(k).float() for k in f.keys()}
    channels, gn = weights["1.weight"].shape[1], any(".pool." in k for k in weights)
    up = lambda: nn.Upsample(scale_factor=2)
    decoder = nn.Sequential(
        Clamp(), taesd_conv(channels, 64), nn.ReLU(), TAEBlock(64, gn), TAEBlock(64, gn), TAEBlock(64, gn),
        up(), taesd_conv(64, 64, bias=False), TAEBlock(64), TAEBlock(64), TAEBlock(64),
        up(), taesd_conv(64, 64, bias=False), TAEBlock(64), TAEBlock(64), TAEBlock(64),
        up(), taesd_conv(64, 64, bias=False), TAEBlock(64), taesd_conv(64, 3))
    decoder.load_state_dict(weights, strict=True)
    for p in decoder.parameters():
        p.requires_grad_(False)
    return decoder.eval()


# MARK: the reference model

def lrelu(x, slope=0.1):
    return F.leaky_relu(x, slope)


class Encoder(nn.Module):
    """Three 5x5 stride-2 convs to e, 2e, 4e channels, LeakyReLU 0.1 after each."""
    def __init__(self, cin, e):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(a, b, 5, stride=2, padding=2) for a, b in [(cin, e), (e, 2 * e), (2 * e, 4 * e)]])

    def forward(self, x):
        for conv in self.convs:
            x = lrelu(conv(x))
        return x


class Inter(nn.Module):
    """flatten -> Dense(ae_dims) -> Dense(side^2 * code) -> reshape [code, side, side]."""
    def __init__(self, features, ae_dims, code, side):
        super().__init__()
        self.code, self.side = code, side
        self.dense1, self.dense2 = nn.Linear(features, ae_dims), nn.Linear(ae_dims, side * side * code)

    def forward(self, x):
        return self.dense2(self.dense1(x.flatten(1))).reshape(-1, self.code, self.side, self.side)


class ResidualBlock(nn.Module):
    """DFL's: lrelu(x + conv2(lrelu(conv1(x), 0.2)), 0.2)."""
    def __init__(self, c):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(c, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return lrelu(x + self.conv2(lrelu(self.conv1(x), 0.2)), 0.2)


class Decoder(nn.Module):
    """Twice (3x3 conv to 4x the channels, LeakyReLU 0.1, pixel shuffle, residual block) at 2d then
    d channels, then a 3x3 conv to the latent channels."""
    def __init__(self, code, d, out):
        super().__init__()
        self.up0, self.res0 = nn.Conv2d(code, 4 * 2 * d, 3, padding=1), ResidualBlock(2 * d)
        self.up1, self.res1 = nn.Conv2d(2 * d, 4 * d, 3, padding=1), ResidualBlock(d)
        self.out = nn.Conv2d(d, out, 3, padding=1)

    def forward(self, x):
        x = self.res0(F.pixel_shuffle(lrelu(self.up0(x)), 2))
        x = self.res1(F.pixel_shuffle(lrelu(self.up1(x)), 2))
        return self.out(x)


class VQ(nn.Module):
    """EMA vector quantizer (van den Oord et al.; as VectorQuantizer.swift): nearest code,
    straight-through gradient, commitment beta * mean((z - sg(q))^2); in training the codebook
    follows the EMA of its assigned encoder outputs (Laplace-smoothed counts), and codes whose EMA
    count is under the threshold (all of them at the start) restart from random rows of the batch."""
    def __init__(self, k, d, beta, decay, dead, eps=1e-5):
        super().__init__()
        self.k, self.d, self.beta, self.decay, self.dead, self.eps = k, d, beta, decay, dead, eps
        self.register_buffer("codebook", torch.zeros(k, d))
        self.register_buffer("ema_count", torch.zeros(k))
        self.register_buffer("ema_sum", torch.zeros(k, d))
        self.restarts = 0

    def forward(self, z, generator=None):
        n, d, h, w = z.shape
        rows = z.detach().permute(0, 2, 3, 1).reshape(-1, d)
        indices = ((self.codebook ** 2).sum(1)[None, :] - 2 * rows @ self.codebook.T).argmin(1)
        q = self.codebook[indices].reshape(n, h, w, d).permute(0, 3, 1, 2)
        commitment = self.beta * F.mse_loss(z, q)
        if self.training:
            self.update(rows, indices, generator)
        return z + (q - z).detach(), commitment

    @torch.no_grad()
    def update(self, rows, indices, generator):
        onehot = F.one_hot(indices, self.k).float()
        self.ema_count.mul_(self.decay).add_((1 - self.decay) * onehot.sum(0))
        self.ema_sum.mul_(self.decay).add_((1 - self.decay) * (onehot.T @ rows))
        total = self.ema_count.sum()
        smoothed = (self.ema_count + self.eps) / (total + self.k * self.eps) * total
        used = self.ema_count > 0
        self.codebook[used] = self.ema_sum[used] / smoothed[used, None]
        dead = (self.ema_count < self.dead).nonzero().flatten()
        if len(dead):
            pick = rows[torch.randint(rows.shape[0], (len(dead),), generator=generator)]
            self.codebook[dead] = pick
            self.ema_sum[dead] = pick * 2 * self.dead
            self.ema_count[dead] = 2 * self.dead
            self.restarts += len(dead)


class ReferenceSwap(nn.Module):
    def __init__(self, resolution=256):
        super().__init__()
        c, e, code = DIMS["channels"], DIMS["encoder"], DIMS["code"]
        latent = resolution // 8
        self.encoder = Encoder(c, e)
        self.inter = Inter(4 * e * (latent // 8) ** 2, DIMS["ae_dims"], code, latent // 4)
        self.vq = VQ(DIMS["codebook"], code, TRAIN["commitment"], TRAIN["ema_decay"], TRAIN["dead_threshold"])
        self.decoder_src = Decoder(code, DIMS["decoder"], c)
        self.decoder_dst = Decoder(code, DIMS["decoder"], c)

    def forward(self, source, target, generator=None):
        b = source.shape[0]
        q, commitment = self.vq(self.inter(self.encoder(torch.cat([source, target]))), generator)
        return self.decoder_src(q[:b]), self.decoder_dst(q[b:]), commitment

    @torch.no_grad()
    def reconstruct_source(self, latents):
        q, _ = self.vq(self.inter(self.encoder(latents)))
        return self.decoder_src(q)


def masked_mse(prediction, target, mask):
    w = TRAIN["background_weight"] + (1 - TRAIN["background_weight"]) * mask.clamp(0, 1)
    return (w * (prediction - target) ** 2).sum() / (w.sum() * target.shape[1])


# MARK: held-out evaluation

def decode_images(codec, latents, batch=4):
    """TAEF2 decode, clamped to [0, 1]: [N, 3, 8s, 8s] float64 numpy."""
    with torch.no_grad():
        return torch.cat([codec(latents[i:i + batch]) for i in range(0, latents.shape[0], batch)]).clamp(0, 1).double().numpy()


def evaluate(model, codec, holdout, batch=4):
    model.eval()
    outputs = torch.cat([model.reconstruct_source(holdout["latents"][i:i + batch])
                         for i in range(0, holdout["latents"].shape[0], batch)])
    model.train()
    images = decode_images(codec, outputs, batch)
    parts = [s for s in (face_scores(images[i], holdout["crops"][i], holdout["pixel_masks"][i]) for i in range(len(images)))
             if s is not None]
    if not parts:
        sys.exit("holdout: no face has a mask to measure in")
    scores = pooled(parts)
    scores["checkerboard"] = checkerboard_energy(outputs) / checkerboard_energy(holdout["latents"])
    return scores, images


def preview(path, crops, images):
    """One row per held-out face: crop | reconstruction."""
    rows = [np.concatenate([c.transpose(1, 2, 0), o.transpose(1, 2, 0)], axis=1) for c, o in zip(crops, images)]
    write_png(path, np.concatenate(rows, axis=0))


def finite(value):
    return value if isinstance(value, (int, str)) or math.isfinite(value) else None


# MARK: checks

def self_check(holdout):
    from scipy import ndimage
    crop, mask = holdout["crops"][0], holdout["pixel_masks"][0]
    same = pooled([face_scores(crop, crop, mask)])
    blur = pooled([face_scores(np.stack([ndimage.gaussian_filter(p, 2, mode="nearest") for p in crop]), crop, mask)])
    log(f"identical: {same}\ngaussian blur sigma 2: {blur}")
    ok = same["ssim"] == 1 and same["gms"] == 1 and same["detail"] == 1 and same["psnr"] == math.inf \
        and blur["ssim"] < 1 and blur["detail"] < 1 and blur["gms"] < 1 and math.isfinite(blur["psnr"])
    log("metric self-check " + ("passed" if ok else "FAILED"))
    return ok


def check_decode(codec, holdout, png):
    mine = decode_images(codec, holdout["latents"][:1])[0]
    theirs = read_png(png)[..., :3].transpose(2, 0, 1)
    diff = np.abs(mine - theirs)
    log(f"TAEF2 decode vs {png}: max |diff| {diff.max() * 255:.3f}/255, mean {diff.mean() * 255:.4f}/255, "
        f"PSNR {10 * math.log10(1 / max((diff ** 2).mean(), 1e-20)):.1f} dB")
    ok = diff.max() <= 1 / 255
    log("decoder check " + ("passed (within 1/255)" if ok else "FAILED"))
    return ok


# MARK: training

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default="out/demo/facesets/actor", help="source (actor) face set")
    parser.add_argument("--target", default="out/demo/facesets/plate", help="target (plate) face set")
    parser.add_argument("--holdout", default="out/demo/facesets/actor-holdout", help="held-out actor face set")
    parser.add_argument("--minutes", type=float, default=15, help="training wall-clock (evaluations not counted)")
    parser.add_argument("--eval-every", type=int, default=500, help="held-out evaluation every N iterations (and at the end)")
    parser.add_argument("--json", help="JSON log of the evaluations, rewritten after each")
    parser.add_argument("--preview", help="folder for PNG strips (held-out crop | reconstruction) at each evaluation")
    parser.add_argument("--codec-id", help="latent cache to read (default: the one taef2-* cache of each face set)")
    parser.add_argument("--decoder-weights", default=os.path.join(MODELS, "taesd", "taef2_decoder.safetensors"),
                        help="TAEF2 decoder weights (default: ../shared/models/taesd/taef2_decoder.safetensors)")
    parser.add_argument("--seed", type=int, default=TRAIN["seed"])
    parser.add_argument("--threads", type=int, default=TRAIN["threads"], help="torch threads (the comparison uses 2)")
    parser.add_argument("--self-check", action="store_true", help="check the metrics on a held-out crop and exit")
    parser.add_argument("--check-decode", metavar="PNG", help="compare the TAEF2 decode of the first held-out latent with PNG and exit")
    args = parser.parse_args()

    TRAIN.update(threads=args.threads, seed=args.seed)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed + 1)

    holdout, codec_id = load_faceset(args.holdout, 1, args.codec_id, images=True)
    if args.self_check:
        sys.exit(0 if self_check(holdout) else 1)
    codec = taef2_decoder(args.decoder_weights)
    if args.check_decode:
        sys.exit(0 if check_decode(codec, holdout, args.check_decode) else 1)
    source, _ = load_faceset(args.source, TRAIN["variants"], codec_id)
    target, _ = load_faceset(args.target, TRAIN["variants"], codec_id)

    model = ReferenceSwap()
    params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.Adam(model.parameters(), lr=TRAIN["learning_rate"])
    log(f"reference swap: {params / 1e6:.2f} M parameters (+ codebook {DIMS['codebook']} x {DIMS['code']}); "
        f"source {source['faces']} faces, target {target['faces']} faces, x {TRAIN['variants']} variants; "
        f"holdout {holdout['faces']} faces; codec {codec_id}; {args.minutes:g} min")
    if args.preview:
        os.makedirs(args.preview, exist_ok=True)
    record = dict(script="scripts/reference_swap.py", codec_id=codec_id, parameters=params, dims=DIMS, train=TRAIN,
                  source=args.source, target=args.target, holdout=args.holdout, minutes=args.minutes,
                  torch=torch.__version__, evals=[])

    def run_eval(iteration, seconds, loss):
        started = time.perf_counter()
        scores, images = evaluate(model, codec, holdout)
        entry = dict(iteration=iteration, seconds=round(seconds, 2), loss=loss, **scores,
                     vq_restarts=model.vq.restarts, eval_seconds=round(time.perf_counter() - started, 2))
        record["evals"].append({k: finite(v) for k, v in entry.items()})
        log(f"holdout ({scores['faces']} faces) at iteration {iteration}, {seconds:.0f} s: PSNR {scores['psnr']:.2f} dB, "
            f"SSIM {scores['ssim']:.4f}, detail {scores['detail']:.3f}, GMS {scores['gms']:.4f}, "
            f"latent checkerboard {scores['checkerboard']:.2f} (eval {entry['eval_seconds']:.1f} s)")
        if args.json:
            folder = os.path.dirname(os.path.abspath(args.json))
            os.makedirs(folder, exist_ok=True)
            with open(args.json + ".tmp", "w") as f:
                json.dump(record, f, indent=1)
            os.replace(args.json + ".tmp", args.json)
        if args.preview:
            preview(os.path.join(args.preview, f"holdout_{iteration:06d}.png"), holdout["crops"], images)

    b, budget = TRAIN["batch"], args.minutes * 60
    trained, iteration, last_eval = 0.0, 0, -1
    window_start, window_iterations, recent = time.perf_counter(), 0, []
    while trained < budget:
        started = time.perf_counter()
        si = torch.randint(source["latents"].shape[0], (b,), generator=generator)
        ti = torch.randint(target["latents"].shape[0], (b,), generator=generator)
        xs, ms, xt, mt = source["latents"][si], source["masks"][si], target["latents"][ti], target["masks"][ti]
        rs, rt, commitment = model(xs, xt, generator)
        loss = masked_mse(rs, xs, ms) + masked_mse(rt, xt, mt) + commitment
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        iteration += 1
        trained += time.perf_counter() - started
        recent.append(loss.item())
        window_iterations += 1
        now = time.perf_counter()
        if now - window_start >= 10:
            log(f"iteration {iteration}: {window_iterations / (now - window_start):.2f} it/s, "
                f"loss {np.mean(recent):.5f}, VQ restarts {model.vq.restarts}, {trained:.0f}/{budget:.0f} s")
            window_start, window_iterations, recent = now, 0, []
        if iteration % args.eval_every == 0:
            run_eval(iteration, trained, loss.item())
            last_eval = iteration
            window_start, window_iterations = time.perf_counter(), 0
    if last_eval != iteration:
        run_eval(iteration, trained, loss.item())
    log(f"done: {iteration} iterations in {trained:.0f} s of training ({iteration / max(trained, 1e-9):.2f} it/s)")


if __name__ == "__main__":
    main()
