"""PyTorch reference values for free bits (Kingma et al., 2016): the KL term
Σ_d clamp(KL̄_d, min=λ) with KL̄_d the batch mean of dimension d's KL, and its gradients by autograd.

Two kinds of case:
  - "fn_*": the function alone on random (N, D) codes whose dimensions have very different KLs,
    so that some lie below λ and some above; computed in float64 from the float32 inputs. Keys
    "mu", "logvar", "lambda", "value", "grad_mu", "grad_logvar", "per_dim".
  - "vae_small": one training pass of a small convolutional VAE (as in vae.py) with the loss
    reconstruction + Σ_d clamp(KL̄_d, min=λ), λ halfway between the two middle KL̄_d of the batch,
    so that half the dimensions are clamped and none sits on the kink. Keys as vae.py's: "state:*", "images", "epsilon", "lambda",
    "reconstruction", "kl" (the plain KL), "objective", "grad:*", "model_config".

    python Tests/VAECoreTests/Fixtures/free_bits.py
"""
import json
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "Sources", "bench", "pytorch"))
from reference_vae import VAE, convolutional  # noqa: E402
from fixtures_common import dump  # noqa: E402

torch.set_num_threads(1)


def kl_terms(mu, logvar):
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)


def function_case(seed, n, d, lam):
    g = torch.Generator().manual_seed(seed)
    scales = torch.linspace(0.05, 2.0, d)                      # dimension d's spread: KL from ~0 to ~2 nats
    mu = (torch.randn(n, d, generator=g) * scales).float()
    logvar = (torch.randn(n, d, generator=g) * 0.5 * scales - scales).float()
    m = mu.double().requires_grad_(True)
    v = logvar.double().requires_grad_(True)
    per_dim = kl_terms(m, v).mean(0)
    value = torch.clamp(per_dim, min=lam).sum()
    value.backward()
    below = int((per_dim < lam).sum())
    assert 0 < below < d, f"λ = {lam} should clamp some dimensions but not all ({below} of {d})"
    return {"mu": mu, "logvar": logvar, "lambda": float(lam), "value": float(value.detach()),
            "grad_mu": m.grad.float(), "grad_logvar": v.grad.float(), "per_dim": per_dim.detach().float()}


def vae_case(seed, batch, latent):
    config = {"latentDimensions": latent, "architecture": convolutional((8, 16)),
              "likelihood": {"type": "bernoulli"}, "classCount": 0}
    torch.manual_seed(seed)
    model = VAE.from_config(config)
    model.train()
    state = {"state:" + k: v.clone().float() for k, v in model.state_dict().items()}
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28) * 0.6)
    eps = torch.randn(batch, latent)
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * eps
    rec = model.reconstruction(model.decode(z), x)
    per_dim = kl_terms(mu, logvar).mean(0)
    ordered = per_dim.detach().double().sort().values
    lam = float(ordered[latent // 2 - 1] + ordered[latent // 2]) / 2
    kl_term = torch.clamp(per_dim, min=lam).sum()
    loss = rec + kl_term
    loss.backward()
    out = dict(state)
    out.update({"images": x, "epsilon": eps, "lambda": lam, "reconstruction": float(rec.detach()),
                "kl": float(per_dim.sum().detach()), "objective": float(loss.detach()), "model_config": json.dumps(config)})
    for k, p in model.named_parameters():
        out["grad:" + k] = p.grad
    return out


dump("free_bits", {
    "fn_small": function_case(1, 6, 5, 0.3),
    "fn_wide": function_case(2, 32, 12, 1.0),
    "vae_small": vae_case(3, 4, 8),
})
