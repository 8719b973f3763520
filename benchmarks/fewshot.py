"""Few-shot learners on Omniglot at a stated training time: accuracy on held-out characters, tasks/s, memory.

For each algorithm: meta-train on the Omniglot train split (5-way 1-shot, 15 queries
per class) for ``--minutes`` of wall-clock time on ``--device`` (checkpointed, so a
run that is stopped resumes with the same command), then evaluate on the test split's
held-out characters, 5-way 1-shot and 20-way 1-shot, ``--episodes`` tasks each, mean
accuracy with a 95 % interval. Prints one line per algorithm and appends JSON lines
to ``--out``; peak memory is the process's (``ru_maxrss``), so run one algorithm per
process for a clean figure.

    python benchmarks/fewshot.py --algorithms matching --minutes 30 --device cpu
    python benchmarks/fewshot.py --algorithms matching relation protonet --minutes 30 --device cuda
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    import torch

    from autometa.maml import make_learner
    from autometa.tasks import TaskRegistry

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--algorithms", nargs="+", default=["matching", "relation"])
    parser.add_argument("--minutes", type=float, default=30.0, help="meta-training wall-clock time per algorithm")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--meta-batch", type=int, default=16)
    parser.add_argument("--train-ways", type=int, default=5, help="classes per training task (higher-way training: "
                        "Snell et al. 2017); evaluation is 5-way and 20-way")
    parser.add_argument("--queries", type=int, default=15, help="query examples per class while meta-training "
                        "(evaluation always uses 15)")
    parser.add_argument("--episodes", type=int, default=600, help="test tasks per evaluation")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--checkpoints", default="runs/fewshot", help="folder of the resumable checkpoints")
    parser.add_argument("--out", default="runs/fewshot.jsonl")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print("python benchmarks/fewshot.py " + " ".join(sys.argv[1:] if argv is None else argv))
    print(f"torch {torch.__version__}, {args.device}, {torch.get_num_threads()} threads, {platform.processor()}")
    family = TaskRegistry().family("omniglot", ways=5, shots=1, queries=15)
    training = family.with_options(queries=args.queries, ways=args.train_ways)
    Path(args.checkpoints).mkdir(parents=True, exist_ok=True)
    for algorithm in args.algorithms:
        ckpt = Path(args.checkpoints) / (f"{algorithm}-{args.train_ways}w1s-q{args.queries}-b{args.meta_batch}-"
                                         f"{args.device}.pt")
        learner = make_learner(algorithm, device=args.device, seed=0)
        start = time.perf_counter()
        learner.meta_train(training, steps=10**7, meta_batch_size=args.meta_batch, checkpoint=ckpt, resume=True,
                           time_budget=args.minutes * 60.0, checkpoint_every=200)
        train_s = time.perf_counter() - start
        rates = [h["tasks_per_s"] for h in learner.history_ if "tasks_per_s" in h]
        row = {"algorithm": algorithm, "device": args.device, "minutes": args.minutes, "steps": learner.step_,
               "meta_batch": args.meta_batch, "train_ways": args.train_ways, "train_queries": args.queries, "threads": torch.get_num_threads(), "train_s_this_run": round(train_s, 1),
               "tasks_per_s": round(sorted(rates)[len(rates) // 2], 2) if rates else None}
        shown = []
        for ways in (5, 20):
            if getattr(learner, "fixed_ways", False) and ways != args.train_ways:
                shown.append(f"{ways}-way 1-shot n/a (its output layer has the training tasks' {args.train_ways} ways)")
                continue
            result = learner.evaluate(family.with_options(ways=ways), episodes=args.episodes, split="test")
            row[f"{ways}way_1shot"] = round(result.mean, 4)
            row[f"{ways}way_1shot_ci95"] = round(result.ci95, 4)
            shown.append(f"{ways}-way 1-shot {100 * result.mean:.1f} % +- {100 * result.ci95:.1f}")
        row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(f"{algorithm}: {learner.step_} meta-updates of {args.meta_batch} tasks "
              f"({row['tasks_per_s']} tasks/s); {', '.join(shown)} ({args.episodes} held-out tasks each); "
              f"peak memory {row['peak_rss_mb']} MB", flush=True)
        with open(args.out, "a") as fh:
            fh.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
