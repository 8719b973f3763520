"""One self-contained HTML page about a fitted search: what ran, the pictures, the tables, the notes.

``autometa fit ... --report report.html`` and ``model.save_report(path)`` write it.
Everything is inline (plots as PNG data URIs, no scripts, no external files), so the
page opens anywhere and can be mailed as one file.
"""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path
from typing import Any

__all__ = ["write_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.85em; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
th { background: #f2f2f2; }
img { max-width: 100%; border: 1px solid #eee; }
.notes li { margin: 0.3em 0; }
"""


def _png(ax: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    ax.figure.tight_layout()
    ax.figure.savefig(buffer, format="png", dpi=100)
    plt.close(ax.figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(frame: Any, columns: list[str], rows: int) -> str:
    shown = frame[[c for c in columns if c in frame.columns]].head(rows).copy()
    for column in shown.columns:
        if shown[column].map(lambda v: isinstance(v, dict)).any():
            shown[column] = shown[column].map(lambda v: ", ".join(f"{k}={v[k]:.4g}" if isinstance(v[k], float)
                                                                 else f"{k}={v[k]}" for k in sorted(v))
                                              if isinstance(v, dict) else v)
    return shown.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0, escape=True)


def write_report(model: Any, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Write the HTML report of a fitted :class:`~autometa.AutoMetaClassifier` or regressor to ``path``."""
    from autometa._io import atomic_write_bytes
    from autometa.search.plots import plot_leaderboard, plot_search

    metric = model.metric_
    summary = {
        "task": f"{getattr(model, 'n_features_in_', '?')} features, {type(model).__name__}",
        "metric": metric, "time budget (s)": f"{model.time_budget:g}",
        "search (s)": f"{model.search_seconds_:.1f}",
        "trials (validated)": f"{model.n_trials_} ({model.n_validated_})",
        "validation": model.validation_, "final model": model.final_model_,
        "chosen": f"{model.best_family_} {model.best_score_:.4f}",
    }
    parts = [f"<h1>{html.escape(title or 'autometa search report')}</h1>", "<table>"]
    parts += [f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in summary.items()]
    parts.append("</table>")
    search_png = _png(plot_search(model.study_, metric=metric, greater_is_better=model.greater_is_better_))
    board_png = _png(plot_leaderboard(model.leaderboard_, metric=metric))
    parts += ["<h2>The search</h2>", f'<img alt="best score against time" src="{search_png}">',
              "<h2>The leaderboard</h2>", f'<img alt="leaderboard" src="{board_png}">',
              _table(model.leaderboard_, ["rank", "trial", "family", "score", "score_std", "fit_seconds", "source",
                                          "chosen", "ensemble_weight", "params"], 20)]
    recs = getattr(model, "recommendations_", None)
    if recs is not None and len(recs):
        parts += ["<h2>What the knowledge base recommended</h2>",
                  _table(recs, ["rank", "family", "predicted_score", "expected_fit_seconds", "why", "params"], 10)]
    notes = list(getattr(model, "notes_", []))
    if notes:
        parts += ["<h2>Notes</h2>", '<ul class="notes">']
        parts += [f"<li>{html.escape(n)}</li>" for n in notes]
        parts.append("</ul>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title or 'autometa search report')}</title><style>{_STYLE}</style></head>"
            "<body>\n" + "\n".join(parts) + "\n</body></html>\n")
    out = Path(path)
    atomic_write_bytes(page.encode("utf-8"), out)
    return out
