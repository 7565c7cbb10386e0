"""Writes safetensors_example.safetensors with the reference `safetensors` library, so that the
Swift reader is tested against files it did not write itself.

    python Tests/VAECoreTests/Fixtures/safetensors_example.py
"""
import os

import torch
from safetensors.torch import save_file

here = os.path.dirname(os.path.abspath(__file__))
tensors = {
    "encoder.conv1.weight": torch.arange(24, dtype=torch.float32).reshape(2, 3, 2, 2) / 8 - 1,
    "encoder.bn1.num_batches_tracked": torch.tensor(469, dtype=torch.int64),
    "decoder.fc.bias": torch.tensor([1.5, -2.25, 3.0e-8], dtype=torch.float32),
}
save_file(tensors, os.path.join(here, "safetensors_example.safetensors"), metadata={"epoch": "3", "beta": "1.0"})
print("wrote safetensors_example.safetensors")
