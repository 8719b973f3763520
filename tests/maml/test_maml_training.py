"""Meta-training works: sinusoid MSE falls, runs repeat, checkpoints resume, the API holds."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from autometa.exceptions import DataError
from autometa.maml import MAML, FewShotLearner, NotFittedError, ProtoNet, make_learner
from autometa.tasks.fewshot import Episode, make_family


def test_meta_training_lowers_post_adaptation_mse_on_sinusoids() -> None:
    family = make_family("sinusoid", shots=10, queries=10)
    settings = {"inner_lr": 0.02, "inner_steps": 2, "outer_lr": 1e-2, "device": "cpu", "strategy": "vmap",
                "seed": 0}
    untrained = MAML(**settings).setup(family)  # same initialisation, same adaptation, no meta-training
    before = untrained.evaluate(family, episodes=100, seed=1)
    learner = MAML(**settings).meta_train(family, steps=250, meta_batch_size=8)
    after = learner.evaluate(family, episodes=100, seed=1)
    assert after.metric == "mse"
    assert after.mean < 0.4 * before.mean, (before, after)
    assert after.mean + after.ci95 < before.mean - before.ci95


def test_fixed_seed_repeats_exactly_on_cpu() -> None:
    family = make_family("sinusoid", shots=5)
    a = MAML(device="cpu", seed=3).meta_train(family, steps=5, meta_batch_size=4)
    b = MAML(device="cpu", seed=3).meta_train(family, steps=5, meta_batch_size=4)
    for key in a.params_:
        assert torch.equal(a.params_[key], b.params_[key])
    assert [h["loss"] for h in a.history_] == [h["loss"] for h in b.history_]


def test_resume_from_checkpoint_continues_the_same_run(tmp_path) -> None:
    family = make_family("sinusoid", shots=5)
    straight = MAML(device="cpu", seed=0).meta_train(family, steps=6, meta_batch_size=4)
    path = tmp_path / "run.pt"
    MAML(device="cpu", seed=0).meta_train(family, steps=3, meta_batch_size=4, checkpoint=path)
    resumed = MAML(device="cpu", seed=0).meta_train(family, steps=6, meta_batch_size=4, checkpoint=path,
                                                    resume=True)
    assert resumed.step_ == 6
    for key in straight.params_:
        torch.testing.assert_close(resumed.params_[key], straight.params_[key], rtol=0, atol=0)
    loaded = FewShotLearner.load(path)
    assert isinstance(loaded, MAML) and loaded.step_ == 6


def test_adapt_returns_a_model_for_the_support_set() -> None:
    family = make_family("sinusoid", shots=10)
    learner = MAML(device="cpu").meta_train(family, steps=2, meta_batch_size=2)
    episode = family.sample(1, seed=0)
    adapted = learner.adapt(episode)
    out = adapted.predict(episode.query_x[0])
    assert out.shape == (family.queries,)
    before = {k: v.clone() for k, v in learner.params_.items()}
    learner.adapt(episode.support_x[0], episode.support_y[0], steps=3)
    assert all(torch.equal(before[k], learner.params_[k]) for k in before)


def test_protonet_evaluates_any_number_of_ways() -> None:
    gen = torch.Generator().manual_seed(0)
    centres = torch.randn(6, 4, generator=gen) * 3

    def tasks(ways: int) -> Episode:
        cls = torch.arange(ways)
        sy, qy = cls.repeat_interleave(2)[None], cls.repeat_interleave(3)[None]
        sx = centres[sy] + 0.1 * torch.randn(1, 2 * ways, 4, generator=gen)
        qx = centres[qy] + 0.1 * torch.randn(1, 3 * ways, 4, generator=gen)
        return Episode(sx, sy, qx, qy, ways=ways, shots=2)

    learner = ProtoNet(device="cpu")._setup(kind="classification", input_shape=(4,), n_outputs=3,
                                            family_spec={"name": "test"})
    assert learner.evaluate(tasks(5)).n_episodes == 1
    assert learner.adapt(tasks(6)).predict(tasks(6).query_x[0]).shape == (18,)


def test_errors_name_the_parameter() -> None:
    family = make_family("sinusoid")
    with pytest.raises(DataError, match="'inner_steps'"):
        MAML(inner_steps=0, device="cpu").setup(family)
    with pytest.raises(DataError, match="'strategy'"):
        MAML(strategy="fast", device="cpu").setup(family)
    with pytest.raises(DataError, match="Unknown algorithm"):
        make_learner("maml2")
    with pytest.raises(NotFittedError):
        MAML().evaluate(family)
    with pytest.raises(DataError, match="ProtoNet"):
        ProtoNet(device="cpu").setup(family)


def test_importing_tasks_does_not_import_torch() -> None:
    import subprocess

    code = "import autometa.tasks, autometa.tasks.fewshot, sys; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def _noisy_clusters(gen: torch.Generator, tasks: int = 8, ways: int = 5, queries: int = 5) -> Episode:
    """1-shot tasks: classes differ in 2 of 10 dimensions; the other 8 are loud noise a metric must ignore."""
    centres = torch.randn(tasks, ways, 2, generator=gen) * 2

    def draw(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.arange(ways).repeat_interleave(n).expand(tasks, -1)
        signal = torch.gather(centres, 1, y[..., None].expand(-1, -1, 2)) + 0.3 * torch.randn(tasks, ways * n, 2,
                                                                                                generator=gen)
        return torch.cat([signal, 3 * torch.randn(tasks, ways * n, 8, generator=gen)], dim=-1), y

    (sx, sy), (qx, qy) = draw(1), draw(queries)
    return Episode(sx, sy, qx, qy, ways=ways, shots=1)


def _clusters_learner(cls, outer_lr: float):
    """An unfitted 5-way learner for 10-dimensional inputs (the noisy-cluster tasks)."""
    return cls(device="cpu", outer_lr=outer_lr, seed=0)._setup(
        kind="classification", input_shape=(10,), n_outputs=5, family_spec={"name": "test"})


def _train_on_noisy_clusters(learner, updates: int):
    """``(held-out tasks, accuracy before, accuracy after)`` of ``updates`` meta-steps on noisy-cluster tasks."""
    gen = torch.Generator().manual_seed(0)
    held_out = _noisy_clusters(torch.Generator().manual_seed(99), tasks=50)
    before = learner.evaluate(held_out).mean
    for _ in range(updates):
        learner.meta_step(_noisy_clusters(gen))
    return held_out, before, learner.evaluate(held_out).mean


def test_matching_networks_learn_an_embedding_that_ignores_noise() -> None:
    from autometa.maml import MatchingNet

    learner = _clusters_learner(MatchingNet, 3e-3)
    held_out, before, after = _train_on_noisy_clusters(learner, 150)
    assert after > before + 0.15 and after > 0.6, (before, after)
    # a query's class probabilities sum to 1 (the logits are log-probabilities)
    probs = learner.adapt(held_out.support_x[0], held_out.support_y[0])(held_out.query_x[0]).exp().sum(-1)
    torch.testing.assert_close(probs, torch.ones_like(probs))


def test_relation_networks_learn_the_embedding_and_the_relation_module() -> None:
    from autometa.maml import RelationNet

    learner = _clusters_learner(RelationNet, 1e-2)
    relation_before = learner.params_["relation.1.weight"].detach().clone()
    held_out, before, after = _train_on_noisy_clusters(learner, 150)
    assert after > before + 0.3 and after > 0.6, (before, after)
    assert not torch.equal(relation_before, learner.params_["relation.1.weight"])  # the relation module learned
    scores = learner.adapt(held_out.support_x[0], held_out.support_y[0])(held_out.query_x[0])
    assert scores.shape == (25, 5) and bool(((scores >= 0) & (scores <= 1)).all())  # relation scores


def _omniglot_after_300_updates(learner_class, omniglot_dir):
    """5-way 1-shot on held-out characters (50 tasks) after 300 CPU meta-updates of 4 tasks, seeded."""
    from autometa.tasks import TaskRegistry

    torch.manual_seed(0)
    family = TaskRegistry().family("omniglot", ways=5, shots=1, queries=5, data_dir=str(omniglot_dir))
    learner = learner_class(device="cpu", seed=0).meta_train(family, steps=300, meta_batch_size=4)
    return learner.evaluate(family.with_options(queries=15), episodes=50, split="test")


@pytest.mark.slow
def test_relation_networks_do_not_collapse_on_omniglot(omniglot_dir) -> None:
    # with the paper's 8 hidden units behind the flattened embedding, every relation score went to 0.2 (the
    # MSE-optimal constant) within the first steps: 20.0 % +- 0.0 after 16,405 updates
    from autometa.maml import RelationNet

    result = _omniglot_after_300_updates(RelationNet, omniglot_dir)
    assert result.mean > 0.5 and result.ci95 > 0  # chance is 0.2; a collapsed module scores 0.2 +- 0


@pytest.mark.slow
def test_matching_networks_scaled_cosine_learns_omniglot(omniglot_dir) -> None:
    # raw cosines cap a 5-way softmax at 0.63: unscaled, 300 updates gave 78.2 % (and 30 minutes 83.2 %);
    # scaled by 10, 89.6 %
    from autometa.maml import MatchingNet

    result = _omniglot_after_300_updates(MatchingNet, omniglot_dir)
    assert result.mean > 0.85


def _mann_reference(learner, params, sx, sy):
    """Santoro et al.'s LRUA equations for one support sequence, step by step in NumPy (float64)."""
    p = {k: v.detach().double().numpy() for k, v in params.items()}
    z = learner._forward(learner._model_params(params), sx).detach().double().numpy().reshape(len(sx), -1)
    ways, hidden, slots = learner.n_outputs_, learner.hidden, learner.slots

    def sig(v):
        return 1 / (1 + np.exp(-v))

    h, c = np.zeros(hidden), np.zeros(hidden)
    memory = np.full((slots, learner.width), 1e-6)
    read, usage, least = np.zeros(slots), np.zeros(slots), np.eye(slots)[0]
    steps = [(z[t], np.eye(ways)[int(sy[t - 1])] if t else np.zeros(ways)) for t in range(len(z))]
    steps.append((np.zeros(z.shape[1]), np.eye(ways)[int(sy[-1])]))  # the last label, alone
    for example, label in steps:
        x = np.concatenate([example, label])
        gates = p["mann.ih.weight"] @ x + p["mann.ih.bias"] + p["mann.hh.weight"] @ h + p["mann.hh.bias"]
        i, f, g, o = np.split(gates, 4)
        c = sig(f) * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        key = np.tanh(p["mann.key.weight"] @ h + p["mann.key.bias"])
        gate = sig(p["mann.gate.weight"] @ h + p["mann.gate.bias"])
        write = gate * read + (1 - gate) * least
        memory = memory * (1 - least)[:, None] + np.outer(write, key)
        sims = (memory @ key) / (np.linalg.norm(memory, axis=1).clip(1e-12) * np.linalg.norm(key).clip(1e-12))
        e = np.exp(learner.scale * sims - (learner.scale * sims).max())
        read = e / e.sum()
        usage = learner.usage_decay * usage + read + write
        least = np.eye(slots)[int(np.argmin(usage))]
    return h, c, memory


