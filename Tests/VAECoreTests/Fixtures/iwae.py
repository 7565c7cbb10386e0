"""PyTorch reference values for the importance-weighted training objective (Burda et al. 2016)
and its doubly reparameterised gradient (DReG, Tucker et al. 2019), by autograd, for
`VAE.accumulateImportanceWeightedGradients` (Sources/VAECore/VAE/VAE+ImportanceWeighted.swift).

Each case is one training-mode pass of a small convolutional VAE (built from its `model_config`,
as in vae.py) on a fixed binary batch of B images with a fixed ε of shape (k, B, D): the k·B
codes z[s, b] = μ[b] + σ[b]·ε[s, b] are decoded as one batch in the order s·B + b (so batch norm
in the decoder takes its statistics over all k·B codes), and

    log w[s, b] = log p(x_b|z[s, b]) + β·(log p(z[s, b]) − log q(z[s, b]|x_b))
    loss        = −mean_b (logsumexp_s log w[s, b] − log k)

with log q(z|x) written as the density of N(μ, σ²) at z (autograd then sees both of its
dependences on μ and σ: through z and directly).

  - "iwae_bn", "iwae_beta_half": the loss's gradient, for β = 1 and β = 0.5, on the
    `convolutional((8, 16))` architecture (batch norm in encoder and decoder).
  - "dreg", "dreg_beta_half", "dreg_bn": DReG. The decoder's gradient is the loss's; the
    encoder's is that of the surrogate −mean_b Σ_s c[s, b]·log w'[s, b], where log w' holds q's
    parameters fixed (μ and σ detached inside log q, z not) and c = (1 − β)·w̃ + β·w̃² with
    w̃ = softmax_s(log w) detached. The first two have a decoder without batch norm, so that each
    code's log-weight depends on its own code only (DReG's identity needs it); "dreg_bn" has
    convolutional((8, 16))'s, whose batch statistics couple the codes (the surrogate's gradient
    is still well defined, and is what the Swift side computes).

Keys: "state:*" (the state_dict before the pass), "images", "epsilon", "k", "beta", "loss",
"bounds" (logsumexp − log k per image), "grad:*" (every parameter), "after:*" (batch norm's
running statistics after the pass), "model_config". Run:
    python Tests/VAECoreTests/Fixtures/iwae.py
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "Sources", "bench", "pytorch"))
from reference_vae import VAE, convolutional  # noqa: E402
from fixtures_common import dump  # noqa: E402

torch.set_num_threads(1)

# The encoder of convolutional((8, 16)), a decoder without batch norm (for DReG).
PLAIN_DECODER = {
    "encoder": convolutional((8, 16))["encoder"],
    "decoder": [{"type": "linear", "features": 16 * 7 * 7}, {"type": "relu"}, {"type": "reshape", "shape": [16, 7, 7]},
                {"type": "deconv", "channels": 8, "kernel": 4, "stride": 2, "padding": 1}, {"type": "swish"},
                {"type": "deconv", "channels": 1, "kernel": 4, "stride": 2, "padding": 1}],
}


def log_weights(model, x, eps, beta, stop_q):
    """log w (k, B) and the encoder's (μ, log σ²), for images x (B, 1, 28, 28) and ε (k, B, D)."""
    k, b, d = eps.shape
    mu, logvar = model.encode(x)
    sigma = torch.exp(0.5 * logvar)
    z = mu[None] + sigma[None] * eps                                        # (k, B, D)
    logits = model.decode(z.reshape(k * b, d)).reshape(k, b, 784)
    target = x.reshape(1, b, 784).expand(k, -1, -1)
    log_px = -F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(-1)
    log_pz = (-0.5 * (z ** 2 + math.log(2 * math.pi))).sum(-1)
    q_mu, q_sigma = (mu.detach(), sigma.detach()) if stop_q else (mu, sigma)
    log_qz = torch.distributions.Normal(q_mu[None], q_sigma[None]).log_prob(z).sum(-1)
    return log_px + beta * (log_pz - log_qz)


def case(seed, batch, latent, k, beta, architecture, estimator):
    config = {"latentDimensions": latent, "architecture": architecture,
              "likelihood": {"type": "bernoulli"}, "classCount": 0}
    torch.manual_seed(seed)
    model = VAE.from_config(config)
    model.train()
    state = {"state:" + key: v.clone().float() for key, v in model.state_dict().items()}
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28) * 0.6)
    eps = torch.randn(k, batch, latent)

    w = log_weights(model, x, eps, beta, stop_q=False)
    bounds = torch.logsumexp(w, dim=0) - math.log(k)                       # (B,)
    loss = -bounds.mean()
    after = {"after:" + key: v.clone() for key, v in model.state_dict().items() if "running" in key}
    decoder = dict(model.decoder.named_parameters())
    encoder = dict(model.encoder.named_parameters())
    if estimator == "iwae":
        loss.backward()
        grads = {name: p.grad for name, p in model.named_parameters()}
    else:
        decoder_grads = torch.autograd.grad(loss, list(decoder.values()), retain_graph=True)
        # A second forward pass for the encoder's surrogate, from the same state: batch norm's
        # running statistics move again, so the first pass's are the ones recorded.
        model.load_state_dict({key[len("state:"):]: v for key, v in state.items()})
        stopped = log_weights(model, x, eps, beta, stop_q=True)
        tilde = torch.softmax(w.detach(), dim=0)
        c = (1 - beta) * tilde + beta * tilde ** 2
        surrogate = -(c * stopped).sum(0).mean()
        encoder_grads = torch.autograd.grad(surrogate, list(encoder.values()))
        grads = {"decoder." + n: g for n, g in zip(decoder, decoder_grads)}
        grads.update({"encoder." + n: g for n, g in zip(encoder, encoder_grads)})
    out = dict(state)
    out.update(after)
    out.update({"images": x, "epsilon": eps, "k": [k], "beta": float(beta), "loss": float(loss.detach()),
                "bounds": [float(v) for v in bounds.detach()], "model_config": json.dumps(config)})
    for name, g in grads.items():
        out["grad:" + name] = g
    return out


dump("iwae", {
    "iwae_bn": case(1, 4, 6, 5, 1.0, convolutional((8, 16)), "iwae"),
    "iwae_beta_half": case(2, 4, 6, 5, 0.5, convolutional((8, 16)), "iwae"),
    "dreg": case(3, 4, 6, 5, 1.0, PLAIN_DECODER, "dreg"),
    "dreg_beta_half": case(4, 4, 6, 5, 0.5, PLAIN_DECODER, "dreg"),
    "dreg_bn": case(5, 4, 6, 5, 1.0, convolutional((8, 16)), "dreg"),
})
