#!/usr/bin/env python3
"""PyTorch reference for one training step of the swap model (Tests/LatentSwapModelTests/SwapParityTests.swift).

A plain PyTorch twin of Sources/LatentSwapModel (SwapLayouts, SwapAutoencoder.trainingForward,
VectorQuantizer, SwapLoss, SwapTrainer.record, Adam), with parameters named as the Swift ones (the
keys of weights.safetensors). For each case it draws weights, VQ state and a batch from a fixed
seed, runs the forward pass, the loss, backward and one torch.optim.Adam step, and writes one
safetensors fixture: inputs, weights, outputs, loss parts, every gradient, the weights after the
step, and the VQ state before and after its EMA update.

Run (torch is only needed to regenerate the fixtures; the Swift test reads the committed files):
    python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy safetensors
    .venv-torch/bin/python scripts/swap_parity.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LatentSwapModelTests", "Fixtures")

# Tiny dims, to keep the fixtures small.
DIMS = dict(channels=4, encoder=2, decoder=2, bottleneck=8, mask=2, code_dim=3, codebook_size=8)
TRAIN = dict(batch=2, learning_rate=1e-3, mask_loss_weight=0.5, background_weight=0.1, commitment=0.25, ema_decay=0.99)
# (archetype, inter, vq, resolution). The dense cases use 128 px (16x16 latents), so the inter's
# reshape is 2x2: a 1x1 one would not tell NCHW from NHWC flattening. The conv ones use 64 (8x8).
CASES = [
    ("df", "dense", False, 128), ("df", "dense", True, 128), ("liae", "dense", False, 128), ("liae", "dense", True, 128),
    ("df", "conv", True, 64), ("liae", "conv", True, 64),
    ("df", "dense_grid", True, 128), ("liae", "dense_grid", True, 128),
]


def lrelu(x, slope=0.1):
    return F.leaky_relu(x, slope)


# MARK: layers (SwapStages.swift, SwapDenseStages.swift)

class Upscale(nn.Module):
    """3x3 conv to 4x the channels, LeakyReLU 0.1, pixel shuffle by 2 (DFL's Upscale)."""
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, 4 * cout, 3, padding=1)

    def forward(self, x):
        return F.pixel_shuffle(lrelu(self.conv1(x)), 2)


class ResidualBlock(nn.Module):
    """y = lrelu(x + conv2(lrelu(conv1(x)))), slope 0.2."""
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return lrelu(x + self.conv2(lrelu(self.conv1(x), 0.2)), 0.2)


class MaskedDecoder(nn.Module):
    """The mask head every decoder carries: Upscale at 2m then m channels, 1x1 conv to one channel, sigmoid."""
    def __init__(self, code, m):
        super().__init__()
        self.upscalem0 = Upscale(code, 2 * m)
        self.upscalem1 = Upscale(2 * m, m)
        self.out_convm = nn.Conv2d(m, 1, 1)

    def mask(self, x):
        return torch.sigmoid(self.out_convm(self.upscalem1(self.upscalem0(x))))


# MARK: dense layout (DeepFaceLab SAEHD)

class Encoder(nn.Module):
    """5x5 stride-2 convs e, 2e, 4e, each followed by LeakyReLU 0.1."""
    def __init__(self, cin, e):
        super().__init__()
        self.down0 = nn.Conv2d(cin, e, 5, stride=2, padding=2)
        self.down1 = nn.Conv2d(e, 2 * e, 5, stride=2, padding=2)
        self.down2 = nn.Conv2d(2 * e, 4 * e, 5, stride=2, padding=2)

    def forward(self, x):
        return lrelu(self.down2(lrelu(self.down1(lrelu(self.down0(x))))))


class Inter(nn.Module):
    """flatten -> Dense(ae) -> Dense(side^2 * code) -> reshape NCHW -> Upscale(code); with
    upscale=False ("dense_grid") the second dense layer writes the 2x larger code grid itself."""
    def __init__(self, cin, side, ae, code, upscale=True):
        super().__init__()
        self.grid, self.code = side if upscale else 2 * side, code
        self.dense1 = nn.Linear(cin * side * side, ae)
        self.dense2 = nn.Linear(ae, self.grid * self.grid * code)
        self.upscale1 = Upscale(code, code) if upscale else None

    def forward(self, x):
        x = self.dense2(self.dense1(x.flatten(1))).reshape(-1, self.code, self.grid, self.grid)
        return self.upscale1(x) if self.upscale1 is not None else x


