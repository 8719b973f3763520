"""The Omniglot family reads the zips; the 20-way benchmark loads (skipped without the data)."""

from __future__ import annotations

import torch

from autometa.tasks.fewshot import load_all_runs, make_family


def test_omniglot_reads_the_zips_and_splits_characters(omniglot_dir) -> None:
    family = make_family("omniglot", data_dir=omniglot_dir, ways=5, shots=1, queries=3)
    n_chars = len(family.character_names)
    assert n_chars == 292  # the two small background splits
    parts = family.characters
    assert sum(len(v) for v in parts.values()) == n_chars
    assert not set(parts["train"]) & set(parts["test"])
    assert family.n_classes("train") == 4 * len(parts["train"])  # rotations are classes
    ep = family.sample(8, split="test", seed=0)
    assert ep.support_x.shape == (8, 5, 1, 28, 28) and ep.query_x.shape == (8, 15, 1, 28, 28)
    assert 0.0 <= float(ep.support_x.min()) and float(ep.support_x.max()) <= 1.0
    assert 0.02 < float(ep.support_x.mean()) < 0.3  # ink is 1, on a 0 background
    for t in range(8):
        flat_s = ep.support_x[t].flatten(1)
        flat_q = ep.query_x[t].flatten(1)
        assert not (torch.cdist(flat_s, flat_q) == 0).any()  # no drawing in both sets
        assert len({tuple(x.tolist()) for x in flat_s}) == 5


def test_all_runs_is_twenty_twenty_way_tasks(omniglot_dir) -> None:
    runs = load_all_runs(omniglot_dir)
    assert len(runs) == 20 and runs.ways == 20
    assert runs.support_x.shape == (20, 20, 1, 28, 28)
    for t in range(20):
        assert sorted(runs.query_y[t].tolist()) == list(range(20))
