"""A Dataset2Vec-style embedding learned from the raw table (Jomaa et al., 2021).

A hierarchical set encoder reads every (feature value, target channels) cell of a
prepared table (:mod:`autometa.representations._tables`)::

    cell (x_ij, y_i)  --f-->  mean over rows i  --g-->  mean over columns j  --h-->  vector

Means over rows and over columns make it invariant to both permutations and able
to read any number of rows and columns; ``h`` also sees four size scalars (log
rows, log columns, classification flag, log classes). Two training objectives:

- ``"profile"``: datasets whose portfolio score profiles agree lie close: a linear
  head predicts the normalised score of every configuration from the vector
  (MSE), and distances between vectors match distances between profiles;
- ``"same_dataset"``: the original objective: two random batches (rows and
  columns) of the same dataset lie close, batches of different datasets far
  (similarity ``exp(-distance)``, binary cross-entropy).

Training batches are small random subsets (``batch_rows`` x ``batch_features``);
``transform`` reads the whole prepared table (at most ``max_rows`` x
``max_features``, sampled with ``seed``), so it is deterministic.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from autometa.exceptions import DataError
from autometa.representations._base import TaskEncoder, profile_matrix
from autometa.representations._tables import PreparedTable, prepared

__all__ = ["Dataset2VecEncoder", "OBJECTIVES"]

OBJECTIVES = ("profile", "same_dataset")
N_SIZE = 4  # PreparedTable.size_features()


def _network(hidden: int, dim: int) -> Any:
    import torch
    from torch import nn

    from autometa.representations._torch import mlp

    class SetEncoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.f = mlp([3, hidden, hidden])
            self.g = mlp([hidden, hidden, hidden])
            self.h = mlp([hidden + N_SIZE, hidden, dim], last_activation=False)

        def forward(self, X: torch.Tensor, Y: torch.Tensor, size: torch.Tensor) -> torch.Tensor:
            n, p = X.shape
            cells = torch.cat([X.unsqueeze(-1), Y.unsqueeze(1).expand(n, p, Y.shape[1])], dim=-1)
            columns = self.f(cells).mean(dim=0)
            table = self.g(columns).mean(dim=0)
            return self.h(torch.cat([table, size]))

    return SetEncoder()


class Dataset2VecEncoder(TaskEncoder):
    """A permutation-invariant set encoder of the raw table, trained on the knowledge base.

    Parameters
    ----------
    objective : {"profile", "same_dataset"}
        What training pulls together (see the module docstring).
    embedding_dim, hidden : int
        Vector length and hidden width.
    steps : int
        Optimiser steps.
    batch_datasets, batch_rows, batch_features : int
        Datasets per step, and rows / columns of each dataset's training batch.
    learning_rate : float
        Adam's step size.
    max_rows, max_features : int or None
        Rows and columns read by ``transform`` (sampled with ``seed``; None: all).
    n_threads : int or None
        torch threads while fitting and encoding (None: torch's default).
    data_dir : str, optional
        Where dataset names are looked up (default ``$AUTOMETA_DATA_DIR``).
    seed : int
        Seed of the initial weights, the training batches and the table samples.

    Examples
    --------
    >>> from autometa.tasks import load_task
    >>> tasks = [load_task(f"sklearn:{n}") for n in ("iris", "wine", "breast_cancer")]
    >>> enc = Dataset2VecEncoder(objective="same_dataset", steps=5).fit(tasks)
    >>> enc.transform(tasks[0]).shape
    (16,)
    """

    name: ClassVar[str] = "dataset2vec"

    def __init__(self, *, objective: str = "profile", embedding_dim: int = 16, hidden: int = 32, steps: int = 300,
                 batch_datasets: int = 8, batch_rows: int = 128, batch_features: int = 16,
                 learning_rate: float = 3e-3, max_rows: int | None = 1000, max_features: int | None = 64,
                 n_threads: int | None = 1, data_dir: str | None = None, seed: int = 0) -> None:
        self.objective = objective
        self.embedding_dim = embedding_dim
        self.hidden = hidden
        self.steps = steps
        self.batch_datasets = batch_datasets
        self.batch_rows = batch_rows
        self.batch_features = batch_features
        self.learning_rate = learning_rate
        self.max_rows = max_rows
        self.max_features = max_features
        self.n_threads = n_threads
        self.data_dir = data_dir
        self.seed = seed

    @property
    def needs_scores(self) -> bool:  # type: ignore[override]
        return self.objective == "profile"

    # -- fitting -----------------------------------------------------------------------
    def _table(self, task: Any) -> PreparedTable:
        return prepared(task, max_rows=self.max_rows, max_features=self.max_features, seed=self.seed)

    def _fit(self, tasks: list[Any], knowledge_base: Any) -> None:
        if self.objective not in OBJECTIVES:
            raise DataError(f"The 'objective' parameter of Dataset2VecEncoder must be one of {OBJECTIVES}. "
                            f"Got {self.objective!r}.")
        self.loss_history_ = self._train(tasks, knowledge_base)
        self.dim_ = int(self.embedding_dim)

    def _train(self, tasks: list[Any], knowledge_base: Any) -> list[float]:
        import torch

        from autometa.representations._torch import as_tensor, seeded, torch_threads

        tables = [self._table(t) for t in tasks]
        profiles = profile_matrix(knowledge_base, [t.name for t in tasks]) if self.objective == "profile" else None
        rng = np.random.default_rng(self.seed)
        history: list[float] = []
        with torch_threads(self.n_threads), seeded(self.seed):
            net = _network(self.hidden, self.embedding_dim)
            params = list(net.parameters())
            head = None
            if profiles is not None:
                head = torch.nn.Linear(self.embedding_dim, profiles.shape[1])
                params += list(head.parameters())
            opt = torch.optim.Adam(params, lr=self.learning_rate)
            b = min(self.batch_datasets, len(tables))
            for _ in range(self.steps):
                pick = rng.choice(len(tables), size=b, replace=False)
                first = torch.stack([self._batch(net, tables[i], rng, as_tensor) for i in pick])
                if profiles is not None and head is not None:
                    target = torch.from_numpy(profiles[pick])
                    loss = torch.mean((head(first) - target) ** 2)
                    if b > 1:
                        wanted = torch.cdist(target, target) / np.sqrt(target.shape[1])
                        loss = loss + torch.mean((torch.cdist(first, first) - wanted) ** 2)
                else:
                    second = torch.stack([self._batch(net, tables[i], rng, as_tensor) for i in pick])
                    dist = torch.cdist(first, second)
                    same = torch.eye(b)
                    log_p = -dist
                    log_not = torch.log(-torch.expm1(-dist.clamp_min(1e-6)))
                    weight = same * max(b - 1, 1) + (1 - same)
                    loss = -torch.sum(weight * (same * log_p + (1 - same) * log_not)) / weight.sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
                history.append(float(loss.detach()))
        self.net_ = net
        return history

    def _batch(self, net: Any, table: PreparedTable, rng: np.random.Generator, as_tensor: Any) -> Any:
        n, p = table.X.shape
        rows = rng.choice(n, size=min(self.batch_rows, n), replace=False)
        cols = rng.choice(p, size=min(self.batch_features, p), replace=False) if p else np.arange(0)
        X = table.X[np.ix_(rows, cols)] if p else np.zeros((len(rows), 1), dtype=np.float32)
        return net(as_tensor(X), as_tensor(table.y[rows]), as_tensor(table.size_features()))

    # -- encoding ----------------------------------------------------------------------
    def _encode(self, task: Any) -> np.ndarray:
        return self.encode_table(self._table(task))

    def encode_table(self, table: PreparedTable) -> np.ndarray:
        """The vector of an already prepared table (every row and column of it)."""
        import torch

        from autometa.representations._torch import as_tensor, torch_threads

        X = table.X if table.X.shape[1] else np.zeros((table.X.shape[0], 1), dtype=np.float32)
        with torch_threads(self.n_threads), torch.inference_mode():
            out = self.net_(as_tensor(X), as_tensor(table.y), as_tensor(table.size_features()))
        return out.numpy().astype(float)

    # -- persistence -------------------------------------------------------------------
    def _get_state(self) -> dict[str, Any]:
        from autometa.representations._torch import state_to_numpy_free

        return {"net": state_to_numpy_free(self.net_)}

    def _set_state(self, state: dict[str, Any]) -> None:
        net = _network(self.hidden, self.embedding_dim)
        net.load_state_dict(state["net"])
        net.eval()
        self.net_ = net
