"""Shared by the test suite and the doctests of autometa/ (``pytest --doctest-modules autometa``)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_user_knowledge_base(tmp_path_factory: pytest.TempPathFactory):
    """Tests never write to (or learn from) the developer's own knowledge base.

    ``AUTOMETA_HOME`` points at a temporary folder, and fits do not record their runs
    unless a test asks for it (``record=True``): recording extracts meta-features,
    which would slow every quick fit of the suite.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOMETA_HOME", str(tmp_path_factory.mktemp("autometa_home")))
        mp.setenv("AUTOMETA_RECORD", "0")
        yield
