"""Benchmarks of :mod:`autometa.maml`: meta-training throughput against peers, gradients, accuracy.

Four commands::

    python benchmarks/maml.py throughput [--device cpu|cuda] [--iters 10] [--json FILE]
    python benchmarks/maml.py compare    [--device cpu|cuda] [--rounds 5] [--threads 1]
    python benchmarks/maml.py gradcheck  [--device cpu|cuda]
    python benchmarks/maml.py accuracy   [--device cuda] [--algorithm maml] [--ways 5] [--shots 1]
                                         [--steps 3000] [--all-runs] [--json FILE]

``throughput`` times meta-training steps of the standard Omniglot conv net (four
3x3 conv blocks of 64 filters, batch norm, 5-way 1-shot, 15 queries per class,
meta-batch 32) with 1 and 5 inner steps, second and first order: ours (loop and
vmap strategies, and bfloat16 autocast on CUDA) against ``higher`` 0.2.1 and, when
it imports, learn2learn. Inputs are random 28x28 images (speed does not depend on
the pixels). On the CPU each configuration runs in a fresh process so that its
peak memory (VmHWM) is its own; on CUDA the peak allocated GPU memory is reported.

``compare`` alternates one meta-training step of ours (the strategy ``auto``
picks for the device) with one of each peer, and reports median tasks/s and the
ratio: on a machine shared with other jobs this is fairer than timing each
implementation in its own stretch of time.

``gradcheck`` computes the meta-gradient of one fixed batch with ours and with
``higher`` (float64 on CPU, float32 on CUDA) and prints the largest difference.

``accuracy`` meta-trains on the Omniglot train split and reports query accuracy on
held-out characters (test split) for 1 and 5 shots with a 95% interval, and with
``--all-runs`` (then trained on every background character) the error over the 20
runs of the 20-way one-shot benchmark in ``all_runs.zip``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WAYS, SHOTS, QUERIES, META_BATCH = 5, 1, 15, 32
CONFIGS = [(1, False), (5, False), (1, True), (5, True)]  # (inner steps, first order)


def _torch():  # noqa: ANN202 - the module
    import torch

    return torch


def _episode(device: str, dtype: Any = None, seed: int = 0, tasks: int = META_BATCH):  # noqa: ANN202
    torch = _torch()
    from autometa.tasks.fewshot import Episode

    gen = torch.Generator().manual_seed(seed)
    dtype = dtype or torch.float32
    labels = torch.arange(WAYS)
    ep = Episode(torch.rand(tasks, WAYS * SHOTS, 1, 28, 28, generator=gen, dtype=dtype),
                 labels.repeat_interleave(SHOTS).expand(tasks, -1).contiguous(),
                 torch.rand(tasks, WAYS * QUERIES, 1, 28, 28, generator=gen, dtype=dtype),
                 labels.repeat_interleave(QUERIES).expand(tasks, -1).contiguous(), ways=WAYS, shots=SHOTS)
    return ep.to(device)


def _our_learner(device: str, strategy: str, amp: bool, steps: int, first_order: bool, dtype: Any = None):  # noqa: ANN202
    from autometa.maml import MAML, ConvNet

    torch = _torch()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = ConvNet(1, WAYS)
    if dtype is not None:
        model = model.to(dtype)
    learner = MAML(model, inner_lr=0.4, inner_steps=steps, first_order=first_order, device=device,
                   strategy=strategy, amp=amp, seed=0)
    return learner._setup(kind="classification", input_shape=(1, 28, 28), n_outputs=WAYS,
                          family_spec={"name": "omniglot"})


def _peer_model(learner: Any):  # noqa: ANN202
    """Our conv net with torch's BatchNorm2d (no running statistics) in place of ours: same weights."""
    from torch import nn

    from autometa.maml import TaskBatchNorm

    model = copy.deepcopy(learner.model_)
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, TaskBatchNorm):
                bn = nn.BatchNorm2d(child.weight.numel(), track_running_stats=False)
                bn.load_state_dict(child.state_dict())
                setattr(module, name, bn.to(child.weight.device, child.weight.dtype))
    return model


