"""``autometa maml train|evaluate``: meta-train few-shot networks and evaluate checkpoints.

Examples
--------
::

    autometa maml train --family omniglot --algorithm maml --ways 5 --shots 1 --steps 3000 \\
        --checkpoint runs/omniglot.pt
    autometa maml train ... --checkpoint runs/omniglot.pt --resume      # continue a run
    autometa maml evaluate runs/omniglot.pt --episodes 600 --shots 5
    autometa maml evaluate runs/omniglot20.pt --all-runs               # Lake et al.'s 20-way benchmark
    autometa maml train --family bandit --algorithm rl2 --arms 5 --pulls 10 --steps 3000 \
        --checkpoint runs/rl2.pt                                       # RL² against the bandit baselines
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "train", "evaluate"]

#: default meta-updates by device: Omniglot MAML at meta-batch 32 took 2.7 s a step on this project's 2-core CPU
#: (beside another CPU-bound process), so 1,000 steps are most of an hour there and minutes on a GPU
GPU_STEPS, CPU_STEPS = 1000, 100

_ALGORITHMS = ("maml", "fomaml", "reptile", "anil", "metasgd", "protonet", "matching", "relation", "mann", "metalstm",
               "rl2")
_FAMILIES = ("omniglot", "sinusoid", "tabular", "bandit")
#: RL²'s default meta-updates (of 128 bandits each; on this project's 2-core CPU about 30 a second for 5 arms and
#: 10 pulls)
RL2_STEPS = 3000


def register(subparsers: Any) -> None:
    """Add ``maml train`` and ``maml evaluate`` to the ``autometa`` parser."""
    parser = subparsers.add_parser("maml", help="meta-train and evaluate few-shot networks (torch)",
                                   description="Meta-learning for few-shot tasks: MAML, first-order MAML, "
                                   "Reptile, ANIL, Meta-SGD, Prototypical, Matching and Relation Networks, "
                                   "MANN, the LSTM meta-learner; RL² on bandits.")
    sub = parser.add_subparsers(dest="maml_command", metavar="{train,evaluate}")

    t = sub.add_parser("train", help="meta-train on a few-shot family",
                       description="Meta-train on a few-shot family, with a progress bar, checkpoints and "
                       "--resume; prints the test accuracy (or MSE) with a 95% interval at the end.")
    t.add_argument("--family", choices=_FAMILIES, default="omniglot", help="task family (default omniglot)")
    t.add_argument("--algorithm", choices=_ALGORITHMS, default="maml", help="meta-learning algorithm (default maml)")
    _family_options(t)
    t.add_argument("--steps", type=int, default=None,
                   help=f"meta-updates in all (default: {GPU_STEPS} on a GPU, {CPU_STEPS} on a CPU, where one "
                        "5-way 1-shot Omniglot MAML meta-update of 32 tasks took 2-3 s on 2 cores)")
    t.add_argument("--meta-batch", type=int, default=32, help="tasks per meta-update (default 32)")
    t.add_argument("--inner-lr", type=float, default=None, help="inner step size (default: by family)")
    t.add_argument("--inner-steps", type=int, default=1, help="adaptation steps per task while meta-training (default 1)")
    t.add_argument("--eval-inner-steps", type=int, default=None,
                   help="adaptation steps at evaluation (default: by family)")
    t.add_argument("--outer-lr", type=float, default=None, help="meta-optimiser (Adam) step size (default: by family)")
    t.add_argument("--first-order", action="store_true", help="drop second-order terms")
    t.add_argument("--strategy", choices=("auto", "vmap", "loop"), default="auto",
                   help="tasks of a meta-batch vectorised (vmap) or one by one (loop); auto picks (default)")
    t.add_argument("--amp", choices=("on", "off"), default="off",
                   help="bfloat16 autocast on CUDA (default off: slower for second order on an H100)")
    t.add_argument("--seed", type=int, default=0, help="seed of weights and episodes (default 0)")
    t.add_argument("--checkpoint", type=Path, default=None, help="checkpoint file to write (and resume from)")
    t.add_argument("--checkpoint-every", type=int, default=500, help="meta-updates between checkpoints (default 500)")
    t.add_argument("--resume", action="store_true", help="continue from --checkpoint if it exists")
    t.add_argument("--eval-episodes", type=int, default=600, help="test tasks evaluated at the end (0: none)")
    _bandit_options(t)
    _common(t)
    t.set_defaults(func=train)

    e = sub.add_parser("evaluate", help="evaluate a checkpoint on held-out tasks",
                       description="Adapt a meta-trained checkpoint to held-out tasks and print the mean "
                       "query accuracy (or MSE) with a 95% interval.")
    e.add_argument("checkpoint", type=Path, help="checkpoint file written by `autometa maml train`")
    e.add_argument("--episodes", type=int, default=600, help="held-out tasks evaluated (default 600)")
    e.add_argument("--split", choices=("train", "val", "test"), default="test", help="split the tasks come from (default test)")
    e.add_argument("--ways", type=int, default=None, help="override the checkpoint's family")
    e.add_argument("--shots", type=int, default=None, help="override the checkpoint's support examples per class")
    e.add_argument("--queries", type=int, default=None, help="override the checkpoint's query examples per class")
    e.add_argument("--inner-steps", type=int, default=None, help="adaptation steps (default: the checkpoint's)")
    e.add_argument("--all-runs", action="store_true", help="the 20-way one-shot benchmark (all_runs.zip)")
    e.add_argument("--data-dir", default=None, help="Omniglot or PMLB folder (default: the checkpoint's, else $AUTOMETA_DATA_DIR)")
    e.add_argument("--seed", type=int, default=0, help="seed of the episodes (default 0)")
    e.add_argument("--baselines", action="store_true",
                   help="RL² checkpoints: also play random, greedy, UCB1, Thompson and Gittins on the same bandits")
    _common(e)
    e.set_defaults(func=evaluate)
    parser.set_defaults(func=lambda args: (parser.print_help(), 0)[1])


def _family_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ways", type=int, default=None, help="classes per task (default 5; tabular 2)")
    p.add_argument("--shots", type=int, default=None, help="support examples per class")
    p.add_argument("--queries", type=int, default=None, help="query examples per class")
    p.add_argument("--data-dir", default=None, help="Omniglot or PMLB folder (default: $AUTOMETA_DATA_DIR)")


def _bandit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arms", type=int, default=5, help="bandit family: arms per task (default 5)")
    p.add_argument("--pulls", type=int, default=10, help="bandit family: pulls per task (default 10)")
    p.add_argument("--baselines", action="store_true",
                   help="rl2: also play random, greedy, UCB1, Thompson and Gittins on the same test bandits")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default="auto", help="auto (CUDA when available), cpu, cuda, cuda:N")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _family(name: str, args: argparse.Namespace, spec: dict[str, Any] | None = None) -> Any:
    from autometa.tasks.fewshot import make_family

    kwargs: dict[str, Any] = dict(spec or {})
    kwargs.pop("name", None)
    for key in ("ways", "shots", "queries"):
        value = getattr(args, key, None)
        if value is not None:
            kwargs[key] = value
    if name == "sinusoid":
        kwargs.pop("ways", None)
    if getattr(args, "data_dir", None) is not None or (name != "sinusoid" and "data_dir" in kwargs):
        kwargs["data_dir"] = getattr(args, "data_dir", None) or kwargs.get("data_dir")
    if name == "tabular":
        from autometa.tasks import TaskRegistry

        registry = TaskRegistry.from_data_dir(kwargs.pop("data_dir", None))
        return make_family(name, registry=registry, **kwargs)
    return make_family(name, **kwargs)


def _report(result: Any, args: argparse.Namespace, extra: dict[str, Any]) -> None:
    from autometa.cli._output import print_json, print_table

    row = {**extra, **result.to_dict()}
    if args.json:
        print_json(row)
    else:
        print_table([row], title="few-shot evaluation (mean ± 95% interval)")


def train(args: argparse.Namespace) -> int:
    """Meta-train, then evaluate on the test split; returns an exit code."""
    from autometa.maml import make_learner

    if args.algorithm == "rl2" or args.family == "bandit":
        return _train_rl2(args)
    family = _family(args.family, args)
    amp = args.amp == "on"
    learner = make_learner(args.algorithm, inner_lr=args.inner_lr, inner_steps=args.inner_steps,
                           eval_inner_steps=args.eval_inner_steps, outer_lr=args.outer_lr,
                           first_order=args.first_order or args.algorithm == "fomaml", device=args.device,
                           strategy=args.strategy, amp=amp, seed=args.seed)
    steps = args.steps
    if steps is None:
        import torch

        on_gpu = str(args.device).startswith("cuda") or (args.device == "auto" and torch.cuda.is_available())
        steps = GPU_STEPS if on_gpu else CPU_STEPS
        if not args.quiet:
            print(f"{steps} meta-updates ({'GPU' if steps == GPU_STEPS else 'CPU'} default; --steps to choose); "
                  "the bar's estimate of the time left settles after a few", file=sys.stderr)
    learner.meta_train(family, steps=steps, meta_batch_size=args.meta_batch, progress=not args.quiet,
                       checkpoint=args.checkpoint, checkpoint_every=args.checkpoint_every, resume=args.resume)
    if args.checkpoint is not None and not args.quiet:
        print(f"checkpoint: {args.checkpoint}", file=sys.stderr)
    if args.eval_episodes > 0:
        result = learner.evaluate(family, episodes=args.eval_episodes, split="test", progress=not args.quiet)
        _report(result, args, {"algorithm": args.algorithm, "family": args.family, "ways": family.ways,
                               "shots": family.shots, "steps": learner.step_, "split": "test"})
    return 0


def evaluate(args: argparse.Namespace) -> int:
    """Evaluate a checkpoint; returns an exit code."""
    from autometa.exceptions import DataError
    from autometa.maml import FewShotLearner

    if not args.checkpoint.exists():
        raise DataError(f"No checkpoint at {args.checkpoint}.")
    from autometa.maml import load_checkpoint

    state = load_checkpoint(args.checkpoint)  # read once: RL² or a few-shot learner
    if state.get("algorithm") == "rl2":
        from autometa.maml import RL2

        agent = RL2.from_state(state, source=str(args.checkpoint))
        _report_bandits(agent, args, args.episodes, args.split)
        return 0
    learner = FewShotLearner.from_state(state, device=None if args.device == "auto" else args.device,
                                        source=str(args.checkpoint))
    spec = dict(learner.family_spec_)
    extra: dict[str, Any] = {"algorithm": learner.name, "family": spec.get("name"), "steps": learner.step_}
    if args.all_runs:
        from autometa.tasks.fewshot import load_all_runs

        data_dir = args.data_dir or spec.get("data_dir")
        result = learner.evaluate(load_all_runs(data_dir), steps=args.inner_steps)
        extra.update(benchmark="all_runs 20-way 1-shot", error=1 - result.mean)
    else:
        family = _family(spec["name"], args, spec)
        result = learner.evaluate(family, episodes=args.episodes, split=args.split, seed=args.seed,
                                  steps=args.inner_steps, progress=not args.quiet)
        extra.update(ways=family.ways, shots=family.shots, split=args.split)
    _report(result, args, extra)
    return 0


def _train_rl2(args: argparse.Namespace) -> int:
    """RL² on the bandit family (the only pairing either takes)."""
    from autometa.exceptions import DataError
    from autometa.maml import RL2
    from autometa.tasks.fewshot import BanditFamily

    if args.algorithm != "rl2" or args.family != "bandit":
        raise DataError("RL² plays bandits and bandits are played by RL²: pass --family bandit --algorithm rl2.")
    family = BanditFamily(arms=args.arms, pulls=args.pulls)
    steps = RL2_STEPS if args.steps is None else args.steps
    if args.steps is None and not args.quiet:
        print(f"{steps} meta-updates of {args.meta_batch} bandits (default; --steps to choose)", file=sys.stderr)
    agent = RL2(seed=args.seed, device="cpu" if args.device == "auto" else args.device,
                **({"lr": args.outer_lr} if args.outer_lr is not None else {}))
    agent.meta_train(family, steps=steps, meta_batch_size=args.meta_batch, progress=not args.quiet,
                     checkpoint=args.checkpoint, checkpoint_every=args.checkpoint_every, resume=args.resume)
    if args.checkpoint is not None and not args.quiet:
        print(f"checkpoint: {args.checkpoint}", file=sys.stderr)
    if args.eval_episodes > 0:
        _report_bandits(agent, args, args.eval_episodes, "test")
    return 0


def _report_bandits(agent: Any, args: argparse.Namespace, episodes: int, split: str) -> None:
    """RL²'s regret and reward on held-out bandits, and the baselines' on the same bandits with --baselines."""
    from autometa.cli._output import print_json, print_table
    from autometa.maml import BANDIT_BASELINES, RL2, BanditResult, play_bandits
    from autometa.tasks.fewshot import BanditFamily

    spec = dict(agent.family_spec_)
    spec.pop("name", None)
    family = BanditFamily(**spec)
    result = agent.evaluate(family, episodes=episodes, split=split, seed=args.seed)
    base = {"family": "bandit", "arms": family.arms, "pulls": family.pulls, "split": split}
    rows = [{"algorithm": RL2.name, "steps": agent.step_, **base, **result.to_dict()}]
    if args.baselines:
        probs = family.sample(episodes, split=split, seed=args.seed).numpy()
        for name in BANDIT_BASELINES:
            played = play_bandits(name, probs, family.pulls, seed=args.seed + 7)
            rows.append({"algorithm": name, "steps": 0, **base,
                         **BanditResult.from_play(played.rewards, played.regret).to_dict()})
    if args.json:
        print_json(rows if len(rows) > 1 else rows[0])
    else:
        print_table(rows, title="bandits: regret and reward per task (mean, 95% interval)")
