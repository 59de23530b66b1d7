#!/usr/bin/env python3
"""Stage-by-stage reference of facenet-pytorch 2.6.0 MTCNN for plateswap's detector (issue 15).

For every case (real photos, footage frames at several scales, crowded and 4K images composed from
them) it decodes the pixels with the ffmpeg CLI, runs upstream's `detect_face` stage by stage and
writes what each stage produced: the pyramid scales, per level the P-Net candidate count and the
boxes kept by the per-level NMS, the boxes after the all-level NMS (regressed, squared), after R-Net
and after O-Net (boxes, probabilities, 5 points). The traced run is checked against
`MTCNN(keep_all=True).detect(..., landmarks=True)` (identical output, or the script stops).

Images: every case is an ffmpeg command line (`recipe`: the arguments between `ffmpeg -v error`
and `-frames:v 1 -f rawvideo -pix_fmt rgb24 -`, with `{data}` = ../shared/data and `{golden}` =
../shared/golden). Composed images (the crowded collage, the 4K frames) are ffmpeg filter graphs
over shared files, so no image is committed: Tests/FaceAlignTests/MTCNNParityTests.swift runs the
same command and checks the pixels against `rgb_checksum` (two weighted byte sums) before
comparing. Both sides feed the detector the same decoded bytes, so the comparison isolates the
detector from the image decoder (plateswap decodes JPEG with FFmpeg's own decoder; upstream users
usually decode with PIL/libjpeg: a separate difference of a few levels per pixel, not covered here).

Outputs:
  Tests/FaceAlignTests/Fixtures/mtcnn_parity.json   compact, committed: per case the recipe, size,
      pixel checksum, scales, per-level (height, width, candidates, kept), the counts after the
      P-Net and R-Net stages and every final face (box, prob, points5), largest box first.
  --full DIR: one JSON per case with every stage's boxes (for diffing against
      `PLATESWAP_MTCNN_TRACE=DIR` dumps of the Swift test; not committed).

Run (torch only for this script; facenet-pytorch without its extra dependencies):
    /work/torchenv/bin/pip install --no-deps facenet-pytorch==2.6.0 torchvision Pillow
    nice -n 19 /work/torchenv/bin/python scripts/mtcnn_parity.py [--full /tmp/mtcnn-ref] [--only NAME]
"""
import argparse
import json
import os
import subprocess
import sys
import types

import numpy as np
import torch

# facenet_pytorch/__init__ imports InceptionResnetV1, which needs requests and tqdm (weight
# downloads); MTCNN needs neither, and its weights ship in the wheel.
_stub = types.ModuleType("facenet_pytorch.models.inception_resnet_v1")
_stub.InceptionResnetV1 = None
sys.modules[_stub.__name__] = _stub
from facenet_pytorch import MTCNN  # noqa: E402
from facenet_pytorch.models.utils import detect_face as U  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
OUT = os.path.join(ROOT, "Tests", "FaceAlignTests", "Fixtures", "mtcnn_parity.json")

HAM = "{data}/footage/hamilton_short.mp4"


def frame(movie, n, vf=None):
    """Frame n (0-based) of a movie, optionally through more filters."""
    chain = f"select=eq(n\\,{n})" + (f",{vf}" if vf else "")
    return ["-i", movie, "-vf", chain]


def scaled(path, w, h, flags):
    return ["-i", path, "-vf", f"scale={w}:{h}:flags={flags}"]


# Crowded collage, 640x360: six single-face deepface photos (face boxes found by upstream on each
# photo), each a square crop (1.4x the box height, kept inside the photo) scaled so the face box is
# 50-110 px high, placed where they hide none of the faces of hamilton_short frame 240 (itself a
# crowd: six faces of 50-85 px). Tile = (photo, crop x, crop y, crop side, output side, x, y).
COLLAGE_TILES = [
    ("deepface/id01/img10.jpg", 0, 34, 408, 149, 0, 205),       # face box 301 px high -> ~110
    ("deepface/id02/img46.jpg", 117, 7, 280, 126, 155, 230),    # 200 -> ~90
    ("deepface/id03/img50.jpg", 54, 52, 315, 98, 285, 250),     # 225 -> ~70
    ("deepface/id04/img12.jpg", 163, 28, 262, 70, 390, 280),    # 187 -> ~50
    ("deepface/id05/img62.jpg", 176, 49, 328, 84, 470, 200),    # 234 -> ~60
    ("deepface/id07/img29.jpg", 75, 46, 423, 112, 520, 0),      # 302 -> ~80
]