class HigherStep:
    """A meta-training step written the way higher's MAML example does it: a loop over tasks."""

    def __init__(self, model: Any, steps: int, first_order: bool, lr: float = 0.4) -> None:
        torch = _torch()
        self.model, self.steps, self.first_order = model, steps, first_order
        self.inner_opt = torch.optim.SGD(model.parameters(), lr=lr)
        self.meta_opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def gradient(self, ep: Any) -> None:
        import higher
        import torch.nn.functional as F

        n = len(ep)
        callback = (lambda grads: [g.detach() for g in grads]) if self.first_order else None
        for t in range(n):
            with higher.innerloop_ctx(self.model, self.inner_opt, copy_initial_weights=False) as (fmodel, diffopt):
                for _ in range(self.steps):
                    diffopt.step(F.cross_entropy(fmodel(ep.support_x[t]), ep.support_y[t]), grad_callback=callback)
                (F.cross_entropy(fmodel(ep.query_x[t]), ep.query_y[t]) / n).backward()

    def __call__(self, ep: Any) -> None:
        self.meta_opt.zero_grad(set_to_none=True)
        self.gradient(ep)
        self.meta_opt.step()


class L2LStep:
    """learn2learn's MAML wrapper (clone + adapt per task), as its examples use it."""

    def __init__(self, model: Any, steps: int, first_order: bool, lr: float = 0.4) -> None:
        import learn2learn as l2l
        torch = _torch()

        self.maml = l2l.algorithms.MAML(model, lr=lr, first_order=first_order)
        self.steps = steps
        self.meta_opt = torch.optim.Adam(self.maml.parameters(), lr=1e-3)

    def __call__(self, ep: Any) -> None:
        import torch.nn.functional as F

        self.meta_opt.zero_grad(set_to_none=True)
        n = len(ep)
        for t in range(n):
            learner = self.maml.clone()
            for _ in range(self.steps):
                learner.adapt(F.cross_entropy(learner(ep.support_x[t]), ep.support_y[t]))
            (F.cross_entropy(learner(ep.query_x[t]), ep.query_y[t]) / n).backward()
        self.meta_opt.step()