def test_mann_follows_the_lrua_equations_step_by_step() -> None:
    from autometa.maml import MANN

    learner = MANN(device="cpu", seed=0)._setup(kind="classification", input_shape=(10,), n_outputs=5,
                                               family_spec={"name": "test"})
    learner._ways = 5
    params = learner._detached()
    episode = _noisy_clusters(torch.Generator().manual_seed(3), tasks=1)
    sx, sy = episode.support_x[0], episode.support_y[0].flip(0)  # labels out of order: the offset matters
    state = learner._support_state(params, sx, sy)
    h, c, memory = _mann_reference(learner, params, sx, sy)
    np.testing.assert_allclose(state["h"].double().numpy(), h, atol=1e-5)
    np.testing.assert_allclose(state["c"].double().numpy(), c, atol=1e-5)
    np.testing.assert_allclose(state["memory"].double().numpy(), memory, atol=1e-5)


def test_mann_learns_to_bind_examples_to_their_labels_in_memory() -> None:
    from autometa.maml import MANN

    # slower than the metric learners: 150 updates gave 0.33, 400 gave 0.87
    learner = _clusters_learner(MANN, 3e-3)
    _, before, after = _train_on_noisy_clusters(learner, 400)
    assert before < 0.3 and after > 0.7, (before, after)  # chance is 0.2
    with pytest.raises(DataError, match="meta-trained on 5-way tasks"):
        learner.evaluate(_noisy_clusters(torch.Generator().manual_seed(1), tasks=2, ways=7))


