"""When the public face's lazy imports ran, so that ``autometa.fit`` counts its own first import in its budget."""

from __future__ import annotations

#: name -> (start, end) of the lazy import its first lookup ran (``time.perf_counter()``): the first
#: ``autometa.fit(...)`` imports scikit-learn while looking ``fit`` up, and counts that in its budget
LAZY_IMPORTS: dict[str, tuple[float, float]] = {}
