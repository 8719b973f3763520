"""Shared output helpers for the command line: rich tables for people, JSON for programs."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd

__all__ = ["print_table", "print_json", "console"]


def console(stderr: bool = False):  # noqa: ANN201
    from rich.console import Console

    return Console(stderr=stderr)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            return _jsonable(value.item())
        except (ValueError, AttributeError):
            pass
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def print_json(obj: Any) -> None:
    """Print ``obj`` (a DataFrame, Series, dict or list) as JSON on stdout."""
    if isinstance(obj, pd.DataFrame):
        obj = obj.to_dict(orient="records")
    elif isinstance(obj, pd.Series):
        obj = obj.to_dict()
    json.dump(_jsonable(obj), sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(rows: pd.DataFrame | Sequence[Mapping[str, Any]], title: str | None = None,
                float_format: str = "{:.4g}") -> None:
    """Print a rich table of ``rows`` on stdout."""
    from rich.table import Table

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    table = Table(title=title)
    for col in frame.columns:
        justify: Literal["left", "right"] = "right" if pd.api.types.is_numeric_dtype(frame[col]) else "left"
        table.add_column(str(col), justify=justify)
    for values in frame.itertuples(index=False):
        cells = []
        for v in values:
            if isinstance(v, float):
                cells.append("" if math.isnan(v) else float_format.format(v))
            else:
                cells.append(str(v))
        table.add_row(*cells)
    out = console()
    if not out.is_terminal:  # a pipe or a file: keep every cell whole rather than fit 80 columns
        out.width = max(out.width, out.measure(table, options=out.options.update_width(10_000)).maximum)
    out.print(table)
