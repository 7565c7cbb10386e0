"""The PyTorch side of `bench layers`: the forward and backward time of every layer of the
reference VAE at the batch size of training, each on the input it sees in the model.

    python layers.py --threads 2 --batch 128 --repeats 30 --budget 0.5

Each layer is timed like the Swift side: forward on its input in the model (a batch run through
once, the model in training mode, so batch norm uses the batch's statistics), then backward from a
random output gradient after one forward (the input requires a gradient except for the first
convolution's, which needs none, as ours skips it). Best of at most `--repeats` runs within
`--budget` seconds. Flatten and Reshape only relabel a shape and are not listed. Prints, LAST, one
line per layer in the format the Swift side reads:

    layer encoder.conv1 fwd=<ms> bwd=<ms>
    pytorch threads=<n> batch=<B> torch=<version>

The batch is Bernoulli draws from fixed random grey images (seeded): a layer's cost does not depend
on what the pixels show.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from reference_vae import VAE, Reshape  # noqa: E402


def best_of(fn, repeats, budget):
    fn()  # warm-up
    start, best = time.perf_counter(), float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
        if time.perf_counter() - start >= budget:
            break
    return best


def time_layer(module, x, needs_input_grad, repeats, budget, generator):
    x = x.detach().requires_grad_(needs_input_grad)
    forward = best_of(lambda: module(x), repeats, budget)
    y = module(x)
    g = torch.randn(y.shape, generator=generator) * 1e-3

    def backward():
        module.zero_grad(set_to_none=False)
        y.backward(g, retain_graph=True)

    return forward, best_of(backward, repeats, budget), y.detach()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--budget", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    model = VAE()
    model.train()
    x = torch.bernoulli(torch.rand(args.batch, 1, 28, 28, generator=generator), generator=generator)

    rows = []
    first = True
    for name, module in model.encoder.named_children():
        if isinstance(module, (nn.Flatten, Reshape)):
            x = module(x)
            continue
        forward, backward, x = time_layer(module, x, not first, args.repeats, args.budget, generator)
        first = False
        rows.append(("encoder." + name, forward, backward))
    z = x[:, : model.latent]
    x = z
    for name, module in model.decoder.named_children():
        if isinstance(module, (nn.Flatten, Reshape)):
            x = module(x)
            continue
        forward, backward, x = time_layer(module, x, True, args.repeats, args.budget, generator)
        rows.append(("decoder." + name, forward, backward))

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, "
          f"best of <= {args.repeats} runs (<= {args.budget} s) per layer and direction")
    for name, forward, backward in rows:
        print(f"layer {name} fwd={forward * 1e3:.3f} bwd={backward * 1e3:.3f}")
    print(f"pytorch threads={torch.get_num_threads()} batch={args.batch} torch={torch.__version__}")


if __name__ == "__main__":
    main()
