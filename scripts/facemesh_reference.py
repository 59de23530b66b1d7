#!/usr/bin/env python3
"""MediaPipe FaceMesh reference meshes for the faces of the composed and crowded MTCNN parity cases
(Tests/FaceAlignTests/FaceMeshParityTests.swift), which have no golden in ../shared/golden.

For each case named below it reads the image recipe and upstream MTCNN's faces from
Tests/FaceAlignTests/Fixtures/mtcnn_parity.json (scripts/mtcnn_parity.py), decodes the image with
the same ffmpeg command, and for every face with p >= 0.9 runs the MediaPipe 0.10.14 FaceMesh
solution (static image, 468 points, no refinement) on a square crop of 2.5x the face box's long
side around it (moved inside the image; a mesh whose centre is more than a quarter of the box width
from the box centre belongs to a neighbour and is not used), because the solution's short-range detector only finds
faces that fill a good part of the frame (a 130 px face in 4K is 4 px in its 128 px input). The
mesh whose centre is nearest the box centre is mapped back to image pixels. Output:
Tests/FaceAlignTests/Fixtures/facemesh_reference.json: per case, per face: upstream's MTCNN box,
`origin` (the box corner rounded down) and `mesh_tenths`: x0, y0, x1, y1, ... of the 468 points in
tenths of a pixel from `origin` (so the file stays small).

Run (a separate venv; MediaPipe needs numpy < 2; matplotlib is only imported for drawing):
    python3.11 -m venv /tmp/mpenv && /tmp/mpenv/bin/pip install --no-deps mediapipe==0.10.14 \
        "numpy<2" opencv-contrib-python==4.10.0.84 "protobuf>=4.25.3,<5" absl-py attrs flatbuffers
    nice -n 19 /tmp/mpenv/bin/python scripts/facemesh_reference.py
"""
import json
import os
import subprocess
import sys
import types

_plt = types.ModuleType("matplotlib")
_plt.pyplot = types.ModuleType("matplotlib.pyplot")
sys.modules["matplotlib"] = _plt
sys.modules["matplotlib.pyplot"] = _plt.pyplot
import mediapipe as mp  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
FIXTURES = os.path.join(ROOT, "Tests", "FaceAlignTests", "Fixtures")
CASES = ["collage_640x360", "hamilton_f255", "fourk_s18_small_face", "fourk_hamilton_f240", "deepface_selfie_many_people"]


def decode(case):
    args = [a.replace("{data}", os.path.join(SHARED, "data")).replace("{golden}", os.path.join(SHARED, "golden"))
            for a in case["recipe"]]
    out = subprocess.run(["ffmpeg", "-v", "error"] + args + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape(case["height"], case["width"], 3)


def mesh_of(img, box, fm):
    h, w = img.shape[:2]
    side = int(round(2.5 * max(box[2] - box[0], box[3] - box[1])))
    side = min(side, w, h)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    x0 = int(min(max(round(cx - side / 2), 0), w - side))
    y0 = int(min(max(round(cy - side / 2), 0), h - side))
    crop = np.ascontiguousarray(img[y0:y0 + side, x0:x0 + side])
    res = fm.process(crop)
    if not res.multi_face_landmarks:
        return None
    best = None
    for lm in res.multi_face_landmarks:
        pts = np.array([[p.x * side + x0, p.y * side + y0] for p in lm.landmark])
        d = np.hypot(*(pts.mean(0) - [cx, cy]))
        if best is None or d < best[0]:
            best = (d, pts)
    # The crop can hold a neighbour: a mesh centred away from the box is not this face's.
    return best[1] if best[0] <= 0.25 * (box[2] - box[0]) else None


def main():
    parity = {c["name"]: c for c in json.load(open(os.path.join(FIXTURES, "mtcnn_parity.json")))["cases"]}
    out = {"generator": "scripts/facemesh_reference.py", "mediapipe": mp.__version__, "cases": []}
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=4) as fm:
        for name in CASES:
            case = parity[name]
            img = decode(case)
            faces = []
            for f in case["faces"]:
                if f["prob"] < 0.9:
                    continue
                pts = mesh_of(img, f["box"], fm)
                if pts is None:
                    print(f"{name}: MediaPipe found no mesh for {f['box']}")
                    continue
                # Compact: tenths of a pixel from the box's integer corner, x0 y0 x1 y1 ... flat.
                ox, oy = int(np.floor(f["box"][0])), int(np.floor(f["box"][1]))
                tenths = [int(round(float(v) * 10)) for x, y in pts for v in (x - ox, y - oy)]
                faces.append({"box": f["box"], "origin": [ox, oy], "mesh_tenths": tenths})
            print(f"{name}: {len(faces)} meshes")
            out["cases"].append({"name": name, "faces": faces})
    with open(os.path.join(FIXTURES, "facemesh_reference.json"), "w") as f:
        f.write(json.dumps({k: v for k, v in out.items() if k != "cases"})[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in out["cases"]) + "\n]}\n")


if __name__ == "__main__":
    main()
