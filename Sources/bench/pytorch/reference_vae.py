"""The course's VAE in PyTorch, built from the same description as `VAE` in
Sources/VAECore/VAE/VAE.swift (a checkpoint's `model_config` JSON: an architecture of layer specs
and a likelihood), module for module and name for name, so that state_dicts and checkpoints are
interchangeable.

    VAE()                                   # the reference model
    VAE(latent=8, channels=(32, 64), classes=10, label_centres=True)
    VAE.from_config(json.loads(metadata["model_config"]))

A model_config with a "flow" ({"steps", "hiddenUnits", "contextFeatures"}) adds the inverse
autoregressive flow of Sources/VAECore/Flow/InverseAutoregressiveFlow.swift as `model.flow`
(`Flow`, with MADE masks as in MaskedLinear.swift), drawn after every other layer as in Swift.

Used by `train_step.py` (the PyTorch side of `bench train-step`) and by the test fixture scripts
in Tests/VAECoreTests/Fixtures/. PyTorch is a comparison here, never a dependency.
"""
import math
from collections import OrderedDict

import torch
from torch import nn
import torch.nn.functional as F


def convolutional(channels):
    """Architecture.convolutional(channels:): stride-2 convolutions, mirrored by transposed ones."""
    encoder = []
    for width in channels:
        encoder += [{"type": "conv", "channels": width, "kernel": 4, "stride": 2, "padding": 1},
                    {"type": "batchnorm"}, {"type": "relu"}]
    encoder.append({"type": "flatten"})
    side = 28 >> len(channels)
    last = channels[-1]
    decoder = [{"type": "linear", "features": last * side * side}, {"type": "relu"},
               {"type": "reshape", "shape": [last, side, side]}]
    for width in list(reversed(channels))[1:]:
        decoder += [{"type": "deconv", "channels": width, "kernel": 4, "stride": 2, "padding": 1},
                    {"type": "batchnorm"}, {"type": "relu"}]
    decoder.append({"type": "deconv", "channels": 1, "kernel": 4, "stride": 2, "padding": 1})
    return {"encoder": encoder, "decoder": decoder}


