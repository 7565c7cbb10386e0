"""PyTorch reference values for the whole VAE: one forward and backward pass of the reference
architecture, a small conditional one, and non-reference presets and likelihoods (the deep
preset with a learned-variance Gaussian, the MLP with a fixed-σ Gaussian), on a fixed batch
(binarized for a Bernoulli, grey for a Gaussian) with a fixed ε. Each case stores its
`model_config` JSON, from which the Swift test builds the same model. Records the state_dict
before the step, the loss terms, every parameter's gradient, and BatchNorm's running
statistics after the step. Run:
    python Tests/VAECoreTests/Fixtures/vae.py
"""
import json
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "Sources", "bench", "pytorch"))
from reference_vae import PRESETS, VAE, convolutional  # noqa: E402
from fixtures_common import dump  # noqa: E402

torch.set_num_threads(1)


# A small MLP (the mlp preset's 1M parameters would make the fixture 8 MB), with ELU and Swish.
SMALL_MLP = {
    "encoder": [{"type": "flatten"}, {"type": "linear", "features": 32}, {"type": "elu"}],
    "decoder": [{"type": "linear", "features": 32}, {"type": "swish"}, {"type": "linear", "features": 784},
                {"type": "reshape", "shape": [1, 28, 28]}],
}
# Every kind of layer once: stride-1 and stride-2 convolutions, a residual block, LeakyReLU, ELU,
# Swish, nearest-neighbour upsampling, a transposed convolution with output padding, BatchNorm
# on vectors and on images.
EVERY_LAYER = {
    "encoder": [{"type": "conv", "channels": 4, "kernel": 3, "stride": 1, "padding": 1}, {"type": "leaky_relu", "slope": 0.1},
                {"type": "residual", "body": [{"type": "conv", "channels": 4, "kernel": 3, "padding": 1},
                                              {"type": "batchnorm"}, {"type": "swish"}]},
                {"type": "conv", "channels": 6, "kernel": 4, "stride": 2, "padding": 1}, {"type": "elu"},
                {"type": "flatten"}, {"type": "linear", "features": 16}, {"type": "batchnorm"}, {"type": "relu"}],
    "decoder": [{"type": "linear", "features": 6 * 7 * 7}, {"type": "relu"}, {"type": "reshape", "shape": [6, 7, 7]},
                {"type": "upsample", "factor": 2}, {"type": "conv", "channels": 4, "kernel": 3, "padding": 1},
                {"type": "batchnorm"}, {"type": "swish"},
                {"type": "deconv", "channels": 1, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1}],
}


def case(seed, batch, latent, architecture, classes, likelihood=None):
    config = {"latentDimensions": latent, "architecture": architecture,
              "likelihood": likelihood or {"type": "bernoulli"}, "classCount": classes}
    torch.manual_seed(seed)
    model = VAE.from_config(config)
    model.train()
    state = {"state:" + k: v.clone().float() for k, v in model.state_dict().items()}
    grey = torch.rand(batch, 1, 28, 28) * 0.6
    x = torch.bernoulli(grey) if config["likelihood"]["type"] == "bernoulli" else grey
    eps = torch.randn(batch, latent)
    labels = torch.randint(0, 10, (batch,)) if classes else None
    onehot = torch.nn.functional.one_hot(labels, classes).float() if classes else None
    loss, rec, kl, _ = model.loss(x, eps, 1.0, onehot)
    loss.backward()
    out = dict(state)
    out.update({"images": x, "epsilon": eps, "reconstruction": float(rec), "kl": float(kl),
                "model_config": json.dumps(config)})
    if classes:
        out["labels"] = [int(v) for v in labels]
    for k, p in model.named_parameters():
        out["grad:" + k] = p.grad
    for k, v in model.state_dict().items():
        if "running" in k:
            out["after:" + k] = v.clone()
    return out


dump("vae", {
    "reference": case(1, 4, 20, convolutional((32, 64)), 0),
    "conditional_small": case(2, 3, 5, convolutional((8,)), 10),
    "deep_learned_gaussian": case(3, 4, 6, PRESETS["deep"], 0, {"type": "gaussian_learned"}),
    "small_mlp_gaussian": case(4, 4, 5, SMALL_MLP, 10, {"type": "gaussian", "sigma": 0.1}),
    "every_layer": case(5, 4, 3, EVERY_LAYER, 0),
})
