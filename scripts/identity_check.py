#!/usr/bin/env python3
"""Independent identity and performance check of a swapped shot (issue 18).

Shares nothing with plateswap: faces are found, landmarked and embedded by dlib (HOG frontal
detector, the 68-point shape predictor and the ResNet face-recognition model of the PyPI package
face-recognition-models). Use it only to check a swap, never as a training signal.

For every frame it answers two questions:
  identity  is the swapped face the actor? The 128-d embedding of the output face is compared with
            the embeddings of the actor's own photos/frames (--actor). The criterion is dist_mean,
            the distance to the MEAN actor embedding (the centroid of all actor faces): one number
            per identity, not pulled down by one lucky actor photo (as dist_min is, the distance to
            the nearest actor face, which near-duplicate frames make tiny) nor pushed up by the
            actor's own pose spread (as dist_avg is, the average of the distances). All three are
            reported. The plate face gets the same distances (plate_dist_*): the baseline a swap
            must beat; a swap that does nothing fails.
            Measured on the shared data (talking_d6 folder, 32 frames): the actor's held-out movie
            frames give dist_mean 0.26-0.33, the s18 plate performer 0.66-0.68.
  mouth     does the face follow the plate's pose and mouth? dlib's 68 landmarks of the output
            face and of the plate face in the same frame; mouth_iod = mean distance over points
            48-67 divided by the plate's inter-ocular distance (eye centres = means of points 36-41
            and 42-47).

Pass: dist_mean <= 0.5 in >= 90% of the frames whose plate has a face (a frame whose output face
cannot be embedded counts as a miss), and the median mouth_iod <= 0.10.

Setup (once, from the repository root; prebuilt dlib wheel, no compiler):
    python3 -m venv .venv-eval
    .venv-eval/bin/pip install dlib-bin face-recognition-models numpy pillow OpenEXR
Run:
    .venv-eval/bin/python scripts/identity_check.py \\
        --actor ../shared/data/faces/frames/talking_d6 \\
        --output out/demo/swap/swap.%04d.exr \\
        --plate ../shared/data/plates/s18_piz/plate.%04d.exr \\
        --frames 1001-1024 --json out/demo/identity.json
--output and --plate take printf (%04d) or #### patterns of EXR (scene-linear Rec.709 R, G, B:
display window, clamped, sRGB curve, 8 bit; read with the OpenEXR package, or oiiotool without it)
or PNG/JPEG/TIFF (taken as display sRGB) frames. EXRs of a shot whose plate.colorspace is not
linear_rec709 need --colorspace (srgb: the values are display-encoded already; acescg, aces2065_1:
to Rec.709 with Bradford adaptation first).
Without --plate only the identity is checked. The table goes to stderr, the JSON to --json
(or stdout with --json -). Exit 0 after measuring (pass or fail), 2 if the inputs are unusable.
"""
import argparse
import glob
import json
import math
import os
import re
import sys

import numpy as np

try:
    import dlib
    import face_recognition_models as frm
except ImportError as e:  # pragma: no cover
    sys.exit(f"identity_check: {e}; install the venv described in the docstring (dlib-bin, face-recognition-models)")

IMAGE_EXT = ('.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp', '.exr')
THRESHOLD = 0.5
FRACTION = 0.9
MOUTH_LIMIT = 0.10


class Unusable(Exception):
    pass


# ---------------------------------------------------------------- images

COLORSPACES = ('linear_rec709', 'srgb', 'acescg', 'aces2065_1')
_D65, _ACES_WHITE = (0.3127, 0.3290), (0.32168, 0.33767)
_PRIMARIES = {  # CIE xy of red, green, blue; white
    'rec709': ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06), _D65),
    'acescg': ((0.713, 0.293), (0.165, 0.830), (0.128, 0.044), _ACES_WHITE),
    'aces2065_1': ((0.7347, 0.2653), (0.0, 1.0), (0.0001, -0.0770), _ACES_WHITE),
}


def _xyz(xy):
    x, y = xy
    return np.array([x / y, 1.0, (1 - x - y) / y])