class Decoder(MaskedDecoder):
    """(Upscale, ResidualBlock) at 2d then d channels, 3x3 conv to the C latent channels."""
    def __init__(self, code, out, d, m):
        super().__init__(code, m)
        self.upscale0, self.res0 = Upscale(code, 2 * d), ResidualBlock(2 * d)
        self.upscale1, self.res1 = Upscale(2 * d, d), ResidualBlock(d)
        self.out_conv = nn.Conv2d(d, out, 3, padding=1)

    def forward(self, x):
        return self.out_conv(self.res1(self.upscale1(self.res0(self.upscale0(x)))))



# MARK: conv layout (the first plateswap layout)

class ConvEncoder(nn.Module):
    """3x3 conv C -> e, then two stride-2 3x3 convs to 2e and 4e, LeakyReLU 0.1 after each."""
    def __init__(self, cin, e):
        super().__init__()
        self.add_module("in", nn.Conv2d(cin, e, 3, padding=1))
        self.down0 = nn.Conv2d(e, 2 * e, 3, stride=2, padding=1)
        self.down1 = nn.Conv2d(2 * e, 4 * e, 3, stride=2, padding=1)

    def forward(self, x):
        return lrelu(self.down1(lrelu(self.down0(lrelu(getattr(self, "in")(x))))))


class ConvInter(nn.Module):
    """3x3 conv to the bottleneck width, LeakyReLU 0.1, 1x1 projection to the code dimension."""
    def __init__(self, cin, bottleneck, code):
        super().__init__()
        self.conv = nn.Conv2d(cin, bottleneck, 3, padding=1)
        self.code = nn.Conv2d(bottleneck, code, 1)

    def forward(self, x):
        return self.code(lrelu(self.conv(x)))


class ConvUp(nn.Module):
    """3x3 conv to 4x the channels, LeakyReLU 0.1, pixel shuffle by 2, residual block."""
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, 4 * cout, 3, padding=1)
        self.res = ResidualBlock(cout)

    def forward(self, x):
        return self.res(F.pixel_shuffle(lrelu(self.conv(x)), 2))


class ConvDecoder(MaskedDecoder):
    """3x3 conv code -> 4d, LeakyReLU; ConvUp to 2d and d; 3x3 conv to C."""
    def __init__(self, code, out, d, m):
        super().__init__(code, m)
        self.add_module("in", nn.Conv2d(code, 4 * d, 3, padding=1))
        self.up0, self.up1 = ConvUp(4 * d, 2 * d), ConvUp(2 * d, d)
        self.out = nn.Conv2d(d, out, 3, padding=1)

    def forward(self, x):
        return self.out(self.up1(self.up0(lrelu(getattr(self, "in")(x)))))



# MARK: vector quantizer (VectorQuantizer.swift)

class StraightThrough(torch.autograd.Function):
    """Returns the codes; the gradient passes to the encoder output unchanged."""
    @staticmethod
    def forward(ctx, z, q):
        return q.clone()

    @staticmethod
    def backward(ctx, g):
        return g, None


class VQ(nn.Module):
    """EMA vector quantizer: nearest code (ties to the lower index), straight-through, commitment
    beta * mean((z - sg(q))^2), then the EMA update with Laplace smoothing (no dead-code restarts
    here: the fixtures keep every count far above the threshold)."""
    def __init__(self, k, d, beta, decay, eps=1e-5, dead=0.01):
        super().__init__()
        self.k, self.d, self.beta, self.eps, self.dead = k, d, beta, eps, dead
        self.decay = torch.tensor(decay, dtype=torch.float32)
        self.register_buffer("codebook", torch.zeros(k, d))
        self.register_buffer("ema_count", torch.zeros(k))
        self.register_buffer("ema_sum", torch.zeros(k, d))

    @staticmethod
    def rows(z):  # [N, D, H, W] -> [N*H*W, D], row b*H*W + p
        return z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])

    def distances(self, rows):  # ||e||^2 - 2 z.e (the row's own norm does not change the ranking)
        return (self.codebook ** 2).sum(1)[None, :] - 2 * rows @ self.codebook.T

    def forward(self, z):
        n, d, h, w = z.shape
        rows = self.rows(z.detach())
        self.indices = self.distances(rows).argmin(1)
        q = self.codebook[self.indices].reshape(n, h, w, d).permute(0, 3, 1, 2)
        commitment = self.beta * F.mse_loss(z, q)
        self.update(rows, self.indices)
        return StraightThrough.apply(z, q), commitment

    @torch.no_grad()
    def update(self, rows, indices):
        onehot = F.one_hot(indices, self.k).float()
        one = torch.tensor(1, dtype=torch.float32)
        self.ema_count.mul_(self.decay).add_((one - self.decay) * onehot.sum(0))
        self.ema_sum.mul_(self.decay).add_((one - self.decay) * (onehot.T @ rows))
        total = self.ema_count.sum()
        smoothed = (self.ema_count + self.eps) / (total + self.k * self.eps) * total
        used = self.ema_count > 0
        self.codebook[used] = self.ema_sum[used] / smoothed[used, None]
        assert (self.ema_count >= self.dead).all(), "a code would be restarted (random): raise the initial counts"


