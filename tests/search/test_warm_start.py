"""warm_start into in-memory, SQLite and journal studies, with foreign names, nothing matching, re-runs."""

from __future__ import annotations

import math

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from autometa.exceptions import DataError
from autometa.search import conditional_space, warm_start

optuna.logging.set_verbosity(optuna.logging.WARNING)

LGBM_SPACE = {
    "lgbm_num_leaves": IntDistribution(8, 64, log=True),
    "eta": FloatDistribution(0.02, 0.2, log=True),
    "C": FloatDistribution(1e-2, 1e2, log=True),
    "bagging_fraction": FloatDistribution(0.6, 1.0, step=0.1),
}


def _waiting(study):
    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))


def test_in_memory_other_names_are_mapped_and_clipped(small_table, fake_recommend):
    X, y = small_table
    study = optuna.create_study(direction="maximize")
    out = warm_start(study, X, y, n_trials=4, search_space=LGBM_SPACE)
    assert len(out) == 4 and set(out["family"]) == {"lightgbm"}
    assert fake_recommend[0]["families"] == ["lightgbm"]  # only the family that fills the most names
    assert out.attrs["unmatched"] == ["C"]
    for trial in _waiting(study):
        params = trial.system_attrs["fixed_params"]
        assert set(params) == {"lgbm_num_leaves", "eta", "bagging_fraction"}
        assert isinstance(params["lgbm_num_leaves"], int) and 8 <= params["lgbm_num_leaves"] <= 64
        assert 0.02 <= params["eta"] <= 0.2
        assert math.isclose(round(params["bagging_fraction"] * 10), params["bagging_fraction"] * 10)
        attrs = trial.user_attrs
        assert attrs["autometa_config_id"].startswith("lightgbm-")
        assert attrs["autometa_source_datasets"] == ["pmlb_a", "pmlb_b"]
        assert attrs["autometa_predicted_score"] <= 1.0

    def objective(trial):
        leaves = trial.suggest_int("lgbm_num_leaves", 8, 64, log=True)
        eta = trial.suggest_float("eta", 0.02, 0.2, log=True)
        trial.suggest_float("bagging_fraction", 0.6, 1.0, step=0.1)
        return leaves * eta

    study.optimize(objective, n_trials=4)
    assert [t.user_attrs["autometa_config_id"] for t in study.trials] == out["config_id"].tolist()


def test_sqlite_space_read_from_trials_and_nothing_reenqueued(tmp_path, small_table, fake_recommend,
                                                              make_recommendations):
    X, y = small_table
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    study = optuna.create_study(storage=storage, study_name="s", direction="maximize")
    study.optimize(lambda t: t.suggest_float("C", 1e-3, 1e3, log=True) * 0, n_trials=1)
    first = warm_start(study, X, y, n_trials=3, param_map={"C": "linear.C"})
    assert len(first) == 3 and set(first["family"]) == {"linear"}
    again = optuna.load_study(study_name="s", storage=storage)
    second = warm_start(again, X, y, n_trials=3, param_map={"C": "linear.C"})
    seen = [t.system_attrs.get("fixed_params", t.params)["C"] for t in again.get_trials(deepcopy=False)]
    assert not set(second["params"].map(lambda p: p["C"])) & set(seen[:4])
    assert second.attrs["skipped"] >= 3  # the three queued before were recognised
    # a study holding every candidate gets nothing new
    third = warm_start(again, X, y, n_trials=3, param_map={"C": "linear.C"},
                       recommendations=make_recommendations(["linear"], top=6))
    assert len(third) == 0 and third.attrs["skipped"] == 6


def test_journal_storage_and_conditional_space(tmp_path, small_table, fake_recommend):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    X, y = small_table
    storage = JournalStorage(JournalFileBackend(str(tmp_path / "journal.log")))
    study = optuna.create_study(storage=storage, direction="maximize")
    space = conditional_space("binary", ["knn", "linear"])
    out = warm_start(study, X, y, n_trials=5, search_space=space)
    assert set(out["family"]) <= {"knn", "linear"}
    for trial in _waiting(study):
        params = trial.system_attrs["fixed_params"]
        fam = params["family"]
        assert all(k == "family" or k.startswith(fam + "_") for k in params)


