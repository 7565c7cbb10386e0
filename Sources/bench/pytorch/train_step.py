"""The PyTorch side of `bench train-step`: one training step of the reference VAE (zero grads,
forward, loss, backward, Adam step) at batch 128 on binarized MNIST-like batches, timed on the
CPU with a fixed number of threads.

    python train_step.py --threads 2 --batch 128 --steps 40 --warmup 5

Prints a header, then LAST one parseable line:

    pytorch images_per_second=<img/s> ms_per_step=<ms> ms_mean=<ms> threads=<n> batch=<B> torch=<version>

The batches are Bernoulli draws from fixed random grey images (seeded), so the script needs no
data files: the cost of a step does not depend on what the pixels show. Best-of-N timing, like
the Swift side, and the mean of all timed steps (ms_mean): noise on a shared machine only ever adds time.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from reference_vae import VAE  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=40, help="timed steps (the best is kept)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = VAE()
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    grey = torch.rand(8, args.batch, 1, 28, 28)
    batches = torch.bernoulli(grey)  # binarized batches, cycled

    def step(x):
        optimizer.zero_grad(set_to_none=False)
        loss, _, _, _ = model.loss(x)
        loss.backward()
        optimizer.step()

    for i in range(args.warmup):
        step(batches[i % len(batches)])
    best = float("inf")
    total = 0.0
    for i in range(args.steps):
        start = time.perf_counter()
        step(batches[i % len(batches)])
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        total += elapsed
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, "
          f"best of {args.steps} steps after {args.warmup} warm-up: {best * 1e3:.2f} ms "
          f"(mean {total / args.steps * 1e3:.2f} ms)")
    print(f"pytorch images_per_second={args.batch / best:.1f} ms_per_step={best * 1e3:.3f} ms_mean={total / args.steps * 1e3:.3f} "
          f"threads={torch.get_num_threads()} batch={args.batch} torch={torch.__version__}")


if __name__ == "__main__":
    main()