# MARK: the swap model (SwapAutoencoder.trainingForward)

class SwapModel(nn.Module):
    def __init__(self, archetype, inter, vq, resolution):
        super().__init__()
        c, e, d, m = DIMS["channels"], DIMS["encoder"], DIMS["decoder"], DIMS["mask"]
        ae, code, latent = DIMS["bottleneck"], DIMS["code_dim"], resolution // 8
        self.archetype, self.inter_kind = archetype, inter
        if inter in ("dense", "dense_grid"):
            self.encoder = Encoder(c, e)
            self.inter_names = ["inter"] if archetype == "df" else ["inter_AB", "inter_B"]
            for name in self.inter_names:
                self.add_module(name, Inter(4 * e, latent >> 3, ae, code, upscale=inter == "dense"))
            self.decoder_names = ["decoder_src", "decoder_dst"] if archetype == "df" else ["decoder"]
            code_in = code if archetype == "df" else 2 * code  # LIAE decodes [B or AB, AB]
            for name in self.decoder_names:
                self.add_module(name, Decoder(code_in, c, d, m))
        else:
            self.encoder = ConvEncoder(c, e)
            self.inter_names = ["inter"] if archetype == "df" else ["inter_source", "inter_target"]
            for name in self.inter_names:
                self.add_module(name, ConvInter(4 * e, ae, code))
            self.decoder_names = ["decoder_source", "decoder_target"] if archetype == "df" else ["decoder"]
            for name in self.decoder_names:
                self.add_module(name, ConvDecoder(code, c, d, m))
        self.vq = VQ(DIMS["codebook_size"], code, TRAIN["commitment"], TRAIN["ema_decay"]) if vq else None

    def quantized(self, codes):
        if self.vq is None:
            return codes, None
        return self.vq(codes)

    def codes(self, source, target):
        """The bottleneck codes the quantizer sees, in its order (for drawing a codebook near them)."""
        b, z = source.shape[0], self.encoder(torch.cat([source, target]))
        inters = [getattr(self, n) for n in self.inter_names]
        if self.archetype == "df":
            return inters[0](z)
        if self.inter_kind == "conv":
            return torch.cat([inters[0](z[:b]), inters[1](z[b:])])
        return torch.cat([inters[0](z), inters[1](z[b:])])

    def forward(self, source, target):
        b = source.shape[0]
        q, commitment = self.quantized(self.codes(source, target))
        decoders = [getattr(self, n) for n in self.decoder_names]
        if self.archetype == "df":
            s, t = q[:b], q[b:]
            return decoders[0](s), decoders[1](t), decoders[0].mask(s), decoders[1].mask(t), commitment
        if self.inter_kind != "conv":
            ab_source, ab_target, b_target = q[:b], q[b:2 * b], q[2 * b:]
            q = torch.cat([torch.cat([ab_source, ab_source], 1), torch.cat([b_target, ab_target], 1)])
        out, mask = decoders[0](q), decoders[0].mask(q)
        return out[:b], out[b:], mask[:b], mask[b:], commitment


# MARK: the loss (SwapLoss.swift, SwapTrainer.record)

def loss_weights(mask):
    bw = TRAIN["background_weight"]
    return bw + (1 - bw) * mask.clamp(0, 1)


def masked_mse(prediction, target, weights):
    return (weights * (prediction - target) ** 2).sum() / (weights.sum() * target.shape[1])


def losses(out, source, target, source_mask, target_mask):
    rec_s, rec_t, mask_s, mask_t, commitment = out
    parts = {"source": masked_mse(rec_s, source, loss_weights(source_mask)),
             "target": masked_mse(rec_t, target, loss_weights(target_mask))}
    total = parts["source"] + parts["target"]
    if commitment is not None:
        parts["commitment"] = commitment
        total = total + commitment
    parts["mask"] = F.mse_loss(mask_s, source_mask) + F.mse_loss(mask_t, target_mask)
    parts["total"] = total + TRAIN["mask_loss_weight"] * parts["mask"]
    return parts