def test_model_choice_names_map_to_families(small_table, fake_recommend):
    X, y = small_table
    study = optuna.create_study()
    space = {"classifier": CategoricalDistribution(["RandomForest", "SVC", "xgboost"]),
             "rf_n_estimators": IntDistribution(10, 50), "svc_C": FloatDistribution(0.1, 10, log=True)}
    out = warm_start(study, X, y, n_trials=4, search_space=space)
    assert set(out["family"]) <= {"random_forest", "svm"} and len(out) == 4
    for params in out["params"]:
        assert params["classifier"] in {"RandomForest", "SVC"}
        if params["classifier"] == "RandomForest":
            assert 10 <= params["rf_n_estimators"] <= 50 and "svc_C" not in params


def test_nothing_matches_names_the_parameters_and_the_fix(small_table, fake_recommend):
    X, y = small_table
    study = optuna.create_study()
    space = {"foo": FloatDistribution(0, 1), "bar_baz": IntDistribution(1, 3)}
    with pytest.raises(DataError) as info:
        warm_start(study, X, y, search_space=space)
    message = str(info.value)
    assert "['bar_baz', 'foo']" in message and "param_map" in message and "lightgbm:" in message
    assert not fake_recommend  # no recommendation was asked for
    out = warm_start(study, X, y, n_trials=2, search_space=space, param_map={"foo": "mlp.alpha"})
    assert len(out) == 2 and set(out["family"]) == {"mlp"}


def test_a_study_of_one_model_gets_one_family_or_a_question(small_table, fake_recommend):
    # issue 20: a LightGBM study got learning rates of MLP and histogram-boosting configurations
    X, y = small_table
    study = optuna.create_study(direction="maximize")
    space = {"learning_rate": FloatDistribution(1e-3, 0.3, log=True), "max_depth": IntDistribution(2, 12)}
    with pytest.raises(DataError) as info:
        warm_start(study, X, y, n_trials=3, search_space=space)
    message = str(info.value)
    assert "['learning_rate'] fit several pipeline families equally (lightgbm, hist_gradient_boosting, mlp)" in message
    assert "param_map={'learning_rate': 'lightgbm.learning_rate'}" in message
    assert not fake_recommend
    out = warm_start(study, X, y, n_trials=3, search_space=space,
                     param_map={"learning_rate": "lightgbm.learning_rate", "max_depth": "lightgbm.max_depth"})
    assert set(out["family"]) == {"lightgbm"}
    # a name only one family takes decides without a map
    space["reg_alpha"] = FloatDistribution(1e-8, 10.0, log=True)
    out = warm_start(optuna.create_study(direction="maximize"), X, y, n_trials=3, search_space=space)
    assert set(out["family"]) == {"lightgbm"}


@pytest.mark.parametrize("bad, match", [
    ({"param_map": {"nope": "C"}}, "not in the study's search space"),
    ({"param_map": {"C": "zzz"}}, "no pipeline family has a parameter 'zzz'"),
    ({"param_map": {"C": "xgb.C"}}, "unknown family 'xgb'"),
    ({"n_trials": 0}, "must be an int >= 1"),
    ({"search_space": {"C": 1.0}}, "dict of parameter name"),
])
def test_bad_arguments(small_table, fake_recommend, bad, match):
    X, y = small_table
    kwargs = {"search_space": {"C": FloatDistribution(0.1, 10)}, **bad}
    with pytest.raises(DataError, match=match):
        warm_start(optuna.create_study(), X, y, **kwargs)


def test_empty_study_without_space_says_how(small_table):
    X, y = small_table
    with pytest.raises(DataError, match="pass search_space"):
        warm_start(optuna.create_study(), X, y)
