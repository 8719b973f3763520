"""RL²: a recurrent policy that learns to explore, meta-trained with A2C (Duan et al., 2016).

The policy is a GRU whose input at each pull is the previous pull's arm (one-hot),
its reward and a first-pull flag; its hidden state carries over across the pulls of
one task (a bandit), so what it learned about the arms lives there, and it is reset
between tasks. The recurrent weights are meta-learned by policy gradient over many
tasks of the ``bandit`` family: advantage actor-critic (A2C, synchronous, with
generalised advantage estimation; the paper used TRPO), an entropy bonus and a value
baseline from the same GRU. One meta-update plays ``meta_batch_size`` bandits for
their ``pulls`` pulls in parallel and steps Adam once on their loss.

:meth:`RL2.evaluate` plays held-out bandits and reports the pseudo-regret (the best
arm's probability minus the pulled arm's, summed over the pulls) and the total
reward; :mod:`autometa.maml._bandits` has the baselines it is compared with
(random, greedy, UCB1, Thompson sampling, Gittins indices).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from autometa.exceptions import DataError
from autometa.maml._checkpoint import begin_training, load_checkpoint, save_checkpoint
from autometa.maml._progress import training_progress
from autometa.maml._result import NotFittedError

__all__ = ["RL2", "BanditResult", "gae"]

CHECKPOINT_FORMAT = "autometa-rl2-1"
#: the entropy bonus falls linearly to a tenth over this many meta-updates, then stays (a fixed schedule, so a
#: resumed run continues exactly where it stopped, whatever --steps it is resumed with)
ENTROPY_DECAY_STEPS = 3000


@dataclass(frozen=True)
class BanditResult:
    """Held-out bandits played: pseudo-regret and total reward per task, with 95 % intervals.

    ``regret_curve``: the mean cumulative pseudo-regret after each pull.
    """

    regret: float
    regret_ci95: float
    reward: float
    reward_ci95: float
    n_episodes: int
    regret_curve: np.ndarray = field(repr=False)

    @classmethod
    def from_play(cls, rewards: np.ndarray, regret: np.ndarray) -> BanditResult:
        total_regret, total_reward = regret.sum(axis=1), rewards.sum(axis=1)
        n = len(total_regret)

        def half(v: np.ndarray) -> float:
            return float(1.96 * v.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")

        return cls(float(total_regret.mean()), half(total_regret), float(total_reward.mean()), half(total_reward),
                   n, np.cumsum(regret, axis=1).mean(axis=0))

    def to_dict(self) -> dict[str, Any]:
        return {"metric": "regret", "mean": self.regret, "ci95": self.regret_ci95, "reward": self.reward,
                "reward_ci95": self.reward_ci95, "n_episodes": self.n_episodes}

    def __str__(self) -> str:
        return (f"regret {self.regret:.3f} ± {self.regret_ci95:.3f}, reward {self.reward:.3f} ± "
                f"{self.reward_ci95:.3f} (95% intervals, {self.n_episodes} bandits)")


class _Policy(nn.Module):
    """GRU over (previous arm one-hot, previous reward, first-pull flag) -> arm logits and a value."""

    def __init__(self, arms: int, hidden: int) -> None:
        super().__init__()
        self.cell = nn.GRUCell(arms + 2, hidden)
        self.logits = nn.Linear(hidden, arms)
        self.value = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = self.cell(x, h)
        return self.logits(h), self.value(h).squeeze(-1), h


def gae(rewards: torch.Tensor, values: torch.Tensor, gamma: float, lam: float) -> torch.Tensor:
    """Generalised advantage estimates ``(tasks, pulls)`` of a task played to its end (no value after it).

    Examples
    --------
    >>> r, v = torch.tensor([[1.0, 0.0, 1.0]]), torch.tensor([[0.5, 0.5, 0.5]])
    >>> gae(r, v, 1.0, 1.0)  # lambda 1, gamma 1: reward-to-go minus the value
    tensor([[1.5000, 0.5000, 0.5000]])
    """
    adv = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[:, 0])
    for t in range(rewards.shape[1] - 1, -1, -1):
        following = values[:, t + 1] if t + 1 < rewards.shape[1] else torch.zeros_like(running)
        delta = rewards[:, t] + gamma * following - values[:, t]
        running = delta + gamma * lam * running
        adv[:, t] = running
    return adv


class RL2:
    """RL² on the ``bandit`` family: a GRU policy meta-trained by A2C across bandits.

    Parameters
    ----------
    hidden : int, default=128
        GRU units (the paper: 256).
    lr : float, default=3e-3
        Adam step size.
    gamma, gae_lambda : float, default=0.99, 0.3
        Discount and GAE's lambda (the paper's bandit settings).
    entropy : float, default=0.01
        Weight of the entropy bonus, decayed linearly to a tenth over the first
        :data:`ENTROPY_DECAY_STEPS` updates (0.05
        kept 5-arm 10-pull play near random for 1,000 updates; 0.01 with ``lr=3e-3``
        reached a reward of 6.16 in 3,000).
    value_coef : float, default=0.5
        Weight of the value loss.
    seed : int, default=0
        Seed of the weights and of the bandits and pulls drawn while training.
    device : str, default="cpu"

    Examples
    --------
    >>> from autometa.tasks.fewshot import make_family
    >>> family = make_family("bandit", arms=5, pulls=10)
    >>> agent = RL2(hidden=32).meta_train(family, steps=3, meta_batch_size=8)
    >>> result = agent.evaluate(family, episodes=50)
    >>> 0.0 <= result.reward <= 10.0
    True
    """

    name = "rl2"

    def __init__(self, *, hidden: int = 128, lr: float = 3e-3, gamma: float = 0.99, gae_lambda: float = 0.3,
                 entropy: float = 0.01, value_coef: float = 0.5, seed: int = 0, device: str = "cpu") -> None:
        self.hidden, self.lr, self.gamma, self.gae_lambda = hidden, lr, gamma, gae_lambda
        self.entropy, self.value_coef, self.seed, self.device = entropy, value_coef, seed, device

    def get_params(self) -> dict[str, Any]:
        return {"hidden": self.hidden, "lr": self.lr, "gamma": self.gamma, "gae_lambda": self.gae_lambda,
                "entropy": self.entropy, "value_coef": self.value_coef, "seed": self.seed, "device": self.device}

    # -- set-up ---------------------------------------------------------------------
    def setup(self, family: Any) -> RL2:
        if getattr(family, "kind", None) != "bandit":
            raise DataError(f"RL2 plays bandits: make_family('bandit', ...), not a {type(family).__name__}.")
        torch.manual_seed(self.seed)
        self.arms_, self.pulls_ = int(family.arms), int(family.pulls)
        self.family_spec_ = family.spec()
        self.policy_ = _Policy(self.arms_, int(self.hidden)).to(self.device)
        self.optimizer_ = torch.optim.Adam(self.policy_.parameters(), lr=self.lr)
        self.generator_ = torch.Generator().manual_seed(self.seed)
        self.step_ = 0
        self.history_: list[dict[str, float]] = []
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "policy_"):
            raise NotFittedError("This RL2 is not meta-trained yet: call meta_train(family) or RL2.load(path).")

    # -- playing --------------------------------------------------------------------
    def rollout(self, probs: torch.Tensor, generator: torch.Generator, *, greedy: bool = False,
                ) -> dict[str, torch.Tensor]:
        """Play bandits ``probs`` ``(tasks, arms)`` for ``pulls_`` pulls: log-probabilities, values, entropies,
        rewards and pseudo-regret per pull, each ``(tasks, pulls)``, and the arms pulled."""
        n, k = probs.shape
        probs = probs.to(self.device)
        h = torch.zeros(n, int(self.hidden), device=self.device)
        x = torch.zeros(n, k + 2, device=self.device)
        x[:, -1] = 1.0  # the first pull
        best = probs.max(dim=1).values
        out: dict[str, list[torch.Tensor]] = {key: [] for key in ("logp", "value", "entropy", "reward", "regret",
                                                                    "arm")}
        rows = torch.arange(n, device=self.device)
        for _ in range(self.pulls_):
            logits, value, h = self.policy_(x, h)
            dist = torch.distributions.Categorical(logits=logits)
            if greedy:
                arm = logits.argmax(dim=1)
            else:
                u = torch.rand(n, generator=generator).to(self.device)
                arm = torch.searchsorted(dist.probs.cumsum(dim=1), u[:, None]).squeeze(1).clamp_max(k - 1)
            p = probs[rows, arm]
            reward = (torch.rand(n, generator=generator).to(self.device) < p).float()
            for key, value_t in (("logp", dist.log_prob(arm)), ("value", value), ("entropy", dist.entropy()),
                                 ("reward", reward), ("regret", best - p), ("arm", arm)):
                out[key].append(value_t)
            x = torch.zeros(n, k + 2, device=self.device)
            x[rows, arm] = 1.0
            x[:, k] = reward
        return {key: torch.stack(values, dim=1) for key, values in out.items()}

    def loss(self, play: dict[str, torch.Tensor], entropy_weight: float) -> torch.Tensor:
        """A2C's loss of a batch played by :meth:`rollout`: policy gradient with normalised GAE advantages, value
        regression to the GAE returns, minus the entropy bonus."""
        adv = gae(play["reward"], play["value"].detach(), self.gamma, self.gae_lambda)
        returns = adv + play["value"].detach()
        norm = (adv - adv.mean()) / (adv.std() + 1e-8)
        policy = -(play["logp"] * norm).mean()
        value = (returns - play["value"]).pow(2).mean()
        return policy + self.value_coef * value - entropy_weight * play["entropy"].mean()

    # -- training -------------------------------------------------------------------
    def meta_train(self, family: Any, *, steps: int = 2000, meta_batch_size: int = 128, progress: bool = False,
                   checkpoint: str | os.PathLike[str] | None = None, checkpoint_every: int = 500,
                   resume: bool = False, log_every: int = 20, time_budget: float | None = None) -> RL2:
        """Meta-train on bandits of ``family``'s train split until ``steps`` updates are done (resumable)."""
        begin_training(self, family, checkpoint=checkpoint, resume=resume, steps=steps,
                       meta_batch_size=meta_batch_size, checkpoint_every=checkpoint_every, log_every=log_every)
        started = window = time.perf_counter()
        sums = np.zeros(2)
        count = 0
        with training_progress(steps, start=self.step_, enabled=progress, description="meta-train rl2") as bar:
            while self.step_ < steps:
                if time_budget is not None and time.perf_counter() - started > time_budget:
                    break
                probs = family.sample(meta_batch_size, split="train", generator=self.generator_)
                play = self.rollout(probs, self.generator_)
                weight = self.entropy * max(0.1, 1.0 - 0.9 * self.step_ / ENTROPY_DECAY_STEPS)
                loss = self.loss(play, weight)
                self.optimizer_.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.policy_.parameters(), 1.0)
                self.optimizer_.step()
                self.step_ += 1
                sums += (float(loss.detach()), float(play["regret"].sum(dim=1).mean()))
                count += 1
                if count == log_every or self.step_ == steps:
                    rate = count * meta_batch_size / (time.perf_counter() - window)
                    entry = {"step": self.step_, "loss": float(sums[0] / count),
                             "regret": float(sums[1] / count), "tasks_per_s": float(rate)}
                    self.history_.append(entry)
                    bar.update(completed=self.step_, loss=entry["loss"], metric=entry["regret"],
                               metric_name="regret", rate=rate)
                    sums[:], count, window = 0.0, 0, time.perf_counter()
                if checkpoint is not None and self.step_ % checkpoint_every == 0:
                    self.save(checkpoint)
        if checkpoint is not None:
            self.save(checkpoint)
        return self

    def evaluate(self, family: Any, *, episodes: int = 1000, split: str = "test", seed: int = 0,
                 greedy: bool = False, progress: bool = False) -> BanditResult:
        """Play ``episodes`` bandits of ``split`` (the same ones for a given ``seed``, whatever the learner)."""
        self._check_fitted()
        probs = family.sample(episodes, split=split, seed=seed)
        generator = torch.Generator().manual_seed(seed + 7)
        with torch.no_grad():
            play = self.rollout(probs, generator, greedy=greedy)
        return BanditResult.from_play(play["reward"].cpu().numpy(), play["regret"].cpu().numpy())

    # -- checkpoints ----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        self._check_fitted()
        return {"format": CHECKPOINT_FORMAT, "algorithm": self.name, "params": self.get_params(),
                "family": dict(self.family_spec_), "policy": {k: v.detach().cpu() for k, v in
                                                             self.policy_.state_dict().items()},
                "optimizer": self.optimizer_.state_dict(), "step": self.step_,
                "generator": self.generator_.get_state(), "history": list(self.history_)}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write a checkpoint atomically (a temporary file, then a rename)."""
        return save_checkpoint(self.state_dict(), path)

    def _restore(self, state: dict[str, Any]) -> None:
        from autometa.tasks.fewshot import make_family

        if state.get("format") != CHECKPOINT_FORMAT:
            raise DataError(f"Not an autometa RL2 checkpoint (format {state.get('format')!r}).")
        spec = dict(state["family"])
        self.setup(make_family(spec.pop("name"), **spec))
        self.policy_.load_state_dict(state["policy"])
        self.optimizer_.load_state_dict(state["optimizer"])
        self.step_ = int(state["step"])
        self.generator_.set_state(state["generator"])
        self.history_ = list(state["history"])

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, device: str | None = None) -> RL2:
        """Rebuild an agent from a checkpoint (tensors and plain values only: never code)."""
        return cls.from_state(load_checkpoint(path), device=device, source=os.fspath(path))

    @classmethod
    def from_state(cls, state: dict[str, Any], *, device: str | None = None,
                   source: str = "The checkpoint") -> RL2:
        """:meth:`load` from a checkpoint's contents already read (:func:`load_checkpoint`)."""
        if state.get("format") != CHECKPOINT_FORMAT:
            raise DataError(f"{source} is not an autometa RL2 checkpoint.")
        params = dict(state["params"])
        if device is not None:
            params["device"] = device
        agent = cls(**params)
        agent._restore(state)
        return agent

    def __repr__(self) -> str:
        return "RL2(" + ", ".join(f"{k}={v!r}" for k, v in self.get_params().items()) + ")"
