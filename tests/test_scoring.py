"""One prediction pass scores a pipeline: labels from the probabilities are what predict says, for every family."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autometa.pipelines import FAMILIES
from autometa.scoring import predict_for_scoring, score_predictions


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("n_classes", [2, 4])
def test_labels_from_the_probabilities_are_the_predictions(family, n_classes):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 5)), columns=list("abcde"))
    y = (np.digitize(X["a"] + 0.8 * rng.normal(size=300), np.linspace(-1, 1, n_classes - 1))).astype(int)
    fam = FAMILIES[family]
    kind = "binary" if n_classes == 2 else "multiclass"
    model = fam.build(fam.defaults(kind), kind, random_state=0).fit(X.iloc[:200], y[:200])
    pred, scores, is_proba = predict_for_scoring(model, X.iloc[200:], n_classes)
    assert np.array_equal(pred, model.predict(X.iloc[200:]))
    assert scores is not None and scores.shape == (100, n_classes)
    assert is_proba == (family != "svm")  # the SVM scores with its decision function
    metrics = score_predictions(model, X.iloc[200:], y[200:], n_classes)
    assert metrics["accuracy"] == pytest.approx(float(np.mean(model.predict(X.iloc[200:]) == y[200:])))
