"""PyTorch reference values for the evaluation: the importance-weighted log-weights
w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x) of a few binarized test images, for small VAEs
trained briefly on MNIST (so that the decoder is confident and the posterior narrow), in
evaluation mode (BatchNorm's running statistics). Everything after the forward passes is in
float64, with log 2π kept in both Gaussian densities. Run:
    /root/torchvenv/bin/python Tests/VAECoreTests/Fixtures/evaluation.py
"""
import gzip
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "Sources", "bench", "pytorch"))
from reference_vae import VAE  # noqa: E402
from fixtures_common import dump  # noqa: E402

torch.set_num_threads(2)
data = os.path.join(here, "..", "..", "..", "Sources", "VAECore", "Resources", "mnist")


def idx_images(name):
    with gzip.open(os.path.join(data, name), "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return torch.from_numpy(raw.reshape(-1, 1, 28, 28).astype(np.float32) / 255)


def idx_labels(name):
    with gzip.open(os.path.join(data, name), "rb") as f:
        return torch.from_numpy(np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64))


train_x, train_y = idx_images("train-images-idx3-ubyte.gz"), idx_labels("train-labels-idx1-ubyte.gz")
test_x, test_y = idx_images("t10k-images-idx3-ubyte.gz"), idx_labels("t10k-labels-idx1-ubyte.gz")


def case(seed, latent, channels, classes, steps, images, k):
    torch.manual_seed(seed)
    model = VAE(latent, channels, classes)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for _ in range(steps):
        index = torch.randint(0, train_x.shape[0], (128,))
        x = torch.bernoulli(train_x[index])
        onehot = F.one_hot(train_y[index], classes).float() if classes else None
        loss, _, _, _ = model.loss(x, None, 1.0, onehot)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    state = {"state:" + key: v.clone().float() for key, v in model.state_dict().items()}
    x = torch.bernoulli(test_x[:images])
    labels = test_y[:images]
    onehot = F.one_hot(labels, classes).float() if classes else None
    eps = torch.randn(images, k, latent)
    with torch.no_grad():
        mu, logvar = model.encode(x, onehot)
        z = mu[:, None, :] + torch.exp(0.5 * logvar)[:, None, :] * eps          # (N, k, D), float32
        flat = z.reshape(images * k, latent)
        rows = onehot.repeat_interleave(k, dim=0) if classes else None
        logits = model.decode(flat, rows).reshape(images, k, 784).double()
        target = x.reshape(images, 1, 784).double().expand(-1, k, -1)
        log_px = -F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(-1)
        zd, ed, lv = z.double(), eps.double(), logvar.double()[:, None, :]
        log_pz = (-0.5 * (zd ** 2 + math.log(2 * math.pi))).sum(-1)
        log_qz = (-0.5 * (ed ** 2 + math.log(2 * math.pi) + lv)).sum(-1)
        w = log_px + log_pz - log_qz                                             # (N, k)
        lme = torch.logsumexp(w, dim=1) - math.log(k)
    out = dict(state)
    out.update({"images": x, "epsilon": eps, "mean": mu, "logvar": logvar, "log_weights": w.float(),
                "log_mean_exp": [float(v) for v in lme],
                "latent": [latent], "channels": list(channels), "classes": [classes], "k": [k]})
    if classes:
        out["labels"] = [int(v) for v in labels]
    return out


dump("evaluation", {
    "trained_small": case(11, 4, (8,), 0, 300, 5, 16),
    "conditional_small": case(12, 3, (4, 8), 10, 200, 4, 8),
})
