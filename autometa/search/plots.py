"""Pictures of a search: the best score against time, and the leaderboard with the final model's members.

matplotlib is an optional extra (``pip install 'autometa[plot]'``); it is imported
only when a plot is drawn. Each function draws on ``ax`` (a new figure's when None)
and returns the axes, as pandas and scikit-learn plots do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import DataError

__all__ = ["plot_leaderboard", "plot_search", "search_curve"]


def _axes(ax: Any) -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise DataError("Plots need matplotlib: pip install 'autometa[plot]'.") from exc
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def search_curve(study: Any, greater_is_better: bool = True) -> pd.DataFrame:
    """The study's finished trials in the order they finished: ``seconds`` since the first started, ``score``,
    ``best`` so far, ``warm_start`` (an enqueued recommendation) and ``family``.

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(direction="maximize")
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> curve = search_curve(study)
    >>> bool((curve["best"].diff().dropna() >= 0).all()), len(curve)
    (True, 3)
    """
    from optuna.trial import TrialState

    trials = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
              if t.value is not None and t.datetime_complete is not None and t.datetime_start is not None]
    columns = ["trial", "seconds", "score", "best", "warm_start", "family"]
    if not trials:
        return pd.DataFrame(columns=columns)
    start = min(t.datetime_start for t in trials)
    trials.sort(key=lambda t: t.datetime_complete)
    scores = np.array([float(t.value) for t in trials])
    best = np.maximum.accumulate(scores) if greater_is_better else np.minimum.accumulate(scores)
    return pd.DataFrame({
        "trial": [t.number for t in trials],
        "seconds": [(t.datetime_complete - start).total_seconds() for t in trials],
        "score": scores, "best": best,
        "warm_start": [bool(t.user_attrs.get("autometa_config_id")) for t in trials],
        "family": [t.params.get("family") for t in trials]})


def plot_search(study: Any, *, metric: str = "score", greater_is_better: bool = True, ax: Any = None) -> Any:
    """The best score so far against seconds, every trial a dot, warm-start trials marked (triangles)."""
    curve = search_curve(study, greater_is_better)
    ax = _axes(ax)
    if len(curve):
        ax.step(curve["seconds"], curve["best"], where="post", color="C0", label="best so far")
        warm = curve[curve["warm_start"]]
        cold = curve[~curve["warm_start"]]
        ax.scatter(warm["seconds"], warm["score"], marker="^", color="C1", s=22, label="recommended (warm start)")
        ax.scatter(cold["seconds"], cold["score"], marker="o", color="C2", s=14, label="sampled")
        ax.legend(loc="lower right", fontsize="small")
    ax.set_xlabel("seconds")
    ax.set_ylabel(metric)
    ax.set_title(f"search: {len(curve)} finished trials")
    return ax


def plot_leaderboard(board: pd.DataFrame, *, top: int = 15, metric: str = "score", ax: Any = None) -> Any:
    """The ``top`` trials' scores (with their spread over splits), the chosen trial and the final model's
    members marked, each member's ensemble weight written beside its bar."""
    ax = _axes(ax)
    rows = board.head(top).iloc[::-1]
    labels = [f"{int(t)} {f}" for t, f in zip(rows["trial"], rows["family"], strict=True)]
    weights = rows["ensemble_weight"].to_numpy() if "ensemble_weight" in rows else np.zeros(len(rows))
    chosen = rows["chosen"].to_numpy() if "chosen" in rows else np.zeros(len(rows), dtype=bool)
    colors = ["C3" if c else ("C1" if w > 0 else "C7") for c, w in zip(chosen, weights, strict=True)]
    spread = rows["score_std"].to_numpy() if "score_std" in rows else None
    ax.barh(labels, rows["score"], xerr=spread, color=colors)
    for y, (score, w) in enumerate(zip(rows["score"], weights, strict=True)):
        if w > 0:
            ax.text(score, y, f"  w={w:.2f}", va="center", fontsize="small")
    if len(rows):
        low, high = float(np.nanmin(rows["score"])), float(np.nanmax(rows["score"]))
        pad = 0.1 * (high - low) if high > low else 0.05
        ax.set_xlim(low - pad, high + 3 * pad)
    ax.set_xlabel(metric)
    ax.set_title("leaderboard (red: chosen, orange: ensemble members)")
    return ax