def collage():
    args = ["-i", HAM]
    for t in COLLAGE_TILES:
        args += ["-i", "{data}/faces/" + t[0]]
    graph = [f"[0:v]select=eq(n\\,240),format=rgb24[b0]"]
    for i, (_, cx, cy, side, out, x, y) in enumerate(COLLAGE_TILES, 1):
        graph.append(f"[{i}:v]format=rgb24,crop={side}:{side}:{cx}:{cy},scale={out}:{out}:flags=area[t{i}]")
        graph.append(f"[b{i - 1}][t{i}]overlay={x}:{y}:format=rgb[b{i}]")
    return args + ["-filter_complex", ";".join(graph) + f";[b{len(COLLAGE_TILES)}]format=rgb24"]


def fourk_s18_with_small_face():
    """3840x2160: plate s18 frame 1001 (16-bit PNG) scaled 3x (its face ~450 px) plus the man of
    talking_d9 frame 0 scaled down so his face is ~130 px, pasted at (2900, 300)."""
    return ["-i", "{data}/plates/s18_png16/plate.1001.png", "-i", "{data}/faces/frames/talking_d9/f0000.jpg",
            "-filter_complex",
            "[0:v]format=rgb48le,scale=3840:2160:flags=bicubic,format=rgb24[bg];"
            "[1:v]format=rgb24,scale=200:188:flags=area[f];[bg][f]overlay=2900:300:format=rgb,format=rgb24"]


def fourk_hamilton():
    """3840x2160: hamilton_short frame 240 (six faces 50-85 px) scaled 6x: faces of 300-500 px."""
    return frame(HAM, 240, "scale=3840:2160:flags=bicubic")


def cases():
    c = []
    for p in ["2007_007763", "2008_002079", "2008_001009", "2008_001322", "bald_guys", "dogs"]:
        c.append((f"dlib_{p}", ["-i", f"{{data}}/faces/dlib/{p}.jpg"]))
    c.append(("deepface_selfie_many_people", ["-i", "{data}/faces/deepface/multi/selfie-many-people.jpg"]))
    for stem in ["two_people", "kit_with_rose", "obama", "hamilton_0160", "lin-manuel-miranda", "biden"]:
        c.append((f"golden_{stem}", ["-i", f"{{golden}}/images/{stem}.png"]))
    for n in [0, 15, 45, 90, 150, 225, 240, 255, 270]:
        c.append((f"hamilton_f{n:03d}", frame(HAM, n)))
    for n in [0, 240]:
        c.append((f"hamilton_f{n:03d}_x2", frame(HAM, n, "scale=1280:720:flags=bicubic")))
        c.append((f"hamilton_f{n:03d}_x3", frame(HAM, n, "scale=1920:1080:flags=bicubic")))
        c.append((f"hamilton_f{n:03d}_half", frame(HAM, n, "scale=320:180:flags=area")))
    c.append(("talking_d13_f0000", frame("{data}/footage/talking_d13.mp4", 0)))
    c.append(("talking_d6_f0000_x2", frame("{data}/footage/talking_d6.mp4", 0, "scale=960:960:flags=bicubic")))
    c.append(("s18_plate1001", ["-i", "{data}/plates/s18_png16/plate.1001.png"]))
    c.append(("s18_plate1001_half", scaled("{data}/plates/s18_png16/plate.1001.png", 640, 360, "area")))
    c.append(("s18_plate1001_x1_5", scaled("{data}/plates/s18_png16/plate.1001.png", 1920, 1080, "bicubic")))
    c.append(("collage_640x360", collage()))
    c.append(("fourk_s18_small_face", fourk_s18_with_small_face()))
    c.append(("fourk_hamilton_f240", fourk_hamilton()))
    return c


