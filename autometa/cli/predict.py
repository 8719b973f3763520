"""`autometa predict`: predictions from a model file `autometa fit` saved (signed; others only with --trust)."""

from __future__ import annotations

import argparse
from typing import Any

from autometa.cli._output import console, print_json
from autometa.cli.fit import check_out

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p_pred = sub.add_parser(
        "predict", help="predict a table with a model saved by `autometa fit` (a model file is code: only files "
                        "this account's autometa signed are loaded, unless --trust)")
    p_pred.add_argument("model", help="model file written by `autometa fit --out`")
    p_pred.add_argument("--trust", action="store_true",
                        help="load a model file this account did not write (loading runs code from it: only for "
                             "files whose source you trust)")
    p_pred.add_argument("spec", metavar="FILE", help="CSV/TSV/Parquet path with the model's feature columns")
    p_pred.add_argument("--out", help="write the predictions to this CSV (default: stdout)")
    p_pred.add_argument("--proba", action="store_true", help="class probabilities (classifiers)")
    p_pred.add_argument("--json", action="store_true",
                        help="print JSON records (one object per row) instead of CSV (with --out: the file is CSV)")
    p_pred.set_defaults(func=_predict)


def _predict(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from autometa.estimators import AutoMetaClassifier
    from autometa.exceptions import DataError
    from autometa.tasks import read_table

    check_out(args.out)
    model: Any = AutoMetaClassifier.load(args.model, trust=args.trust)
    table = read_table(args.spec)
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [c for c in names if c not in table.columns]
        if missing:
            raise DataError(f"{args.spec} lacks the model's feature column(s) {missing}.")
        table = table[list(names)]
    if args.proba:
        if not hasattr(model, "predict_proba"):
            raise DataError("--proba needs a classifier; this model is a regressor.")
        out = pd.DataFrame(model.predict_proba(table), columns=[f"proba_{c}" for c in model.classes_])
    else:
        out = pd.DataFrame({"prediction": np.asarray(model.predict(table))})
    if args.out:
        from autometa._io import atomic_write_bytes

        atomic_write_bytes(out.to_csv(index=False).encode(), args.out)
        console(stderr=True).print(f"{len(out)} predictions written to {args.out}")
    elif args.json:
        print_json(out.to_dict(orient="records"))
    else:
        print(out.to_csv(index=False), end="")
    return 0
