"""PyTorch reference values for the importance-weighted bound (Burda et al. 2016) of a VAE whose
posterior or prior is not the Gaussian with N(0, I), by autograd, for
`VAE.accumulateImportanceWeightedGradients` (Sources/VAECore/VAE/VAE+ImportanceWeighted.swift,
`composedCodes` and `composedLatentGradient`).

Each case is one training-mode pass of a small convolutional VAE (built from its `model_config`,
as in vae.py) on a fixed binary batch of B images with a fixed ε of shape (k, B, D): the k·B codes
in the order s·B + b are decoded as one batch (batch norm in the decoder takes its statistics over
all of them), and

    log w[s, b] = log p(x_b|z[s, b]) + β·(log p(z[s, b]) − log q(z[s, b]|x_b))
    loss        = −mean_b (logsumexp_s log w[s, b] − log k)

  - "iwae_iaf", "iwae_iaf_beta_half": an inverse autoregressive flow after the Gaussian (as in
    iaf.py): z₀ = μ + σ·ε, z = flow(z₀, features of its image), log p(z) = N(0, I)'s and
    log q(z|x) = −½ Σ_d (ε² + log σ² + log 2π) − log-determinant; β = 1 with 2 steps, β = ½ with 3.
  - "iwae_vamp": the VampPrior of K pseudo-inputs u = σ(a) (as in vamp_prior.py: u encoded in
    evaluation mode with batch norm's running statistics as they stand, x in training mode),
    z = μ + σ·ε, log p(z) the mixture's, log q(z|x) the Gaussian's.
  - "iwae_iaf_vamp": both, the flow's z_T scored by the mixture.
  - "iwae_conditional", "iwae_iaf_conditional": chapter 7's CVAE (10 classes, a centre m_y per
    label drawn away from 0), the Gaussian with N(0, I) and the Gaussian with a flow: the encoder's
    head sees [features, one-hot y], μ is relative to m_y, each code reaches the decoder as
    [z + m_y, one-hot y] (as in iaf.py's conditional case).

Keys: "state:*" (the state_dict before the pass, with "state:prior.pseudo_input_logits" for the
VampPrior), "images", "epsilon", "k", "beta", "loss", "bounds" (logsumexp − log k per image),
"grad:*" (every parameter), "model_config", and "labels" for the conditional cases. Run:
    python Tests/VAECoreTests/Fixtures/importance_parts.py
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "Sources", "bench", "pytorch"))
sys.path.insert(0, here)
from reference_vae import VAE, convolutional  # noqa: E402
from fixtures_common import dump  # noqa: E402
from iaf import encode_with_features  # noqa: E402  (each script writes its own fixture only when run)
from vamp_prior import encode_in_evaluation_mode, vamp_log_density  # noqa: E402

torch.set_num_threads(1)
LOG_2PI = math.log(2 * math.pi)


def log_likelihood(model, z, x, k, onehot=None):
    """log p(x_b|z[s, b]) (k, B) for codes z (k·B, D) in the order s·B + b (with image b's label)."""
    b = x.shape[0]
    logits = model.decode(z, None if onehot is None else onehot.repeat(k, 1)).reshape(k, b, 784)
    target = x.reshape(1, b, 784).expand(k, -1, -1)
    return -F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(-1)


def result(model, state, config, x, eps, k, beta, w, extra_grads=None):
    bounds = torch.logsumexp(w, dim=0) - math.log(k)                         # (B,)
    loss = -bounds.mean()
    loss.backward()
    out = dict(state)
    out.update({"images": x, "epsilon": eps, "k": [k], "beta": float(beta), "loss": float(loss.detach()),
                "bounds": [float(v) for v in bounds.detach()], "model_config": json.dumps(config)})
    for name, p in model.named_parameters():
        out["grad:" + name] = p.grad
    out.update(extra_grads() if extra_grads else {})
    return out


def case(seed, batch, latent, k, beta, flow=None, pseudo_inputs=None, classes=0):
    """One pass with an IAF of `flow` = (steps, hidden, context) after the Gaussian, and/or the
    VampPrior of `pseudo_inputs` (N(0, I) without), of a model conditional on `classes` labels
    with a centre per label (none: 0)."""
    config = {"latentDimensions": latent, "architecture": convolutional((8, 16) if flow else (4, 8)),
              "likelihood": {"type": "bernoulli"}, "classCount": classes}
    if classes:
        config["labelCentres"] = True
    if flow:
        config["flow"] = {"steps": flow[0], "hiddenUnits": flow[1], "contextFeatures": flow[2]}
    if pseudo_inputs:
        config["prior"] = {"type": "vamp", "pseudoInputs": pseudo_inputs}
    torch.manual_seed(seed)
    model = VAE.from_config(config)
    model.train()
    if classes:
        with torch.no_grad():
            model.label_centres.weight.copy_(torch.randn(classes, latent))
    a = None
    if pseudo_inputs:
        a = torch.nn.Parameter(torch.logit(torch.rand(pseudo_inputs, 1, 28, 28) * 0.9 + 0.05))
        with torch.no_grad():                                      # running statistics away from 0 and 1
            for _ in range(3):
                model.encode(torch.rand(8, 1, 28, 28))
    state = {"state:" + key: v.clone().float() for key, v in model.state_dict().items()}
    if a is not None:
        state["state:prior.pseudo_input_logits"] = a.detach().clone()
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28) * 0.6)
    eps = torch.randn(k, batch, latent)
    onehot = None
    if classes:
        labels = torch.randint(0, classes, (batch,))
        onehot = F.one_hot(labels, classes).float()

    if a is not None:
        mu_k, logvar_k = encode_in_evaluation_mode(model, torch.sigmoid(a))
    mu, logvar, features = encode_with_features(model, x, onehot)
    z = (mu[None] + torch.exp(0.5 * logvar)[None] * eps).reshape(k * batch, latent)
    log_qz = (-0.5 * (eps ** 2 + logvar[None] + LOG_2PI)).sum(-1)
    if flow:
        z, log_det = model.flow(z, features[None].expand(k, -1, -1).reshape(k * batch, -1))
        log_qz = log_qz - log_det.reshape(k, batch)
    if a is not None:
        log_pz = vamp_log_density(z, mu_k, logvar_k).reshape(k, batch)
    else:
        log_pz = (-0.5 * (z ** 2 + LOG_2PI)).sum(-1).reshape(k, batch)
    w = log_likelihood(model, z, x, k, onehot) + beta * (log_pz - log_qz)
    out = result(model, state, config, x, eps, k, beta, w,
                 extra_grads=(lambda: {"grad:prior.pseudo_input_logits": a.grad}) if a is not None else None)
    if classes:
        out["labels"] = [int(v) for v in labels]
    return out


if __name__ == "__main__":
    dump("importance_parts", {
        "iwae_iaf": case(1, 4, 6, 3, 1.0, flow=(2, 12, 5)),
        "iwae_iaf_beta_half": case(2, 4, 6, 3, 0.5, flow=(3, 20, 7)),
        "iwae_vamp": case(3, 5, 3, 3, 1.0, pseudo_inputs=4),
        "iwae_iaf_vamp": case(4, 5, 3, 3, 1.0, flow=(2, 12, 5), pseudo_inputs=4),
        "iwae_conditional": case(5, 5, 3, 3, 1.0, classes=10),
        "iwae_iaf_conditional": case(6, 4, 6, 3, 0.5, flow=(2, 12, 5), classes=10),
    })
