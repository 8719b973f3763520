"""A checkpoint is read with ``weights_only=True``: a file holding code is refused, never run."""

from __future__ import annotations

import pytest
import torch

from autometa.exceptions import DataError
from autometa.maml import FewShotLearner


class _Planted:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_checkpoint_holding_code_is_refused(tmp_path) -> None:
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pt"
    torch.save({"format": 1, "payload": _Planted(marker)}, evil)
    with pytest.raises(DataError, match="refused: loading it could run code from it"):
        FewShotLearner.load(evil)
    assert not marker.exists()
    with pytest.raises(DataError, match="No checkpoint at"):
        FewShotLearner.load(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(DataError, match="is not an autometa MAML checkpoint"):
        FewShotLearner.load(tmp_path / "junk.pt")


def test_the_cli_refuses_it_in_one_line(tmp_path, capsys) -> None:
    from autometa.cli import main

    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pt"
    torch.save(_Planted(marker), evil)
    assert main(["maml", "evaluate", str(evil)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "refused" in err[0]
    assert not marker.exists()
