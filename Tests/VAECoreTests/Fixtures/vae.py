"""PyTorch reference values for the whole VAE: one forward and backward pass of the reference
architecture (and a small conditional one) on a fixed binarized batch with a fixed ε. Records
the state_dict before the step, the loss terms, every parameter's gradient, and BatchNorm's
running statistics after the step. Run:
    /root/torchvenv/bin/python Tests/VAECoreTests/Fixtures/vae.py
"""
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "Sources", "bench", "pytorch"))
from reference_vae import VAE  # noqa: E402
from fixtures_common import dump  # noqa: E402

torch.set_num_threads(1)


def case(seed, batch, latent, channels, classes):
    torch.manual_seed(seed)
    model = VAE(latent, channels, classes)
    model.train()
    state = {"state:" + k: v.clone().float() for k, v in model.state_dict().items()}
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28) * 0.6)
    eps = torch.randn(batch, latent)
    labels = torch.randint(0, 10, (batch,)) if classes else None
    onehot = torch.nn.functional.one_hot(labels, classes).float() if classes else None
    loss, rec, kl, _ = model.loss(x, eps, 1.0, onehot)
    loss.backward()
    out = dict(state)
    out.update({"images": x, "epsilon": eps, "reconstruction": float(rec), "kl": float(kl),
                "latent": [latent], "channels": list(channels), "classes": [classes]})
    if classes:
        out["labels"] = [int(v) for v in labels]
    for k, p in model.named_parameters():
        out["grad:" + k] = p.grad
    for k, v in model.state_dict().items():
        if "running" in k:
            out["after:" + k] = v.clone()
    return out


dump("vae", {
    "reference": case(1, 4, 20, (32, 64), 0),
    "conditional_small": case(2, 3, 5, (8,), 10),
})
