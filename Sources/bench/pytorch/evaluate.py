"""The PyTorch side of `bench evaluate`: the importance-weighted log-likelihood pass of the
reference VAE (Burda et al. 2016) in evaluation mode, k samples per image, timed on the CPU with a
fixed number of threads.

    python evaluate.py --threads 2 --images 200 --samples 1000 --chunk 500

For each image: encode it, draw the k codes z = mu + sigma * eps of that image, decode them in
chunks of `--chunk` codes, and take logmeanexp of log p(x|z) + log p(z) - log q(z|x), all under
`torch.no_grad()`: the same computation as `evaluateImportanceWeighted` in
Sources/VAECore/Evaluation/ImportanceWeighted.swift. The images are Bernoulli draws from fixed
random grey images (seeded): the cost does not depend on what they show. Prints a header, then
LAST one parseable line:

    pytorch images_per_second=<img/s> seconds=<s> images=<n> samples=<k> threads=<n> torch=<version>

Best of `--rounds` passes, like the Swift side.
"""
import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from reference_vae import VAE  # noqa: E402


def log_weights(model, x, k, chunk, generator):
    """The k log-weights of one image x (1, 1, 28, 28)."""
    mu, log_var = model.encode(x)
    sigma = torch.exp(0.5 * log_var)
    weights = []
    for start in range(0, k, chunk):
        c = min(chunk, k - start)
        eps = torch.randn(c, mu.shape[1], generator=generator)
        z = mu + sigma * eps
        logits = model.decode(z).reshape(c, -1)
        target = x.reshape(1, -1).expand(c, -1)
        log_px = -F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(dim=1)
        log_ratio = -0.5 * (z * z - eps * eps - log_var).sum(dim=1)
        weights.append(log_px + log_ratio)
    return torch.cat(weights)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = VAE()
    model.eval()
    images = torch.bernoulli(torch.rand(args.images, 1, 1, 28, 28))
    generator = torch.Generator().manual_seed(args.seed)
    best = float("inf")
    with torch.no_grad():
        for _ in range(args.rounds):
            start = time.perf_counter()
            total = 0.0
            for x in images:
                w = log_weights(model, x, args.samples, args.chunk, generator)
                total += float(torch.logsumexp(w, 0) - math.log(args.samples))
            best = min(best, time.perf_counter() - start)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads: {args.images} images x {args.samples} "
          f"samples in {best:.3f} s (best of {args.rounds}); mean log p-hat {total / args.images:.2f}")
    print(f"pytorch images_per_second={args.images / best:.3f} seconds={best:.4f} images={args.images} "
          f"samples={args.samples} threads={torch.get_num_threads()} torch={torch.__version__}")


if __name__ == "__main__":
    main()
