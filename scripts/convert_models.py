#!/usr/bin/env python3
"""Converts the face detector and landmarker weights shipped in PyPI wheels into plateswap's
model layout (see README.md, "Models"): safetensors named exactly as upstream, plus the
`.graph.json` description of a TFLite graph that FaceAlign's interpreter runs.

    facenet_pytorch-2.6.0 wheel: facenet_pytorch/data/{pnet,rnet,onet}.pt -> mtcnn/*.safetensors
    mediapipe-0.10.14 wheel:     mediapipe/modules/face_landmark/face_landmark.tflite
                                 -> mediapipe/face_landmark.{tflite,safetensors,graph.json}
                                 mediapipe/modules/face_detection/face_detection_short_range.tflite
                                 -> mediapipe/face_detection_short_range.{tflite,safetensors,graph.json}

Python standard library only (no torch, numpy or flatbuffers): the PyTorch pickle and the TFLite
flatbuffer are parsed here. Usage: convert_models.py --wheels DIR --out DIR
"""
import argparse
import collections
import hashlib
import json
import os
import pickle
import struct
import sys
import tempfile
import zipfile
from array import array

FACENET_WHEEL = "facenet_pytorch-2.6.0-py3-none-any.whl"
MEDIAPIPE_WHEEL_PREFIX = "mediapipe-0.10.14-"
MTCNN_NETS = ["pnet", "rnet", "onet"]
TFLITE_MODELS = {"face_landmark": "mediapipe/modules/face_landmark/face_landmark.tflite",
                 "face_detection_short_range": "mediapipe/modules/face_detection/face_detection_short_range.tflite"}


class ConversionError(Exception):
    pass


# ---------------------------------------------------------------- safetensors

def safetensors_bytes(tensors, metadata=None):
    """tensors: name -> (dtype 'F32'|'I32', shape, raw little-endian bytes). Names sorted."""
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)   # data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write_atomic(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


# ---------------------------------------------------------------- PyTorch state dicts

class _StorageType:
    SIZES = {"FloatStorage": ("f", 4), "DoubleStorage": ("d", 8), "IntStorage": ("i", 4), "LongStorage": ("q", 8)}

    def __init__(self, name):
        if name not in self.SIZES:
            raise ConversionError(f"unsupported torch storage type {name}")
        self.name = name
        self.code, self.itemsize = self.SIZES[name]


class _Storage:
    def __init__(self, kind, key, numel):
        self.kind, self.key, self.numel, self.values = kind, key, numel, None


class _TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def float32_bytes(self):
        """Row-major float32 copy of the (possibly strided) view."""
        values = self.storage.values
        if values is None:
            raise ConversionError(f"storage {self.storage.key} was never read")
        count = 1
        for n in self.size:
            count *= n
        contiguous, expected = True, 1
        for n, s in zip(reversed(self.size), reversed(self.stride)):
            if n > 1 and s != expected:
                contiguous = False
            expected *= n
        if contiguous:
            out = array("f", values[self.offset:self.offset + count])
        else:
            out = array("f", [0.0]) * count
            index = [0] * len(self.size)
            for i in range(count):
                out[i] = values[self.offset + sum(k * s for k, s in zip(index, self.stride))]
                for d in reversed(range(len(index))):
                    index[d] += 1
                    if index[d] < self.size[d]:
                        break
                    index[d] = 0
        if sys.byteorder != "little":
            out.byteswap()
        return out.tobytes()


def _rebuild_tensor_v2(storage, offset, size, stride, *rest):
    return _TensorRef(storage, offset, size, stride)


def _rebuild_parameter(data, *rest):
    return data


class _TorchUnpickler(pickle.Unpickler):
    """Builds only state dicts of float tensors: any other global is refused."""

    def __init__(self, file, storages):
        super().__init__(file)
        self.storages = storages

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        raise ConversionError(f"refusing to load {module}.{name} from a weights file")

    def persistent_load(self, pid):
        # ('storage', storage type, key, location, element count[, view metadata])
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise ConversionError(f"unexpected persistent id {pid!r}")
        kind, key, numel = pid[1], str(pid[2]), pid[4]
        if len(pid) > 5 and pid[5] is not None:
            raise ConversionError("storage views are not supported")
        if key not in self.storages:
            self.storages[key] = _Storage(kind, key, numel)
        return self.storages[key]


