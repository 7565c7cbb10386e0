"""PyTorch reference values for the continuous Bernoulli (Loaiza-Ganem and Cunningham 2019):
torch.distributions.ContinuousBernoulli(logits=ℓ), in float64 from float32 inputs.

One case, "pixels": 96 logits ℓ and grey targets x ∈ [0, 1] (a few exactly 0 and 1):
  - 24 ℓ ~ N(0, 3²); 16 with |ℓ| < 0.003 (λ inside PyTorch's Taylor window (0.499, 0.501));
  - 16 with |ℓ| within 10⁻⁴ of log(0.501/0.499) ≈ 0.004, the window's edge, on both sides;
  - 16 large, |ℓ| ∈ [8, 20]; 24 ℓ ~ N(0, 8²).
Keys: "logits", "targets", "log_prob" (each element's log p(x|ℓ)), "mean" (E[x|ℓ]),
"grad" (∂ Σ log p / ∂ℓ, by autograd), and the number "log_prob_sum".

    python Tests/VAECoreTests/Fixtures/continuous_bernoulli.py
"""
import math
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from fixtures_common import dump  # noqa: E402


def pixels_case(seed):
    g = torch.Generator().manual_seed(seed)
    edge = math.log(0.501 / 0.499)

    def signs(n):
        return torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)

    parts = [
        torch.randn(24, generator=g) * 3,
        (torch.rand(16, generator=g) * 2 - 1) * 0.003,
        signs(16) * (edge + (torch.rand(16, generator=g) * 2 - 1) * 1e-4),
        signs(16) * (8 + torch.rand(16, generator=g) * 12),
        torch.randn(24, generator=g) * 8,
    ]
    logits = torch.cat(parts).float()
    targets = torch.rand(logits.shape[0], generator=g).float()
    targets[::13] = 0.0
    targets[5::17] = 1.0
    l = logits.double().requires_grad_(True)
    dist = torch.distributions.ContinuousBernoulli(logits=l)
    log_prob = dist.log_prob(targets.double())
    log_prob.sum().backward()
    return {"logits": logits, "targets": targets, "log_prob": log_prob.detach().float(),
            "mean": dist.mean.detach().float(), "grad": l.grad.float(),
            "log_prob_sum": float(log_prob.sum().detach())}


dump("continuous_bernoulli", {"pixels": pixels_case(7)})