def _rgb_to_xyz(name):
    r, g, b, w = _PRIMARIES[name]
    m = np.stack([_xyz(r), _xyz(g), _xyz(b)], axis=1)
    return m * np.linalg.solve(m, _xyz(w))[None, :]


def to_rec709_matrix(name):
    """Linear RGB in `name` -> linear Rec.709, Bradford white adaptation (as plateswap and OCIO's ACES configs)."""
    if name == 'rec709':
        return np.eye(3)
    brad = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
    gain = (brad @ _xyz(_D65)) / (brad @ _xyz(_PRIMARIES[name][3]))
    adapt = np.linalg.inv(brad) @ np.diag(gain) @ brad
    return np.linalg.inv(_rgb_to_xyz('rec709')) @ adapt @ _rgb_to_xyz(name)


def srgb8(rgb, colorspace='linear_rec709'):
    """EXR RGB (H, W, 3) float -> display sRGB uint8, clamped; NaN -> 0. Scene-linear colour spaces
    go to linear Rec.709 and through the sRGB curve; 'srgb' values are display-encoded already."""
    x = np.nan_to_num(np.asarray(rgb, dtype=np.float64), nan=0.0, posinf=1.0, neginf=0.0)
    if colorspace in ('acescg', 'aces2065_1'):
        x = x @ to_rec709_matrix(colorspace).T
    x = np.clip(x, 0.0, 1.0)
    if colorspace != 'srgb':
        x = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.ascontiguousarray(np.clip(np.round(x * 255.0), 0, 255).astype(np.uint8))


def read_exr(path):
    """R, G, B of the first part in the display window (pixels outside the data window are 0)."""
    import OpenEXR
    with OpenEXR.File(path, separate_channels=True) as f:
        part = f.parts[0]
        h = part.header
        ch = part.channels
        names = {}
        for c in ('R', 'G', 'B'):
            if c in ch:
                names[c] = c
            elif 'Y' in ch:
                names[c] = 'Y'
            else:
                raise Unusable(f"{path}: no {c} channel (has {sorted(ch)})")
        (dx0, dy0), (dx1, dy1) = [tuple(int(v) for v in a) for a in h['dataWindow']]
        (wx0, wy0), (wx1, wy1) = [tuple(int(v) for v in a) for a in h['displayWindow']]
        data = np.stack([np.asarray(ch[names[c]].pixels, dtype=np.float32) for c in 'RGB'], axis=-1)
    out = np.zeros((wy1 - wy0 + 1, wx1 - wx0 + 1, 3), np.float32)
    # Intersect the data window with the display window.
    x0, y0, x1, y1 = max(dx0, wx0), max(dy0, wy0), min(dx1, wx1), min(dy1, wy1)
    if x0 <= x1 and y0 <= y1:
        out[y0 - wy0:y1 - wy0 + 1, x0 - wx0:x1 - wx0 + 1] = data[y0 - dy0:y1 - dy0 + 1, x0 - dx0:x1 - dx0 + 1]
    return out


def exr_srgb8_oiiotool(path):
    """Fallback without the OpenEXR package: oiiotool crops to the display window and applies its
    built-in linear -> sRGB conversion, clamped to 8 bit (bit-identical to srgb8(read_exr(path)) on
    the s18 plate)."""
    import subprocess
    import tempfile
    from PIL import Image
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, 'f.png')
        subprocess.run(['oiiotool', path, '--ch', 'R,G,B', '--croptofull', '--colorconvert', 'linear', 'sRGB',
                        '-d', 'uint8', '-o', png], check=True, capture_output=True)
        with Image.open(png) as im:
            return np.ascontiguousarray(np.asarray(im.convert('RGB'), dtype=np.uint8))


