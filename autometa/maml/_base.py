"""The :class:`FewShotLearner` base class: the meta-training loop, adaptation, evaluation, checkpoints.

An algorithm supplies three per-task functions of the meta-parameters (a dict of
tensors): the meta-training loss of one task, the adaptation to a support set, and
prediction with the adapted state. The base class runs them over the tasks of a
meta-batch, either as one batched computation with :func:`torch.func.vmap` or as a
plain loop (chosen per device), and owns everything else.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad, vmap

from autometa.exceptions import DataError
from autometa.maml._checkpoint import begin_training, load_checkpoint, save_checkpoint
from autometa.maml._device import autocast, resolve_amp, resolve_device, resolve_strategy
from autometa.maml._nn import TaskBatchNorm, build_model, default_model
from autometa.maml._progress import training_progress
from autometa.maml._result import FewShotResult, NotFittedError
from autometa.tasks.fewshot import Episode, FewShotFamily

__all__ = ["FewShotLearner", "AdaptedModel", "FewShotResult", "NotFittedError", "Params"]

Params = dict[str, torch.Tensor]

CHECKPOINT_FORMAT = "autometa.maml/1"

# inner learning rates that work for each family when none is given (MAML paper; tabular by trial)
DEFAULT_INNER_LR = {"omniglot": 0.4, "sinusoid": 0.01, "tabular": 0.1}


def _full_precision(x: torch.Tensor) -> torch.Tensor:
    """float32 for half-precision tensors (losses under autocast); others unchanged (float64 checks)."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


