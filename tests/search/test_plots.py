"""Pictures of a search: what is drawn is the search's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

import autometa

matplotlib = pytest.importorskip("matplotlib", reason="the plots need matplotlib: pip install 'autometa[plot]'")
matplotlib.use("Agg")


def test_plot_search_and_leaderboard_draw_the_searchs_numbers(small_table, tmp_path):
    import matplotlib.pyplot as plt

    from autometa.search.plots import search_curve

    X, y = small_table
    model = autometa.fit(X, y, time_budget=4, families=["linear", "knn"], record=False, random_state=0)
    ax = model.plot_search()
    curve = search_curve(model.study_)
    best = ax.get_lines()[0]  # the step line: the running best at each finished trial
    np.testing.assert_allclose(best.get_xdata(), curve["seconds"])
    np.testing.assert_allclose(best.get_ydata(), np.maximum.accumulate(curve["score"]))
    assert best.get_ydata()[-1] == pytest.approx(model.leaderboard_["score"].max())
    warm, sampled = ax.collections  # recommended trials, then sampled ones
    assert len(warm.get_offsets()) == int(curve["warm_start"].sum()) >= 1
    assert len(warm.get_offsets()) + len(sampled.get_offsets()) == model.n_validated_
    assert ax.get_ylabel() == "balanced_accuracy"
    ax.figure.savefig(tmp_path / "search.png")
    assert (tmp_path / "search.png").stat().st_size > 5000
    plt.close("all")

    ax = model.plot_leaderboard(top=5)
    bars = ax.patches
    shown = model.leaderboard_.head(5)
    assert len(bars) == len(shown)
    np.testing.assert_allclose(sorted(b.get_width() for b in bars), sorted(shown["score"]))
    members = int((shown["ensemble_weight"] > 0).sum())
    assert sum(t.get_text().strip().startswith("w=") for t in ax.texts) == members
    plt.close("all")


def test_the_report_is_one_self_contained_page(small_table, tmp_path):
    import re
    import shutil
    import subprocess

    X, y = small_table
    model = autometa.fit(X, y, time_budget=4, families=["linear", "knn"], record=False, random_state=0)
    page = model.save_report(tmp_path / "report.html", title="a <test> & more").read_text()
    images = re.findall(r'<img alt="[^"]+" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2 and all(len(i) > 2000 for i in images)
    assert "<title>a &lt;test&gt; &amp; more</title>" in page  # escaped
    assert "<script" not in page and not re.search(r"(src|href)=\"(?!data:)", page)  # nothing fetched or run
    assert page.count("<tr>") >= len(model.leaderboard_.head(20)) + 8
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium): the page was checked as text only")
    shot = tmp_path / "shot.png"
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                           "--window-size=1200,1600", (tmp_path / "report.html").as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[0] >= 1000 and float(pixels[..., :3].std()) > 0.05  # not a blank page
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          (tmp_path / "report.html").as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "a &lt;test&gt; &amp; more" in dom and dom.count("<img") == 2


def test_plot_neighbours_places_the_dataset_and_names_the_learners_neighbours():
    import matplotlib.pyplot as plt
    from sklearn.datasets import load_breast_cancer

    from autometa.metalearn.plots import neighbour_map

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    frame = neighbour_map(X, y, top=3)
    assert len(frame) == 234 and frame["dataset"].iloc[-1] == "(yours)"
    near = frame[frame["neighbour"] > 0].sort_values("neighbour")["dataset"].tolist()
    recs = autometa.recommend(X, y, top=1)
    assert near == [n["dataset"] for n in recs.attrs["neighbours"][:3]]
    assert near[0] == "breast_cancer_wisconsin"  # the same data is in the base
    # on the plane, the same data sits on the new dataset's point
    mine = frame.iloc[-1][["x", "y"]].to_numpy(dtype=float)
    same = frame.set_index("dataset").loc["breast_cancer_wisconsin", ["x", "y"]].to_numpy(dtype=float)
    assert np.linalg.norm(mine - same) < 1e-6 * (1 + np.abs(frame[["x", "y"]].to_numpy()).max())
    ax = autometa.plot_neighbours(X, y, top=3)
    assert sorted(t.get_text() for t in ax.texts) == [f"{i}. {n}" for i, n in enumerate(near, 1)]
    plt.close("all")