def load_rgb8(path, colorspace='linear_rec709'):
    if path.lower().endswith('.exr'):
        try:
            import OpenEXR  # noqa: F401
        except ImportError:
            if colorspace != 'linear_rec709':
                raise Unusable(f"{path}: --colorspace {colorspace} needs the OpenEXR package")
            return exr_srgb8_oiiotool(path)
        return srgb8(read_exr(path), colorspace)
    from PIL import Image
    with Image.open(path) as im:
        return np.ascontiguousarray(np.asarray(im.convert('RGB'), dtype=np.uint8))


def frame_path(pattern, frame):
    if '%' in pattern:
        return pattern % frame
    m = re.search(r'#+', pattern)
    if m:
        return pattern[:m.start()] + str(frame).zfill(len(m.group())) + pattern[m.end():]
    return pattern


def parse_frames(spec):
    frames = []
    for piece in spec.split(','):
        piece = piece.strip()
        m = re.fullmatch(r'(-?\d+)(?:-(-?\d+)(?:x(\d+))?)?', piece)
        if not m:
            raise Unusable(f"bad --frames piece {piece!r} (want 1001-1024, 1001,1005 or 1001-1024x2)")
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) is not None else a
        step = int(m.group(3) or 1)
        if b < a or step < 1:
            raise Unusable(f"bad --frames range {piece!r}")
        frames.extend(range(a, b + 1, step))
    return frames


# ---------------------------------------------------------------- dlib

class Faces:
    def __init__(self, upsample_max=1):
        self.detector = dlib.get_frontal_face_detector()
        self.shape68 = dlib.shape_predictor(frm.pose_predictor_model_location())
        self.encoder = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
        self.upsample_max = upsample_max

    def detect(self, img):
        """Faces as (rect, score), best first; HOG at the native size, then upsampled once."""
        for up in range(self.upsample_max + 1):
            rects, scores, _ = self.detector.run(img, up, 0.0)
            if len(rects):
                found = sorted(zip(rects, scores), key=lambda rs: -rs[0].area())
                return found
        return []

    def detect_padded(self, img):
        """For tight face crops (a face set's faces/): pad by a quarter and retry."""
        found = self.detect(img)
        if found:
            return img, found
        h, w = img.shape[:2]
        p = max(h, w) // 4
        padded = np.ascontiguousarray(np.pad(img, ((p, p), (p, p), (0, 0)), mode='edge'))
        return padded, self.detect(padded)

    def landmarks(self, img, rect):
        return self.shape68(img, rect)

    def embed(self, img, shape):
        return np.asarray(self.encoder.compute_face_descriptor(img, shape), dtype=np.float64)


def points(shape):
    return np.array([[shape.part(i).x, shape.part(i).y] for i in range(shape.num_parts)], np.float64)


def iou(a, b):
    x0, y0 = max(a.left(), b.left()), max(a.top(), b.top())
    x1, y1 = min(a.right(), b.right()), min(a.bottom(), b.bottom())
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    union = a.area() + b.area() - inter
    return inter / union if union > 0 else 0.0


def rect_list(r):
    return [int(r.left()), int(r.top()), int(r.right()), int(r.bottom())]


# ---------------------------------------------------------------- actor

def actor_embeddings(faces, actor_dir, log):
    if not os.path.isdir(actor_dir):
        raise Unusable(f"--actor {actor_dir}: not a folder")
    files = sorted(f for f in glob.glob(os.path.join(actor_dir, '*')) if f.lower().endswith(IMAGE_EXT))
    if not files:
        raise Unusable(f"--actor {actor_dir}: no images ({', '.join(IMAGE_EXT)})")
    embs, names, skipped = [], [], []
    for f in files:
        try:
            img = load_rgb8(f)
        except Exception as e:  # noqa: BLE001
            skipped.append((os.path.basename(f), f"unreadable: {e}"))
            continue
        img, found = faces.detect_padded(img)
        if not found:
            skipped.append((os.path.basename(f), 'no face'))
            continue
        shape = faces.landmarks(img, found[0][0])
        embs.append(faces.embed(img, shape))
        names.append(os.path.basename(f))
    for name, why in skipped:
        log(f"actor: skipped {name}: {why}")
    if not embs:
        raise Unusable(f"--actor {actor_dir}: no face found in any of {len(files)} images")
    return np.stack(embs), names, skipped


