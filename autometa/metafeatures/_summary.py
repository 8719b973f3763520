"""Summary functions: turn a meta-feature with many values into a few numbers.

A meta-feature such as ``cor`` (one value per pair of attributes) is summarised by
each chosen function; the result is named ``feature.summary`` (``cor.mean``), or
``feature.summary.i`` for summaries that return several values (``cor.quantiles.0``
... ``cor.quantiles.4``, ``cor.histogram.0`` ... ``cor.histogram.9``), as pymfe names
them.

Rule: summaries ignore NaN values (pymfe's ``mean`` propagates them); a summary of
no values, or of too few (``sd`` of one value), is NaN. Otherwise the definitions
are pymfe's: ``sd`` and ``var`` use ``ddof=1``; ``skewness`` and ``kurtosis`` are
type 3 of R's e1071 (pymfe's default ``method=3``); ``quantiles`` are numpy's
linear quantiles at 0, 0.25, 0.5, 0.75 and 1; ``histogram`` is the share of values
in each of 10 equal-width bins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["SUMMARIES", "DEFAULT_SUMMARY", "Summary", "summarise"]

_QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)
_HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class Summary:
    """A summary function and how many values it returns (``None``: one, unnumbered)."""

    name: str
    func: Callable[[np.ndarray], float | np.ndarray]
    size: int | None = None

    def names(self, feature: str) -> list[str]:
        """The output names of this summary applied to ``feature``."""
        if self.size is None:
            return [f"{feature}.{self.name}"]
        return [f"{feature}.{self.name}.{i}" for i in range(self.size)]


def _mean(v: np.ndarray) -> float:
    return float(np.mean(v)) if v.size else np.nan


def _sd(v: np.ndarray) -> float:
    return float(np.std(v, ddof=1)) if v.size > 1 else np.nan


def _var(v: np.ndarray) -> float:
    return float(np.var(v, ddof=1)) if v.size > 1 else np.nan


def _min(v: np.ndarray) -> float:
    return float(np.min(v)) if v.size else np.nan


def _max(v: np.ndarray) -> float:
    return float(np.max(v)) if v.size else np.nan


def _median(v: np.ndarray) -> float:
    return float(np.median(v)) if v.size else np.nan


def _range(v: np.ndarray) -> float:
    return float(np.ptp(v)) if v.size else np.nan


def _iq_range(v: np.ndarray) -> float:
    if not v.size:
        return np.nan
    q1, q3 = np.percentile(v, (25, 75))
    return float(q3 - q1)


def _quantiles(v: np.ndarray) -> np.ndarray:
    if not v.size:
        return np.full(len(_QUANTILES), np.nan)
    return np.quantile(v, _QUANTILES)


def _central_moments(v: np.ndarray) -> tuple[float, float, float, bool]:
    mean = v.mean()
    dev = v - mean
    m2 = float(np.mean(dev**2))
    # scipy's test for data too close to constant for a moment ratio to mean anything
    constant = m2 <= (np.finfo(float).eps * mean) ** 2
    return m2, float(np.mean(dev**3)), float(np.mean(dev**4)), bool(constant)


def _skewness(v: np.ndarray) -> float:
    n = v.size
    if n == 0:
        return np.nan
    m2, m3, _, constant = _central_moments(v)
    if constant:
        return np.nan
    return m3 / m2**1.5 * ((n - 1.0) / n) ** 1.5


def _kurtosis(v: np.ndarray) -> float:
    n = v.size
    if n == 0:
        return np.nan
    m2, _, m4, constant = _central_moments(v)
    if constant:
        return np.nan
    return (m4 / m2**2) * (1.0 - 1.0 / n) ** 2 - 3.0


def _histogram(v: np.ndarray) -> np.ndarray:
    if not v.size:
        return np.full(_HISTOGRAM_BINS, np.nan)
    freqs, _ = np.histogram(v, bins=_HISTOGRAM_BINS)
    return freqs / freqs.sum()


def _count(v: np.ndarray) -> float:
    return float(v.size)


def _sum(v: np.ndarray) -> float:
    return float(np.sum(v)) if v.size else np.nan


#: every summary function, by name, in the order their outputs are listed
SUMMARIES: dict[str, Summary] = {
    s.name: s
    for s in (
        Summary("mean", _mean),
        Summary("sd", _sd),
        Summary("var", _var),
        Summary("min", _min),
        Summary("max", _max),
        Summary("median", _median),
        Summary("range", _range),
        Summary("iq_range", _iq_range),
        Summary("quantiles", _quantiles, len(_QUANTILES)),
        Summary("skewness", _skewness),
        Summary("kurtosis", _kurtosis),
        Summary("histogram", _histogram, _HISTOGRAM_BINS),
        Summary("count", _count),
        Summary("sum", _sum),
    )
}

#: what ``summary="default"`` means: pymfe's default
DEFAULT_SUMMARY: tuple[str, ...] = ("mean", "sd")


def summarise(values: np.ndarray, summaries: list[Summary]) -> list[float]:
    """Apply ``summaries`` to ``values`` (NaN dropped); one float per output name."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    out: list[float] = []
    for s in summaries:
        r = s.func(v)
        if s.size is None:
            out.append(float(r))
        else:
            out.extend(float(x) for x in np.asarray(r, dtype=float))
    return out
