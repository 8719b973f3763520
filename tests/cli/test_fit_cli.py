"""`autometa fit`, `predict`, `warm-start` and `demo`, in-process with a fake recommend."""

from __future__ import annotations

import json
import time

import numpy as np
import optuna
import pandas as pd
import pytest

from autometa.cli import main


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(100, 3)), columns=["a", "b", "c"])
    df["y"] = np.where(df["a"] + 0.3 * df["b"] > 0, "pos", "neg")
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_then_predict(tmp_path, capsys, csv, fake_recommend):
    model = tmp_path / "model.joblib"
    code, out, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 3, "--out", model,
                         "--families", "linear", "knn", "--seed", 0, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["best_family"] in {"linear", "knn"} and summary["leaderboard"]
    assert model.exists()
    preds = tmp_path / "preds.csv"
    code, out, err = run(capsys, "predict", model, csv, "--out", preds)
    assert code == 0, err
    table = pd.read_csv(preds)
    assert len(table) == 100 and set(table["prediction"]) <= {"pos", "neg"}
    code, out, _ = run(capsys, "predict", model, csv, "--proba")
    assert out.splitlines()[0] == "proba_neg,proba_pos"
    code, out, _ = run(capsys, "predict", model, csv, "--proba", "--json")
    records = json.loads(out)
    assert code == 0 and len(records) == 100 and set(records[0]) == {"proba_neg", "proba_pos"}
    assert abs(sum(records[0].values()) - 1.0) < 1e-9
    code, out, _ = run(capsys, "predict", model, csv, "--json")
    assert code == 0 and {r["prediction"] for r in json.loads(out)} <= {"pos", "neg"}


def test_warm_start_command(tmp_path, capsys, csv, fake_recommend):
    storage = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(storage=storage, study_name="mine", direction="maximize")
    study.optimize(lambda t: t.suggest_float("lr", 0.01, 0.3, log=True)
                   + t.suggest_int("leaves", 4, 64) * 0, n_trials=1)
    code, out, err = run(capsys, "warm-start", "--storage", storage, "--study-name", "mine", csv,
                         "--target", "y", "-n", 3, "--map", "lr=lightgbm.learning_rate",
                         "leaves=lightgbm.num_leaves", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert len(result["enqueued"]) == 3
    waiting = optuna.load_study(study_name="mine", storage=storage).get_trials(
        states=(optuna.trial.TrialState.WAITING,))
    assert len(waiting) == 3 and set(waiting[0].system_attrs["fixed_params"]) == {"lr", "leaves"}


def test_warm_start_creates_the_study_only_when_told(tmp_path, capsys, csv, fake_recommend):
    # the README's command: without --create a missing study is a one-line error and no s.db is left behind
    db = tmp_path / "s.db"
    storage = f"sqlite:///{db}"
    code, _, err = run(capsys, "warm-start", "--storage", storage, "--study-name", "NAME", csv, "--target", "y")
    assert code == 2 and "No study named 'NAME'" in err and "--create maximize" in err
    assert not db.exists()
    code, out, err = run(capsys, "warm-start", "--storage", storage, "--study-name", "NAME", "--create", "maximize",
                         csv, "--target", "y", "-n", 4, "--json")
    assert code == 0, err
    assert len(json.loads(out)["enqueued"]) == 4 and "created study 'NAME'" in err
    study = optuna.load_study(study_name="NAME", storage=storage)
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE
    assert len(study.get_trials(states=(optuna.trial.TrialState.WAITING,))) == 4


def test_warm_start_nothing_matches_is_a_one_line_error(tmp_path, capsys, csv, fake_recommend):
    storage = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(storage=storage, study_name="odd")
    study.optimize(lambda t: t.suggest_float("zork", 0, 1), n_trials=1)
    code, out, err = run(capsys, "warm-start", "--storage", storage, "--study", "odd", csv, "--target", "y")
    assert code == 2 and "['zork'] not understood" in err and "param_map" in err


def test_bad_inputs(tmp_path, capsys, csv):
    code, _, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", -5)
    assert code == 2 and "--time-budget must be" in err
    code, _, err = run(capsys, "predict", tmp_path / "missing.joblib", csv)
    assert code == 2 and "Cannot read model file" in err
    start = time.perf_counter()  # a missing --out folder is said before the search, not after it
    code, _, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 30, "--out", tmp_path / "no" / "m.joblib")
    assert code == 2 and "does not exist" in err and time.perf_counter() - start < 5
    code, _, err = run(capsys, "predict", tmp_path / "missing.joblib", csv, "--out", tmp_path / "no" / "p.csv")
    assert code == 2 and "does not exist" in err


