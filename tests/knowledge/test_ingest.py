"""Ingesting studies, combining the user base with the shipped one, and learning from it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import create_trial

from autometa.cli import main
from autometa.knowledge import KnowledgeBase, load_knowledge
from autometa.knowledge.user import UserKnowledgeBase, combine

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _dataset_a(seed: int = 0, rows: int = 150) -> tuple[pd.DataFrame, pd.Series]:
    """A binary task unlike the tiny shipped ones (many noisy columns, a skewed target)."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.standard_t(3, size=(rows, 12)), columns=[f"f{i}" for i in range(12)])
    y = pd.Series((X["f0"] - X["f1"] + 0.3 * rng.normal(size=rows) > 1.0).astype(int), name="y")
    return X, y


def _near_copy(X: pd.DataFrame, y: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """The same data again, slightly perturbed and with a few rows fewer: 'a dataset similar to A'."""
    rng = np.random.default_rng(1)
    keep = np.sort(rng.choice(len(X), size=len(X) - 5, replace=False))
    noisy = X.iloc[keep] + rng.normal(0, 1e-3, size=(len(keep), X.shape[1]))
    return noisy.reset_index(drop=True), y.iloc[keep].reset_index(drop=True)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built_kb: Path) -> Path:
    """A private AUTOMETA_HOME, and the tiny built base standing in for the shipped one."""
    import autometa.knowledge._kb as kb_module

    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(kb_module, "default_path", lambda: built_kb)
    monkeypatch.setattr("autometa.knowledge.default_path", lambda: built_kb)
    return tmp_path / "home"