def _read_storage_values(storage, raw):
    values = array(storage.kind.code)
    values.frombytes(raw)
    if sys.byteorder != "little":
        values.byteswap()
    if len(values) != storage.numel:
        raise ConversionError(f"storage {storage.key}: {len(values)} values, expected {storage.numel}")
    storage.values = values


def load_torch_state_dict(data):
    """A `torch.save`d state dict, legacy (sequential pickles) or zip format, as name -> _TensorRef."""
    storages = {}
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
            names = z.namelist()
            pkl = next((n for n in names if n.endswith("/data.pkl")), None)
            if pkl is None:
                raise ConversionError("zip checkpoint without data.pkl")
            prefix = pkl[: -len("data.pkl")]
            state = _TorchUnpickler(__import__("io").BytesIO(z.read(pkl)), storages).load()
            for key, storage in storages.items():
                _read_storage_values(storage, z.read(f"{prefix}data/{key}"))
        return state
    f = __import__("io").BytesIO(data)
    magic = pickle.load(f)
    if magic != 0x1950A86A20F9469CFC6C:
        raise ConversionError("not a PyTorch checkpoint (bad magic number)")
    if pickle.load(f) != 1001:
        raise ConversionError("unsupported PyTorch checkpoint protocol")
    pickle.load(f)   # sys info
    state = _TorchUnpickler(f, storages).load()
    keys = pickle.load(f)
    for key in keys:
        storage = storages[str(key)]
        (numel,) = struct.unpack("<q", f.read(8))
        if numel != storage.numel:
            raise ConversionError(f"storage {key}: {numel} elements on disk, {storage.numel} in the pickle")
        _read_storage_values(storage, f.read(numel * storage.kind.itemsize))
    return state


def convert_mtcnn(wheel_path, out_dir):
    written = []
    with zipfile.ZipFile(wheel_path) as wheel:
        for net in MTCNN_NETS:
            member = f"facenet_pytorch/data/{net}.pt"
            state = load_torch_state_dict(wheel.read(member))
            tensors = {}
            for name, ref in state.items():
                if not isinstance(ref, _TensorRef):
                    raise ConversionError(f"{member}: {name} is not a tensor")
                tensors[name] = ("F32", ref.size, ref.float32_bytes())
            path = os.path.join(out_dir, "mtcnn", f"{net}.safetensors")
            write_atomic(path, safetensors_bytes(tensors))
            written.append(path)
    return written


# ---------------------------------------------------------------- TFLite flatbuffers

