"""RL² and the bandit family: the update rule against a per-task reference, learning, resume, baselines, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from autometa.maml import RL2
from autometa.maml._bandits import gittins_table, play
from autometa.maml._rl2 import gae
from autometa.tasks.fewshot import BanditFamily, make_family


class _FixedBest:
    """Bandits whose third arm always pays 0.9 and the others 0.1: a policy that learns anything learns this."""

    kind, arms, pulls = "bandit", 5, 10

    def spec(self) -> dict:
        return {"name": "bandit", "arms": 5, "pulls": 10}

    def sample(self, n: int, split: str = "train", generator=None, seed=None) -> torch.Tensor:
        probs = torch.full((n, 5), 0.1)
        probs[:, 2] = 0.9
        return probs


def test_the_bandit_family_draws_uniform_arms_per_split_reproducibly():
    family = make_family("bandit", arms=4, pulls=20)
    assert isinstance(family, BanditFamily) and family.spec() == {"name": "bandit", "arms": 4, "pulls": 20}
    a, b = family.sample(2000, split="test", seed=3), family.sample(2000, split="test", seed=3)
    assert torch.equal(a, b) and a.shape == (2000, 4)
    assert not torch.equal(a, family.sample(2000, split="train", seed=3))
    assert float(a.mean()) == pytest.approx(0.5, abs=0.02) and float(a.std()) == pytest.approx(12 ** -0.5, abs=0.01)


def test_gae_matches_a_per_task_reference():
    rng = np.random.default_rng(0)
    rewards, values = rng.random((3, 7)), rng.random((3, 7))
    gamma, lam = 0.9, 0.3
    expected = np.zeros_like(rewards)
    for task in range(3):  # the textbook sum: A_t = sum_l (gamma lam)^l delta_{t+l}
        v = np.append(values[task], 0.0)
        delta = rewards[task] + gamma * v[1:] - v[:-1]
        for t in range(7):
            expected[task, t] = sum((gamma * lam) ** i * delta[t + i] for i in range(7 - t))
    got = gae(torch.tensor(rewards), torch.tensor(values), gamma, lam).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_the_batched_a2c_gradient_equals_the_gradient_of_tasks_replayed_one_by_one():
    """The vectorised rollout (all bandits in one GRU batch) against each bandit's own sequence replayed alone."""
    family = BanditFamily(arms=3, pulls=6)
    agent = RL2(hidden=16, seed=1).setup(family)
    generator = torch.Generator().manual_seed(0)
    probs = family.sample(4, generator=generator)
    played = agent.rollout(probs, generator)
    batched = torch.autograd.grad(agent.loss(played, 0.01), list(agent.policy_.parameters()))

    columns = {key: [] for key in ("logp", "value", "entropy")}
    for task in range(4):  # one task at a time, its arms and rewards replayed
        h = torch.zeros(1, 16)
        x = torch.zeros(1, 5)
        x[0, -1] = 1.0
        per = {key: [] for key in columns}
        for t in range(6):
            logits, value, h = agent.policy_(x, h)
            dist = torch.distributions.Categorical(logits=logits)
            arm = played["arm"][task, t].reshape(1)
            per["logp"].append(dist.log_prob(arm)[0])
            per["value"].append(value[0])
            per["entropy"].append(dist.entropy()[0])
            x = torch.zeros(1, 5)
            x[0, int(arm)] = 1.0
            x[0, 3] = played["reward"][task, t]
        for key in columns:
            columns[key].append(torch.stack(per[key]))
    replayed = {key: torch.stack(v) for key, v in columns.items()}
    replayed["reward"] = played["reward"]
    for key in ("logp", "value", "entropy"):
        torch.testing.assert_close(replayed[key], played[key])
    reference = torch.autograd.grad(agent.loss(replayed, 0.01), list(agent.policy_.parameters()))
    for a, b in zip(batched, reference):
        torch.testing.assert_close(a, b)


def test_rl2_learns_to_pull_the_arm_that_pays():
    agent = RL2(hidden=32, seed=0).meta_train(_FixedBest(), steps=150, meta_batch_size=64, log_every=10)
    first, last = agent.history_[0]["regret"], agent.history_[-1]["regret"]
    assert first > 4.0  # about random: 0.8 x 10 pulls x 4/5
    assert last < first / 3


def test_resuming_from_a_checkpoint_continues_the_same_run(tmp_path):
    family = BanditFamily(arms=3, pulls=5)
    straight = RL2(hidden=8, seed=2).meta_train(family, steps=6, meta_batch_size=8)
    path = tmp_path / "rl2.pt"
    RL2(hidden=8, seed=2).meta_train(family, steps=3, meta_batch_size=8, checkpoint=path)
    resumed = RL2(hidden=8, seed=2).meta_train(family, steps=6, meta_batch_size=8, checkpoint=path, resume=True)
    assert resumed.step_ == 6
    for a, b in zip(straight.policy_.parameters(), resumed.policy_.parameters()):
        torch.testing.assert_close(a, b)
    loaded = RL2.load(path)
    assert loaded.step_ == 6 and loaded.evaluate(family, episodes=20).n_episodes == 20


def test_gittins_indices_match_gittins_tables():
    # Gittins (1979) / Gittins, Glazebrook and Weber (2011): Beta(1, 1) at discount 0.9 is 0.7029, at 0.99 0.8699
    assert gittins_table(2, 0.9)[0, 0] == pytest.approx(0.7029, abs=5e-4)
    assert gittins_table(2, 0.99)[0, 0] == pytest.approx(0.8699, abs=5e-4)


def test_the_baselines_rank_as_the_literature_has_them():
    probs = np.random.default_rng(0).random((3000, 5))
    regret = {name: play(name, probs, 10, seed=1).total_regret.mean()
              for name in ("random", "ucb1", "thompson", "gittins")}
    assert regret["gittins"] < regret["thompson"] < regret["random"]
    assert regret["ucb1"] < regret["random"]
    # the expected regret of uniform play: E[max of 5 uniforms] - 1/2 = 5/6 - 1/2 per pull
    assert regret["random"] == pytest.approx(10 * (5 / 6 - 0.5), rel=0.03)


def test_the_cli_trains_rl2_and_prints_it_beside_the_baselines_as_json(tmp_path, capsys):
    from autometa.cli import main

    ckpt = tmp_path / "rl2.pt"
    assert main(["maml", "train", "--family", "bandit", "--algorithm", "rl2", "--arms", "3", "--pulls", "5",
                 "--steps", "3", "--meta-batch", "8", "--eval-episodes", "40", "--baselines", "--json", "--quiet",
                 "--checkpoint", str(ckpt)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["algorithm"] for r in rows] == ["rl2", "random", "greedy", "ucb1", "thompson", "gittins"]
    assert all(r["n_episodes"] == 40 and r["metric"] == "regret" for r in rows)
    assert main(["maml", "evaluate", str(ckpt), "--episodes", "40", "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["mean"] == pytest.approx(rows[0]["mean"])
    assert main(["maml", "train", "--family", "omniglot", "--algorithm", "rl2", "--steps", "1", "--quiet"]) != 0
    assert "--family bandit --algorithm rl2" in capsys.readouterr().err