def distances(emb, actor):
    """(dist_min, dist_mean, dist_avg): to the nearest actor face, to the mean actor embedding,
    and the average of the distances to all actor faces."""
    d = np.linalg.norm(actor - emb[None, :], axis=1)
    return float(d.min()), float(np.linalg.norm(emb - actor.mean(axis=0))), float(d.mean())


# ---------------------------------------------------------------- per frame

def measure_frame(faces, actor, frame, out_path, plate_path, colorspace='linear_rec709'):
    rec = {'frame': frame, 'detected': False, 'rect_source': None, 'dist_min': None, 'dist_mean': None,
           'dist_avg': None, 'plate_detected': False, 'plate_dist_min': None, 'plate_dist_mean': None,
           'plate_dist_avg': None,
           'swap_to_plate': None, 'mouth_iod': None, 'mouth_offset_iod': None, 'mouth_shape_iod': None, 'landmarks_iod': None, 'iod_px': None, 'error': None}
    if not os.path.exists(out_path):
        rec['error'] = 'missing output'
        return rec
    try:
        out = load_rgb8(out_path, colorspace)
    except Exception as e:  # noqa: BLE001
        rec['error'] = f'unreadable output: {e}'
        return rec

    plate = None
    plate_rect = plate_shape = None
    if plate_path is not None:
        if not os.path.exists(plate_path):
            rec['error'] = 'missing plate'
        else:
            try:
                plate = load_rgb8(plate_path, colorspace)
            except Exception as e:  # noqa: BLE001
                rec['error'] = f'unreadable plate: {e}'
        if plate is not None:
            found = faces.detect(plate)
            if found:
                plate_rect = found[0][0]
                rec['plate_detected'] = True
                plate_shape = faces.landmarks(plate, plate_rect)
                pe = faces.embed(plate, plate_shape)
                rec['plate_dist_min'], rec['plate_dist_mean'], rec['plate_dist_avg'] = distances(pe, actor)
                rec['plate_rect'] = rect_list(plate_rect)

    found = faces.detect(out)
    out_rect = None
    if found:
        # The output face is the one over the plate's face (the largest one without a plate face).
        if plate_rect is not None:
            best = max(found, key=lambda rs: iou(rs[0], plate_rect))
            if iou(best[0], plate_rect) > 0.1:
                out_rect = best[0]
        else:
            out_rect = found[0][0]
    if out_rect is not None:
        rec['detected'] = True
        rec['rect_source'] = 'output'
    elif plate_rect is not None:
        # The detector does not see a face where the plate has one (a smeared swap): embed and
        # landmark the output inside the plate's box anyway, so the frame still gets numbers.
        out_rect = plate_rect
        rec['rect_source'] = 'plate'
    if out_rect is None:
        return rec
    rec['rect'] = rect_list(out_rect)
    out_shape = faces.landmarks(out, out_rect)
    oe = faces.embed(out, out_shape)
    rec['dist_min'], rec['dist_mean'], rec['dist_avg'] = distances(oe, actor)
    if plate_shape is not None:
        rec['swap_to_plate'] = float(np.linalg.norm(oe - pe))
        pp, op = points(plate_shape), points(out_shape)
        iod = float(np.linalg.norm(pp[36:42].mean(0) - pp[42:48].mean(0)))
        if iod > 0:
            err = np.linalg.norm(op - pp, axis=1) / iod
            rec['iod_px'] = iod
            rec['mouth_iod'] = float(err[48:68].mean())
            # Split the mouth's error into the whole mouth sitting elsewhere (pose, face drawn
            # frontal) and its shape (lips fuller, more open) once that offset is removed.
            shift = (op[48:68] - pp[48:68]).mean(0)
            rec['mouth_offset_iod'] = float(np.linalg.norm(shift) / iod)
            rec['mouth_shape_iod'] = float((np.linalg.norm(op[48:68] - shift - pp[48:68], axis=1) / iod).mean())
            # Where each part of the output face sits against the plate's, in image x, y over the IOD.
            regions = {'jaw': (0, 17), 'brows': (17, 27), 'nose': (27, 36), 'eyes': (36, 48), 'mouth': (48, 68)}
            rec['region_shift_iod'] = {k: [float(v) for v in (op[a:b] - pp[a:b]).mean(0) / iod] for k, (a, b) in regions.items()}
            rec['landmarks_iod'] = float(err.mean())
    return rec