def embedding_dim(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Width of ``model``'s flattened output for inputs of ``input_shape`` (two zero examples; mode kept)."""
    dtype = next(model.parameters()).dtype
    with torch.no_grad():
        was = model.training
        dim = int(model(torch.zeros(2, *input_shape, dtype=dtype)).reshape(2, -1).shape[1])
        model.train(was)
    return dim


class AdaptedModel:
    """A model adapted to one support set: call it on inputs to get outputs.

    Returned by :meth:`FewShotLearner.adapt`; holds the adapted state (fast weights,
    or prototypes) and never changes the learner.
    """

    def __init__(self, learner: FewShotLearner, state: Params) -> None:
        self.learner = learner
        self.state = state

    @torch.no_grad()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs for ``x`` (``(n, *input_shape)``): logits or regression values."""
        learner = self.learner
        with autocast(learner.amp_, learner.device_):
            out = learner._predict_task(learner._detached(), self.state, x.to(learner.device_))
        return out.float()

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Class indices (classification) or values (regression) for ``x``."""
        out = self(x)
        return out.argmax(-1) if self.learner.kind_ == "classification" else out.squeeze(-1)


#: every algorithm class by its ``name``, filled as the classes are defined (what :meth:`FewShotLearner.load` reads)
_REGISTERED: dict[str, type[FewShotLearner]] = {}

class FewShotLearner(ABC):
    """Meta-learning over few-shot task families, written with :mod:`torch.func`.

    Parameters
    ----------
    model : torch.nn.Module, optional
        A ``head(body(x))`` model (see :mod:`autometa.maml._nn`); the conv net for
        image families and an MLP otherwise when not given.
    inner_lr : float, optional
        Step size of the inner (adaptation) loop; by family when not given
        (0.4 Omniglot, 0.01 sinusoid, 0.1 tabular).
    inner_steps : int
        Inner gradient steps during meta-training.
    eval_inner_steps : int, optional
        Inner steps when adapting for evaluation (``inner_steps`` by default).
    outer_lr : float, optional
        Step size of the meta-optimiser (Adam, 1e-3 by default; Reptile: SGD, 1.0).
    first_order : bool
        Drop second-order terms of the meta-gradient.
    device : str
        ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"``, ``"cuda:N"``.
    strategy : {"auto", "vmap", "loop"}
        How the tasks of a meta-batch run; ``auto`` is vmap on CUDA, a loop on CPU.
    amp : bool or "auto"
        bfloat16 autocast on CUDA (``True`` or ``"auto"``; ignored on the CPU). Off
        by default: on an H100 it was slower than float32 for second-order MAML
        (docs/benchmarks.md, "MAML"), faster only for one-step first order.
    seed : int
        Seeds the model's initialisation and the sampling of training tasks (the
        global torch seed is left alone), so CPU runs repeat exactly.
    """

    name: ClassVar[str] = ""
    needs_head: ClassVar[bool] = True
    optimizer_name: ClassVar[str] = "adam"
    default_outer_lr: ClassVar[float] = 1e-3

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):  # an algorithm of its own (not a helper base)
            _REGISTERED[cls.name] = cls

    def __init__(self, model: nn.Module | None = None, *, inner_lr: float | None = None, inner_steps: int = 1,
                 eval_inner_steps: int | None = None, outer_lr: float | None = None,
                 first_order: bool = False, device: str = "auto", strategy: str = "auto",
                 amp: bool | str = False, seed: int = 0) -> None:
        self.model = model
        self.inner_lr = inner_lr
        self.inner_steps = inner_steps
        self.eval_inner_steps = eval_inner_steps
        self.outer_lr = outer_lr
        self.first_order = first_order
        self.device = device
        self.strategy = strategy
        self.amp = amp
        self.seed = seed

    # -- parameters ---------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Constructor arguments (without the model), as scikit-learn estimators do."""
        return {"inner_lr": self.inner_lr, "inner_steps": self.inner_steps,
                "eval_inner_steps": self.eval_inner_steps, "outer_lr": self.outer_lr,
                "first_order": self.first_order, "device": self.device, "strategy": self.strategy,
                "amp": self.amp, "seed": self.seed}

    def _validate(self) -> None:
        owner = type(self).__name__
        for key in ("inner_steps", "seed"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if key != "seed" else 0):
                raise DataError(f"The {key!r} parameter of {owner} must be an int >= "
                                f"{1 if key != 'seed' else 0}. Got {value!r}.")
        if self.eval_inner_steps is not None and (not isinstance(self.eval_inner_steps, int)
                                                  or self.eval_inner_steps < 0):
            raise DataError(f"The 'eval_inner_steps' parameter of {owner} must be None or an int >= 0. "
                            f"Got {self.eval_inner_steps!r}.")
        for key in ("inner_lr", "outer_lr"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, (int, float)) or not value > 0):
                raise DataError(f"The {key!r} parameter of {owner} must be None or a float > 0. Got {value!r}.")

    @property
    def is_fitted(self) -> bool:
        """Whether the learner has meta-parameters (meta-trained, set up or loaded)."""
        return hasattr(self, "params_")

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(f"This {type(self).__name__} is not meta-trained yet: call meta_train(family, "
                                 f"...) or load a checkpoint first.")

    # -- set-up -------------------------------------------------------------------
    def setup(self, family: FewShotFamily) -> FewShotLearner:
        """Build the model, meta-parameters and optimiser for ``family`` (``meta_train`` calls it)."""
        return self._setup(kind=family.kind, input_shape=family.input_shape, n_outputs=family.n_outputs,
                           family_spec=family.spec)

    def _setup(self, *, kind: str, input_shape: tuple[int, ...], n_outputs: int,
               family_spec: dict[str, Any]) -> FewShotLearner:
        self._validate()
        self.device_ = resolve_device(self.device)
        self.strategy_ = resolve_strategy(self.strategy, self.device_)
        self.amp_ = resolve_amp(self.amp, self.device_)
        self.kind_ = kind
        self.family_spec_ = dict(family_spec)
        self.input_shape_ = tuple(input_shape)
        self.n_outputs_ = int(n_outputs)
        self.inner_lr_ = float(self.inner_lr if self.inner_lr is not None
                               else DEFAULT_INNER_LR.get(family_spec.get("name", ""), 0.1))
        self.outer_lr_ = float(self.outer_lr if self.outer_lr is not None else self.default_outer_lr)
        self.eval_inner_steps_ = int(self.eval_inner_steps if self.eval_inner_steps is not None
                                     else self.inner_steps)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            model = self.model if self.model is not None else default_model(
                self.input_shape_, self.n_outputs_ if self.needs_head else None)
            import copy

            model = copy.deepcopy(model)
            extra = self._init_extra(model)
        if self.needs_head and getattr(model, "head", None) is None:
            raise DataError(f"{type(self).__name__} needs a model with a linear head.")
        self.model_ = model.to(self.device_)
        for module in self.model_.modules():  # torch's fused batch norm is exact outside vmap, and faster
            if isinstance(module, TaskBatchNorm):
                module.fused = self.strategy_ == "loop"
        self.model_names_ = [n for n, _ in self.model_.named_parameters()]
        self.params_: Params = dict(self.model_.named_parameters())
        for key, value in extra.items():
            self.params_[key] = nn.Parameter(value.to(self.device_))
        self.optimizer_: torch.optim.Optimizer
        if self.optimizer_name == "sgd":
            self.optimizer_ = torch.optim.SGD(self.params_.values(), lr=self.outer_lr_)
        else:
            self.optimizer_ = torch.optim.Adam(self.params_.values(), lr=self.outer_lr_)
        self.generator_ = torch.Generator().manual_seed(self.seed + 1)
        self.step_ = 0
        self.history_: list[dict[str, float]] = []
        return self

    def _init_extra(self, model: nn.Module) -> Params:
        """Meta-parameters of the algorithm beyond the model's (Meta-SGD's step sizes)."""
        return {}

    # -- functional building blocks ---------------------------------------------
    def _model_params(self, params: Params) -> Params:
        return {k: params[k] for k in self.model_names_}

    def _detached(self) -> Params:
        return {k: v.detach() for k, v in self.params_.items()}

    def _forward(self, params: Params, x: torch.Tensor, prefix: str = "") -> torch.Tensor:
        """Run the model (or its ``body``/``head`` part) with ``params`` (names without the prefix)."""
        module = self.model_ if not prefix else getattr(self.model_, prefix)
        return functional_call(module, params, (x,))

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = _full_precision(out)
        if self.kind_ == "classification":
            return F.cross_entropy(out, y)
        return F.mse_loss(out.squeeze(-1), y.to(out.dtype))

    def _metric(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = _full_precision(out)
        if self.kind_ == "classification":
            return (out.argmax(-1) == y).to(out.dtype).mean()
        return F.mse_loss(out.squeeze(-1), y.to(out.dtype))

    @property
    def metric_name_(self) -> str:
        return "accuracy" if self.kind_ == "classification" else "mse"

    def _inner_loop(self, params: Params, x: torch.Tensor, y: torch.Tensor, *, steps: int,
                    lrs: Params | float, first_order: bool,
                    forward: Callable[[Params, torch.Tensor], torch.Tensor]) -> Params:
        """``steps`` gradient steps on the loss of ``forward(params, x)`` against ``y``.

        Second order: the steps stay differentiable with respect to ``params``.
        First order: each gradient is taken at detached parameters, so the adapted
        parameters depend on ``params`` through the identity only.
        """
        def loss_fn(p: Params) -> torch.Tensor:
            return self._loss(forward(p, x), y)

        for _ in range(steps):
            if first_order and self.strategy_ == "loop":
                # no vmap here: plain autograd is exact and measured ~10% faster on the CPU
                at = {k: v.detach().requires_grad_(True) for k, v in params.items()}
                with torch.enable_grad():
                    g = dict(zip(at, torch.autograd.grad(loss_fn(at), list(at.values())), strict=True))
            else:
                at = {k: v.detach() for k, v in params.items()} if first_order else params
                g = grad(loss_fn)(at)
            if isinstance(lrs, dict):
                params = {k: params[k] - lrs[k] * g[k] for k in params}
            else:
                params = {k: params[k] - lrs * g[k] for k in params}
        return params

    # -- what an algorithm defines ----------------------------------------------
    @abstractmethod
    def _task_loss(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                   qy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Meta-training loss of one task and its metric, differentiable in ``params``."""

    @abstractmethod
    def _adapt_task(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        """The adapted state for one support set (no meta-gradient needed)."""

    @abstractmethod
    def _predict_task(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        """Outputs for ``x`` from the adapted ``state``."""

    # -- running the tasks of a batch --------------------------------------------
    def _map(self, fn: Callable[..., Any], params: Params, episode: Episode) -> Any:
        """``fn(params, sx, sy, qx, qy)`` over the tasks of ``episode``, stacked along dim 0."""
        args = (episode.support_x, episode.support_y, episode.query_x, episode.query_y)
        with autocast(self.amp_, self.device_):
            if self.strategy_ == "vmap":
                return vmap(fn, in_dims=(None, 0, 0, 0, 0))(params, *args)
            outs = [fn(params, *(a[t] for a in args)) for t in range(len(episode))]
        return torch.utils._pytree.tree_map(lambda *xs: torch.stack(xs), *outs)

    def _accumulate_gradient(self, episode: Episode) -> tuple[torch.Tensor, torch.Tensor]:
        """Add the meta-gradient of ``episode`` (mean over tasks) into ``.grad``; returns loss, metric."""
        n = len(episode)
        if self.strategy_ == "vmap":
            with autocast(self.amp_, self.device_):
                losses, metrics = vmap(self._task_loss, in_dims=(None, 0, 0, 0, 0))(
                    self.params_, episode.support_x, episode.support_y, episode.query_x, episode.query_y)
            losses.mean().backward()
            return losses.detach().mean(), metrics.detach().mean()
        total_loss = torch.zeros((), device=self.device_)
        total_metric = torch.zeros((), device=self.device_)
        for t in range(n):  # one backward per task keeps one task's graph in memory at a time
            with autocast(self.amp_, self.device_):
                loss, metric = self._task_loss(self.params_, episode.support_x[t], episode.support_y[t],
                                               episode.query_x[t], episode.query_y[t])
            (loss / n).backward()
            total_loss += loss.detach()
            total_metric += metric.detach()
        return total_loss / n, total_metric / n

    def meta_gradient(self, episode: Episode) -> Params:
        """The meta-gradient of one meta-batch, without an update (for checks and benchmarks).

        Returns
        -------
        dict
            Meta-parameter name -> gradient (the mean over the tasks of ``episode``).
        """
        self._check_fitted()
        self.optimizer_.zero_grad(set_to_none=True)
        self._accumulate_gradient(episode.to(self.device_))
        out = {k: (v.grad.detach().clone() if v.grad is not None else torch.zeros_like(v))
               for k, v in self.params_.items()}
        self.optimizer_.zero_grad(set_to_none=True)
        return out

    def meta_step(self, episode: Episode) -> tuple[torch.Tensor, torch.Tensor]:
        """One meta-update from one meta-batch; returns its (loss, metric) as tensors."""
        self._check_fitted()
        self.optimizer_.zero_grad(set_to_none=True)
        loss, metric = self._accumulate_gradient(episode)
        self.optimizer_.step()
        self.step_ += 1
        return loss, metric

    # -- training -----------------------------------------------------------------
    def meta_train(self, family: FewShotFamily, *, steps: int = 1000, meta_batch_size: int = 32,
                   progress: bool = False, checkpoint: str | os.PathLike[str] | None = None,
                   checkpoint_every: int = 500, resume: bool = False, log_every: int = 10,
                   eval_every: int = 0, eval_episodes: int = 100,
                   time_budget: float | None = None) -> FewShotLearner:
        """Meta-train on tasks of ``family``'s train split until ``steps`` meta-updates are done.

        Parameters
        ----------
        family : FewShotFamily
            Source of tasks.
        steps : int
            Total meta-updates (a resumed run continues up to this number).
        meta_batch_size : int
            Tasks per meta-update.
        progress : bool
            Show a progress bar with loss, metric and tasks per second.
        checkpoint : path, optional
            Where to save checkpoints (every ``checkpoint_every`` steps and at the end).
        checkpoint_every : int
            Steps between checkpoints.
        resume : bool
            Continue from ``checkpoint`` when that file exists (the model, optimiser,
            step and sampling state are restored).
        log_every : int
            Steps between entries of ``history_`` (and progress updates).
        eval_every : int
            When > 0, evaluate on ``eval_episodes`` validation tasks this often.
        eval_episodes : int
            Validation tasks per evaluation.
        time_budget : float, optional
            Stop after this many seconds even if ``steps`` are not done (a
            checkpoint is written then); ``resume`` continues later.

        Returns
        -------
        FewShotLearner
            ``self``, with ``history_`` (step, loss, metric, tasks/s, validation).

        Examples
        --------
        >>> from autometa.tasks.fewshot import make_family
        >>> learner = MAML(device="cpu").meta_train(make_family("sinusoid"), steps=2)  # doctest: +SKIP
        """
        begin_training(self, family, checkpoint=checkpoint, resume=resume, steps=steps,
                       meta_batch_size=meta_batch_size, checkpoint_every=checkpoint_every, log_every=log_every)
        if getattr(family, "device", "") is None and self.device_.type == "cuda":
            family = family.with_options(device=self.device_)  # gather episodes on the GPU
        metric_name = "acc" if self.kind_ == "classification" else "mse"
        window_start, window_steps = time.perf_counter(), 0
        sum_loss = torch.zeros((), device=self.device_)
        sum_metric = torch.zeros((), device=self.device_)
        started = time.perf_counter()
        with training_progress(steps, start=self.step_, enabled=progress) as bar:
            while self.step_ < steps:
                if time_budget is not None and time.perf_counter() - started > time_budget:
                    if checkpoint is not None:
                        self.save(checkpoint)
                    break
                episode = family.sample(meta_batch_size, split="train", generator=self.generator_,
                                        device=self.device_)
                loss, metric = self.meta_step(episode)
                sum_loss += loss
                sum_metric += metric
                window_steps += 1
                if window_steps == log_every or self.step_ == steps:
                    mean_loss = float(sum_loss) / window_steps  # synchronises here only
                    mean_metric = float(sum_metric) / window_steps
                    rate = window_steps * meta_batch_size / (time.perf_counter() - window_start)
                    entry = {"step": self.step_, "loss": mean_loss, metric_name: mean_metric, "tasks_per_s": rate}
                    if eval_every and (self.step_ % eval_every < log_every or self.step_ == steps):
                        entry["val_" + self.metric_name_] = self.evaluate(family, episodes=eval_episodes,
                                                                          split="val").mean
                    self.history_.append(entry)
                    bar.update(completed=self.step_, loss=mean_loss, metric=mean_metric,
                               metric_name=metric_name, rate=rate)
                    window_start, window_steps = time.perf_counter(), 0
                    sum_loss.zero_()
                    sum_metric.zero_()
                if checkpoint is not None and (self.step_ % checkpoint_every == 0 or self.step_ == steps):
                    self.save(checkpoint)
        return self

    # -- adaptation and evaluation -----------------------------------------------
    def adapt(self, support_x: torch.Tensor | Episode, support_y: torch.Tensor | None = None, *,
              steps: int | None = None) -> AdaptedModel:
        """Adapt to one support set.

        Parameters
        ----------
        support_x : torch.Tensor or Episode
            ``(n, *input_shape)`` inputs, or a one-task :class:`Episode` (its support set).
        support_y : torch.Tensor, optional
            ``(n,)`` labels or targets (not needed with an Episode).
        steps : int, optional
            Inner steps (``eval_inner_steps`` by default).

        Returns
        -------
        AdaptedModel
        """
        self._check_fitted()
        if isinstance(support_x, Episode):
            if len(support_x) != 1:
                raise DataError(f"adapt() takes one task; the episode holds {len(support_x)}.")
            x, y = support_x.support_x[0], support_x.support_y[0]
        elif support_y is None:
            raise DataError("adapt() needs support_y with support_x.")
        else:
            x, y = support_x, support_y
        steps = self.eval_inner_steps_ if steps is None else int(steps)
        with torch.no_grad(), autocast(self.amp_, self.device_):
            state = self._adapt_task(self._detached(), x.to(self.device_), y.to(self.device_), steps)
        return AdaptedModel(self, {k: v.detach() for k, v in state.items()})

    def _evaluate_batch(self, episode: Episode, steps: int) -> torch.Tensor:
        def task_metric(params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                        qy: torch.Tensor) -> torch.Tensor:
            state = self._adapt_task(params, sx, sy, steps)
            return self._metric(self._predict_task(params, state, qx), qy)

        with torch.no_grad():
            return self._map(task_metric, self._detached(), episode.to(self.device_))

    def evaluate(self, tasks: FewShotFamily | Episode | Iterable[Episode], *, episodes: int = 600,
                 split: str = "test", seed: int = 0, batch_size: int = 32, steps: int | None = None,
                 progress: bool = False) -> FewShotResult:
        """Mean query accuracy (or MSE) after adaptation, with a 95% interval.

        Parameters
        ----------
        tasks : FewShotFamily, Episode or iterable of Episode
            A family to draw ``episodes`` tasks of ``split`` from (the same tasks for
            the same ``seed``), or given tasks (such as :func:`load_all_runs`).
        episodes : int
            Tasks drawn from a family.
        split : str
            Split of the family.
        seed : int
            Seed of the evaluation tasks.
        batch_size : int
            Tasks adapted at once.
        steps : int, optional
            Inner steps (``eval_inner_steps`` by default).
        progress : bool
            Show a progress bar.

        Returns
        -------
        FewShotResult
        """
        self._check_fitted()
        steps = self.eval_inner_steps_ if steps is None else int(steps)
        if isinstance(tasks, Episode):
            batches: Iterable[Episode] = list(tasks.chunks(batch_size))
            total = len(tasks)
        elif isinstance(tasks, FewShotFamily):
            if self.needs_head and tasks.n_outputs != self.n_outputs_:
                raise DataError(f"The model was meta-trained with {self.n_outputs_} outputs; the family "
                                f"has {tasks.n_outputs}.")
            batches = tasks.episodes(episodes, split=split, seed=seed, batch_size=batch_size)
            total = episodes
        else:
            batches = list(tasks)
            total = sum(len(b) for b in batches)
        values = []
        with training_progress(total, enabled=progress, description="evaluate") as bar:
            for batch in batches:
                if self.needs_head and batch.ways is not None and batch.ways != self.n_outputs_:
                    raise DataError(f"The model was meta-trained with {self.n_outputs_} ways; these tasks "
                                    f"have {batch.ways}.")
                values.append(self._evaluate_batch(batch, steps).float().cpu())
                bar.update(completed=sum(len(v) for v in values))
        return FewShotResult.from_values(self.metric_name_, torch.cat(values).numpy())

    # -- checkpoints --------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume or evaluate: settings, model, optimiser, step, sampling state."""
        self._check_fitted()
        return {
            "format": CHECKPOINT_FORMAT,
            "algorithm": self.name,
            "params": self.get_params(),
            "model": {"class": type(self.model_).__name__, "config": getattr(self.model_, "config", {})},
            "meta_params": {k: v.detach().cpu() for k, v in self.params_.items()},
            "optimizer": self.optimizer_.state_dict(),
            "step": self.step_,
            "generator": self.generator_.get_state(),
            "history": list(self.history_),
            "family": dict(self.family_spec_),
            "kind": self.kind_,
            "input_shape": list(self.input_shape_),
            "n_outputs": self.n_outputs_,
            "torch": str(torch.__version__),  # a plain str: TorchVersion is no weights-only type
        }

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write a checkpoint atomically (a temporary file, then a rename)."""
        return save_checkpoint(self.state_dict(), path)

    def _restore(self, state: dict[str, Any]) -> None:
        if state.get("format") != CHECKPOINT_FORMAT:
            raise DataError(f"Not an autometa MAML checkpoint (format {state.get('format')!r}).")
        if state["algorithm"] != self.name:
            raise DataError(f"The checkpoint holds a {state['algorithm']!r} learner, not {self.name!r}.")
        if self.model is None and state["model"]["config"]:
            self.model = build_model(state["model"]["class"], state["model"]["config"])
        self._setup(kind=state["kind"], input_shape=tuple(state["input_shape"]), n_outputs=state["n_outputs"],
                    family_spec=state["family"])
        with torch.no_grad():
            for key, value in state["meta_params"].items():
                self.params_[key].copy_(value)
        self.optimizer_.load_state_dict(state["optimizer"])
        self.step_ = int(state["step"])
        self.generator_.set_state(state["generator"])
        self.history_ = list(state["history"])

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, device: str | None = None) -> FewShotLearner:
        """Rebuild a learner from a checkpoint (any algorithm when called on :class:`FewShotLearner`).

        Parameters
        ----------
        path : path
            A file written by :meth:`save` or by ``meta_train(checkpoint=...)``.
        device : str, optional
            Override the device stored in the checkpoint.
        """
        return cls.from_state(load_checkpoint(path), device=device, source=os.fspath(path))

    @classmethod
    def from_state(cls, state: dict[str, Any], *, device: str | None = None,
                   source: str = "The checkpoint") -> FewShotLearner:
        """:meth:`load` from a checkpoint's contents already read (:func:`load_checkpoint`)."""
        if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
            raise DataError(f"{source} is not an autometa MAML checkpoint.")
        klass = _REGISTERED[state["algorithm"]] if cls is FewShotLearner else cls
        params = dict(state["params"])
        if device is not None:
            params["device"] = device
        learner = klass(**params)
        learner._restore(state)
        return learner

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"
