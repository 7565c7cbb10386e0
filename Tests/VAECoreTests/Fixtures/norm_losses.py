"""PyTorch reference values for batch normalisation, activations and losses.

Writes norm_losses.safetensors (tensors) and norm_losses.json (numbers), read by
NormLossReferenceTests.swift. Run:
    /root/torchvenv/bin/python Tests/VAECoreTests/Fixtures/norm_losses.py

Layers record the forward output and, for a stored random upstream gradient g, the gradients of
L = <g, y> with respect to the input and the parameters. Losses record the reduced value and the
gradient of that value. `sumPerSample` is torch's sum divided by the batch size.

Scalar numbers are written with the shortest decimal that reads back as the same float32.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures_common import dump  # noqa: E402

torch.manual_seed(20240611)


def compact(t):
    """A tensor entry: stored as exact float32 in norm_losses.safetensors."""
    t = t.detach().to(torch.float32).contiguous().clone()
    assert torch.isfinite(t).all(), "fixtures hold finite values only"
    return t


def f32(x):
    """A float32 number as the shortest decimal."""
    return float(str(np.float32(x)))


cases = {}


# ---------------------------------------------------------------- batch normalisation

def affine(bn, channels):
    with torch.no_grad():
        bn.weight.copy_(torch.empty(channels).uniform_(0.5, 2.0) * torch.where(torch.rand(channels) < 0.2, -1.0, 1.0))
        bn.bias.copy_(torch.randn(channels) * 0.7)


def bn_training_case(name, module, shape):
    channels = shape[1]
    affine(module, channels)
    module.train()
    x = (torch.randn(shape) * 1.7 + torch.randn(1, channels, *([1] * (len(shape) - 2))) * 2).requires_grad_(True)
    y = module(x)
    g = torch.randn(y.shape)
    y.backward(g)
    cases[name] = {
        "x": compact(x), "gamma": compact(module.weight), "beta": compact(module.bias), "g": compact(g),
        "y": compact(y), "dx": compact(x.grad), "dgamma": compact(module.weight.grad),
        "dbeta": compact(module.bias.grad),
        "running_mean": compact(module.running_mean), "running_var": compact(module.running_var),
        "num_batches_tracked": int(module.num_batches_tracked),
    }


def bn_running_case(name, module, shape, forwards=3):
    """Several training forwards (running statistics), then an evaluation forward and backward."""
    channels = shape[1]
    affine(module, channels)
    module.train()
    entry = {"gamma": compact(module.weight), "beta": compact(module.bias), "forwards": forwards}
    for k in range(forwards):
        x = torch.randn(shape) * (1 + k) + 0.5 * k
        with torch.no_grad():
            module(x)
        entry[f"x{k}"] = compact(x)
    entry["running_mean"] = compact(module.running_mean)
    entry["running_var"] = compact(module.running_var)
    entry["num_batches_tracked"] = int(module.num_batches_tracked)
    module.eval()
    x = (torch.randn(shape) * 2 + 1).requires_grad_(True)
    y = module(x)
    g = torch.randn(y.shape)
    y.backward(g)
    entry.update({"x_eval": compact(x), "g_eval": compact(g), "y_eval": compact(y),
                  "dx_eval": compact(x.grad), "dgamma_eval": compact(module.weight.grad),
                  "dbeta_eval": compact(module.bias.grad)})
    cases[name] = entry


bn_training_case("bn2d_vae_2x32x14x14", torch.nn.BatchNorm2d(32), (2, 32, 14, 14))
bn_training_case("bn2d_vae_2x64x7x7", torch.nn.BatchNorm2d(64), (2, 64, 7, 7))
bn_training_case("bn2d_odd_3x5x4x3", torch.nn.BatchNorm2d(5), (3, 5, 4, 3))
bn_training_case("bn1d_8x6", torch.nn.BatchNorm1d(6), (8, 6))
bn_running_case("bn2d_running_3x5x4x3", torch.nn.BatchNorm2d(5), (3, 5, 4, 3))
bn_running_case("bn1d_running_4x6", torch.nn.BatchNorm1d(6), (4, 6))


# ---------------------------------------------------------------- activations

special = torch.tensor([-1000, -500, -100, -88, -30, -20.5, -20, -17, -10, -5, -1, -0.5, -1e-3, 0,
                        1e-3, 0.5, 1, 5, 10, 17, 19.5, 20, 20.5, 30, 88, 100, 500, 1000], dtype=torch.float32)
activation_input = torch.cat([special, torch.randn(36) * 4]).reshape(4, 16)
activations = {
    "relu": torch.nn.ReLU(),
    "leaky_relu": torch.nn.LeakyReLU(),
    "leaky_relu_0.2": torch.nn.LeakyReLU(0.2),
    "elu": torch.nn.ELU(),
    "elu_0.5": torch.nn.ELU(alpha=0.5),
    "sigmoid": torch.nn.Sigmoid(),
    "tanh": torch.nn.Tanh(),
    "softplus": torch.nn.Softplus(),
    "softplus_beta2": torch.nn.Softplus(beta=2.0, threshold=20.0),
}
for name, module in activations.items():
    x = activation_input.clone().requires_grad_(True)
    y = module(x)
    g = torch.randn(y.shape)
    y.backward(g)
    cases[f"act_{name}"] = {"x": compact(x), "g": compact(g), "y": compact(y), "dx": compact(x.grad)}


# ---------------------------------------------------------------- losses

def reductions(name, fn, inputs, differentiate, batch, extra=None, which=("sum", "mean", "sumPerSample")):
    """Records fn(inputs, reduction) for each reduction in `which`, with the gradients of the
    inputs named in `differentiate`."""
    entry = {k: compact(v) for k, v in inputs.items()}
    if extra:
        entry.update(extra)
    for reduction in which:
        leaves = {k: v.clone().requires_grad_(k in differentiate) for k, v in inputs.items()}
        if reduction == "sumPerSample":
            value = fn(leaves, "sum") / batch
        else:
            value = fn(leaves, reduction)
        value.backward()
        entry[f"value_{reduction}"] = f32(value.item())
        for k, v in leaves.items():
            if v.requires_grad and v.grad is not None:
                entry[f"d{k}_{reduction}"] = compact(v.grad)
    cases[name] = entry


# BCE with logits: random logits, huge logits, binary and fractional targets.
logits = torch.randn(4, 30) * 3
logits[0, :12] = torch.tensor([300, -300, 500, -500, 1000, -1000, 300, -300, 500, -500, 1000, -1000.])
targets = torch.cat([(torch.rand(2, 30) < 0.5).float(), torch.rand(2, 30)])
targets[0, :12] = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1.])
targets[2, :6] = torch.tensor([0.5, 0.25, 0.75, 0.1, 0.9, 0.5])
logits[2, :6] = torch.tensor([300, -300, 500, -500, 1000, -1000.])
reductions("bce_logits", lambda v, r: F.binary_cross_entropy_with_logits(v["logits"], v["targets"], reduction=r),
           {"logits": logits, "targets": targets}, ["logits"], batch=4)

# BCE on the VAE's shape (N, 1, 28, 28) with binarised "pixels", in nats per image.
vae_logits = torch.randn(2, 1, 28, 28) * 4
vae_targets = (torch.rand(2, 1, 28, 28) < 0.2).float()
reductions("bce_logits_vae", lambda v, r: F.binary_cross_entropy_with_logits(v["logits"], v["targets"], reduction=r),
           {"logits": vae_logits, "targets": vae_targets}, ["logits"], batch=2, which=("sumPerSample",))


# KL(N(mu, exp(logvar)) || N(0, I)).
def kl(v, reduction):
    terms = -0.5 * (1 + v["logvar"] - v["mu"] ** 2 - v["logvar"].exp())
    return terms.sum() if reduction == "sum" else terms.mean()


mu = torch.randn(6, 20) * 1.5
logvar = torch.randn(6, 20) * 2
logvar[0, :4] = torch.tensor([10.0, -10.0, 30.0, -30.0])
mu[0, 4:6] = torch.tensor([50.0, -50.0])
with torch.no_grad():
    terms = -0.5 * (1 + logvar - mu ** 2 - logvar.exp())
reductions("kl", kl, {"mu": mu, "logvar": logvar}, ["mu", "logvar"], batch=6,
           extra={"per_sample": [f32(v) for v in terms.sum(1).tolist()],
                  "per_dimension": [f32(v) for v in terms.mean(0).tolist()]})

# MSE.
prediction = torch.randn(5, 7) * 2
target = torch.randn(5, 7)
reductions("mse", lambda v, r: F.mse_loss(v["prediction"], v["target"], reduction=r),
           {"prediction": prediction, "target": target}, ["prediction"], batch=5)

# Softmax cross-entropy with integer labels, including huge logits.
ce_logits = torch.randn(6, 10) * 3
ce_logits[0] = torch.linspace(-1000, 1000, 10)
ce_logits[1] = 500 + torch.randn(10)
ce_logits[2] = torch.randn(10) * 100
ce_labels = torch.tensor([3, 0, 9, 5, 2, 7])
reductions("softmax_ce",
           lambda v, r: F.cross_entropy(v["logits"], ce_labels, reduction=r),
           {"logits": ce_logits}, ["logits"], batch=6, extra={"labels": ce_labels.tolist()})

# log-sum-exp rows (float32 and float64).
lse_rows = torch.randn(4, 12) * 5
lse_rows[1] = lse_rows[1] + 1000
lse_rows[2] = lse_rows[2] - 1000
lse_rows[3, :11] = -1e30  # effectively zero weights beside one finite entry
cases["logsumexp"] = {
    "x": compact(lse_rows),
    "value_float32": [f32(v) for v in torch.logsumexp(lse_rows, dim=1).tolist()],
    "value_float64": torch.logsumexp(lse_rows.double(), dim=1).tolist(),
}

dump("norm_losses", cases)
