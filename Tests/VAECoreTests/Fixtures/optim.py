"""PyTorch reference trajectories for the optimizers, gradient clipping and LR schedules.

Four parameters of different shapes start from fixed values; a stored sequence of gradients
(random, at different scales, with some exactly-zero and some tiny coordinates so that Adam's
epsilon matters) is fed to each optimizer for STEPS updates. The gradients do not depend on the
parameters, so the Swift test replays them exactly. Recorded per case:
  - the hyperparameters (numbers; booleans as 0/1) and "kind" (a string),
  - "p<k>": the trajectory of parameter k, shape (STEPS, *shape): row t is the value after t+1 updates.
Schedules record "lr": the learning rate used by update t = 0..N-1.

    python Tests/VAECoreTests/Fixtures/optim.py
"""
import math

import torch

from fixtures_common import dump

STEPS = 15
SHAPES = [(4, 9), (5,), (2, 3, 3), (1,)]


def make_initial_and_gradients():
    g = torch.Generator().manual_seed(20240607)
    initial = [torch.randn(s, generator=g) for s in SHAPES]
    grads = []
    for t in range(STEPS):
        step = []
        for k, s in enumerate(SHAPES):
            scale = [1.0, 0.05, 3.0, 0.5][k]
            x = torch.randn(s, generator=g) * scale
            flat = x.view(-1)
            if k == 0:
                flat[0] = 0.0                      # a coordinate that never gets a gradient
                flat[1] = 1e-9 * (1 if t % 2 else -1)  # tiny: epsilon dominates Adam's denominator
                flat[2] = 1e-6 * (t + 1)           # small and growing
            if k == 2 and t % 4 == 0:
                flat[3:7] = 0.0                    # occasional zeros
            step.append(x)
        grads.append(step)
    return initial, grads


INITIAL, GRADS = make_initial_and_gradients()


def run(make_optimizer, clip=None):
    params = [torch.nn.Parameter(p.clone()) for p in INITIAL]
    opt = make_optimizer(params)
    traj = [[] for _ in params]
    norms = []
    for t in range(STEPS):
        opt.zero_grad()
        for p, g in zip(params, GRADS[t]):
            p.grad = g.clone()
        if clip is not None:
            norms.append(float(torch.nn.utils.clip_grad_norm_(params, clip, foreach=False)))
        opt.step()
        for k, p in enumerate(params):
            traj[k].append(p.detach().clone())
    out = {f"p{k}": torch.stack(traj[k]) for k in range(len(params))}
    if clip is not None:
        out["norms"] = norms
    return out


