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

The `_k` cases train each subset's K-sample bound instead (`iw_case`, its docstring below).

Keys: "state:*" (the state_dict before the pass), "images", "labels" (one-hot), "epsilon", "loss",
"grad:*" (every parameter), "after:*" (batch norm's running statistics after the pass), and the
numbers "beta", "label_weight", "latent", "hidden". Run:
    python Tests/VAECoreTests/Fixtures/multimodal.py
"""
import math
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


def alignment_term(shared, alignment):
    """JMVAE's α Σ_{S ≠ both} KL(q(z | both) ‖ q_S(z | x_S)), each KL summed over dimensions and
    averaged over the batch; `shared` holds each subset's (μ, log σ²), the joint last."""
    total = 0.0
    (mu_j, lv_j) = shared[-1]
    for (mu_s, lv_s) in shared[:-1]:
        kl = 0.5 * (lv_s - lv_j + (torch.exp(lv_j) + (mu_j - mu_s) ** 2) / torch.exp(lv_s) - 1)
        total = total + alignment * kl.sum(1).mean()
    return total


def setup(seed, batch, latent, hidden, private):
    """The model in training mode (weights from `seed`), its state_dict before the pass, a random
    binary batch (B, 1, 28, 28), its classes and their one-hot rows."""
    torch.manual_seed(seed)
    model = Model(latent, hidden, private)
    model.train()
    state = {"state:" + key: v.clone().float() for key, v in model.state_dict().items()}
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28) * 0.6)
    classes = torch.randint(0, 10, (batch,))
    return model, state, x, classes, F.one_hot(classes, 10).float()


def case(seed, objective, beta, label_weight, batch=6, latent=4, hidden=16, private=0, alignment=0.0):
    model, state, x, classes, y = setup(seed, batch, latent, hidden, private)
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
    loss = loss + alignment_term(shared, alignment)
    after = {"after:" + key: v.clone() for key, v in model.state_dict().items() if "running" in key}
    loss.backward()
    out = dict(state)
    out.update(after)
    out.update({"images": x, "labels": y, "epsilon": eps, "loss": float(loss.detach()), "beta": float(beta),
                "label_weight": float(label_weight), "latent": [latent], "hidden": [hidden], "private": [private], "alignment": float(alignment), "objective": objective})
    for name, p in model.named_parameters():
        out["grad:" + name] = p.grad
    return out


