"""Quickstart: recommend, fit, inspect, save and load a model on scikit-learn's breast cancer data.

Run: ``python examples/quickstart.py`` (about 30 s).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import autometa
from autometa import AutoMetaClassifier


def main() -> None:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

    # what the knowledge base suggests for this data (the search starts from these)
    try:
        print(autometa.recommend(X_train, y_train, top=5)[["rank", "family", "predicted_score", "why"]])
    except ValueError as exc:  # e.g. a knowledge base still being built (AutometaError input errors too)
        print(f"recommend: {exc}")

    # a warm-started, pruned, time-budgeted search, then the best pipeline refitted
    model = autometa.fit(X_train, y_train, time_budget=20, random_state=0, verbose=1)
    print(model.leaderboard_.head(5)[["rank", "family", "score", "source", "config_id"]])
    print(f"best: {model.best_family_} {model.best_params_}")
    print(f"held-out accuracy: {model.score(X_test, y_test):.3f}")

    # it is a scikit-learn estimator: save and load with joblib
    path = Path(tempfile.mkdtemp()) / "model.joblib"
    model.save(path)
    again = AutoMetaClassifier.load(path)
    assert (again.predict(X_test) == model.predict(X_test)).all()
    print(f"saved and reloaded {path}")


if __name__ == "__main__":
    main()