# MARK: fixtures

def init_vq(model, source, target, gen):
    """A codebook of K distinct codes near this batch's codes, with consistent EMA state whose
    counts sit far above the dead threshold; redrawn until no row is near a tie (where float
    rounding could pick another code than Swift does). Returns the smallest margin."""
    with torch.no_grad():
        rows = VQ.rows(model.codes(source, target))
        tie = 1e-4 * rows.abs().max().item() ** 2
        for _ in range(100):
            pick = torch.randperm(rows.shape[0], generator=gen)[:model.vq.k]
            noise = torch.randn(model.vq.k, model.vq.d, generator=gen) * rows.std() * 0.3
            model.vq.codebook.copy_(rows[pick] + noise)
            d = model.vq.distances(rows).sort(1).values
            margin = (d[:, 1] - d[:, 0]).min().item()
            if margin > tie:
                break
        assert margin > tie, "every codebook drawn had a row near a tie: change the seed"
        model.vq.ema_count.copy_(1 + 2 * torch.rand(model.vq.k, generator=gen))
        model.vq.ema_sum.copy_(model.vq.codebook * model.vq.ema_count[:, None])
        return margin


def make_case(archetype, inter, vq, resolution, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model = SwapModel(archetype, inter, vq, resolution)
    for name, p in model.named_parameters():  # He-normal weights, small non-zero biases
        with torch.no_grad():
            if p.dim() > 1:
                nn.init.kaiming_normal_(p, a=0.1, generator=gen)
            else:
                p.uniform_(-0.1, 0.1, generator=gen)
    b, c, s = TRAIN["batch"], DIMS["channels"], resolution // 8
    source, target = torch.randn(b, c, s, s, generator=gen), torch.randn(b, c, s, s, generator=gen)
    source_mask, target_mask = torch.rand(b, 1, s, s, generator=gen), torch.rand(b, 1, s, s, generator=gen)
    fixture = {"input.source": source, "input.target": target, "mask.source": source_mask, "mask.target": target_mask}
    fixture.update({"param." + n: p.detach().clone() for n, p in model.named_parameters()})
    margin = None
    if vq:
        margin = init_vq(model, source, target, gen)
        fixture.update({"vq." + n: t.clone() for n, t in model.vq.named_buffers()})

    optimizer = torch.optim.Adam(model.parameters(), lr=TRAIN["learning_rate"])
    out = model(source, target)
    parts = losses(out, source, target, source_mask, target_mask)
    optimizer.zero_grad()
    parts["total"].backward()
    optimizer.step()

    for key, value in zip(["out.source", "out.target", "out.source_mask", "out.target_mask"], out[:4]):
        fixture[key] = value.detach()
    fixture.update({"loss." + k: v.detach().reshape(1) for k, v in parts.items()})
    fixture.update({"grad." + n: p.grad.clone() for n, p in model.named_parameters()})
    fixture.update({"step." + n: p.detach().clone() for n, p in model.named_parameters()})
    if vq:
        fixture.update({"vq_after." + n: t.clone() for n, t in model.vq.named_buffers()})
        fixture["vq_after.indices"] = model.vq.indices.float()
    metadata = {k: str(v) for k, v in {**DIMS, **TRAIN}.items()}
    metadata.update(archetype=archetype, inter=inter, vq=str(vq).lower(), resolution=str(resolution), seed=str(seed),
                    torch=torch.__version__)
    return {k: v.contiguous().float() for k, v in fixture.items()}, metadata, margin


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (archetype, inter, vq, resolution) in enumerate(CASES):
        name = f"swap_parity_{archetype}_{inter}_{'vq' if vq else 'novq'}.safetensors"
        tensors, metadata, margin = make_case(archetype, inter, vq, resolution, seed=100 + i)
        path = os.path.join(OUT, name)
        # One metadata key: safetensors orders several by hash, and the file would change on every run.
        save_file(tensors, path, metadata={"case": json.dumps(metadata, sort_keys=True)})
        params = sum(v.numel() for k, v in tensors.items() if k.startswith("param."))
        print(f"{name}: {params} parameters, {os.path.getsize(path)} bytes, loss {tensors['loss.total'].item():.6f}"
              + (f", nearest-code margin {margin:.3g}" if margin is not None else ""))
    print(json.dumps({"dims": DIMS, "train": TRAIN}))


if __name__ == "__main__":
    main()