PRESETS = {
    "reference": convolutional((32, 64)),
    "wide": convolutional((64, 128)),
    "mlp": {
        "encoder": [{"type": "flatten"}, {"type": "linear", "features": 512}, {"type": "relu"},
                    {"type": "linear", "features": 256}, {"type": "relu"}],
        "decoder": [{"type": "linear", "features": 256}, {"type": "relu"}, {"type": "linear", "features": 512},
                    {"type": "relu"}, {"type": "linear", "features": 784}, {"type": "reshape", "shape": [1, 28, 28]}],
    },
    "deep": {
        "encoder": [{"type": "conv", "channels": 32, "kernel": 3, "stride": 1, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
                    {"type": "conv", "channels": 32, "kernel": 4, "stride": 2, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
                    {"type": "conv", "channels": 64, "kernel": 4, "stride": 2, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
                    {"type": "flatten"}],
        "decoder": [{"type": "linear", "features": 3136}, {"type": "relu"}, {"type": "reshape", "shape": [64, 7, 7]},
                    {"type": "deconv", "channels": 32, "kernel": 4, "stride": 2, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
                    {"type": "deconv", "channels": 32, "kernel": 4, "stride": 2, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
                    {"type": "conv", "channels": 1, "kernel": 3, "stride": 1, "padding": 1}],
    },
}


def layer_names(specs, extra_linear=False):
    """The naming rule of Architecture.swift: kind + ordinal; linear layers 'fc' when the network
    has one (counting the encoder's head), else fc1, fc2, ...; a spec's 'name' overrides."""
    linear_count = sum(1 for s in specs if s["type"] == "linear") + (1 if extra_linear else 0)
    ordinals = {}
    prefix = {"batchnorm": "bn", "residual": "res"}

    def nxt(kind):
        ordinals[kind] = ordinals.get(kind, 0) + 1
        n = ordinals[kind]
        if kind == "linear":
            return "fc" if linear_count == 1 else f"fc{n}"
        return f"{prefix.get(kind, kind)}{n}"

    names = []
    for s in specs:
        generated = nxt(s["type"])
        names.append(s.get("name", generated))
    return names, (nxt("linear") if extra_linear else None)


class Reshape(nn.Module):
    """Reshape.swift: each sample to `shape`, whatever its rank (nn.Unflatten only splits one axis)."""

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


class Residual(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)


def build(specs, shape, names):
    """nn.Sequential of the specs for inputs of `shape` (without the batch axis), and the output shape."""
    layers = OrderedDict()
    for spec, name in zip(specs, names):
        t = spec["type"]
        if t in ("conv", "deconv"):
            k, s, p = spec["kernel"], spec.get("stride", 1), spec.get("padding", 0)
            if t == "conv":
                layers[name] = nn.Conv2d(shape[0], spec["channels"], k, stride=s, padding=p)
                side = lambda h: (h + 2 * p - k) // s + 1
            else:
                op = spec.get("output_padding", 0)
                layers[name] = nn.ConvTranspose2d(shape[0], spec["channels"], k, stride=s, padding=p, output_padding=op)
                side = lambda h: (h - 1) * s - 2 * p + k + op
            shape = [spec["channels"], side(shape[1]), side(shape[2])]
        elif t == "upsample":
            layers[name] = nn.Upsample(scale_factor=spec["factor"], mode="nearest")
            shape = [shape[0], shape[1] * spec["factor"], shape[2] * spec["factor"]]
        elif t == "linear":
            layers[name] = nn.Linear(shape[0], spec["features"])
            shape = [spec["features"]]
        elif t == "batchnorm":
            layers[name] = nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0])
        elif t == "relu":
            layers[name] = nn.ReLU()
        elif t == "leaky_relu":
            layers[name] = nn.LeakyReLU(spec.get("slope", 0.01))
        elif t == "elu":
            layers[name] = nn.ELU(spec.get("alpha", 1.0))
        elif t == "swish":
            layers[name] = nn.SiLU()
        elif t == "flatten":
            layers[name] = nn.Flatten()
            shape = [math.prod(shape)]
        elif t == "reshape":
            layers[name] = Reshape(spec["shape"])
            shape = list(spec["shape"])
        elif t == "residual":
            body_names, _ = layer_names(spec["body"])
            body, out = build(spec["body"], shape, body_names)
            assert out == shape, f"residual body maps {shape} to {out}"
            layers[name] = Residual(body)
        else:
            raise ValueError(f"unknown layer type {t}")
    return nn.Sequential(layers), shape


def input_degrees(d, reversed_):
    """AutoregressiveDegrees.inputs: 1…D, or D…1 when reversed."""
    return [d - i if reversed_ else i + 1 for i in range(d)]


def hidden_degrees(h, d):
    """AutoregressiveDegrees.hidden: cycling through 1…D−1 (1 when D = 1)."""
    top = max(d - 1, 1)
    return [k % top + 1 for k in range(h)]


class MaskedLinear(nn.Linear):
    """MaskedLinear.swift: y = x·(W ⊙ M)ᵀ + b, M[o, i] = 1 where degree(o) ≥ degree(i) (> when strict);
    the masked weights are zeroed after PyTorch's default initialisation."""

    def __init__(self, inputs, outputs, strict):
        super().__init__(len(inputs), len(outputs))
        m = torch.tensor([[1.0 if (o > i if strict else o >= i) else 0.0 for i in inputs] for o in outputs])
        self.register_buffer("mask", m, persistent=False)
        with torch.no_grad():
            self.weight.mul_(self.mask)

    def forward(self, x):
        return F.linear(x, self.weight * self.mask, self.bias)


class FlowStep(nn.Module):
    """InverseAutoregressiveFlowStep: (m, s) = MADE(z, h), σ = sigmoid(s), z′ = σ·z + (1 − σ)·m."""

    def __init__(self, d, hidden, context, reversed_):
        super().__init__()
        degrees, units = input_degrees(d, reversed_), hidden_degrees(hidden, d)
        self.input = MaskedLinear(degrees, units, strict=False)
        self.context = nn.Linear(context, hidden, bias=False)
        self.mean = MaskedLinear(units, degrees, strict=True)
        self.scale = MaskedLinear(units, degrees, strict=True)
        with torch.no_grad():
            self.scale.bias.add_(2.0)  # InverseAutoregressiveFlow.scaleBiasOffset

    def forward(self, z, h):
        u = torch.relu(self.input(z) + self.context(h))
        m, s = self.mean(u), self.scale(u)
        sigma = torch.sigmoid(s)
        return sigma * z + (1 - sigma) * m, F.logsigmoid(s).sum(-1)


class Flow(nn.Module):
    """InverseAutoregressiveFlow: h = context(features), then the steps (odd ones in reversed order).
    forward returns z_T and log |det ∂z_T/∂z₀| = Σ_t Σ_i log σ_t,i of each row."""

    def __init__(self, d, features, steps, hidden, context):
        super().__init__()
        self.context = nn.Linear(features, context)
        for t in range(steps):
            self.add_module(f"step{t}", FlowStep(d, hidden, context, t % 2 == 1))
        self.steps = steps

    def forward(self, z, features):
        h = self.context(features)
        log_det = torch.zeros(z.shape[0])
        for t in range(self.steps):
            z, ld = getattr(self, f"step{t}")(z, h)
            log_det = log_det + ld
        return z, log_det


class VAE(nn.Module):
    def __init__(self, latent=20, channels=(32, 64), classes=0, label_centres=False, architecture=None,
                 likelihood=None, flow=None):
        super().__init__()
        architecture = architecture or convolutional(tuple(channels))
        self.likelihood_config = likelihood or {"type": "bernoulli"}
        self.latent, self.classes = latent, classes
        enc_names, head_name = layer_names(architecture["encoder"], extra_linear=True)
        body, shape = build(architecture["encoder"], [1, 28, 28], enc_names)
        assert len(shape) == 1, f"the encoder ends with {shape}"
        self.features = shape[0]
        self.head_name = head_name
        body.add_module(head_name, nn.Linear(self.features + classes, 2 * latent))
        self.encoder = body
        dec_names, _ = layer_names(architecture["decoder"])
        self.decoder, shape = build(architecture["decoder"], [latent + classes], dec_names)
        assert shape == [1, 28, 28], f"the decoder ends with {shape}"
        # A learned centre m_y per label (chapter 7): mu is reported relative to it, and the
        # decoder adds it back. Zero at the start, like the Swift model.
        self.label_centres = None
        if label_centres:
            self.label_centres = nn.Embedding(classes, latent)
            nn.init.zeros_(self.label_centres.weight)
        if self.likelihood_config["type"] == "gaussian_learned":
            # s of the learned variance v = 1e-4 + exp(s), named likelihood.log_variance as in Swift.
            self.likelihood = nn.Module()
            self.likelihood.log_variance = nn.Parameter(torch.full((1, 28, 28), math.log(0.01)))
        self.flow = None
        if flow is not None:
            self.flow = Flow(latent, self.features, flow["steps"], flow["hiddenUnits"], flow["contextFeatures"])

    @classmethod
    def from_config(cls, config):
        """The model of a checkpoint's model_config (a dict parsed from its JSON)."""
        if "architecture" in config:
            architecture = config["architecture"]
        else:
            architecture = convolutional(tuple(config["channels"]))
        return cls(config["latentDimensions"], classes=config.get("classCount", 0),
                   label_centres=config.get("labelCentres", False), architecture=architecture,
                   likelihood=config.get("likelihood"), flow=config.get("flow"))

    def encode(self, x, onehot=None):
        h = x
        for name, module in self.encoder.named_children():
            if name == self.head_name and onehot is not None:
                h = torch.cat([h, onehot], dim=1)
            h = module(h)
        mu, logvar = h[:, : self.latent], h[:, self.latent :]
        if self.label_centres is not None:
            mu = mu - onehot @ self.label_centres.weight
        return mu, logvar

    def decode(self, z, onehot=None):
        if onehot is not None:
            if self.label_centres is not None:
                z = z + onehot @ self.label_centres.weight
            z = torch.cat([z, onehot], dim=1)
        return self.decoder(z)

    def variance(self):
        """The per-pixel variance of a Gaussian likelihood (Likelihood.swift)."""
        t = self.likelihood_config["type"]
        if t == "gaussian":
            return torch.full((1, 28, 28), self.likelihood_config["sigma"] ** 2)
        return 1e-4 + torch.exp(self.likelihood.log_variance)

    def reconstruction(self, out, x):
        """-log p(x|z) summed over pixels, mean over the batch."""
        b = x.shape[0]
        if self.likelihood_config["type"] == "bernoulli":
            return F.binary_cross_entropy_with_logits(out, x, reduction="sum") / b
        mu, v = torch.sigmoid(out), self.variance()
        return 0.5 * torch.sum((x - mu) ** 2 / v + torch.log(v) + math.log(2 * math.pi)) / b

    def loss(self, x, eps=None, beta=1.0, onehot=None):
        """Returns (loss, reconstruction, kl), each in nats per image (sums over pixels and
        latent dimensions, mean over the batch), and the ε used."""
        mu, logvar = self.encode(x, onehot)
        if eps is None:
            eps = torch.randn_like(mu)
        z = mu + torch.exp(0.5 * logvar) * eps
        out = self.decode(z, onehot)
        b = x.shape[0]
        rec = self.reconstruction(out, x)
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / b
        return rec + beta * kl, rec, kl, eps