def test_ingest_cli_reads_any_study_of_a_supported_family(home: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    X, y = _dataset_a()
    data = tmp_path / "a.csv"
    pd.concat([X, y], axis=1).to_csv(data, index=False)
    storage = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(storage=storage, study_name="theirs", direction="maximize")
    space = {"classifier": CategoricalDistribution(["RandomForest", "SVC"]),
             "rf_n_estimators": IntDistribution(10, 500), "C": FloatDistribution(1e-3, 1e3, log=True)}
    study.add_trial(create_trial(params={"classifier": "RandomForest", "rf_n_estimators": 123},
                                 distributions={k: space[k] for k in ("classifier", "rf_n_estimators")},
                                 value=0.8))
    study.add_trial(create_trial(params={"classifier": "SVC", "C": 3.0},
                                 distributions={k: space[k] for k in ("classifier", "C")}, value=0.7))
    assert main(["metadata", "ingest", str(data), "--target", "y", "--storage", storage,
                 "--study-name", "theirs", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_evaluations"] == 2 and out["n_new_configurations"] == 2
    kb = UserKnowledgeBase().load()
    fams = kb.configurations["family"].tolist()
    assert sorted(fams) == ["random_forest", "svm"]
    rf = kb.configurations[kb.configurations["family"] == "random_forest"].iloc[0]
    assert json.loads(rf["params"])["n_estimators"] == 123
    # `metadata info` shows both bases
    assert main(["metadata", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["coverage"]["datasets"] == 3 and info["user"]["datasets"] == 1
    # an unknown study is a one-line error, exit code non-zero
    assert main(["metadata", "ingest", str(data), "--target", "y", "--storage", storage,
                 "--study-name", "nope"]) != 0
    # so is a study of which nothing can be recorded (a model's own names, no family told): it used to exit 0
    bare = optuna.create_study(storage=storage, study_name="bare", direction="maximize")
    bare.add_trial(create_trial(params={"zork": 3.0}, distributions={"zork": FloatDistribution(0, 5)}, value=0.7))
    capsys.readouterr()
    assert main(["metadata", "ingest", str(data), "--target", "y", "--storage", storage,
                 "--study-name", "bare"]) == 2
    err = capsys.readouterr().err
    assert "No trial of study 'bare' was recorded" in err and "--family NAME" in err


def test_ingest_refuses_names_it_cannot_map_and_takes_a_map(home: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    # issue 20: `--family lightgbm` stored leaves=77 as the library's num_leaves=31 and then recommended it
    X, y = _dataset_a()
    data = tmp_path / "a.csv"
    pd.concat([X, y], axis=1).to_csv(data, index=False)
    storage = f"sqlite:///{tmp_path / 'lgbm.db'}"
    study = optuna.create_study(storage=storage, study_name="lgbm", direction="maximize")
    dist = {"leaves": IntDistribution(4, 128), "learning_rate": FloatDistribution(1e-3, 0.3, log=True)}
    study.add_trial(create_trial(params={"leaves": 77, "learning_rate": 0.05}, distributions=dist, value=0.9))
    args = ["metadata", "ingest", str(data), "--target", "y", "--storage", storage, "--study-name", "lgbm",
            "--family", "lightgbm"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "['leaves']" in err and "--map leaves=NAME" in err
    assert not UserKnowledgeBase().exists()  # nothing stored
    assert main([*args, "--map", "leaves=num_leaves", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_evaluations"] == 1
    cfg = UserKnowledgeBase().load().configurations
    stored = json.loads(cfg[cfg["family"] == "lightgbm"].iloc[-1]["params"])
    assert stored["num_leaves"] == 77 and stored["learning_rate"] == 0.05


def _record_a(user: UserKnowledgeBase) -> str:
    """A study on A where an unusual configuration (linear, C=0.0123, not in the portfolio) won."""
    X, y = _dataset_a()
    dist = {"family": CategoricalDistribution(["linear", "knn"]), "linear_C": FloatDistribution(1e-4, 1e4, log=True),
            "knn_n_neighbors": IntDistribution(1, 50)}
    trials = [create_trial(params={"family": "linear", "linear_C": 0.0123},
                           distributions={k: dist[k] for k in ("family", "linear_C")}, value=0.97)]
    for i, k in enumerate([3, 9, 27]):
        trials.append(create_trial(params={"family": "knn", "knn_n_neighbors": k},
                                   distributions={k_: dist[k_] for k_ in ("family", "knn_n_neighbors")},
                                   value=0.60 + 0.05 * i))
    for i, t in enumerate(trials):
        t.number = i
    user.record(X, trials, y=y, name="A")
    cfg = user.load().configurations
    return str(cfg.index[(cfg["family"] == "linear") & (cfg["origin"] == "user")][0])


def test_load_combines_shipped_and_user_bases(home: Path, built_kb: Path) -> None:
    shipped = KnowledgeBase.load()
    assert load_knowledge().path == shipped.path  # nothing recorded yet: the shipped base alone
    winner = _record_a(UserKnowledgeBase())
    both = load_knowledge()
    assert len(KnowledgeBase.load().datasets) == len(shipped.datasets)  # load() is one folder, always
    assert len(both.datasets) == len(shipped.datasets) + 1
    assert winner in both.configurations.index
    assert set(shipped.configurations.index) < set(both.configurations.index)
    scores = both.scores(kind="classification")
    user_row = [d for d in scores.index if d.startswith("user-A-")][0]
    assert scores.loc[user_row].notna().sum() == 4  # sparse: the 4 tried configurations only
    assert scores.loc[user_row].idxmax() == winner
    assert both.info()["combined"][1]["datasets"] == 1
    assert combine(shipped) is shipped


@pytest.mark.filterwarnings("ignore:No usable task-vector dimension")  # the tiny base has one regression set
def test_rerun_on_a_similar_dataset_recommends_what_worked_there(home: Path) -> None:
    from autometa.metalearn import NearestDatasets, recommend

    winner = _record_a(UserKnowledgeBase())
    both = load_knowledge()
    start = time.perf_counter()
    learner = NearestDatasets(weights="distance").fit(both)
    assert time.perf_counter() - start < 10
    X, y = _near_copy(*_dataset_a())
    recs = recommend(X, y, top=5, learner=learner)
    assert recs["config_id"].iloc[0] == winner, recs[["config_id", "predicted_score", "why"]]
    assert recs.attrs["neighbours"][0]["dataset"].startswith("user-A-")


@pytest.mark.filterwarnings("ignore:No usable task-vector dimension")
def test_rerun_with_the_default_learner(home: Path) -> None:
    from autometa.metalearn import recommend

    winner = _record_a(UserKnowledgeBase())
    X, y = _near_copy(*_dataset_a())
    recs = recommend(X, y, top=5, knowledge_base=load_knowledge())
    assert recs["config_id"].iloc[0] == winner


@pytest.mark.filterwarnings("ignore:No usable task-vector dimension")
def test_recorded_runs_join_without_a_refit_and_refit_on_request(home: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from autometa.metalearn import AverageRank, NearestDatasets, recommend, refit
    from autometa.metalearn.recommend import fitted_learner

    rec = importlib.import_module("autometa.metalearn.recommend")  # the module, not the function
    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(rec, "_MEMORY", {})
    before = fitted_learner("average_rank")
    assert not any(d.startswith("user-") for d in before.data_["classification"].datasets)
    fits: list[str] = []
    for cls in (AverageRank, NearestDatasets):
        original = cls.fit
        monkeypatch.setattr(cls, "fit", lambda self, kb, _o=original: fits.append(type(self).__name__) or _o(self, kb))
    fitted_learner("default")
    assert fits == ["NearestDatasets"]  # the tiny base stands in for the shipped one: no shipped learner
    winner = _record_a(UserKnowledgeBase())
    assert fitted_learner("average_rank") is before  # recording changed nothing the learner was fitted on
    X, y = _near_copy(*_dataset_a())
    recs = recommend(X, y, top=5)  # the default learner, and the recorded run joins at rank time
    assert fits == ["NearestDatasets"]
    assert recs["config_id"].iloc[0] == winner, recs[["config_id", "why"]]
    assert "your recorded run" in recs["why"].iloc[0]
    assert recs.attrs["neighbours"][0]["dataset"].startswith("user-A-")
    assert recs["config_id"].is_unique and list(recs["rank"]) == [1, 2, 3, 4, 5]
    plain = recommend(X, y, top=5, user_runs=False)
    assert not plain["why"].str.contains("your recorded run").any()
    # `autometa metadata refit`: the learner learns from the recorded runs, and is used from then on
    report = refit("average_rank")
    assert report["datasets"]["user"] == 1
    monkeypatch.setattr(rec, "_MEMORY", {})
    after = fitted_learner("average_rank")
    assert any(d.startswith("user-A-") for d in after.data_["classification"].datasets)
    assert fits.count("AverageRank") == 1  # the refit's; the next call loaded it from the cache


def test_a_study_of_the_same_name_in_another_storage_adds_rather_than_replaces(home: Path, tmp_path: Path) -> None:
    X, y = _dataset_a()
    space = {"classifier": CategoricalDistribution(["RandomForest", "SVC"]), "C": FloatDistribution(1e-3, 1e3, log=True)}
    for i, db in enumerate(("one.db", "two.db")):
        study = optuna.create_study(storage=f"sqlite:///{tmp_path / db}", study_name="s", direction="maximize")
        study.add_trial(create_trial(params={"classifier": "SVC", "C": 1.0 + i}, distributions=space, value=0.7))
    user = UserKnowledgeBase()
    user.ingest_study(f"sqlite:///{tmp_path / 'one.db'}", "s", X, y)
    user.ingest_study(f"sqlite:///{tmp_path / 'two.db'}", "s", X, y)
    ev = user.load().evaluations
    assert len(ev) == 2 and ev["study"].nunique() == 2
    assert all(key.startswith("s@") for key in ev["study"])
    # ingesting the first storage's study again replaces its own rows only (idempotent)
    user.ingest_study(f"sqlite:///{tmp_path / 'one.db'}", "s", X, y)
    assert len(user.load().evaluations) == 2


@pytest.mark.filterwarnings("ignore:No usable task-vector dimension")  # the tiny base has one regression set
def test_near_copies_among_a_recorded_runs_best_are_shown_once(home: Path) -> None:
    # a study's best trials cluster (C = 0.0123, 0.0124, 0.0125): the lead rows are distinct configurations
    from autometa.metalearn import recommend

    X, y = _dataset_a()
    dist = {"family": CategoricalDistribution(["linear", "knn"]), "linear_C": FloatDistribution(1e-4, 1e4, log=True),
            "knn_n_neighbors": IntDistribution(1, 50)}
    trials = [create_trial(params={"family": "linear", "linear_C": c},
                           distributions={k: dist[k] for k in ("family", "linear_C")}, value=0.97 - i / 1000)
              for i, c in enumerate([0.0123, 0.0124, 0.0125])]
    trials.append(create_trial(params={"family": "knn", "knn_n_neighbors": 9},
                               distributions={k: dist[k] for k in ("family", "knn_n_neighbors")}, value=0.90))
    for i, t in enumerate(trials):
        t.number = i
    UserKnowledgeBase().record(X, trials, y=y, name="A")
    recs = recommend(*_near_copy(*_dataset_a()), top=6)
    recorded = recs[recs["why"].str.contains("your recorded run")]
    assert len(recorded) == 2  # C = 0.0123 and the k-NN; 0.0124 and 0.0125 are near copies of the first
    assert recorded["family"].tolist() == ["linear", "knn"]
    assert recorded["params"].iloc[0]["C"] == pytest.approx(0.0123)
