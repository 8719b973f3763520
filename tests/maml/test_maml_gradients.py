"""Meta-gradients of every algorithm against a plain per-task loop and finite differences (float64).

The reference is written independently of the library: ``torch.autograd.grad`` with
``create_graph=True`` in a Python loop over tasks, and torch's own
``F.batch_norm`` in place of ours (it is exact outside ``vmap``).
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from autometa.maml import (
    ALGORITHMS,
    MLP,
    ConvNet,
    FewShotLearner,
    MatchingNet,
    TaskBatchNorm,
    make_learner,
)
from autometa.tasks.fewshot import Episode

WAYS, SHOTS, QUERIES, TASKS = 3, 2, 2, 2
LR, STEPS = 0.3, 2


class _TorchBatchNorm(nn.Module):
    """torch's fused batch norm with the same parameter names as ours (for the reference)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n, dtype=torch.float64))
        self.bias = nn.Parameter(torch.zeros(n, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.batch_norm(x, None, None, self.weight, self.bias, training=True)


def _with_torch_bn(model: nn.Module) -> nn.Module:
    model = copy.deepcopy(model)
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, TaskBatchNorm):
                setattr(module, name, _TorchBatchNorm(child.weight.numel()))
    return model


def _conv_case() -> tuple[nn.Module, Episode, tuple[int, ...]]:
    gen = torch.Generator().manual_seed(0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = ConvNet(1, WAYS, hidden=4, layers=2).double()
    labels = torch.arange(WAYS).repeat_interleave(SHOTS).expand(TASKS, -1)
    qlabels = torch.arange(WAYS).repeat_interleave(QUERIES).expand(TASKS, -1)
    episode = Episode(torch.randn(TASKS, WAYS * SHOTS, 1, 6, 6, generator=gen, dtype=torch.float64), labels,
                      torch.randn(TASKS, WAYS * QUERIES, 1, 6, 6, generator=gen, dtype=torch.float64), qlabels,
                      ways=WAYS, shots=SHOTS)
    return model, episode, (1, 6, 6)


def _mlp_case() -> tuple[nn.Module, Episode, tuple[int, ...]]:
    gen = torch.Generator().manual_seed(1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        model = MLP(3, WAYS, hidden=(5,)).double()
    labels = torch.arange(WAYS).repeat_interleave(SHOTS).expand(TASKS, -1)
    qlabels = torch.arange(WAYS).repeat_interleave(QUERIES).expand(TASKS, -1)
    episode = Episode(torch.randn(TASKS, WAYS * SHOTS, 3, generator=gen, dtype=torch.float64), labels,
                      torch.randn(TASKS, WAYS * QUERIES, 3, generator=gen, dtype=torch.float64), qlabels,
                      ways=WAYS, shots=SHOTS)
    return model, episode, (3,)


CASES = {"conv": _conv_case, "mlp": _mlp_case}


def _learner(algorithm: str, model: nn.Module, input_shape: tuple[int, ...], strategy: str) -> FewShotLearner:
    if algorithm in ("protonet", "matching", "relation"):
        model = copy.deepcopy(model)
        model.head = None
    learner = make_learner(algorithm, model=model, inner_lr=LR, inner_steps=STEPS, device="cpu",
                           strategy=strategy, seed=0)
    return learner._setup(kind="classification", input_shape=input_shape, n_outputs=WAYS,
                          family_spec={"name": "test"})


# -- an independent per-task reference ------------------------------------------
def _reference_task_loss(algorithm: str, ref_model: nn.Module, params: dict[str, torch.Tensor],
                         sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor, qy: torch.Tensor,
                         frozen_grads: list[dict[str, torch.Tensor]] | None = None) -> torch.Tensor:
    """The meta-loss of one task; ``frozen_grads`` replays given inner gradients (first order)."""
    names = [n for n, _ in ref_model.named_parameters()]
    model_params = {n: params[n] for n in names}

    def forward(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(ref_model, p, (x,))

    if algorithm == "relation":  # Sung et al. 2018: relation scores of (query, class sum), MSE to one-hot
        zs, zq = forward(model_params, sx).flatten(1), forward(model_params, qx).flatten(1)
        classes = torch.stack([zs[sy == c].sum(0) for c in range(WAYS)])
        rows = []
        for q in zq:
            row = []
            for c in classes:
                h = torch.relu(params["relation.0.weight"] @ torch.cat([q, c]) + params["relation.0.bias"])
                row.append(torch.sigmoid(params["relation.1.weight"] @ h + params["relation.1.bias"])[0])
            rows.append(torch.stack(row))
        scores = torch.stack(rows)
        return ((scores - F.one_hot(qy, WAYS).to(scores.dtype)) ** 2).mean()
    if algorithm == "matching":  # Vinyals et al. 2016, eq. 1-2: softmax attention over cosine similarities
        zs, zq = forward(model_params, sx), forward(model_params, qx)
        cos = torch.stack([torch.stack([torch.dot(q, s) / (q.norm() * s.norm()) for s in zs]) for q in zq])
        p = torch.softmax(MatchingNet.scale * cos, dim=1) @ F.one_hot(sy, WAYS).to(cos.dtype)  # scaled (10)
        return F.nll_loss(torch.log(p), qy)
    if algorithm == "protonet":
        zs, zq = forward(model_params, sx), forward(model_params, qx)
        protos = torch.stack([zs[sy == c].mean(0) for c in range(WAYS)])
        return F.cross_entropy(-((zq[:, None] - protos[None]) ** 2).sum(-1), qy)
    if algorithm == "anil":
        body = {n[5:]: v for n, v in model_params.items() if n.startswith("body.")}
        head = {n[5:]: v for n, v in model_params.items() if n.startswith("head.")}
        zs = functional_call(ref_model.body, body, (sx,))
        zq = functional_call(ref_model.body, body, (qx,))
        for _ in range(STEPS):
            loss = F.cross_entropy(F.linear(zs, head["weight"], head["bias"]), sy)
            g = torch.autograd.grad(loss, list(head.values()), create_graph=True)
            head = {k: v - LR * gi for (k, v), gi in zip(head.items(), g, strict=True)}
        return F.cross_entropy(F.linear(zq, head["weight"], head["bias"]), qy)
    fast = dict(model_params)
    for step in range(STEPS):
        if frozen_grads is not None:
            g = [frozen_grads[step][n] for n in names]
        else:
            loss = F.cross_entropy(forward(fast, sx), sy)
            g = torch.autograd.grad(loss, list(fast.values()), create_graph=algorithm != "fomaml")
        lrs = [params[f"lr:{n}"] if algorithm == "metasgd" else LR for n in names]
        fast = {n: fast[n] - lr * gi for n, lr, gi in zip(names, lrs, g, strict=True)}
    return F.cross_entropy(forward(fast, qx), qy)


def _reference_gradient(algorithm: str, learner: FewShotLearner, episode: Episode) -> dict[str, torch.Tensor]:
    ref_model = _with_torch_bn(learner.model_)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in learner.params_.items()}
    grads = {k: torch.zeros_like(v) for k, v in params.items()}
    names = [n for n, _ in ref_model.named_parameters()]
    for t in range(len(episode)):
        sx, sy, qx, qy = (episode.support_x[t], episode.support_y[t], episode.query_x[t], episode.query_y[t])
        if algorithm == "reptile":
            fast = {n: params[n].detach().clone() for n in names}
            x, y = torch.cat([sx, qx]), torch.cat([sy, qy])
            for _ in range(STEPS):
                fast = {n: v.requires_grad_(True) for n, v in fast.items()}
                g = torch.autograd.grad(F.cross_entropy(functional_call(ref_model, fast, (x,)), y), list(fast.values()))
                fast = {n: (fast[n] - LR * gi).detach() for n, gi in zip(names, g, strict=True)}
            for n in names:
                grads[n] += (params[n].detach() - fast[n]) / len(episode)
            continue
        loss = _reference_task_loss(algorithm, ref_model, params, sx, sy, qx, qy)
        keys = [k for k in params if params[k].requires_grad]
        g = torch.autograd.grad(loss / len(episode), [params[k] for k in keys], allow_unused=True)
        for k, gi in zip(keys, g, strict=True):
            if gi is not None:
                grads[k] += gi
    return grads


GRADIENT_ALGORITHMS = ["maml", "fomaml", "anil", "metasgd", "protonet", "matching", "relation", "reptile"]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("algorithm", GRADIENT_ALGORITHMS)
def test_meta_gradient_matches_per_task_loop_reference(algorithm: str, case: str) -> None:
    """The vmap strategy against the reference (the loop strategy is checked against vmap below)."""
    model, episode, shape = CASES[case]()
    learner = _learner(algorithm, model, shape, "vmap")
    ours = learner.meta_gradient(episode)
    ref = _reference_gradient(algorithm, learner, episode)
    assert set(ours) == set(ref)
    for key in ours:
        torch.testing.assert_close(ours[key], ref[key], rtol=1e-5, atol=1e-5, msg=f"{algorithm} {key}")
    assert any(float(g.abs().max()) > 0 for g in ours.values())


def _meta_objective(algorithm: str, learner: FewShotLearner, params: dict[str, torch.Tensor], episode: Episode,
                    frozen: list[list[dict[str, torch.Tensor]]] | None) -> float:
    ref_model = _with_torch_bn(learner.model_)
    total = 0.0
    for t in range(len(episode)):
        total += float(_reference_task_loss(algorithm, ref_model, params, episode.support_x[t], episode.support_y[t],
                                            episode.query_x[t], episode.query_y[t],
                                            None if frozen is None else frozen[t]).detach())
    return total / len(episode)


def _frozen_inner_grads(learner: FewShotLearner, episode: Episode) -> list[list[dict[str, torch.Tensor]]]:
    """The inner gradients first-order MAML takes at the current parameters, to hold fixed."""
    ref_model = _with_torch_bn(learner.model_)
    names = [n for n, _ in ref_model.named_parameters()]
    out = []
    for t in range(len(episode)):
        fast = {n: learner.params_[n].detach().clone().requires_grad_(True) for n in names}
        steps = []
        for _ in range(STEPS):
            g = torch.autograd.grad(F.cross_entropy(functional_call(ref_model, fast, (episode.support_x[t],)),
                                                    episode.support_y[t]), list(fast.values()))
            steps.append(dict(zip(names, g, strict=True)))
            fast = {n: (fast[n] - LR * gi).detach().requires_grad_(True) for n, gi in zip(names, g, strict=True)}
        out.append(steps)
    return out


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("algorithm", ["maml", "fomaml", "anil", "metasgd", "protonet", "matching", "relation"])
def test_meta_gradient_matches_finite_differences(algorithm: str, case: str) -> None:
    """Directional derivative of the meta-objective, central differences in float64.

    For first-order MAML the objective is the query loss with the inner gradients
    held at their values at the current parameters (what its meta-gradient is the
    exact gradient of). Reptile's update is not the gradient of any objective, so
    it is checked against the loop reference only.
    """
    model, episode, shape = CASES[case]()
    learner = _learner(algorithm, model, shape, "vmap")
    ours = learner.meta_gradient(episode)
    frozen = _frozen_inner_grads(learner, episode) if algorithm == "fomaml" else None
    gen = torch.Generator().manual_seed(2)
    direction = {k: torch.randn(v.shape, generator=gen, dtype=torch.float64) for k, v in learner.params_.items()}
    norm = torch.sqrt(sum((d ** 2).sum() for d in direction.values()))
    direction = {k: d / norm for k, d in direction.items()}
    eps = 1e-6
    with torch.no_grad():
        plus = {k: (v.detach() + eps * direction[k]).requires_grad_(True) for k, v in learner.params_.items()}
        minus = {k: (v.detach() - eps * direction[k]).requires_grad_(True) for k, v in learner.params_.items()}
    with torch.enable_grad():
        f_plus = _meta_objective(algorithm, learner, plus, episode, frozen)
        f_minus = _meta_objective(algorithm, learner, minus, episode, frozen)
    numeric = (f_plus - f_minus) / (2 * eps)
    analytic = float(sum((ours[k] * direction[k]).sum() for k in ours))
    assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_vmap_and_loop_strategies_agree_for_every_algorithm() -> None:
    model, episode, shape = _conv_case()
    for algorithm in ALGORITHMS:
        a = _learner(algorithm, model, shape, "vmap").meta_gradient(episode)
        b = _learner(algorithm, model, shape, "loop").meta_gradient(episode)
        for key in a:
            torch.testing.assert_close(a[key], b[key], rtol=1e-7, atol=1e-9)