def optimizer_cases():
    cases = {}
    sgd = [
        ("sgd_plain", dict(lr=0.0625)),
        ("sgd_momentum", dict(lr=0.03, momentum=0.9)),
        ("sgd_nesterov", dict(lr=0.03, momentum=0.9, nesterov=True)),
        ("sgd_weight_decay", dict(lr=0.05, momentum=0.8, weight_decay=0.1)),
        ("sgd_dampening", dict(lr=0.05, momentum=0.7, dampening=0.3, weight_decay=0.01)),
    ]
    for name, kw in sgd:
        full = dict(lr=kw["lr"], momentum=kw.get("momentum", 0.0), dampening=kw.get("dampening", 0.0),
                    weight_decay=kw.get("weight_decay", 0.0), nesterov=kw.get("nesterov", False))
        rec = run(lambda ps: torch.optim.SGD(ps, foreach=False, **full))
        rec.update({"kind": "SGD", "lr": full["lr"], "momentum": full["momentum"],
                    "dampening": full["dampening"], "weight_decay": full["weight_decay"],
                    "nesterov": 1.0 if full["nesterov"] else 0.0})
        cases[name] = rec
    adams = [
        ("adam_defaults", "Adam", dict()),
        ("adam_lr", "Adam", dict(lr=0.05)),
        ("adam_weight_decay", "Adam", dict(lr=0.05, weight_decay=0.1)),
        ("adam_betas", "Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
        ("adam_small_beta1", "Adam", dict(lr=0.02, betas=(0.3, 0.9))),  # lerp's other branch
        ("adamw_defaults", "AdamW", dict()),
        ("adamw_lr", "AdamW", dict(lr=0.05, weight_decay=0.1)),
    ]
    for name, kind, kw in adams:
        cls = torch.optim.Adam if kind == "Adam" else torch.optim.AdamW
        o = cls([torch.nn.Parameter(torch.zeros(1))])
        d = o.defaults
        full = dict(lr=kw.get("lr", d["lr"]), betas=kw.get("betas", d["betas"]),
                    eps=kw.get("eps", d["eps"]), weight_decay=kw.get("weight_decay", d["weight_decay"]))
        rec = run(lambda ps: cls(ps, foreach=False, **full))
        rec.update({"kind": kind, "lr": float(full["lr"]), "beta1": float(full["betas"][0]),
                    "beta2": float(full["betas"][1]), "eps": float(full["eps"]),
                    "weight_decay": float(full["weight_decay"])})
        cases[name] = rec
    rmsprops = [
        ("rmsprop_defaults", dict()),
        ("rmsprop_lr", dict(lr=0.003, alpha=0.9)),
        ("rmsprop_momentum", dict(lr=0.002, momentum=0.9)),
        ("rmsprop_centered", dict(lr=0.002, centered=True, eps=1e-6)),
        ("rmsprop_weight_decay", dict(lr=0.005, weight_decay=0.1, momentum=0.5, centered=True)),
        ("rmsprop_small_alpha", dict(lr=0.001, alpha=0.3, centered=True)),  # lerp's other branch
    ]
    for name, kw in rmsprops:
        o = torch.optim.RMSprop([torch.nn.Parameter(torch.zeros(1))])
        d = o.defaults
        full = {k: kw.get(k, d[k]) for k in ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")}
        rec = run(lambda ps: torch.optim.RMSprop(ps, foreach=False, **full))
        rec.update({"kind": "RMSprop", "lr": float(full["lr"]), "alpha": float(full["alpha"]), "eps": float(full["eps"]),
                    "weight_decay": float(full["weight_decay"]), "momentum": float(full["momentum"]),
                    "centered": 1.0 if full["centered"] else 0.0})
        cases[name] = rec
    # Clipping inside a training loop: clip_grad_norm_ then Adam, every step.
    rec = run(lambda ps: torch.optim.Adam(ps, lr=0.05, foreach=False), clip=2.0)
    rec.update({"kind": "Adam", "lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                "weight_decay": 0.0, "max_norm": 2.0})
    cases["adam_clipped"] = rec
    return cases


def clip_cases():
    cases = {}
    for name, max_norm in [("clip_large", 1.5), ("clip_small", 1e4)]:
        grads = [g.clone() for g in GRADS[3]]
        params = [torch.nn.Parameter(p.clone()) for p in INITIAL]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, foreach=False)
        rec = {"max_norm": float(max_norm), "total_norm": float(total)}
        for k, p in enumerate(params):
            rec[f"g{k}"] = GRADS[3][k]
            rec[f"clipped{k}"] = p.grad
        cases[name] = rec
    return cases


def lr_sequence(make_scheduler, n, base_lr=0.1):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def schedule_cases():
    S = torch.optim.lr_scheduler
    cases = {}
    cases["sched_step"] = {"base_lr": 0.1, "step_size": 3.0, "gamma": 0.5,
                           "lr": lr_sequence(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 20)}
    cases["sched_exponential"] = {"base_lr": 0.1, "gamma": 0.9,
                                  "lr": lr_sequence(lambda o: S.ExponentialLR(o, gamma=0.9), 20)}
    # Only up to T_max: past it PyTorch follows the cosine back up; ours stays at the minimum.
    cases["sched_cosine"] = {"base_lr": 0.1, "t_max": 10.0, "eta_min": 0.001,
                             "lr": lr_sequence(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 11)}
    cases["sched_warmup_cosine"] = {
        "base_lr": 0.1, "warmup": 5.0, "start_factor": 0.1, "t_max": 15.0, "eta_min": 1e-4,
        "lr": lr_sequence(lambda o: S.SequentialLR(o, [
            S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
            S.CosineAnnealingLR(o, T_max=15, eta_min=1e-4)], milestones=[5]), 21)}
    cases["sched_warmup_step"] = {
        "base_lr": 0.1, "warmup": 4.0, "start_factor": 0.25, "step_size": 5.0, "gamma": 0.5,
        "lr": lr_sequence(lambda o: S.SequentialLR(o, [
            S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4),
            S.StepLR(o, step_size=5, gamma=0.5)], milestones=[4]), 20)}
    # A warm-up written as a lambda, to check the closed form independently of SequentialLR.
    cases["sched_warmup_lambda"] = {
        "base_lr": 0.1, "warmup": 8.0, "start_factor": 0.0,
        "lr": lr_sequence(lambda o: S.LambdaLR(o, lambda t: min(1.0, t / 8)), 12)}
    return cases


if __name__ == "__main__":
    import warnings
    warnings.filterwarnings("ignore")
    cases = {"initial": {f"p{k}": p for k, p in enumerate(INITIAL)}}
    for k in range(len(SHAPES)):
        cases["gradients"] = cases.get("gradients", {})
        cases["gradients"][f"p{k}"] = torch.stack([GRADS[t][k] for t in range(STEPS)])
    cases["gradients"]["steps"] = float(STEPS)
    cases.update(optimizer_cases())
    cases.update(clip_cases())
    cases.update(schedule_cases())
    dump("optim", cases)
