"""PyTorch reference values for the parametric layers: Linear, Conv2d, ConvTranspose2d, and a
small Sequential (to check state_dict names).

Every case fixes its input, its weights (PyTorch's default initialisation after
torch.manual_seed, stored so the Swift layer loads the very same values) and a random upstream
gradient g; it records the output y and, for the loss L = sum(y * g), the gradients of the input,
the weight and the bias. Run:
    /root/torchvenv/bin/python Tests/VAECoreTests/Fixtures/layers.py

Tensors are stored as exact float32 in layers.safetensors; configurations in layers.json.
"""
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

from fixtures_common import dump

torch.set_num_threads(1)


def f32(t):
    """A tensor entry: stored as exact float32 in layers.safetensors."""
    return t.detach().to(torch.float32).contiguous().clone()


def record(module, x, extra):
    """Runs forward and backward; returns the case's entries."""
    torch.manual_seed(1000)
    x = x.clone().requires_grad_(True)
    y = module(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    case = dict(extra)
    case.update({"input": f32(x), "output": f32(y), "upstream": f32(g), "input_grad": f32(x.grad)})
    for name, p in module.named_parameters():
        case["param:" + name] = f32(p)
        case["grad:" + name] = f32(p.grad)
    return case


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def linear_case(seed, batch, n_in, n_out, bias=True):
    torch.manual_seed(seed)
    m = nn.Linear(n_in, n_out, bias=bias)
    x = torch.randn(batch, n_in)
    return record(m, x, {"features": [n_in, n_out], "bias": [int(bias)]})


def conv_case(seed, batch, c_in, c_out, size, kernel, stride, padding, bias=True):
    torch.manual_seed(seed)
    m = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=bias)
    x = torch.randn(batch, c_in, *size)
    return record(m, x, {"channels": [c_in, c_out], "kernel": pair(kernel), "stride": pair(stride),
                         "padding": pair(padding), "bias": [int(bias)]})


def conv_t_case(seed, batch, c_in, c_out, size, kernel, stride, padding, output_padding=0, bias=True):
    torch.manual_seed(seed)
    m = nn.ConvTranspose2d(c_in, c_out, kernel, stride=stride, padding=padding,
                           output_padding=output_padding, bias=bias)
    x = torch.randn(batch, c_in, *size)
    return record(m, x, {"channels": [c_in, c_out], "kernel": pair(kernel), "stride": pair(stride),
                         "padding": pair(padding), "output_padding": pair(output_padding),
                         "bias": [int(bias)]})


cases = {}
# Linear: small, without bias, and the VAE's two (encoder head 3136→40, decoder input 20→3136).
cases["linear_small"] = linear_case(1, 3, 5, 4)
cases["linear_nobias"] = linear_case(2, 2, 6, 2, bias=False)
cases["linear_vae_encoder"] = linear_case(3, 2, 3136, 40)
cases["linear_vae_decoder"] = linear_case(4, 2, 20, 3136)

# Conv2d: the VAE's encoder, then odd configurations (stride 1..3, padding 0..2, non-square).
cases["conv_vae1"] = conv_case(10, 2, 1, 32, (28, 28), 4, 2, 1)
cases["conv_vae2"] = conv_case(11, 2, 32, 64, (14, 14), 4, 2, 1)
cases["conv_odd_k32_s21_p10"] = conv_case(12, 2, 3, 5, (7, 6), (3, 2), (2, 1), (1, 0))
cases["conv_odd_k3_s1_p2_nobias"] = conv_case(13, 2, 2, 3, (5, 5), 3, 1, 2, bias=False)
cases["conv_odd_k13_s12_p02"] = conv_case(14, 2, 4, 2, (6, 9), (1, 3), (1, 2), (0, 2))
cases["conv_odd_k24_s32_p21"] = conv_case(15, 2, 2, 4, (8, 7), (2, 4), (3, 2), (2, 1))
cases["conv_odd_k5_s1_p0"] = conv_case(16, 1, 3, 2, (5, 8), 5, 1, 0)

# ConvTranspose2d: the VAE's decoder, then odd configurations (output padding, non-square).
cases["convT_vae1"] = conv_t_case(20, 2, 64, 32, (7, 7), 4, 2, 1)
cases["convT_vae2"] = conv_t_case(21, 2, 32, 1, (14, 14), 4, 2, 1)
cases["convT_odd_k3_s2_p1_op1"] = conv_t_case(22, 2, 3, 2, (4, 5), 3, 2, 1, 1)
cases["convT_odd_k32_s12_p01_op01_nobias"] = conv_t_case(23, 2, 2, 3, (5, 4), (3, 2), (1, 2), (0, 1), (0, 1), bias=False)
cases["convT_odd_k23_s32_p10_op21"] = conv_t_case(24, 2, 4, 2, (3, 3), (2, 3), (3, 2), (1, 0), (2, 1))
cases["convT_odd_k1_s1_p0"] = conv_t_case(25, 2, 3, 4, (3, 2), 1, 1, 0)

# Sequential with named children: parameter names must match PyTorch's state_dict keys.
torch.manual_seed(30)
seq = nn.Sequential(OrderedDict([
    ("conv1", nn.Conv2d(2, 3, 3, stride=2, padding=1)),
    ("flatten", nn.Flatten()),
    ("fc", nn.Linear(27, 4)),
    ("unflatten", nn.Unflatten(1, (1, 2, 2))),
    ("deconv", nn.ConvTranspose2d(1, 2, 4, stride=2, padding=1)),
]))
cases["seq_named"] = record(seq, torch.randn(2, 2, 6, 6), {})

dump("layers", cases)
