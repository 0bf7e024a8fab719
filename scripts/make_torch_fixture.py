#!/usr/bin/env python3
"""Writes test/fixtures/torch_mlp.safetensors and test/fixtures/torch_mlp.json with real PyTorch.

A small MLP (Linear 4->8, BatchNorm1d(8) with trained running statistics, Tanh, Linear 8->3) is
trained for a few steps, put in eval mode, and its state dict is written as safetensors; the JSON
holds an input batch, PyTorch's output for it, and the state dict's names, dtypes and shapes.
duograd's test loads the file into the equivalent duograd module and compares outputs.

PyTorch 1.13 (Debian's python3-torch) has no safetensors module and the package index is out of
reach, so this script writes the format itself, as the safetensors specification describes it:
an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON mapping each tensor name
to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data start) plus an
optional "__metadata__" of strings, padded with spaces to a multiple of 8; then each tensor's
bytes, little-endian and row-major (`tensor.numpy().tobytes()`), tiling the data with no gaps.
Tensors are laid out as the reference writer does: larger dtypes first, then by name.

    /usr/bin/python3 scripts/make_torch_fixture.py            # writes the fixture
    /usr/bin/python3 scripts/make_torch_fixture.py --check F  # loads F (written by duograd's
                                                              # torch.save from the fixture
                                                              # model) into PyTorch, compares
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures"

DTYPES = {torch.float32: ("F32", 4), torch.float64: ("F64", 8), torch.int64: ("I64", 8), torch.int32: ("I32", 4), torch.bool: ("BOOL", 1)}
RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
NP = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "BOOL": "?"}


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(4, 8)
        self.norm = torch.nn.BatchNorm1d(8)
        self.act = torch.nn.Tanh()
        self.out_layer = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.out_layer(self.act(self.norm(self.hidden(x))))


def write_safetensors(tensors, path, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-RANK.index(DTYPES[kv[1].dtype][0]), kv[0]))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in items:
        data = t.detach().contiguous().cpu().numpy().astype(NP[DTYPES[t.dtype][0]]).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype][0], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None)
    data = raw[8 + n :]
    out, pos = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = info["data_offsets"]
        assert b == pos, f"{name}: gap or overlap at {b} (expected {pos})"
        pos = e
        arr = np.frombuffer(data[b:e], dtype=NP[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    assert pos == len(data), "trailing bytes"
    return out, meta


def make():
    torch.manual_seed(0)
    model = MLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(5):
        x = torch.randn(16, 4) * 2 + 0.5
        loss = model(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)
    sd = model.state_dict()
    write_safetensors(sd, OUT / "torch_mlp.safetensors", {"format": "pt"})
    fixture = {
        "description": "PyTorch MLP (Linear 4->8, BatchNorm1d eval, Tanh, Linear 8->3); written by scripts/make_torch_fixture.py",
        "torch_version": torch.__version__,
        "state_dict": [{"name": k, "dtype": str(v.dtype), "shape": list(v.shape)} for k, v in sd.items()],
        "input": x.tolist(),
        "output": y.tolist(),
    }
    (OUT / "torch_mlp.json").write_text(json.dumps(fixture, indent=1) + "\n")
    print("wrote", OUT / "torch_mlp.safetensors", "and", OUT / "torch_mlp.json")


def check(path):
    fixture = json.loads((OUT / "torch_mlp.json").read_text())
    tensors, meta = read_safetensors(path)
    model = MLP()
    model.load_state_dict(tensors)  # strict: every PyTorch name must be present, no extra
    model.eval()
    with torch.no_grad():
        y = model(torch.tensor(fixture["input"]))
    err = (y - torch.tensor(fixture["output"])).abs().max().item()
    print("metadata", meta, "keys", list(tensors), "max |diff|", err)
    assert err < 1e-6


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        make()