def decode(recipe):
    args = [a.replace("{data}", os.path.join(SHARED, "data")).replace("{golden}", os.path.join(SHARED, "golden")) for a in recipe]
    out = subprocess.run(["ffmpeg", "-v", "error"] + args + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return out


def size_of(recipe):
    args = [a.replace("{data}", os.path.join(SHARED, "data")).replace("{golden}", os.path.join(SHARED, "golden")) for a in recipe]
    # A 1-frame PNG pipe tells the size without a second decoder.
    png = subprocess.run(["ffmpeg", "-v", "error"] + args + ["-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-"],
                         capture_output=True, check=True).stdout
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def checksum(data):
    """(sum of the bytes, sum of byte i * (i mod 65521 + 1)): cheap in numpy and in Swift, and it
    changes when pixels move as well as when they change."""
    a = np.frombuffer(data, np.uint8).astype(np.int64)
    weights = np.arange(len(a), dtype=np.int64) % 65521 + 1
    return [int(a.sum()), int((a * weights).sum())]


def r(x, n=4):
    return [round(float(v), n) for v in x]


def crops(imgs, boxes, image_inds, w, h, size):
    """The R-/O-Net input of detect_face: clipped box regions (pad), area-resized, normalised."""
    y, ey, x, ex = U.pad(boxes, w, h)
    im_data = []
    for k in range(len(y)):
        if ey[k] > (y[k] - 1) and ex[k] > (x[k] - 1):
            img_k = imgs[image_inds[k], :, (y[k] - 1):ey[k], (x[k] - 1):ex[k]].unsqueeze(0)
            im_data.append(U.imresample(img_k, (size, size)))
    return (torch.cat(im_data, dim=0) - 127.5) * 0.0078125


def trace(imgs_np, mt):
    """facenet-pytorch 2.6.0 detect_face (one image, CPU), step for step, recording each stage."""
    rec = {}
    pnet, rnet, onet, threshold, factor, minsize = mt.pnet, mt.rnet, mt.onet, mt.thresholds, mt.factor, mt.min_face_size
    imgs = torch.as_tensor(imgs_np.copy()).unsqueeze(0)
    imgs = imgs.permute(0, 3, 1, 2).type(next(pnet.parameters()).dtype)
    h, w = imgs.shape[2:4]
    m = 12.0 / minsize
    minl = min(h, w) * m
    scale_i, scales = m, []
    while minl >= 12:
        scales.append(scale_i)
        scale_i = scale_i * factor
        minl = minl * factor
    rec["scales"] = scales
    boxes, image_inds, scale_picks, offset, levels = [], [], [], 0, []
    for scale in scales:
        size = (int(h * scale + 1), int(w * scale + 1))
        im_data = U.imresample(imgs, size)
        im_data = (im_data - 127.5) * 0.0078125
        reg, probs = pnet(im_data)
        boxes_scale, image_inds_scale = U.generateBoundingBox(reg, probs[:, 1], scale, threshold[0])
        boxes.append(boxes_scale)
        image_inds.append(image_inds_scale)
        pick = U.batched_nms(boxes_scale[:, :4], boxes_scale[:, 4], image_inds_scale, 0.5)
        levels.append({"size": list(size), "candidates": int(boxes_scale.shape[0]),
                       "kept": [r(boxes_scale[i, :9]) for i in pick.tolist()]})
        scale_picks.append(pick + offset)
        offset += boxes_scale.shape[0]
    rec["levels"] = levels
    boxes = torch.cat(boxes, dim=0)
    image_inds = torch.cat(image_inds, dim=0)
    scale_picks = torch.cat(scale_picks, dim=0)
    boxes, image_inds = boxes[scale_picks], image_inds[scale_picks]
    pick = U.batched_nms(boxes[:, :4], boxes[:, 4], image_inds, 0.7)
    boxes, image_inds = boxes[pick], image_inds[pick]
    regw = boxes[:, 2] - boxes[:, 0]
    regh = boxes[:, 3] - boxes[:, 1]
    qq1 = boxes[:, 0] + boxes[:, 5] * regw
    qq2 = boxes[:, 1] + boxes[:, 6] * regh
    qq3 = boxes[:, 2] + boxes[:, 7] * regw
    qq4 = boxes[:, 3] + boxes[:, 8] * regh
    boxes = torch.stack([qq1, qq2, qq3, qq4, boxes[:, 4]]).permute(1, 0)
    boxes = U.rerec(boxes)
    rec["pnet"] = [r(b) for b in boxes]
    if len(boxes) > 0:
        out = U.fixed_batch_process(crops(imgs, boxes, image_inds, w, h, 24), rnet)
        out0 = out[0].permute(1, 0)
        out1 = out[1].permute(1, 0)
        score = out1[1, :]
        rec["rnet_scores"] = r(score, 6)
        ipass = score > threshold[1]
        boxes = torch.cat((boxes[ipass, :4], score[ipass].unsqueeze(1)), dim=1)
        image_inds = image_inds[ipass]
        mv = out0[:, ipass].permute(1, 0)
        pick = U.batched_nms(boxes[:, :4], boxes[:, 4], image_inds, 0.7)
        boxes, image_inds, mv = boxes[pick], image_inds[pick], mv[pick]
        boxes = U.bbreg(boxes, mv)
        boxes = U.rerec(boxes)
    rec["rnet"] = [r(b) for b in boxes]
    points = torch.zeros(0, 5, 2)
    if len(boxes) > 0:
        out = U.fixed_batch_process(crops(imgs, boxes, image_inds, w, h, 48), onet)
        out0 = out[0].permute(1, 0)
        out1 = out[1].permute(1, 0)
        out2 = out[2].permute(1, 0)
        score = out2[1, :]
        rec["onet_scores"] = r(score, 6)
        points = out1
        ipass = score > threshold[2]
        points = points[:, ipass]
        boxes = torch.cat((boxes[ipass, :4], score[ipass].unsqueeze(1)), dim=1)
        image_inds = image_inds[ipass]
        mv = out0[:, ipass].permute(1, 0)
        w_i = boxes[:, 2] - boxes[:, 0] + 1
        h_i = boxes[:, 3] - boxes[:, 1] + 1
        points_x = w_i.repeat(5, 1) * points[:5, :] + boxes[:, 0].repeat(5, 1) - 1
        points_y = h_i.repeat(5, 1) * points[5:10, :] + boxes[:, 1].repeat(5, 1) - 1
        points = torch.stack((points_x, points_y)).permute(2, 1, 0)
        boxes = U.bbreg(boxes, mv)
        pick = U.batched_nms_numpy(boxes[:, :4], boxes[:, 4], image_inds, 0.7, "Min")
        boxes, image_inds, points = boxes[pick], image_inds[pick], points[pick]
    boxes, points = boxes.numpy(), points.numpy()
    # select_largest: area order, largest first (MTCNN.detect).
    order = np.argsort((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))[::-1] if len(boxes) else []
    rec["faces"] = [{"box": r(boxes[i, :4]), "prob": round(float(boxes[i, 4]), 6),
                     "points5": [r(p) for p in points[i]]} for i in order]
    return rec


def check_against_detect(rec, img, mt):
    b, p, pts = mt.detect(img, landmarks=True)
    if b is None:
        assert not rec["faces"], "trace found faces, detect none"
        return
    b, p, pts = np.asarray(b, np.float64), np.asarray(p, np.float64), np.asarray(pts, np.float64)
    assert len(b) == len(rec["faces"]), "face count differs from MTCNN.detect"
    for f, bb, pp, pt in zip(rec["faces"], b, p, pts):
        assert np.allclose(f["box"], bb, atol=1e-3) and abs(f["prob"] - pp) < 1e-6 and np.allclose(f["points5"], pt, atol=1e-3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", help="folder for the full per-stage traces (one JSON per case)")
    ap.add_argument("--only", action="append", help="only these case names")
    args = ap.parse_args()
    torch.set_num_threads(2)
    mt = MTCNN(keep_all=True)
    old = {}
    if os.path.exists(OUT):
        old = {c["name"]: c for c in json.load(open(OUT))["cases"]}
    results = []
    for name, recipe in cases():
        if args.only and name not in args.only:
            if name in old:
                results.append(old[name])
            continue
        data = decode(recipe)
        w, h = size_of(recipe)
        img = np.frombuffer(data, np.uint8).reshape(h, w, 3)
        with torch.no_grad():
            rec = trace(img, mt)
        check_against_detect(rec, img, mt)
        compact = {"name": name, "recipe": recipe, "width": w, "height": h, "rgb_checksum": checksum(data),
                   "scales": rec["scales"],
                   "levels": [[lv["size"][0], lv["size"][1], lv["candidates"], len(lv["kept"])] for lv in rec["levels"]],
                   "pnet_count": len(rec["pnet"]), "rnet_count": len(rec["rnet"]), "faces": rec["faces"]}
        results.append(compact)
        if args.full:
            os.makedirs(args.full, exist_ok=True)
            with open(os.path.join(args.full, name + ".json"), "w") as f:
                json.dump({**compact, **rec}, f)
        strong = [f for f in rec["faces"] if f["prob"] >= 0.9]
        print(f"{name}: {w}x{h}, {len(rec['scales'])} levels, P-Net {len(rec['pnet'])}, R-Net {len(rec['rnet'])}, "
              f"faces {len(rec['faces'])} ({len(strong)} with p >= 0.9)", flush=True)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    head = {"generator": "scripts/mtcnn_parity.py",
            "upstream": f"facenet-pytorch 2.6.0 MTCNN(keep_all=True) defaults, torch {torch.__version__} CPU float32, 2 threads"}
    with open(OUT, "w") as f:
        f.write(json.dumps(head)[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in results) + "\n]}\n")


if __name__ == "__main__":
    main()