def iw_case(seed, objective, beta, label_weight, samples, estimator, batch=5, latent=4, hidden=16, private=0, alignment=0.0):
    """The K-sample bound of every subset (MMVAE+'s objective on the products of experts), for
    `MultimodalVAE.accumulateGradients` with K ≥ 2: per subset S, K codes per tuple
    u[j, n] = μ_S[n] + σ_S[n]·ε[S, j·B + n] (an unobserved private code: ε itself), decoded as
    each decoder's one batch in subset order, rows j·B + n within a subset, and

        log w[j, n] = Σ_{m reconstructed by S} λ_m log p(x_m | u[j, n]) + β (log p(u) − log q_S(u))
        loss        = Σ_S w_S · (−mean_n (logsumexp_j log w[j, n] − log K)) + alignment,

    log p(u) − log q_S(u) over the shared code and the observed private codes (an unobserved
    private code's cancels). "iwae": the loss's gradient. "dreg": the decoders' gradient is the
    loss's; the encoders' that of Σ_S w_S · (−mean_n Σ_j c[j, n] log w'[j, n]) + alignment, with
    q_S's parameters detached inside log q (u not) and c = (1 − β)·w̃ + β·w̃², w̃ = softmax_j(log w)
    detached (as iwae.py)."""
    model, state, x, classes, y = setup(seed, batch, latent, hidden, private)
    k = samples
    eps = torch.randn(3, k * batch, latent + private)
    subsets = [[0], [1], [0, 1]]
    w_s = 1.0 if objective == "mvae" else 1.0 / 3
    lambdas = [1.0, label_weight]

    def forward(stop_q):
        image_mu, image_lv = model.mnist.encode(x)
        image_expert = (image_mu[:, :latent], image_lv[:, :latent])
        style = (image_mu[:, latent:], image_lv[:, latent:])
        h = model.label.encoder(y)
        experts = [image_expert, (h[:, :latent], h[:, latent:])]
        codes, ratios, shared = [], [], []
        for s, subset in enumerate(subsets):
            mu, lv = product([experts[m] for m in subset])
            shared.append((mu, lv))
            observed = latent
            if 0 in subset:
                mu, lv = torch.cat([mu, style[0]], 1), torch.cat([lv, style[1]], 1)
                observed = latent + private
            else:
                mu, lv = torch.cat([mu, torch.zeros(batch, private)], 1), torch.cat([lv, torch.zeros(batch, private)], 1)
            mu_k, lv_k = mu.repeat(k, 1), lv.repeat(k, 1)                    # rows j·B + n
            u = mu_k + torch.exp(0.5 * lv_k) * eps[s]
            q_mu, q_lv = (mu_k.detach(), lv_k.detach()) if stop_q else (mu_k, lv_k)
            log_q = (-0.5 * ((u - q_mu) ** 2 / torch.exp(q_lv) + q_lv))[:, :observed].sum(1)
            log_p = (-0.5 * u ** 2)[:, :observed].sum(1)
            codes.append(u)
            ratios.append(log_p - log_q)
        log_w = [beta * r for r in ratios]
        for m in range(2):
            rows = [s for s, subset in enumerate(subsets) if objective == "mopoe" or m in subset]
            z = torch.cat([codes[s] if m == 0 else codes[s][:, :latent] for s in rows])
            out = model.mnist.decode(z) if m == 0 else model.label.decoder(z)
            for r, s in enumerate(rows):
                block = out[r * k * batch:(r + 1) * k * batch]
                if m == 0:
                    lp = -F.binary_cross_entropy_with_logits(block, x.repeat(k, 1, 1, 1), reduction="none").sum((1, 2, 3))
                else:
                    lp = -F.cross_entropy(block, classes.repeat(k), reduction="none")
                log_w[s] = log_w[s] + lambdas[m] * lp
        return [lw.reshape(k, batch) for lw in log_w], alignment_term(shared, alignment)

    log_w, align = forward(stop_q=False)
    loss = sum(w_s * -(torch.logsumexp(lw, 0) - math.log(k)).mean() for lw in log_w) + align
    after = {"after:" + key: v.clone() for key, v in model.state_dict().items() if "running" in key}
    named = dict(model.named_parameters())
    decoders = [n for n in named if ".decoder." in n]
    encoders = [n for n in named if n not in decoders]
    if estimator == "iwae":
        loss.backward()
        grads = {n: p.grad for n, p in named.items()}
    else:
        grads = dict(zip(decoders, torch.autograd.grad(loss, [named[n] for n in decoders], retain_graph=True)))
        # A second forward pass from the same state for the encoders' surrogate (batch norm's
        # batch statistics are the same; its running ones are recorded from the first pass).
        model.load_state_dict({key[len("state:"):]: v for key, v in state.items()})
        stopped, align = forward(stop_q=True)
        surrogate = align
        for lw, lw_stopped in zip(log_w, stopped):
            tilde = torch.softmax(lw.detach(), 0)
            c = (1 - beta) * tilde + beta * tilde ** 2
            surrogate = surrogate + w_s * -(c * lw_stopped).sum(0).mean()
        grads.update(zip(encoders, torch.autograd.grad(surrogate, [named[n] for n in encoders])))
    out = dict(state)
    out.update(after)
    out.update({"images": x, "labels": y, "epsilon": eps, "loss": float(loss.detach()), "beta": float(beta),
                "label_weight": float(label_weight), "latent": [latent], "hidden": [hidden], "private": [private],
                "alignment": float(alignment), "objective": objective, "samples": [k], "estimator": estimator})
    for name, g in grads.items():
        out["grad:" + name] = g
    return out


dump("multimodal", {
    "mvae": case(1, "mvae", 1.0, 5.0),
    "mvae_beta_half": case(2, "mvae", 0.5, 50.0),
    "mopoe": case(3, "mopoe", 1.0, 5.0),
    "mopoe_private": case(4, "mopoe", 1.0, 5.0, private=3),
    "mvae_private": case(5, "mvae", 0.5, 5.0, private=3),
    "mopoe_aligned": case(6, "mopoe", 1.0, 5.0, alignment=2.0),
    "mopoe_private_dreg_k3": iw_case(7, "mopoe", 1.0, 5.0, 3, "dreg", private=3),
    "mopoe_private_iwae_k3": iw_case(7, "mopoe", 1.0, 5.0, 3, "iwae", private=3),
    "mvae_beta_half_dreg_k2": iw_case(10, "mvae", 0.5, 5.0, 2, "dreg"),
    "mopoe_aligned_dreg_k4": iw_case(9, "mopoe", 1.0, 5.0, 4, "dreg", alignment=2.0),
})
