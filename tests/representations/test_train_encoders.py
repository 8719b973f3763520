"""`autometa metadata train-encoders`: weights and protocol written, small, loadable."""

from __future__ import annotations

import json

import numpy as np

from autometa.metalearn.train_encoders import ENCODER_FILES, train_encoders
from autometa.representations import load_encoder
from autometa.testing.metalearn import write_knowledge_base
from autometa.testing.representations import (
    synthetic_tasks,
    task_registry,
    with_extracted_metafeatures,
)


def test_train_encoders_writes_weights_and_protocol(tmp_path, monkeypatch) -> None:
    from autometa.metalearn import synthetic_knowledge_base
    from autometa.metalearn import train_encoders as mod

    kb = with_extracted_metafeatures(synthetic_knowledge_base(2))
    tasks = synthetic_tasks(kb)
    path = write_knowledge_base(kb, tmp_path / "kb")
    quick = {name: (enc, {**params, **({"steps": 10} if enc == "dataset2vec" else {})} | (
        {"epochs": 10} if enc == "graph" else {})) for name, (enc, params) in ENCODER_FILES.items()}
    monkeypatch.setattr(mod, "ENCODER_FILES", quick)
    protocol = train_encoders(str(path), str(tmp_path / "out"), data_dir=task_registry(tasks))
    saved = json.loads((tmp_path / "out" / "encoders.json").read_text())
    assert saved["knowledge_base"]["datasets"] == len(kb.datasets) == protocol["knowledge_base"]["datasets"]
    for entry in saved["encoders"]:
        assert entry["bytes"] < 1_000_000
        enc = load_encoder(tmp_path / "out" / entry["file"], data_dir=task_registry(tasks))
        v = enc.transform(tasks[0])
        assert v.shape == (entry["dim"],) and np.isfinite(v).all()


def test_command_is_registered() -> None:
    from autometa.cli import main

    try:
        main(["metadata", "train-encoders", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
