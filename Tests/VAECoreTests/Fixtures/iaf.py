"""PyTorch reference values for the ELBO of a VAE with an inverse autoregressive flow posterior
(Kingma et al. 2016), by autograd, for `VAE.accumulateGradients` with a flow
(Sources/VAECore/VAE/VAE+Flow.swift) and `InverseAutoregressiveFlow`
(Sources/VAECore/Flow/InverseAutoregressiveFlow.swift).

Each case is one training-mode pass of a small convolutional VAE (built from its `model_config`,
as in vae.py) with a flow of T steps, on a fixed binary batch of B images with a fixed ε (B, D):

    features = encoder body(x);  (μ, log σ²) = head(features);  h = context(features)
    z₀ = μ + σ·ε
    step t: a = input(z) + context_t(h);  (m, s) = (mean(relu(a)), scale(relu(a)))
            σ_t = sigmoid(s);  z = σ_t·z + (1 − σ_t)·m;  logdet += Σ logsigmoid(s)
    KL̂   = Σ ½(z_T² − ε² − log σ²) − logdet        (log q(z_T|x) − log p(z_T))
    loss = mean_b [BCE(decode(z_T), x)] + β·mean_b KL̂

input, mean and scale are MADE layers (Germain et al. 2015): their weights are multiplied by
fixed masks built from the degrees of `AutoregressiveDegrees` (inputs 1…D, or D…1 on odd steps;
hidden units cycling through 1…D−1; a hidden unit sees inputs of degree ≤ its own, an output
hidden units of degree < its own). The masked weights are set to zero after PyTorch's default
initialisation and the scale's bias raised by 2, as the Swift model does. The flow is
`reference_vae.Flow`, which `VAE.from_config` builds from the config's "flow".

  - "iaf_bn": β = 1, 2 steps, convolutional((8, 16)) (batch norm in encoder and decoder).
  - "iaf_beta_half": β = 0.5, 3 steps, a wider MADE.
  - "iaf_conditional": chapter 7's CVAE with the flow as its posterior: 10 classes, a learned
    centre m_y per label (drawn away from 0, where it starts), the head seeing [features, one-hot y],
    z₀ relative to m_y (μ − m_y), the flow's context from the image's features alone, the decoder
    fed [z_T + m_y, one-hot y].

Keys: "state:*" (the state_dict before the pass), "images", "epsilon", "beta", "loss",
"reconstruction", "kl" (batch means), "z" (z_T), "log_q" (log q(z_T|x) per image, with log 2π),
"log_det" (per image), "grad:*" (every parameter), "model_config", and "labels" for the
conditional case. Run:
    python Tests/VAECoreTests/Fixtures/iaf.py
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


def encode_with_features(model, x, onehot=None):
    h = x
    for name, module in model.encoder.named_children():
        if name == model.head_name:
            features = h
            if onehot is not None:
                h = torch.cat([h, onehot], dim=1)
        h = module(h)
    mu = h[:, : model.latent]
    if model.label_centres is not None:
        mu = mu - onehot @ model.label_centres.weight
    return mu, h[:, model.latent :], features


def case(seed, batch, latent, beta, steps, hidden, context, classes=0):
    flow_config = {"steps": steps, "hiddenUnits": hidden, "contextFeatures": context}
    config = {"latentDimensions": latent, "architecture": convolutional((8, 16)),
              "likelihood": {"type": "bernoulli"}, "classCount": classes, "flow": flow_config}
    if classes:
        config["labelCentres"] = True
    torch.manual_seed(seed)
    model = VAE.from_config(config)
    model.train()
    onehot = None
    if classes:
        with torch.no_grad():
            model.label_centres.weight.copy_(torch.randn(classes, latent))
    state = {"state:" + key: v.clone().float() for key, v in model.state_dict().items()}
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28) * 0.6)
    eps = torch.randn(batch, latent)
    if classes:
        labels = torch.randint(0, classes, (batch,))
        onehot = F.one_hot(labels, classes).float()

    mu, logvar, features = encode_with_features(model, x, onehot)
    z0 = mu + torch.exp(0.5 * logvar) * eps
    z, log_det = model.flow(z0, features)
    logits = model.decode(z, onehot)
    reconstruction = F.binary_cross_entropy_with_logits(logits.reshape(batch, -1), x.reshape(batch, -1),
                                                        reduction="none").sum(-1)
    kl = (0.5 * (z ** 2 - eps ** 2 - logvar)).sum(-1) - log_det
    loss = reconstruction.mean() + beta * kl.mean()
    loss.backward()
    log_q = (-0.5 * (eps ** 2 + math.log(2 * math.pi) + logvar)).sum(-1) - log_det

    out = dict(state)
    out.update({"images": x, "epsilon": eps, "beta": float(beta), "loss": float(loss.detach()),
                "reconstruction": float(reconstruction.mean().detach()), "kl": float(kl.mean().detach()),
                "z": z, "log_q": log_q, "log_det": log_det, "model_config": json.dumps(config)})
    if classes:
        out["labels"] = [int(v) for v in labels]
    for name, p in model.named_parameters():
        out["grad:" + name] = p.grad
    return out


if __name__ == "__main__":
    dump("iaf", {
        "iaf_bn": case(1, 4, 6, 1.0, 2, 12, 5),
        "iaf_beta_half": case(2, 4, 6, 0.5, 3, 20, 7),
        "iaf_conditional": case(3, 5, 6, 1.0, 2, 12, 5, classes=10),
    })
