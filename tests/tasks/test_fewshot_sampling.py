"""Episode sampling: N distinct classes, K shots, queries disjoint from the support set."""

from __future__ import annotations

import pytest
import torch

from autometa.exceptions import DataError
from autometa.tasks.fewshot import FAMILY_NAMES, Episode, make_family
from autometa.tasks.fewshot._base import n_way_k_shot_indices, split_items


def test_indices_give_distinct_classes_and_examples() -> None:
    gen = torch.Generator().manual_seed(0)
    classes, examples = n_way_k_shot_indices(12, 7, n_tasks=50, ways=5, n_examples=6, generator=gen)
    assert classes.shape == (50, 5) and examples.shape == (50, 5, 6)
    for task in range(50):
        assert len(set(classes[task].tolist())) == 5
        assert int(classes[task].max()) < 12
        for c in range(5):
            assert len(set(examples[task, c].tolist())) == 6  # support (first K) and query never overlap
    # every class gets drawn
    assert set(classes.flatten().tolist()) == set(range(12))


def test_indices_refuse_impossible_requests() -> None:
    gen = torch.Generator()
    with pytest.raises(DataError, match="5-way"):
        n_way_k_shot_indices(4, 20, 1, ways=5, n_examples=2, generator=gen)
    with pytest.raises(DataError, match="examples per class"):
        n_way_k_shot_indices(10, 5, 1, ways=5, n_examples=6, generator=gen)


def test_split_is_disjoint_covering_and_seeded() -> None:
    items = [f"c{i}" for i in range(50)]
    a = split_items(items, (0.7, 0.1, 0.2), seed=0)
    assert sorted(a["train"] + a["val"] + a["test"]) == sorted(items)
    assert not set(a["train"]) & set(a["test"]) and not set(a["val"]) & set(a["test"])
    assert (len(a["train"]), len(a["val"]), len(a["test"])) == (35, 5, 10)
    assert a == split_items(items, (0.7, 0.1, 0.2), seed=0)
    assert a != split_items(items, (0.7, 0.1, 0.2), seed=1)


def test_sinusoid_episodes_follow_one_sine_per_task() -> None:
    family = make_family("sinusoid", shots=5, queries=7)
    ep = family.sample(3, seed=0)
    assert ep.support_x.shape == (3, 5, 1) and ep.query_y.shape == (3, 7) and ep.ways is None
    assert float(ep.support_y.abs().max()) <= 5.0
    assert torch.equal(ep.support_x, family.sample(3, seed=0).support_x)
    assert not torch.equal(ep.support_x, family.sample(3, seed=1).support_x)


def test_episode_slicing_and_concat() -> None:
    ep = make_family("sinusoid").sample(4, seed=0)
    assert len(ep[0]) == 1 and len(ep[1:3]) == 2
    assert len(Episode.concat([ep, ep])) == 8
    assert [len(c) for c in ep.chunks(3)] == [3, 1]


def test_tabular_family_draws_n_way_k_shot_from_registry_tasks() -> None:
    from autometa.tasks import TaskRegistry

    reg = TaskRegistry()
    for name in ("sklearn:iris", "sklearn:wine"):
        reg.register(name)
    family = reg.family("tabular", ways=2, shots=3, queries=4, n_features=8, fractions=(1, 0, 0))
    ep = family.sample(10, seed=0)
    assert ep.support_x.shape == (10, 6, 8) and ep.query_x.shape == (10, 8, 8)
    assert ep.support_y[0].tolist() == [0, 0, 0, 1, 1, 1]
    for t in range(10):  # no query row repeats a support row
        rows = {tuple(r.tolist()) for r in ep.support_x[t]}
        assert not rows & {tuple(r.tolist()) for r in ep.query_x[t]}
    three = reg.family("tabular", ways=3, shots=2, queries=2, fractions=(1, 0, 0)).sample(5, seed=0)
    assert three.support_y.max() == 2


def test_unknown_family_and_names() -> None:
    assert FAMILY_NAMES == ("omniglot", "sinusoid", "tabular", "bandit")
    with pytest.raises(DataError, match="Unknown few-shot family"):
        make_family("mnist")
    with pytest.raises(DataError, match="'split'"):
        make_family("sinusoid").sample(2, split="holdout")
    with pytest.raises(DataError, match="'split'"):
        make_family("bandit").sample(2, split="holdout")
    with pytest.raises(DataError, match="'arms'"):
        make_family("bandit", arms=1)
    with pytest.raises(DataError, match="'shots'"):
        make_family("sinusoid", shots=0)