def fmt(v, w=6, p=3):
    return f"{v:{w}.{p}f}" if isinstance(v, (int, float)) and v is not None and math.isfinite(v) else f"{'-':>{w}}"


def summarise(recs, use_plate):
    measured = [r for r in recs if r['dist_mean'] is not None]
    # Frames that count for identity: those whose plate has a face (every output frame without --plate).
    counted = [r for r in recs if (r['plate_detected'] if use_plate else r['error'] is None)]
    within = [r for r in counted if r['dist_mean'] is not None and r['dist_mean'] <= THRESHOLD]
    within_min = [r for r in counted if r['dist_min'] is not None and r['dist_min'] <= THRESHOLD]
    plate_within = [r for r in counted if r['plate_dist_mean'] is not None and r['plate_dist_mean'] <= THRESHOLD]
    mouths = [r['mouth_iod'] for r in recs if r['mouth_iod'] is not None]
    med = lambda xs: float(np.median(xs)) if xs else None  # noqa: E731
    frac = len(within) / len(counted) if counted else None
    tot = {
        'frames': len(recs),
        'counted': len(counted),
        'detected': sum(r['detected'] for r in recs),
        'measured': len(measured),
        'plate_detected': sum(r['plate_detected'] for r in recs),
        'criterion': 'dist_mean (distance to the mean actor embedding) <= 0.5',
        'fraction_within_0_5': frac,
        'fraction_within_0_5_by_min': len(within_min) / len(counted) if counted else None,
        'plate_fraction_within_0_5': len(plate_within) / len(counted) if counted and use_plate else None,
        'median_dist_min': med([r['dist_min'] for r in measured]),
        'median_dist_mean': med([r['dist_mean'] for r in measured]),
        'median_dist_avg': med([r['dist_avg'] for r in measured]),
        'median_plate_dist_min': med([r['plate_dist_min'] for r in recs if r['plate_dist_min'] is not None]),
        'median_plate_dist_mean': med([r['plate_dist_mean'] for r in recs if r['plate_dist_mean'] is not None]),
        'median_swap_to_plate': med([r['swap_to_plate'] for r in recs if r['swap_to_plate'] is not None]),
        'median_mouth_iod': med(mouths),
        'median_mouth_offset_iod': med([r['mouth_offset_iod'] for r in recs if r['mouth_offset_iod'] is not None]),
        'median_mouth_shape_iod': med([r['mouth_shape_iod'] for r in recs if r['mouth_shape_iod'] is not None]),
        'median_landmarks_iod': med([r['landmarks_iod'] for r in recs if r['landmarks_iod'] is not None]),
        'pass_identity': bool(frac is not None and frac >= FRACTION),
        'pass_mouth': (bool(mouths) and float(np.median(mouths)) <= MOUTH_LIMIT) if use_plate else None,
    }
    return tot


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--actor', required=True, help="folder of the actor's own photos/frames (or a face set's faces/)")
    ap.add_argument('--output', required=True, help='output frames, e.g. out/demo/swap/swap.%%04d.exr')
    ap.add_argument('--plate', help='plate frames, same frames as --output (for the baseline and the mouth)')
    ap.add_argument('--frames', required=True, help='1001-1024, 1001,1003 or 1001-1024x2')
    ap.add_argument('--colorspace', choices=COLORSPACES, default='linear_rec709',
                    help="of the EXR frames (the shot's plate.colorspace; default linear_rec709)")
    ap.add_argument('--json', help='write the JSON summary here (- for stdout)')
    ap.add_argument('--no-upsample', action='store_true', help='HOG at native size only (faster, misses small faces)')
    a = ap.parse_args(argv)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731

    try:
        frames = parse_frames(a.frames)
        faces = Faces(upsample_max=0 if a.no_upsample else 1)
        actor, names, skipped = actor_embeddings(faces, a.actor, log)
        log(f"actor: {len(names)} face embeddings from {a.actor}")
        existing = [f for f in frames if os.path.exists(frame_path(a.output, f))]
        if not existing:
            raise Unusable(f"--output {a.output}: none of the {len(frames)} frames exists")
    except Unusable as e:
        log(f"identity_check: {e}")
        return 2

    # The actor's own spread, for scale: each actor embedding against the others.
    loo = []
    for i in range(len(actor)):
        rest = np.delete(actor, i, axis=0)
        if len(rest):
            loo.append(distances(actor[i], rest))

    recs = []
    log(f"{'frame':>6} {'face':>6} {'dist_min':>8} {'dist_mean':>9} {'dist_avg':>8} {'plate_min':>9} {'plate_mean':>10} "
        f"{'swap-plate':>10} {'mouth_iod':>9} {'all68_iod':>9}")
    for f in frames:
        r = measure_frame(faces, actor, f, frame_path(a.output, f), frame_path(a.plate, f) if a.plate else None,
                          a.colorspace)
        recs.append(r)
        face = {'output': 'yes', 'plate': 'plate'}.get(r['rect_source'], 'no')
        log(f"{f:>6} {face:>6} {fmt(r['dist_min'], 8)} {fmt(r['dist_mean'], 9)} {fmt(r['dist_avg'], 8)} {fmt(r['plate_dist_min'], 9)} "
            f"{fmt(r['plate_dist_mean'], 10)} {fmt(r['swap_to_plate'], 10)} {fmt(r['mouth_iod'], 9)} "
            f"{fmt(r['landmarks_iod'], 9)}" + (f"  {r['error']}" if r['error'] else ''))

    tot = summarise(recs, a.plate is not None)
    tot['actor_images'] = len(names) + len(skipped)
    tot['actor_faces'] = len(names)
    if loo:
        tot['actor_self_median_dist_min'] = float(np.median([d[0] for d in loo]))
        tot['actor_self_median_dist_mean'] = float(np.median([d[1] for d in loo]))
        tot['actor_self_median_dist_avg'] = float(np.median([d[2] for d in loo]))
    pct = lambda v: '-' if v is None else f"{100 * v:.0f}%"  # noqa: E731
    log(f"identity: {pct(tot['fraction_within_0_5'])} of {tot['counted']} frames within {THRESHOLD} by dist_mean "
        f"({pct(tot['fraction_within_0_5_by_min'])} by dist_min; plate baseline {pct(tot['plate_fraction_within_0_5'])}); "
        f"median dist_mean {fmt(tot['median_dist_mean'], 0)}, dist_min {fmt(tot['median_dist_min'], 0)}, "
        f"plate {fmt(tot['median_plate_dist_mean'], 0)}; actor vs itself (leave one out) {fmt(tot.get('actor_self_median_dist_mean'), 0)}"
        f" -> {'PASS' if tot['pass_identity'] else 'FAIL'}")
    if a.plate:
        log(f"mouth: median {fmt(tot['median_mouth_iod'], 0)} inter-ocular distances (limit {MOUTH_LIMIT}) "
            f"-> {'PASS' if tot['pass_mouth'] else 'FAIL'} (offset {fmt(tot['median_mouth_offset_iod'], 0)}, "
            f"shape {fmt(tot['median_mouth_shape_iod'], 0)}); {tot['detected']}/{tot['frames']} output faces detected")

    doc = {'actor': a.actor, 'output': a.output, 'plate': a.plate, 'frames': recs, 'totals': tot}
    if a.json:
        text = json.dumps(doc, indent=1)
        if a.json == '-':
            print(text)
        else:
            with open(a.json, 'w') as fh:
                fh.write(text + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
