"""The course's reference VAE in PyTorch, module for module and name for name the same as
`VAE` in Sources/VAECore/VAE/VAE.swift, so that state_dicts and checkpoints are interchangeable.

Used by `train_step.py` (the PyTorch side of `bench train-step`) and by the test fixture script
Tests/VAECoreTests/Fixtures/vae.py. PyTorch is a comparison here, never a dependency.
"""
from collections import OrderedDict

import torch
from torch import nn
import torch.nn.functional as F


class VAE(nn.Module):
    def __init__(self, latent=20, channels=(32, 64), classes=0, label_centres=False):
        super().__init__()
        depth = len(channels)
        side = 28 >> depth
        features = channels[-1] * side * side
        self.latent, self.classes, self.features = latent, classes, features
        enc = OrderedDict()
        c_in = 1
        for i, width in enumerate(channels, start=1):
            enc[f"conv{i}"] = nn.Conv2d(c_in, width, 4, stride=2, padding=1)
            enc[f"bn{i}"] = nn.BatchNorm2d(width)
            enc[f"relu{i}"] = nn.ReLU()
            c_in = width
        enc["flatten"] = nn.Flatten()
        enc["fc"] = nn.Linear(features + classes, 2 * latent)
        self.encoder = nn.Sequential(enc)
        dec = OrderedDict()
        dec["fc"] = nn.Linear(latent + classes, features)
        dec["relu0"] = nn.ReLU()
        dec["reshape"] = nn.Unflatten(1, (channels[-1], side, side))
        for i in range(1, depth + 1):
            c_in = channels[depth - i]
            c_out = 1 if i == depth else channels[depth - i - 1]
            dec[f"deconv{i}"] = nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1)
            if i < depth:
                dec[f"bn{i}"] = nn.BatchNorm2d(c_out)
                dec[f"relu{i}"] = nn.ReLU()
        self.decoder = nn.Sequential(dec)
        # A learned centre m_y per label (chapter 7): mu is reported relative to it, and the
        # decoder adds it back. Zero at the start, like the Swift model.
        self.label_centres = None
        if label_centres:
            self.label_centres = nn.Embedding(classes, latent)
            nn.init.zeros_(self.label_centres.weight)

    def encode(self, x, onehot=None):
        h = x
        for name, module in self.encoder.named_children():
            if name == "fc" and onehot is not None:
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

    def loss(self, x, eps=None, beta=1.0, onehot=None):
        """Returns (loss, reconstruction, kl), each in nats per image (sums over pixels and
        latent dimensions, mean over the batch), and the ε used."""
        mu, logvar = self.encode(x, onehot)
        if eps is None:
            eps = torch.randn_like(mu)
        z = mu + torch.exp(0.5 * logvar) * eps
        logits = self.decode(z, onehot)
        b = x.shape[0]
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / b
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / b
        return rec + beta * kl, rec, kl, eps