class FlatTable:
    """A flatbuffer table: fields by index, read lazily from the buffer."""

    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        vtable = pos - struct.unpack_from("<i", buf, pos)[0]
        vsize = struct.unpack_from("<H", buf, vtable)[0]
        self.fields = [struct.unpack_from("<H", buf, vtable + 4 + 2 * i)[0] for i in range((vsize - 4) // 2)]

    def _offset(self, i):
        return self.fields[i] if i < len(self.fields) else 0

    def scalar(self, i, fmt, default=0):
        o = self._offset(i)
        return struct.unpack_from("<" + fmt, self.buf, self.pos + o)[0] if o else default

    def _target(self, i):
        o = self._offset(i)
        if not o:
            return None
        at = self.pos + o
        return at + struct.unpack_from("<I", self.buf, at)[0]

    def table(self, i):
        t = self._target(i)
        return FlatTable(self.buf, t) if t is not None else None

    def string(self, i):
        t = self._target(i)
        if t is None:
            return None
        n = struct.unpack_from("<I", self.buf, t)[0]
        return self.buf[t + 4:t + 4 + n].decode()

    def vector(self, i, fmt):
        t = self._target(i)
        if t is None:
            return []
        n = struct.unpack_from("<I", self.buf, t)[0]
        return list(struct.unpack_from(f"<{n}{fmt}", self.buf, t + 4))

    def bytes(self, i):
        t = self._target(i)
        if t is None:
            return b""
        n = struct.unpack_from("<I", self.buf, t)[0]
        return self.buf[t + 4:t + 4 + n]

    def tables(self, i):
        t = self._target(i)
        if t is None:
            return []
        n = struct.unpack_from("<I", self.buf, t)[0]
        out = []
        for k in range(n):
            at = t + 4 + 4 * k
            out.append(FlatTable(self.buf, at + struct.unpack_from("<I", self.buf, at)[0]))
        return out


TENSOR_TYPES = {0: "FLOAT32", 1: "FLOAT16", 2: "INT32", 3: "UINT8", 4: "INT64", 9: "INT8"}
OPS = {0: "ADD", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D", 6: "DEQUANTIZE", 17: "MAX_POOL_2D",
       19: "RELU", 22: "RESHAPE", 34: "PAD", 54: "PRELU"}
PADDING = {0: "SAME", 1: "VALID"}
ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}


def op_options(op, t):
    """Builtin options of the ops these graphs use, named as TFLite's object API names them."""
    if op == "CONV_2D":
        return {"Padding": PADDING[t.scalar(0, "b")], "StrideW": t.scalar(1, "i"), "StrideH": t.scalar(2, "i"),
                "FusedActivationFunction": ACTIVATIONS[t.scalar(3, "b")], "DilationWFactor": t.scalar(4, "i", 1),
                "DilationHFactor": t.scalar(5, "i", 1), "QuantizedBiasType": t.scalar(6, "b")}
    if op == "DEPTHWISE_CONV_2D":
        return {"Padding": PADDING[t.scalar(0, "b")], "StrideW": t.scalar(1, "i"), "StrideH": t.scalar(2, "i"),
                "DepthMultiplier": t.scalar(3, "i"), "FusedActivationFunction": ACTIVATIONS[t.scalar(4, "b")],
                "DilationWFactor": t.scalar(5, "i", 1), "DilationHFactor": t.scalar(6, "i", 1)}
    if op == "MAX_POOL_2D":
        return {"Padding": PADDING[t.scalar(0, "b")], "StrideW": t.scalar(1, "i"), "StrideH": t.scalar(2, "i"),
                "FilterWidth": t.scalar(3, "i"), "FilterHeight": t.scalar(4, "i"),
                "FusedActivationFunction": ACTIVATIONS[t.scalar(5, "b")]}
    if op == "ADD":
        return {"FusedActivationFunction": ACTIVATIONS[t.scalar(0, "b")], "PotScaleInt16": bool(t.scalar(1, "B", 1))}
    if op == "RESHAPE":
        return {"NewShape": t.vector(0, "i")}
    if op == "CONCATENATION":
        return {"Axis": t.scalar(0, "i"), "FusedActivationFunction": ACTIVATIONS[t.scalar(1, "b")]}
    return {}


def half_to_float_bytes(raw):
    count = len(raw) // 2
    return struct.pack(f"<{count}f", *struct.unpack(f"<{count}e", raw))


def convert_tflite(data, name, source_file):
    """(safetensors bytes, graph dict) of a float TFLite model whose fp16 weights feed DEQUANTIZE ops."""
    if data[4:8] != b"TFL3":
        raise ConversionError(f"{source_file}: not a TFLite flatbuffer")
    model = FlatTable(data, struct.unpack_from("<I", data, 0)[0])
    codes = []
    for oc in model.tables(1):
        code = max(oc.scalar(0, "b"), oc.scalar(3, "i"))
        codes.append(OPS.get(code, f"BUILTIN_{code}"))
    buffers = model.tables(4)
    subgraphs = model.tables(2)
    if len(subgraphs) != 1:
        raise ConversionError(f"{source_file}: expected one subgraph, found {len(subgraphs)}")
    graph = subgraphs[0]
    tensors = []
    for index, t in enumerate(graph.tables(0)):
        buffer = buffers[t.scalar(2, "I")]
        tensors.append({"index": index, "name": t.string(3), "shape": t.vector(0, "i"),
                        "type": TENSOR_TYPES.get(t.scalar(1, "b"), str(t.scalar(1, "b"))), "raw": buffer.bytes(0)})
    for t in tensors:
        t["constant"] = len(t["raw"]) > 0
        t["exported"] = False

    weights = {}
    ops = []
    folded = collections.Counter()
    for op_table in graph.tables(3):
        op = codes[op_table.scalar(0, "I")]
        inputs, outputs = op_table.vector(1, "i"), op_table.vector(2, "i")
        if op == "DEQUANTIZE":
            # fp16 constant -> float32 constant under the DEQUANTIZE output's name.
            src, dst = tensors[inputs[0]], tensors[outputs[0]]
            if src["type"] != "FLOAT16" or not src["constant"]:
                raise ConversionError(f"{source_file}: DEQUANTIZE of a non-constant or non-fp16 tensor {src['name']}")
            dst.update(constant=True, exported=True, safetensors_key=dst["name"], stored_dtype="F32",
                       dequantized_from=src["index"],
                       folded_from={"op": "DEQUANTIZE", "tensor": src["name"], "original_type": "FLOAT16"})
            weights[dst["name"]] = ("F32", dst["shape"], half_to_float_bytes(src["raw"]))
            folded[op] += 1
            continue
        if op not in OPS.values():
            raise ConversionError(f"{source_file}: unsupported op {op}")
        options_table = op_table.table(4)
        options = op_options(op, options_table) if options_table is not None else {}
        used = []
        for i in inputs[1:]:
            t = tensors[i]
            if not t["constant"] and "dequantized_from" not in t:
                continue
            used.append(t["name"])
            if "dequantized_from" in t:
                continue
            if t["type"] == "INT32":
                t.update(exported=True, safetensors_key=t["name"], stored_dtype="I32",
                         value=list(struct.unpack(f"<{len(t['raw']) // 4}i", t["raw"])))
                weights[t["name"]] = ("I32", t["shape"], t["raw"])
            elif t["type"] == "FLOAT32":
                t.update(exported=True, safetensors_key=t["name"], stored_dtype="F32")
                weights[t["name"]] = ("F32", t["shape"], t["raw"])
            else:
                raise ConversionError(f"{source_file}: constant {t['name']} of type {t['type']} used by {op}")
        ops.append({"index": len(ops), "op": op, "inputs": inputs, "outputs": outputs,
                    "input_names": [tensors[i]["name"] for i in inputs],
                    "input_shapes": [tensors[i]["shape"] for i in inputs],
                    "output_names": [tensors[i]["name"] for i in outputs],
                    "output_shapes": [tensors[i]["shape"] for i in outputs],
                    "weights": used, "options": dict(sorted(options.items()))})

    inputs, outputs = graph.vector(1, "i"), graph.vector(2, "i")
    document = {
        "source": source_file, "source_file": source_file, "source_sha256": hashlib.sha256(data).hexdigest(),
        "description": model.string(3),
        "inputs": inputs, "outputs": outputs,
        "input_names": [tensors[i]["name"] for i in inputs], "output_names": [tensors[i]["name"] for i in outputs],
        "tensor_layout": "TFLite: activations NHWC (batch 1). CONV_2D weight [out, kh, kw, in]; DEPTHWISE_CONV_2D "
                         "weight [1, kh, kw, channels]; PRELU alpha broadcast over NHWC; biases [out]. SAME padding "
                         "puts the extra row/column bottom/right. PAD paddings [[n0,n1],[h0,h1],[w0,w1],[c0,c1]] "
                         "(int32, value inline). fp16 weights are stored dequantized under the DEQUANTIZE output's name.",
        "op_counts": dict(collections.Counter(o["op"] for o in ops)),
        "folded_ops": dict(folded),
        "tensors": [{k: v for k, v in t.items() if k != "raw"} for t in tensors],
        "ops": ops,
    }
    return safetensors_bytes(weights), document


def convert_mediapipe(wheel_path, out_dir):
    written = []
    with zipfile.ZipFile(wheel_path) as wheel:
        for name, member in TFLITE_MODELS.items():
            data = wheel.read(member)
            file = os.path.basename(member)
            weights, graph = convert_tflite(data, name, file)
            base = os.path.join(out_dir, "mediapipe", name)
            write_atomic(base + ".tflite", data)
            write_atomic(base + ".safetensors", weights)
            write_atomic(base + ".graph.json", (json.dumps(graph, indent=1) + "\n").encode())
            written += [base + ".tflite", base + ".safetensors", base + ".graph.json"]
    return written


def find_wheel(folder, prefix):
    matches = sorted(f for f in os.listdir(folder) if f.startswith(prefix) and f.endswith(".whl"))
    if not matches:
        raise ConversionError(f"{folder}: no wheel {prefix}*.whl (pip download --no-deps facenet-pytorch==2.6.0 mediapipe==0.10.14)")
    return os.path.join(folder, matches[0])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheels", required=True, help="folder holding the two wheels")
    parser.add_argument("--out", required=True, help="model folder to write (e.g. ./models)")
    args = parser.parse_args(argv)
    try:
        written = convert_mtcnn(find_wheel(args.wheels, FACENET_WHEEL), args.out)
        written += convert_mediapipe(find_wheel(args.wheels, MEDIAPIPE_WHEEL_PREFIX), args.out)
    except (ConversionError, OSError, zipfile.BadZipFile, KeyError, struct.error, pickle.UnpicklingError) as e:
        print(f"convert_models: {e}", file=sys.stderr)
        return 1
    for path in written:
        print(f"convert_models: wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
