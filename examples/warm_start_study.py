"""Warm-start your own Optuna study, in your own parameter names, in a SQLite file.

The study below tunes LightGBM with names autometa never chose (``lgbm_num_leaves``,
``eta``, ``bagging_fraction``); ``autometa.warm_start`` matches them through the
family's aliases, clips the recommended values into the study's ranges, and enqueues
them with their provenance. Running the script twice resumes the study and enqueues
nothing already tried.

Run: ``python examples/warm_start_study.py`` (about 30 s).
"""

from __future__ import annotations

import lightgbm as lgb
import optuna
from optuna.distributions import FloatDistribution, IntDistribution
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import cross_val_score

import autometa

SPACE = {
    "lgbm_num_leaves": IntDistribution(4, 64, log=True),
    "eta": FloatDistribution(1e-3, 0.3, log=True),
    "bagging_fraction": FloatDistribution(0.5, 1.0, step=0.05),
}


def main() -> None:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)

    def objective(trial: optuna.Trial) -> float:
        model = lgb.LGBMClassifier(
            num_leaves=trial.suggest_int("lgbm_num_leaves", 4, 64, log=True),
            learning_rate=trial.suggest_float("eta", 1e-3, 0.3, log=True),
            subsample=trial.suggest_float("bagging_fraction", 0.5, 1.0, step=0.05), subsample_freq=1,
            n_estimators=100, verbose=-1, n_jobs=1)
        return float(cross_val_score(model, X, y, cv=3, scoring="balanced_accuracy").mean())

    study = optuna.create_study(storage="sqlite:///warm_start_example.db", study_name="lgbm",
                                direction="maximize", load_if_exists=True)
    try:
        enqueued = autometa.warm_start(study, X, y, n_trials=5, search_space=SPACE)
        print(enqueued[["config_id", "params", "predicted_score"]])
        print(f"skipped (already tried or queued): {enqueued.attrs['skipped']}")
    except ValueError as exc:  # e.g. a knowledge base still being built (AutometaError input errors too)
        print(f"warm start skipped: {exc}")
    study.optimize(objective, n_trials=8)
    for trial in study.trials[-8:]:
        print(trial.number, round(trial.value or 0, 4), trial.user_attrs.get("autometa_config_id", "sampler"))
    print("best:", study.best_params, round(study.best_value, 4))


if __name__ == "__main__":
    main()
