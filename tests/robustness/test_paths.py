"""Names that would be paths: refused before anything is read or written outside the folder they belong to."""

from __future__ import annotations

import pytest

from autometa.exceptions import DataError
from autometa.tasks import TaskRegistry, load_task


def test_a_pmlb_spec_cannot_leave_the_data_directory(tmp_path) -> None:
    (tmp_path / "pmlb").mkdir()
    for spec in ("pmlb:../../..", "pmlb:../secret", "pmlb:a/b", "pmlb:.."):
        with pytest.raises(DataError, match="is not a valid PMLB dataset name"):
            load_task(spec, data_dir=tmp_path / "pmlb")


def test_an_index_naming_a_path_is_refused(tmp_path) -> None:
    root = tmp_path / "pmlb"
    root.mkdir()
    (root / "index.tsv").write_text("name\ttask\tn_rows\tn_features\tn_target_values\n"
                                    "../../x\tclassification\t10\t2\t2\n")
    with pytest.raises(DataError, match=r"'\.\./\.\./x' is not a valid dataset name in .*index.tsv"):
        TaskRegistry.from_data_dir(root)
