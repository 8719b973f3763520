"""`autometa demo`: recommend, fit and a leaderboard on scikit-learn's breast cancer data, in under a minute."""

from __future__ import annotations

import argparse
import json
import time

from autometa.cli._output import console, print_json, print_table

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="recommend + fit + leaderboard on a bundled dataset (under a minute)")
    parser.add_argument("--dataset", default="breast_cancer", help="a scikit-learn bundled dataset "
                        "(breast_cancer, iris, wine, digits, diabetes; default: breast_cancer)")
    parser.add_argument("--time-budget", type=float, default=20.0, metavar="S",
                        help="seconds for the search (default: 20)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    import numpy as np
    from sklearn.model_selection import train_test_split

    import autometa
    from autometa.exceptions import DataError
    from autometa.scoring import score_predictions
    from autometa.tasks import load_task

    if args.time_budget <= 0:
        raise DataError(f"--time-budget must be a number of seconds > 0. Got {args.time_budget:g}.")
    start = time.perf_counter()
    task = load_task(f"sklearn:{args.dataset}")
    stratify = task.y if task.is_classification else None
    X_train, X_test, y_train, y_test = train_test_split(task.X, task.y, test_size=0.25, random_state=args.seed,
                                                        stratify=stratify)
    err = console(stderr=True)
    if not args.json:
        err.print(f"[bold]autometa demo[/bold]: {task.name} ({task.kind}, {len(task.X)} rows, "
                  f"{task.X.shape[1]} features); searching for {args.time_budget:g} s on 75 % of the rows")
    model = autometa.fit(X_train, y_train, time_budget=args.time_budget, random_state=args.seed,
                         verbose=0 if args.quiet or args.json else 1)
    test = model.score(X_test, y_test)
    metric = model.metric_
    if task.is_classification:
        encoded = np.searchsorted(model.classes_, np.asarray(y_test))
        held_out = score_predictions(_Encoded(model), X_test, encoded, len(model.classes_))[metric]
    else:
        held_out = score_predictions(model, X_test, np.asarray(y_test, dtype=float), None)[metric]
    recs = model.recommendations_
    shown_recs = recs.head(5)[["rank", "config_id", "family", "predicted_score", "why"]] if len(recs) else recs
    board = model.leaderboard_.head(10)[["rank", "trial", "family", "score", "score_std", "fit_seconds", "source",
                                         "config_id"]]
    summary = {"dataset": task.name, "kind": task.kind, "metric": metric, "best_family": model.best_family_,
               "best_params": model.best_params_, "cv_score": model.best_score_, f"test_{metric}": held_out,
               "test_score": test, "trials": model.n_trials_, "validated": model.n_validated_,
               "final_model": model.final_model_, "seconds": round(time.perf_counter() - start, 1),
               "notes": model.notes_}
    if args.json:
        print_json({**summary, "recommendations": shown_recs.to_dict(orient="records"),
                    "leaderboard": board.to_dict(orient="records")})
        return 0
    print_table(shown_recs, title="1. what the knowledge base recommends (first trials of the search)")
    print_table(board, title=f"2. leaderboard: {model.n_trials_} trials, mean {metric} over 3 folds")
    print_table([{"best": model.best_family_, f"cv {metric}": model.best_score_, f"test {metric}": held_out,
                  "test " + ("accuracy" if task.is_classification else "r2"): test,
                  "seconds": summary["seconds"]}], title="3. the refitted best pipeline on the held-out 25 %")
    err.print(f"best parameters: {json.dumps(model.best_params_, default=str)}")
    for note in model.notes_:
        err.print(f"[yellow]note:[/yellow] {note}")
    return 0


class _Encoded:
    """A classifier seen through encoded labels (0..n-1), for the knowledge base's scorer."""

    def __init__(self, model: object) -> None:
        import numpy as np

        self._model = model
        self.classes_ = np.arange(len(model.classes_))  # type: ignore[attr-defined]

    def predict(self, X: object) -> object:
        import numpy as np

        return np.argmax(self._model.predict_proba(X), axis=1)  # type: ignore[attr-defined]

    def predict_proba(self, X: object) -> object:
        return self._model.predict_proba(X)  # type: ignore[attr-defined]
