"""Option values several commands parse the same way."""

from __future__ import annotations

from collections.abc import Sequence

from autometa.exceptions import DataError

__all__ = ["parse_map"]


def parse_map(items: Sequence[str], form: str, example: str) -> dict[str, str]:
    """``--map`` values (``NAME=TARGET`` each) as a dict; a malformed one is a one-line error.

    >>> parse_map(["lr=lightgbm.learning_rate"], "NAME=AUTOMETA", "lr=lightgbm.learning_rate")
    {'lr': 'lightgbm.learning_rate'}
    """
    out = {}
    for item in items:
        name, sep, target = item.partition("=")
        if not sep or not name or not target:
            raise DataError(f"--map takes {form} pairs such as {example}. Got {item!r}.")
        out[name] = target
    return out
