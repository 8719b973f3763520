"""The user guide and API reference build with ``sphinx-build -W`` (every warning an error), as CI builds them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_guide_builds_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("sphinx", reason="the docs extra is not installed: pip install -e '.[docs]'")
    pytest.importorskip("numpydoc", reason="the docs extra is not installed: pip install -e '.[docs]'")
    pytest.importorskip("myst_parser", reason="the docs extra is not installed: pip install -e '.[docs]'")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "html")],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    html = tmp_path / "html"
    pages = {p.relative_to(html).as_posix() for p in html.rglob("*.html")}
    # a page per entry point, the generated CLI reference and the API pages
    assert {"getting-started.html", "search.html", "recommend.html", "warm-start.html", "metafeatures.html",
            "knowledge.html", "fewshot.html", "scaling.html", "_generated/cli.html", "api.html"} <= pages
    assert "_generated/api/autometa.fit.html" in pages
    cli = (html / "_generated" / "cli.html").read_text()
    assert "--sample-weight" in cli and "autometa maml train" in cli  # from the parser, not written by hand
    fit_page = (html / "_generated" / "api" / "autometa.fit.html").read_text()
    assert "time_budget" in fit_page and "sample_weight" in fit_page
