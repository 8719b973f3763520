"""A graph neural network over the dataset's feature graph.

Each dataset becomes a graph: one node per (sampled) feature and one for the
target, each carrying statistics of its column (categorical flag, share missing,
distinct values, skewness, kurtosis, absolute correlation with the two target
channels, a target flag); edges are weighted by the absolute Pearson correlation
between the columns (on the prepared table: categorical codes are
frequency-ordered, so this is a rank-like association for them), row-normalised.
Two rounds of message passing (residual: ``h + relu(W_self h + W_nbr A h)``),
then mean and max pooling over the feature nodes next to the target node and four
size scalars give the task vector; a linear head on it is trained to predict the
dataset's normalised portfolio score profile (MSE).

Plain torch: graphs have at most ``max_features + 1`` nodes, so a dense
adjacency matrix is the simplest and fastest form; no graph library is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from autometa.representations._base import TaskEncoder, profile_matrix
from autometa.representations._tables import PreparedTable, prepared

__all__ = ["FeatureGraphEncoder", "FeatureGraph", "feature_graph"]

N_NODE = 8
N_SIZE = 4


@dataclass
class FeatureGraph:
    """Node features (features first, target last) and the row-normalised adjacency matrix."""

    nodes: np.ndarray
    adjacency: np.ndarray
    size: np.ndarray


def _abs_corr(Z: np.ndarray) -> np.ndarray:
    """Absolute Pearson correlation between the columns of Z (0 where a column is constant)."""
    Zc = Z - Z.mean(axis=0)
    norm = np.sqrt((Zc**2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        C = (Zc.T @ Zc) / np.outer(norm, norm)
    return np.abs(np.nan_to_num(C, nan=0.0))


def feature_graph(table: PreparedTable) -> FeatureGraph:
    """The feature graph of a prepared table (see the module docstring).

    Examples
    --------
    >>> from autometa.tasks import load_task
    >>> from autometa.representations._tables import prepare_table
    >>> g = feature_graph(prepare_table(load_task("sklearn:iris")))
    >>> g.nodes.shape, g.adjacency.shape
    ((5, 8), (5, 5))
    """
    X, y = table.X.astype(float), table.y.astype(float)
    n, p = X.shape
    Z = np.column_stack([X, y])
    corr = _abs_corr(Z) if n > 1 else np.zeros((p + 2, p + 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        skew = np.mean(Z**3, axis=0)
        kurt = np.log(np.maximum(np.mean(Z**4, axis=0), 1e-6)) / 3.0
    log_n = np.log1p(max(n, 1))
    nodes = np.zeros((p + 1, N_NODE))
    nodes[:p, 0] = table.categorical.astype(float)
    nodes[:p, 1] = table.missing
    nodes[:p, 2] = np.log1p(table.n_unique) / log_n
    nodes[:p, 3] = np.clip(skew[:p], -10, 10) / 10.0
    nodes[:p, 4] = kurt[:p]
    nodes[:p, 5] = corr[:p, p]
    nodes[:p, 6] = corr[:p, p + 1]
    n_target = table.n_classes if table.n_classes else len(np.unique(y[:, 0]))
    nodes[p] = [float(table.kind != "regression"), 0.0, np.log1p(n_target) / log_n,
                np.clip(skew[p], -10, 10) / 10.0, kurt[p], 1.0, corr[p, p + 1], 1.0]
    A = corr[: p + 1, : p + 1].copy()
    np.fill_diagonal(A, 0.0)
    rows = A.sum(axis=1, keepdims=True)
    A = np.divide(A, rows, out=np.zeros_like(A), where=rows > 1e-12)
    return FeatureGraph(nodes=np.nan_to_num(nodes).astype(np.float32), adjacency=A.astype(np.float32),
                        size=table.size_features())


def _network(hidden: int, dim: int, layers: int) -> Any:
    import torch
    from torch import nn

    class GraphNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inp = nn.Linear(N_NODE, hidden)
            self.self_w = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(layers)])
            self.nbr_w = nn.ModuleList([nn.Linear(hidden, hidden, bias=False) for _ in range(layers)])
            self.out = nn.Sequential(nn.Linear(3 * hidden + N_SIZE, hidden), nn.ReLU(), nn.Linear(hidden, dim))

        def forward(self, nodes: torch.Tensor, adjacency: torch.Tensor, size: torch.Tensor) -> torch.Tensor:
            h = torch.relu(self.inp(nodes))
            for ws, wn in zip(self.self_w, self.nbr_w):
                h = h + torch.relu(ws(h) + wn(adjacency @ h))
            feats = h[:-1] if h.shape[0] > 1 else h
            pooled = torch.cat([feats.mean(dim=0), feats.max(dim=0).values, h[-1], size])
            return self.out(pooled)

    return GraphNet()


class FeatureGraphEncoder(TaskEncoder):
    """A GNN over the feature graph, trained to predict the portfolio score profile.

    Parameters
    ----------
    embedding_dim, hidden : int
        Vector length and hidden width.
    layers : int
        Rounds of message passing.
    epochs : int
        Passes over the training datasets (full batch).
    learning_rate, weight_decay : float
        Adam's step size and L2 penalty.
    max_rows, max_features : int or None
        Rows and columns the graph is built from (sampled with ``seed``; None: all).
    n_threads : int or None
        torch threads while fitting and encoding (None: torch's default).
    data_dir : str, optional
        Where dataset names are looked up (default ``$AUTOMETA_DATA_DIR``).
    seed : int
        Seed of the initial weights and the table samples.

    Examples
    --------
    >>> enc = FeatureGraphEncoder(epochs=5)          # doctest: +SKIP
    >>> enc.fit(kb).transform("iris").shape          # doctest: +SKIP
    (16,)
    """

    name: ClassVar[str] = "graph"

    def __init__(self, *, embedding_dim: int = 16, hidden: int = 32, layers: int = 2, epochs: int = 150,
                 learning_rate: float = 3e-3, weight_decay: float = 1e-4, max_rows: int | None = 1000,
                 max_features: int | None = 64, n_threads: int | None = 1, data_dir: str | None = None,
                 seed: int = 0) -> None:
        self.embedding_dim = embedding_dim
        self.hidden = hidden
        self.layers = layers
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.max_rows = max_rows
        self.max_features = max_features
        self.n_threads = n_threads
        self.data_dir = data_dir
        self.seed = seed

    def graph(self, task: Any) -> FeatureGraph:
        """The feature graph of a task (from its prepared table)."""
        return feature_graph(prepared(task, max_rows=self.max_rows, max_features=self.max_features,
                                      seed=self.seed))

    def _fit(self, tasks: list[Any], knowledge_base: Any) -> None:
        import torch

        from autometa.representations._torch import as_tensor, seeded, torch_threads

        graphs = [self.graph(t) for t in tasks]
        target = torch.from_numpy(profile_matrix(knowledge_base, [t.name for t in tasks]))
        inputs = [(as_tensor(g.nodes), as_tensor(g.adjacency), as_tensor(g.size)) for g in graphs]
        history: list[float] = []
        with torch_threads(self.n_threads), seeded(self.seed):
            net = _network(self.hidden, self.embedding_dim, self.layers)
            head = torch.nn.Linear(self.embedding_dim, target.shape[1])
            opt = torch.optim.Adam([*net.parameters(), *head.parameters()], lr=self.learning_rate,
                                   weight_decay=self.weight_decay)
            for _ in range(self.epochs):
                emb = torch.stack([net(*x) for x in inputs])
                loss = torch.mean((head(emb) - target) ** 2)
                opt.zero_grad()
                loss.backward()
                opt.step()
                history.append(float(loss.detach()))
        net.eval()
        self.net_ = net
        self.loss_history_ = history
        self.dim_ = int(self.embedding_dim)

    def _encode(self, task: Any) -> np.ndarray:
        return self.encode_graph(self.graph(task))

    def encode_graph(self, graph: FeatureGraph) -> np.ndarray:
        """The vector of an already built feature graph."""
        import torch

        from autometa.representations._torch import as_tensor, torch_threads

        with torch_threads(self.n_threads), torch.inference_mode():
            out = self.net_(as_tensor(graph.nodes), as_tensor(graph.adjacency), as_tensor(graph.size))
        return out.numpy().astype(float)

    def _get_state(self) -> dict[str, Any]:
        from autometa.representations._torch import state_to_numpy_free

        return {"net": state_to_numpy_free(self.net_)}

    def _set_state(self, state: dict[str, Any]) -> None:
        net = _network(self.hidden, self.embedding_dim, self.layers)
        net.load_state_dict(state["net"])
        net.eval()
        self.net_ = net
