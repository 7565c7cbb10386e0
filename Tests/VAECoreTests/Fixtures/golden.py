"""Golden training trajectories: whole networks trained by PyTorch for a few Adam steps.

The layer, loss and optimizer fixtures check each piece on its own; these check that the pieces
compose: forward through every layer, the loss, backward through every layer in reverse, Adam,
and again, for 20 steps, with each step starting from the weights the previous one produced.
A wrong gradient anywhere, a cache kept from the wrong call, a BatchNorm statistic updated twice,
or a mis-named parameter shows up as losses that drift away from PyTorch's.

Data: the first 32 training images of MNIST (read from the bundled IDX files with gzip and numpy,
pixels / 255 as float32) and their labels, one fixed batch for every step.

Cases:
  - "classifier": Conv2d(1,8,k3,s2,p1)-BatchNorm2d-ReLU-Conv2d(8,16,k3,s2,p1)-BatchNorm2d-ReLU
    -Flatten-Linear(16*7*7, 10), softmax cross-entropy (mean over the batch).
  - "autoencoder": Conv2d(1,8,k4,s2,p1,bias=False)-BatchNorm2d-ReLU-ConvTranspose2d(8,1,k4,s2,p1)
    to logits, binary cross-entropy with logits against the grey pixels (mean over every pixel).

Why the autoencoder's convolution has no bias: a bias just before a BatchNorm is cancelled by its
mean subtraction, so the loss does not depend on it and its gradient is zero up to rounding
(~1e-9). Adam divides each gradient by its own running scale, which turns that rounding noise
into steps of about ±lr: a random walk that differs between any two implementations (and
between PyTorch builds). The classifier keeps PyTorch's default bias=True, so the test checks
that our gradient of those biases is at rounding level and compares every other tensor; the
autoencoder, without them, has every tensor of its final state compared, running means included
(the running mean of a BatchNorm includes the bias before it).
Both use nn.Sequential's index names, Adam(lr=1e-3, default betas and eps), float32, one thread.
Recorded per case (tensors in golden.safetensors, the rest in golden.json):
  - "initial:<key>" and "final:<key>" for every state_dict key (num_batches_tracked as float32),
    before the first step and after the last;
  - "images" (32, 1, 28, 28), "labels" (a list of ints, classifier only);
  - "losses": the loss of step t = 0..19, computed before update t+1;
  - "keys": the state_dict keys in order.

    /root/torchvenv/bin/python Tests/VAECoreTests/Fixtures/golden.py
"""
import gzip
import os

import numpy as np
import torch
from torch import nn

from fixtures_common import dump

torch.set_num_threads(1)
STEPS = 20
BATCH = 32
MNIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                     "Sources", "VAECore", "Resources", "mnist")


def read_idx(name):
    """An IDX file's payload as a numpy array of bytes, shaped by its header."""
    with gzip.open(os.path.join(MNIST, name), "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def first_images():
    images = read_idx("train-images-idx3-ubyte.gz")[:BATCH].astype(np.float32) / np.float32(255)
    labels = read_idx("train-labels-idx1-ubyte.gz")[:BATCH].astype(np.int64)
    return torch.from_numpy(images.copy()).reshape(BATCH, 1, 28, 28), torch.from_numpy(labels.copy())


def state(model, prefix):
    return {f"{prefix}:{k}": v.detach().to(torch.float32).clone() for k, v in model.state_dict().items()}


def train(model, loss_fn):
    case = state(model, "initial")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
    losses = []
    model.train()
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = loss_fn(model)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    case.update(state(model, "final"))
    case["losses"] = losses
    case["keys"] = list(model.state_dict().keys())
    return case


def main():
    images, labels = first_images()

    torch.manual_seed(2024)
    classifier = nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
    c = train(classifier, lambda m: nn.functional.cross_entropy(m(images), labels))
    c["images"] = images
    c["labels"] = [int(v) for v in labels]

    torch.manual_seed(2025)
    autoencoder = nn.Sequential(
        nn.Conv2d(1, 8, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
        nn.ConvTranspose2d(8, 1, 4, stride=2, padding=1))
    a = train(autoencoder, lambda m: nn.functional.binary_cross_entropy_with_logits(m(images), images))
    a["images"] = images

    for name, case in [("classifier", c), ("autoencoder", a)]:
        print(f"{name}: loss {case['losses'][0]:.5f} -> {case['losses'][-1]:.5f}")
    dump("golden", {"classifier": c, "autoencoder": a})


if __name__ == "__main__":
    main()
