"""PyTorch reference values for the VampPrior (Tomczak and Welling 2018): p(z) = (1/K) Σ_k N(z; μ_k, σ²_k),
log p(z) by torch.logsumexp over the K components, and its gradients by autograd.

Two kinds of case:
  - "fn_*": the density alone, computed in float64 from float32 inputs: codes z (N, D), components
    "mu_k", "logvar_k" (K, D), row weights "weights" (N); keys "log_p" (N), and the gradients of
    Σ_n weights_n · log p(z_n): "grad_z", "grad_mu_k", "grad_logvar_k". "fn_far" puts some codes
    hundreds of standard deviations from every component, where exp of the components' log-densities
    underflows and only a log-sum-exp that subtracts the largest survives.
  - "vae_small": one training pass of a small convolutional VAE (as in vae.py) with a VampPrior of
    K pseudo-inputs u = σ(a): the encoder encodes u in evaluation mode (batch norm's running
    statistics, as they stand before the batch's pass) and x in training mode, z = μ + σ·ε, and the
    loss is the reconstruction plus the batch mean of the one-sample KL̂ = log q(z|x) − log p(z),
    log q(z|x) = −½ Σ_d (ε² + log σ² + log 2π). The running statistics are first moved away from
    their initial 0 and 1 by a few training-mode passes, so that evaluation mode differs from an
    identity.
    Keys as vae.py's: "state:*" (with "state:prior.pseudo_input_logits", a), "images", "epsilon",
    "reconstruction", "kl", "objective", "grad:*", "model_config".

    python Tests/VAECoreTests/Fixtures/vamp_prior.py
"""
import json
import math
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "Sources", "bench", "pytorch"))
from reference_vae import VAE, convolutional  # noqa: E402
from fixtures_common import dump  # noqa: E402

torch.set_num_threads(1)
LOG_2PI = math.log(2 * math.pi)


def vamp_log_density(z, mu_k, logvar_k):
    """log (1/K) Σ_k N(z; μ_k, diag exp(logvar_k)) of each row of z (N, D): (N)."""
    diff = z[:, None, :] - mu_k[None, :, :]                                   # (N, K, D)
    a = -0.5 * (diff.pow(2) * torch.exp(-logvar_k)[None] + logvar_k[None] + LOG_2PI).sum(2)
    return torch.logsumexp(a, dim=1) - math.log(mu_k.shape[0])


def encode_in_evaluation_mode(model, u):
    """model.encode(u) in evaluation mode, with copies of batch norm's running statistics as they
    stand now (the training-mode pass that follows updates the originals in place, which autograd
    would refuse), the parameters shared so that their gradients collect both passes."""
    originals = []
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            originals.append((m, m.running_mean, m.running_var))
            m.running_mean, m.running_var = m.running_mean.clone(), m.running_var.clone()
    model.eval()
    result = model.encode(u)
    model.train()
    for m, mean, var in originals:
        m.running_mean, m.running_var = mean, var
    return result


def function_case(seed, n, k, d, far=0):
    g = torch.Generator().manual_seed(seed)
    mu_k = torch.randn(k, d, generator=g).float()
    logvar_k = (torch.randn(k, d, generator=g) * 0.7 - 0.5).float()
    z = (torch.randn(n, d, generator=g) * 1.5).float()
    if far:
        z[:far] = z[:far] * 0 + torch.linspace(40, 80, d)                        # far beyond every component
    weights = torch.randn(n, generator=g).float()
    zz = z.double().requires_grad_(True)
    m = mu_k.double().requires_grad_(True)
    v = logvar_k.double().requires_grad_(True)
    log_p = vamp_log_density(zz, m, v)
    (weights.double() * log_p).sum().backward()
    assert torch.isfinite(log_p).all()
    return {"z": z, "mu_k": mu_k, "logvar_k": logvar_k, "weights": weights, "log_p": log_p.detach().float(),
            "log_p_list": [float(x) for x in log_p.detach()],
            "grad_z": zz.grad.float(), "grad_mu_k": m.grad.float(), "grad_logvar_k": v.grad.float()}


def vae_case(seed, batch, latent, pseudo_inputs):
    config = {"latentDimensions": latent, "architecture": convolutional((4, 8)),
              "likelihood": {"type": "bernoulli"}, "classCount": 0,
              "prior": {"type": "vamp", "pseudoInputs": pseudo_inputs}}
    torch.manual_seed(seed)
    model = VAE.from_config(config)
    model.train()
    # The pseudo-inputs' logits, spread so that the components differ: u = σ(a) from 0.05 to 0.95.
    a = torch.nn.Parameter(torch.logit(torch.rand(pseudo_inputs, 1, 28, 28) * 0.9 + 0.05))
    with torch.no_grad():                                          # running statistics away from 0 and 1
        for _ in range(3):
            model.encode(torch.rand(8, 1, 28, 28))
    state = {"state:" + k: v.clone().float() for k, v in model.state_dict().items()}
    state["state:prior.pseudo_input_logits"] = a.detach().clone()
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28) * 0.6)
    eps = torch.randn(batch, latent)
    mu_k, logvar_k = encode_in_evaluation_mode(model, torch.sigmoid(a))
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * eps
    rec = model.reconstruction(model.decode(z), x)
    log_q = -0.5 * (eps.pow(2) + logvar + LOG_2PI).sum(1)
    kl = (log_q - vamp_log_density(z, mu_k, logvar_k)).mean()
    loss = rec + kl
    loss.backward()
    out = dict(state)
    out.update({"images": x, "epsilon": eps, "reconstruction": float(rec.detach()), "kl": float(kl.detach()),
                "objective": float(loss.detach()), "model_config": json.dumps(config)})
    for name, p in model.named_parameters():
        out["grad:" + name] = p.grad
    out["grad:prior.pseudo_input_logits"] = a.grad
    return out


if __name__ == "__main__":
    dump("vamp_prior", {
        "fn_small": function_case(1, 6, 4, 3),
        "fn_wide": function_case(2, 16, 50, 8),
        "fn_far": function_case(3, 5, 7, 4, far=2),
        "vae_small": vae_case(4, 5, 3, 4),
    })
