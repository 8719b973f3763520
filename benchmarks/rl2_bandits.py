"""RL² against the bandit baselines: regret and reward on held-out Bernoulli bandits (Duan et al., 2016, Table 1).

For each ``ARMSxPULLS`` setting: meta-train :class:`autometa.maml.RL2` on bandits with
arms' success probabilities uniform in [0, 1] for ``--steps`` meta-updates of
``--meta-batch`` bandits (checkpointed: a stopped run resumes with the same command),
then play ``--episodes`` test bandits and the same bandits with random, greedy, UCB1,
Thompson sampling and Gittins-index play. Prints the total reward (the paper's
figure) and pseudo-regret per bandit with 95 % intervals, the training time and
tasks/s, and appends one JSON line per policy (with its mean cumulative-regret curve)
to ``--out``.

    python benchmarks/rl2_bandits.py --settings 5x10 --steps 10000
    python benchmarks/rl2_bandits.py --settings 5x10 5x100 10x100 --steps 10000 --device cuda
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    import torch

    from autometa.maml import RL2
    from autometa.maml._bandits import BASELINES, play
    from autometa.maml._rl2 import BanditResult
    from autometa.tasks.fewshot import BanditFamily

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", nargs="+", default=["5x10"], help="ARMSxPULLS, e.g. 5x10 10x100")
    parser.add_argument("--steps", type=int, default=10_000, help="meta-updates of RL²")
    parser.add_argument("--meta-batch", type=int, default=128)
    parser.add_argument("--episodes", type=int, default=1000, help="test bandits")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--checkpoints", default="runs/rl2")
    parser.add_argument("--out", default="runs/rl2_bandits.jsonl")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print("python benchmarks/rl2_bandits.py " + " ".join(sys.argv[1:] if argv is None else argv))
    print(f"torch {torch.__version__}, {args.device}, {torch.get_num_threads()} threads, {platform.processor()}")
    Path(args.checkpoints).mkdir(parents=True, exist_ok=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    for setting in args.settings:
        arms, pulls = (int(v) for v in setting.lower().split("x"))
        family = BanditFamily(arms=arms, pulls=pulls)
        ckpt = Path(args.checkpoints) / f"rl2-{arms}x{pulls}-b{args.meta_batch}-{args.device}.pt"
        start = time.perf_counter()
        agent = RL2(device=args.device).meta_train(family, steps=args.steps, meta_batch_size=args.meta_batch,
                                                   checkpoint=ckpt, resume=True, checkpoint_every=250)
        train_s = time.perf_counter() - start
        rates = [h["tasks_per_s"] for h in agent.history_[-20:]]
        results = {"rl2": agent.evaluate(family, episodes=args.episodes, split="test", seed=0)}
        probs = family.sample(args.episodes, split="test", seed=0).numpy()
        for name in BASELINES:
            played = play(name, probs, pulls, seed=7)
            results[name] = BanditResult.from_play(played.rewards, played.regret)
        print(f"\n{arms} arms, {pulls} pulls: RL² {agent.step_} meta-updates of {args.meta_batch} bandits, "
              f"{train_s / 60:.1f} min in this call, {sum(rates) / max(len(rates), 1):.0f} bandits/s")
        print(f"{'policy':>9} {'reward':>16} {'regret':>16}")
        for name, r in sorted(results.items(), key=lambda kv: kv[1].regret):
            print(f"{name:>9} {r.reward:8.3f} ± {r.reward_ci95:5.3f} {r.regret:8.3f} ± {r.regret_ci95:5.3f}")
            row = {"setting": f"{arms}x{pulls}", "policy": name, **r.to_dict(),
                   "steps": agent.step_ if name == "rl2" else 0,
                   "train_s_this_call": round(train_s, 1) if name == "rl2" else 0.0,
                   "device": args.device, "threads": args.threads,
                   "regret_curve": [round(float(v), 4) for v in r.regret_curve]}
            with open(args.out, "a") as fh:
                fh.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
