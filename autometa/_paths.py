"""Where autometa keeps things on the user's machine, in one place.

- :func:`autometa_home`: per-user data (``$AUTOMETA_HOME``, else the platform's
  user data folder); the user knowledge base lives in ``knowledge/`` under it.
- :func:`shipped_metadata_path`: the shipped knowledge base (``metadata/``).
- :func:`cache_root`: rebuildable files (fitted meta-learners):
  ``$AUTOMETA_CACHE_DIR``, else ``$AUTOMETA_HOME/cache`` when ``AUTOMETA_HOME``
  is set, else the platform's user cache folder (``~/.cache/autometa``). Setting
  ``AUTOMETA_HOME`` alone therefore moves everything autometa writes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["autometa_home", "cache_root", "shipped_metadata_path", "user_knowledge_path"]


def autometa_home() -> Path:
    """autometa's per-user data folder: ``$AUTOMETA_HOME``, else the platform's user data dir.

    Linux and other POSIX: ``$XDG_DATA_HOME/autometa`` or ``~/.local/share/autometa``;
    macOS: ``~/Library/Application Support/autometa``; Windows: ``%LOCALAPPDATA%\\autometa``.

    Examples
    --------
    >>> import os
    >>> os.environ["AUTOMETA_HOME"] = "/tmp/am"; str(autometa_home())
    '/tmp/am'
    >>> del os.environ["AUTOMETA_HOME"]
    """
    env = os.environ.get("AUTOMETA_HOME")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":  # pragma: no cover - platform
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return Path(base) / "autometa"
    if sys.platform == "darwin":  # pragma: no cover - platform
        return Path.home() / "Library" / "Application Support" / "autometa"
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "autometa"


def shipped_metadata_path() -> Path:
    """Folder of the knowledge base (and trained encoders) shipped with the package: ``metadata/``."""
    from importlib import resources

    try:
        return Path(str(resources.files("autometa._metadata")))
    except ModuleNotFoundError:  # a source checkout that was not installed
        return Path(__file__).resolve().parents[1] / "metadata"


def user_knowledge_path() -> Path:
    """Folder of the user knowledge base: ``autometa_home() / "knowledge"``."""
    return autometa_home() / "knowledge"


def cache_root() -> Path:
    """autometa's cache folder (see the module docstring for the order of precedence).

    Examples
    --------
    >>> import os
    >>> os.environ["AUTOMETA_HOME"] = "/tmp/am"; str(cache_root())
    '/tmp/am/cache'
    >>> del os.environ["AUTOMETA_HOME"]
    """
    env = os.environ.get("AUTOMETA_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    if os.environ.get("AUTOMETA_HOME"):
        return autometa_home() / "cache"
    if sys.platform == "win32":  # pragma: no cover - platform
        return autometa_home() / "cache"
    if sys.platform == "darwin":  # pragma: no cover - platform
        return Path.home() / "Library" / "Caches" / "autometa"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "autometa"