def _memory_now() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB, from /proc."""
    fields = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value
    def mib(key: str) -> float:
        return float(fields.get(key, "0 kB").split()[0]) / 1024
    return mib("VmRSS"), mib("VmHWM")


def run_one(impl: str, device: str, steps: int, first_order: bool, iters: int, warmup: int) -> dict[str, Any]:
    """Time ``iters`` meta-training steps of one implementation; returns tasks/s and memory."""
    torch = _torch()
    ep = _episode(device)
    if impl in ("higher", "learn2learn"):
        base = _our_learner(device, "loop", False, steps, first_order)
        model = _peer_model(base)
        del base
        step = HigherStep(model, steps, first_order) if impl == "higher" else L2LStep(model, steps, first_order)
    else:
        strategy, _, amp = impl.partition("+")
        learner = _our_learner(device, strategy.replace("ours-", ""), amp == "amp", steps, first_order)
        step = learner.meta_step
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    rss_before, _ = _memory_now()
    for _ in range(warmup):
        step(ep)
    sync()
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(iters):
        step(ep)
    sync()
    elapsed = time.perf_counter() - start
    _, peak = _memory_now()
    out = {"impl": impl, "device": device, "inner_steps": steps, "order": "first" if first_order else "second",
           "tasks_per_s": iters * len(ep) / elapsed, "step_ms": 1000 * elapsed / iters}
    if device.startswith("cuda"):
        out["gpu_peak_mib"] = torch.cuda.max_memory_allocated() / 2**20
    else:
        out["peak_rss_mib"] = peak
        out["rss_growth_mib"] = peak - rss_before
    return out


def _available_peers() -> list[str]:
    peers = []
    for name, module in (("higher", "higher"), ("learn2learn", "learn2learn")):
        try:
            __import__(module)
            peers.append(name)
        except Exception as exc:  # noqa: BLE001 - any failure to import means the peer is unavailable
            print(f"# {name}: not available ({type(exc).__name__}: {exc})", file=sys.stderr)
    return peers


def throughput(args: argparse.Namespace) -> list[dict[str, Any]]:
    torch = _torch()
    device = args.device
    ours = ["ours-loop", "ours-vmap"] + (["ours-vmap+amp", "ours-loop+amp"] if device.startswith("cuda") else [])
    impls = (args.impls.split(",") if args.impls else ours + _available_peers())
    results = []
    for steps, first_order in CONFIGS:
        for impl in impls:
            if device == "cpu" and not args.in_process:  # a fresh process: peak memory of this config alone
                cmd = [sys.executable, __file__, "one", impl, device, str(steps), str(int(first_order)),
                       str(args.iters), str(args.warmup), str(args.threads)]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    print(f"# {impl} failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                    continue
                row = json.loads(proc.stdout.strip().splitlines()[-1])
            else:
                row = run_one(impl, device, steps, first_order, args.iters, args.warmup)
                if device.startswith("cuda"):
                    torch.cuda.empty_cache()
            results.append(row)
            print(json.dumps(row), flush=True)
    _print_table(results)
    return results


def _print_table(results: list[dict[str, Any]]) -> None:
    mem_key = "gpu_peak_mib" if any("gpu_peak_mib" in r for r in results) else "peak_rss_mib"
    print(f"\n| inner steps | order | implementation | tasks/s | ms/step | {mem_key} |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['inner_steps']} | {r['order']} | {r['impl']} | {r['tasks_per_s']:.1f} | {r['step_ms']:.1f} "
              f"| {r.get(mem_key, float('nan')):.0f} |")


def compare(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Ours against each peer, one step of each in turn, so that a busy machine slows both alike.

    Reports the median tasks/s of each over ``--rounds`` rounds and their ratio.
    """
    import statistics

    torch = _torch()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = args.device
    ep = _episode(device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    rows = []
    for steps, first_order in CONFIGS:
        ours = _our_learner(device, "auto", False, steps, first_order)
        impls: dict[str, Any] = {f"ours-{ours.strategy_}": ours.meta_step}
        for peer in _available_peers():
            model = _peer_model(ours)
            impls[peer] = HigherStep(model, steps, first_order) if peer == "higher" else L2LStep(
                model, steps, first_order)
        times: dict[str, list[float]] = {k: [] for k in impls}
        for fn in impls.values():
            fn(ep)  # warm-up
        for _ in range(args.rounds):
            for name, fn in impls.items():
                sync()
                start = time.perf_counter()
                fn(ep)
                sync()
                times[name].append(time.perf_counter() - start)
        rates = {k: len(ep) / statistics.median(v) for k, v in times.items()}
        ours_name = next(iter(impls))
        for name, rate in rates.items():
            row = {"impl": name, "device": device, "inner_steps": steps, "order": "first" if first_order else "second",
                   "tasks_per_s": rate, "step_ms": 1000 * len(ep) / rate, "ratio_ours_over_this": rates[ours_name] / rate}
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("\n| inner steps | order | implementation | median tasks/s | ours / this |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['inner_steps']} | {r['order']} | {r['impl']} | {r['tasks_per_s']:.2f} | {r['ratio_ours_over_this']:.2f} |")
    return rows


def gradcheck(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Ours against higher on one fixed batch (the same weights and inputs)."""
    torch = _torch()
    dtype = torch.float64 if args.device == "cpu" else torch.float32
    # TF32 convolutions (the CUDA default) would dominate the differences in float32
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    rows = []
    for steps, first_order in CONFIGS:
        learner = _our_learner(args.device, "vmap", False, steps, first_order, dtype=dtype)
        ep = _episode(args.device, dtype=dtype, tasks=8)
        ours = learner.meta_gradient(ep)
        peer_model = _peer_model(learner)
        HigherStep(peer_model, steps, first_order).gradient(ep)
        diff = max(float((ours[n] - p.grad).abs().max()) for n, p in peer_model.named_parameters())
        scale = max(float(p.grad.abs().max()) for p in peer_model.parameters())
        loop = _our_learner(args.device, "loop", False, steps, first_order, dtype=dtype).meta_gradient(ep)
        loop_diff = max(float((ours[n] - loop[n]).abs().max()) for n in ours)
        row = {"inner_steps": steps, "order": "first" if first_order else "second", "dtype": str(dtype),
               "max_abs_diff_vs_higher": diff, "max_abs_grad": scale, "max_abs_diff_vmap_vs_loop": loop_diff}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def accuracy(args: argparse.Namespace) -> dict[str, Any]:
    """Meta-train on Omniglot, then evaluate on held-out characters (and all_runs)."""
    torch = _torch()
    from autometa.maml import make_learner
    from autometa.tasks.fewshot import load_all_runs, make_family

    fractions = (0.9, 0.1, 0.0) if args.all_runs else (0.7, 0.1, 0.2)
    family = make_family("omniglot", ways=args.ways, shots=args.shots, queries=args.queries,
                         data_dir=args.data_dir, fractions=fractions, device=None)
    learner = make_learner(args.algorithm, inner_lr=args.inner_lr, inner_steps=args.inner_steps,
                           eval_inner_steps=args.eval_inner_steps, outer_lr=args.outer_lr,
                           first_order=args.first_order, device=args.device, seed=args.seed)
    start = time.perf_counter()
    learner.meta_train(family, steps=args.steps, meta_batch_size=args.meta_batch, progress=args.progress,
                       checkpoint=args.checkpoint, checkpoint_every=max(args.steps // 4, 1), log_every=50,
                       time_budget=args.time_budget)
    train_s = time.perf_counter() - start
    out: dict[str, Any] = {"algorithm": args.algorithm, "ways": args.ways, "shots": args.shots,
                           "steps": learner.step_, "meta_batch": args.meta_batch, "inner_steps": args.inner_steps,
                           "eval_inner_steps": learner.eval_inner_steps_, "train_seconds": train_s,
                           "train_classes": family.n_classes("train"), "device": str(learner.device_),
                           "last_log": learner.history_[-1] if learner.history_ else None}
    print(json.dumps(out, default=float), flush=True)
    if args.all_runs:
        runs = load_all_runs(args.data_dir)
        result = learner.evaluate(runs)
        out["all_runs_error"] = 1 - result.mean
        out["all_runs_errors_per_run"] = [1 - v for v in result.values.tolist()]
        if args.algorithm != "protonet" and args.ways != 20:
            out["note"] = "all_runs needs a 20-way model"
    else:
        for shots in sorted({args.shots, 1, 5}):
            fam = family if shots == args.shots else family.with_options(shots=shots)
            result = learner.evaluate(fam, episodes=args.eval_episodes, split="test", seed=123)
            out[f"test_{args.ways}way_{shots}shot"] = result.to_dict()
            print(json.dumps({f"test_{args.ways}way_{shots}shot": result.to_dict()}), flush=True)
        out["test_classes"] = family.n_classes("test")
    print(json.dumps(out, default=float), flush=True)
    del torch
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "one":  # a child process of `throughput` on the CPU
        impl, device, steps, first, iters, warmup, threads = argv[1:8]
        if int(threads) > 0:
            _torch().set_num_threads(int(threads))
        print(json.dumps(run_one(impl, device, int(steps), bool(int(first)), int(iters), int(warmup))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("throughput")
    p.add_argument("--device", default="cuda" if _torch().cuda.is_available() else "cpu")
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="torch threads on the CPU (0: torch's default)")
    p.add_argument("--impls", default="", help="comma-separated subset (ours-loop, ours-vmap, ours-vmap+amp, "
                                               "higher, learn2learn)")
    p.add_argument("--in-process", action="store_true")
    p.add_argument("--json", default=None)
    c = sub.add_parser("compare")
    c.add_argument("--device", default="cuda" if _torch().cuda.is_available() else "cpu")
    c.add_argument("--rounds", type=int, default=5)
    c.add_argument("--threads", type=int, default=0)
    c.add_argument("--json", default=None)
    g = sub.add_parser("gradcheck")
    g.add_argument("--device", default="cpu")
    g.add_argument("--json", default=None)
    a = sub.add_parser("accuracy")
    a.add_argument("--device", default="auto")
    a.add_argument("--algorithm", default="maml")
    a.add_argument("--ways", type=int, default=5)
    a.add_argument("--shots", type=int, default=1)
    a.add_argument("--queries", type=int, default=15)
    a.add_argument("--steps", type=int, default=3000)
    a.add_argument("--meta-batch", type=int, default=32)
    a.add_argument("--inner-lr", type=float, default=None)
    a.add_argument("--inner-steps", type=int, default=1)
    a.add_argument("--eval-inner-steps", type=int, default=None)
    a.add_argument("--outer-lr", type=float, default=None)
    a.add_argument("--first-order", action="store_true")
    a.add_argument("--eval-episodes", type=int, default=600)
    a.add_argument("--all-runs", action="store_true")
    a.add_argument("--time-budget", type=float, default=None, help="stop training after this many seconds")
    a.add_argument("--data-dir", default=None)
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--checkpoint", default=None)
    a.add_argument("--progress", action="store_true")
    a.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    torch = _torch()
    header = {"python": platform.python_version(), "torch": torch.__version__, "cpu_count": os.cpu_count(),
              "threads": torch.get_num_threads(),
              "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
              "loadavg": os.getloadavg()}
    print("#", json.dumps(header), flush=True)
    result = {"throughput": throughput, "compare": compare, "gradcheck": gradcheck,
              "accuracy": accuracy}[args.command](args)
    if args.json:
        Path(args.json).write_text(json.dumps({"header": header, "result": result}, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
