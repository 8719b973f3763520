"""Exceptions and warnings raised by autometa.

Every error autometa raises on purpose derives from :class:`AutometaError`; errors
caused by bad input also derive from :class:`ValueError`, so ``except ValueError``
keeps working in code that does not know autometa.
"""

from __future__ import annotations

__all__ = [
    "AutometaError",
    "AutometaWarning",
    "DataError",
    "KnowledgeBaseError",
    "NotInstalledError",
]


class AutometaError(Exception):
    """Base class of every error autometa raises on purpose."""


class DataError(AutometaError, ValueError):
    """The data given (a table, a target, a file, a spec) cannot be used as it is."""


class KnowledgeBaseError(AutometaError, ValueError):
    """A knowledge base on disk is missing, damaged, partial or of the wrong schema."""


class NotInstalledError(AutometaError, ImportError):
    """An optional dependency is needed for this call and is not installed."""


class AutometaWarning(UserWarning):
    """Base class of the warnings autometa emits (constant columns dropped, budgets hit...)."""


def require(module: str, extra: str | None = None):  # noqa: ANN201 - returns a module
    """Import an optional dependency or raise :class:`NotInstalledError` with an install hint."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        hint = f"pip install 'autometa[{extra}]'" if extra else f"pip install {module}"
        raise NotInstalledError(f"{module!r} is needed for this and is not installed: {hint}") from exc