def test_predict_refuses_a_model_file_it_did_not_write(tmp_path, capsys, csv, monkeypatch):
    import joblib

    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    evil = tmp_path / "evil.joblib"
    joblib.dump({"not": "a model"}, evil)
    code, _, err = run(capsys, "predict", evil, csv)
    assert code == 2 and "would run code from it" in err and "--trust" in err
    code, _, err = run(capsys, "predict", evil, csv, "--trust")
    assert code == 2 and "does not hold an autometa model (found dict)" in err


@pytest.mark.slow
def test_demo_json(capsys, fake_recommend):
    code, out, err = run(capsys, "demo", "--dataset", "iris", "--time-budget", 2, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["dataset"] == "iris" and summary["test_score"] > 0.8 and summary["leaderboard"]


def test_fit_no_ensemble_and_the_ensemble_weights_in_json(tmp_path, capsys, csv, fake_recommend):
    code, out, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 4, "--families", "linear", "knn",
                         "--seed", 0, "--json", "--no-ensemble")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["final_model"] == "refit" and "ensemble_weight" not in summary["leaderboard"][0]
    code, out, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 4, "--families", "linear", "knn",
                         "--seed", 0, "--json")
    assert code == 0, err
    summary = json.loads(out)
    weights = [row["ensemble_weight"] for row in summary["leaderboard"]]
    assert summary["final_model"] in ("ensemble", "refit") and 0 < sum(weights) <= 1 + 1e-9


def test_fit_takes_a_scorer_name_and_a_weight_column(tmp_path, capsys, csv, fake_recommend):
    table = pd.read_csv(csv).assign(w=np.linspace(0.5, 2.0, 100))
    table.to_csv(csv, index=False)
    model = tmp_path / "model.joblib"
    code, out, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 4, "--families", "linear",
                         "--seed", 0, "--json", "--metric", "f1_macro", "--sample-weight", "w", "--no-record",
                         "--out", model)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["metric"] == "f1_macro" and 0.5 < summary["best_score"] <= 1.0
    assert any("ranked by balanced_accuracy" in note for note in summary["notes"])
    code, out, err = run(capsys, "predict", model, csv, "--json")  # the weight column is not a feature
    assert code == 0, err
    assert len(json.loads(out)) == 100
    code, _, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 4, "--metric", "f2", "--no-record")
    assert code == 2 and "scikit-learn scorer name" in err and "Traceback" not in err


def test_fit_takes_a_validation_by_name_and_a_group_column(tmp_path, capsys, csv, fake_recommend):
    table = pd.read_csv(csv).assign(g=np.arange(100) % 10)
    table.to_csv(csv, index=False)
    code, out, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 4, "--families", "linear",
                         "--seed", 0, "--json", "--groups", "g", "--no-record", "--no-ensemble")
    assert code == 0, err
    assert json.loads(out)["validation"] == "GroupKFold, 5 splits"
    code, out, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 4, "--families", "linear",
                         "--seed", 0, "--json", "--cv", "holdout", "--no-record")
    assert code == 0, err
    assert json.loads(out)["validation"] == "holdout 20 %"
    code, _, err = run(capsys, "fit", csv, "--target", "y", "--time-budget", 4, "--cv", "loo", "--no-record")
    assert code == 2 and "'cv' parameter" in err
