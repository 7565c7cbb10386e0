"""Shared helpers for the scripts that generate PyTorch reference fixtures.

Each script `Fixtures/<area>.py` writes two files, read by the Swift tests through
`Support/Fixtures.swift`:
- `<area>.safetensors`: every tensor, exact float32, named "<case>/<key>";
- `<area>.json`: everything else, {case: {key: number | [numbers] | string}}.
Binary tensors keep the fixtures small (a JSON float costs ~12 bytes, a float32 4) and exact.
Run the scripts with a Python that has torch and safetensors installed, from any directory:
    python Tests/VAECoreTests/Fixtures/<area>.py
"""
import json
import os

import torch
from safetensors.torch import save_file

torch.set_default_dtype(torch.float32)


def dump(area, cases):
    """Writes {case: {key: value}}: tensors to <area>.safetensors, the rest to <area>.json."""
    here = os.path.dirname(os.path.abspath(__file__))
    tensors, others = {}, {}
    for name, entries in cases.items():
        others[name] = {}
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{name}/{key}"] = value.detach().to(torch.float32).contiguous().clone()
            elif isinstance(value, (list, tuple)) and value and isinstance(value[0], torch.Tensor):
                raise TypeError("store lists of tensors as separate keys")
            else:
                others[name][key] = value
    binary = os.path.join(here, f"{area}.safetensors")
    save_file(tensors, binary)
    text = os.path.join(here, f"{area}.json")
    with open(text, "w") as f:
        json.dump(others, f, separators=(",", ":"), sort_keys=True)
    print(f"wrote {binary} ({os.path.getsize(binary)} bytes) and {text} ({os.path.getsize(text)} bytes), {len(cases)} cases")
