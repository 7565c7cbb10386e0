"""Shared helpers for the scripts that generate PyTorch reference fixtures.

Each script `Fixtures/<area>.py` writes `Fixtures/<area>.json`, read by the Swift tests through
`Support/Fixtures.swift`. Run them with a Python that has torch installed, from any directory:
    python Tests/VAECoreTests/Fixtures/<area>.py
The JSON holds {case: {key: {"shape": [...], "data": [...]} | number | [numbers]}}.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float32)


def tensor_entry(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def encode(value):
    if isinstance(value, torch.Tensor):
        return tensor_entry(value)
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], torch.Tensor):
        raise TypeError("store lists of tensors as separate keys")
    return value


def dump(area, cases):
    """Writes {case: {key: value}} to Fixtures/<area>.json next to this file."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{area}.json")
    out = {name: {k: encode(v) for k, v in entries.items()} for name, entries in cases.items()}
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(out)} cases)")