def test_the_lstm_meta_learner_updates_each_coordinate_by_the_papers_cell() -> None:
    """The vectorised update against the paper's equations written out for one coordinate at a time."""
    import math

    from autometa.maml import MetaLSTM
    from autometa.maml._metalstm import HIDDEN, preprocess

    learner = MetaLSTM(device="cpu", seed=0).setup(make_family("sinusoid"))
    params = {k: v.detach().double() for k, v in learner._detached().items()}
    gen = torch.Generator().manual_seed(0)
    theta, g = torch.randn(6, generator=gen).double(), torch.randn(6, generator=gen).double() * 3
    g[2] = 1e-7  # below e^-p: the second preprocessing branch
    loss = torch.tensor(0.7, dtype=torch.double)
    state = (torch.randn(6, HIDDEN, generator=gen).double(), torch.randn(6, HIDDEN, generator=gen).double(),
             torch.rand(6, generator=gen).double(), torch.rand(6, generator=gen).double())
    new_theta, (h, c, f, i) = learner._update(params, theta, g, loss, state)

    def sigmoid(v: float) -> float:
        return 1 / (1 + math.exp(-v))

    for k in range(6):
        x = torch.cat([preprocess(g[k : k + 1])[0], preprocess(loss.reshape(1))[0]])
        gates = params["lstm.ih"] @ x + params["lstm.hh"] @ state[0][k] + params["lstm.b"]
        gi, gf, gg, go = gates.split(HIDDEN)
        c_k = torch.sigmoid(gf) * state[1][k] + torch.sigmoid(gi) * torch.tanh(gg)
        h_k = torch.sigmoid(go) * torch.tanh(c_k)
        f_k = sigmoid(float(params["cell.WF"] @ torch.cat([h_k, theta[k : k + 1], state[2][k : k + 1]]))
                      + float(params["cell.bF"]))
        i_k = sigmoid(float(params["cell.WI"] @ torch.cat([h_k, theta[k : k + 1], state[3][k : k + 1]]))
                      + float(params["cell.bI"]))
        assert float(new_theta[k]) == pytest.approx(f_k * float(theta[k]) - i_k * float(g[k]), rel=1e-10)
        torch.testing.assert_close(h[k], h_k)
        assert float(f[k]) == pytest.approx(f_k) and float(i[k]) == pytest.approx(i_k)


def test_the_lstm_meta_learner_learns_updates_that_adapt() -> None:
    from autometa.maml import MetaLSTM

    family = make_family("sinusoid", shots=10, queries=10)
    learner = MetaLSTM(inner_steps=5, outer_lr=1e-2, device="cpu", strategy="loop", seed=0)
    learner.meta_train(family, steps=100, meta_batch_size=8)
    unadapted = learner.evaluate(family, episodes=100, seed=1, steps=0).mean
    adapted = learner.evaluate(family, episodes=100, seed=1, steps=5).mean
    assert adapted < 0.8 * unadapted, (unadapted, adapted)  # measured: 3.87 -> 2.31
