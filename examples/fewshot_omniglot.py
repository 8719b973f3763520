"""Few-shot learning on Omniglot with MAML: meta-train, adapt to a new task, evaluate.

Run from the repository root (the Omniglot zips are found through
``$AUTOMETA_DATA_DIR`` or ``../shared/data/omniglot``)::

    python examples/fewshot_omniglot.py --steps 100          # about 5 minutes on a 2-core CPU
    python examples/fewshot_omniglot.py --steps 5000 --device cuda

One meta-update (32 tasks of 5-way 1-shot) took 2.7 s on this project's 2-core CPU
beside another CPU-bound process: 100 steps are about 5 minutes there, 1,000 most of an
hour; the progress bar shows the time left.

A GPU reaches about 95% 5-way 1-shot accuracy on held-out characters in a few
minutes (see docs/benchmarks.md, "MAML"); a short CPU run shows the mechanics.
"""

from __future__ import annotations

import argparse

from autometa.maml import MAML
from autometa.tasks import TaskRegistry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--checkpoint", default="runs/omniglot-maml.pt")
    args = parser.parse_args()

    # the registry hands out few-shot families as well as tabular tasks
    family = TaskRegistry().family("omniglot", ways=5, shots=1, queries=15)
    print(family, {split: family.n_classes(split) for split in family.splits})

    learner = MAML(inner_lr=0.4, inner_steps=1, eval_inner_steps=3, device=args.device, seed=0)
    learner.meta_train(family, steps=args.steps, meta_batch_size=32, progress=True,
                       checkpoint=args.checkpoint, resume=True)

    # adapt to one new task of held-out characters and classify its query images
    task = family.sample(1, split="test", seed=7)
    adapted = learner.adapt(task)
    predicted = adapted.predict(task.query_x[0]).cpu()
    print("one held-out task, query accuracy:", float((predicted == task.query_y[0]).float().mean()))

    for shots in (1, 5):
        result = learner.evaluate(family.with_options(shots=shots), episodes=200, split="test")
        print(f"5-way {shots}-shot on held-out characters: {result}")


if __name__ == "__main__":
    main()
