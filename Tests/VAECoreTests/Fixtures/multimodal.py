"""PyTorch reference values for the multimodal VAE of chapter 11, by autograd, for
`MultimodalVAE.accumulateGradients` (Sources/VAECore/Multimodal/MultimodalVAE.swift).

Each case is one training-mode pass of a digit + label model on a fixed batch: the image
modality is `convolutional((8, 16))` (reference_vae.VAE, batch norm in encoder and decoder; its
tensors under "mnist."), the label modality two small MLPs (10 → H → 2D and D → H → 10, ReLU
between; tensors "label.encoder.fc1.weight", …). With the subsets S = [image], [label], [both]:

    T = 1 + Σ_{m∈S} exp(−log σ²_m),   μ_S = Σ_{m∈S} exp(−log σ²_m) μ_m / T,   log σ²_S = −log T
    z_S = μ_S + exp(½ log σ²_S) ⊙ ε_S                                         (ε: (3, B, D + P), given)
    loss = Σ_S w (Σ_{m reconstructed by S} λ_m · rec_m(z_S) + β · KL(q_S ‖ N(0, I)))

with rec the Bernoulli's cross-entropy summed over pixels (image) or the softmax cross-entropy
(label), and KL summed over dimensions, each averaged over the batch. "mvae": S reconstructs its
own modalities, w = 1; "mopoe": every subset reconstructs both, w = 1/3. Each decoder runs once on
the codes of the subsets that reconstruct it, concatenated in subset order (so its batch norm
takes statistics over all of them), as the Swift side does.

With a private code of P dimensions for the digit ("private" > 0; the image VAE's code is then
D + P wide, the shared code first), each subset's code is (z_S, w): w from the digit's encoder
when the subset observes the digit (its KL added), else ε's last P columns (the prior N(0, I));
the digit's decoder reads (z_S, w), the label's z_S alone.

With "alignment" α > 0, the loss adds JMVAE's α Σ_{S ≠ both} KL(q(z | both) ‖ q_S(z | x_S)) on the
shared code, the KL summed over dimensions and averaged over the batch.

Keys: "state:*" (the state_dict before the pass), "images", "labels" (one-hot), "epsilon", "loss",
"grad:*" (every parameter), "after:*" (batch norm's running statistics after the pass), and the
numbers "beta", "label_weight", "latent", "hidden". Run:
    /work/venv-torch/bin/python Tests/VAECoreTests/Fixtures/multimodal.py
"""
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "Sources", "bench", "pytorch"))
from reference_vae import VAE, convolutional  # noqa: E402
from fixtures_common import dump  # noqa: E402

torch.set_num_threads(1)


def mlp(inputs, hidden, outputs):
    return nn.Sequential(OrderedDict([("fc1", nn.Linear(inputs, hidden)), ("relu", nn.ReLU()),
                                      ("fc2", nn.Linear(hidden, outputs))]))


class Model(nn.Module):
    def __init__(self, latent, hidden, private=0):
        super().__init__()
        config = {"latentDimensions": latent + private, "architecture": convolutional((8, 16)),
                  "likelihood": {"type": "bernoulli"}, "classCount": 0}
        self.mnist = VAE.from_config(config)
        self.label = nn.Module()
        self.label.encoder = mlp(10, hidden, 2 * latent)
        self.label.decoder = mlp(latent, hidden, 10)
        self.latent = latent


def product(experts):
    precision = 1 + sum(torch.exp(-lv) for _, lv in experts)
    mean = sum(torch.exp(-lv) * mu for mu, lv in experts) / precision
    return mean, -torch.log(precision)


def case(seed, objective, beta, label_weight, batch=6, latent=4, hidden=16, private=0, alignment=0.0):
    torch.manual_seed(seed)
    model = Model(latent, hidden, private)
    model.train()
    state = {"state:" + key: v.clone().float() for key, v in model.state_dict().items()}
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28) * 0.6)
    classes = torch.randint(0, 10, (batch,))
    y = F.one_hot(classes, 10).float()
    eps = torch.randn(3, batch, latent + private)

    image_mu, image_lv = model.mnist.encode(x)
    image_expert = (image_mu[:, :latent], image_lv[:, :latent])
    style = (image_mu[:, latent:], image_lv[:, latent:])    # the digit's private code, (B, P)
    h = model.label.encoder(y)
    label_expert = (h[:, :latent], h[:, latent:])
    experts = [image_expert, label_expert]
    subsets = [[0], [1], [0, 1]]
    w = 1.0 if objective == "mvae" else 1.0 / 3
    lambdas = [1.0, label_weight]
    codes, loss, shared = [], 0.0, []
    for s, subset in enumerate(subsets):
        mu, lv = product([experts[m] for m in subset])
        shared.append((mu, lv))
        if 0 in subset:      # the digit observed: its private code from its encoder
            mu, lv = torch.cat([mu, style[0]], 1), torch.cat([lv, style[1]], 1)
        else:                # not observed: from the prior, which adds nothing to the KL
            mu, lv = torch.cat([mu, torch.zeros(batch, private)], 1), torch.cat([lv, torch.zeros(batch, private)], 1)
        codes.append(mu + torch.exp(0.5 * lv) * eps[s])
        kl = 0.5 * (mu ** 2 + torch.exp(lv) - 1 - lv).sum(1).mean()
        loss = loss + w * beta * kl
    for m in range(2):
        rows = [s for s, subset in enumerate(subsets) if objective == "mopoe" or m in subset]
        z = torch.cat([codes[s] if m == 0 else codes[s][:, :latent] for s in rows])   # the label reads z alone
        out = model.mnist.decode(z) if m == 0 else model.label.decoder(z)
        for r in range(len(rows)):
            block = out[r * batch:(r + 1) * batch]
            if m == 0:
                rec = F.binary_cross_entropy_with_logits(block, x, reduction="sum") / batch
            else:
                rec = F.cross_entropy(block, classes, reduction="mean")
            loss = loss + w * lambdas[m] * rec
    (mu_j, lv_j) = shared[-1]
    for (mu_s, lv_s) in shared[:-1]:   # JMVAE's alignment KL(q(z | both) ‖ q_S(z | x_S)), batch mean
        kl = 0.5 * (lv_s - lv_j + (torch.exp(lv_j) + (mu_j - mu_s) ** 2) / torch.exp(lv_s) - 1)
        loss = loss + alignment * kl.sum(1).mean()
    after = {"after:" + key: v.clone() for key, v in model.state_dict().items() if "running" in key}
    loss.backward()
    out = dict(state)
    out.update(after)
    out.update({"images": x, "labels": y, "epsilon": eps, "loss": float(loss.detach()), "beta": float(beta),
                "label_weight": float(label_weight), "latent": [latent], "hidden": [hidden], "private": [private], "alignment": float(alignment), "objective": objective})
    for name, p in model.named_parameters():
        out["grad:" + name] = p.grad
    return out


dump("multimodal", {
    "mvae": case(1, "mvae", 1.0, 5.0),
    "mvae_beta_half": case(2, "mvae", 0.5, 50.0),
    "mopoe": case(3, "mopoe", 1.0, 5.0),
    "mopoe_private": case(4, "mopoe", 1.0, 5.0, private=3),
    "mvae_private": case(5, "mvae", 0.5, 5.0, private=3),
    "mopoe_aligned": case(6, "mopoe", 1.0, 5.0, alignment=2.0),
})
