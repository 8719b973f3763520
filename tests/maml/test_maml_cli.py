"""``autometa maml train|evaluate`` end to end on the sinusoid family."""

from __future__ import annotations

import json

from autometa.cli import main


def test_train_resume_and_evaluate(tmp_path, capsys) -> None:
    ckpt = tmp_path / "sin.pt"
    common = ["--family", "sinusoid", "--meta-batch", "4", "--device", "cpu", "--quiet", "--json",
              "--checkpoint", str(ckpt), "--eval-episodes", "10"]
    assert main(["maml", "train", "--steps", "3", *common]) == 0
    capsys.readouterr()
    assert main(["maml", "train", "--steps", "5", "--resume", *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"] == 5 and out["metric"] == "mse" and out["n_episodes"] == 10
    assert main(["maml", "evaluate", str(ckpt), "--episodes", "8", "--shots", "5", "--quiet", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["shots"] == 5 and out["n_episodes"] == 8


def test_json_parses_with_the_progress_bar_on(tmp_path, capsys) -> None:
    # the bars go to stderr: `--json` without `--quiet` printed them into the JSON on stdout
    ckpt = tmp_path / "sin.pt"
    assert main(["maml", "train", "--family", "sinusoid", "--meta-batch", "4", "--device", "cpu", "--steps", "3",
                 "--json", "--checkpoint", str(ckpt), "--eval-episodes", "6"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["steps"] == 3 and "meta-train" in err
    assert main(["maml", "evaluate", str(ckpt), "--episodes", "6", "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["n_episodes"] == 6


def test_missing_checkpoint_exits_2(tmp_path, capsys) -> None:
    assert main(["maml", "evaluate", str(tmp_path / "none.pt")]) == 2
    assert "No checkpoint" in capsys.readouterr().err


def test_the_default_number_of_steps_is_sized_for_the_device(tmp_path, capsys, monkeypatch) -> None:
    # 1,000 Omniglot MAML steps are most of an hour on a 2-core CPU: the CPU default is 100, and says so
    from autometa.cli import maml as maml_cli
    from autometa.maml._base import FewShotLearner

    seen = {}

    def record(self, family, *, steps, **kwargs):
        seen["steps"] = steps
        self.step_ = steps
        return self

    monkeypatch.setattr(FewShotLearner, "meta_train", record)
    assert main(["maml", "train", "--family", "sinusoid", "--device", "cpu", "--eval-episodes", "0"]) == 0
    assert seen["steps"] == maml_cli.CPU_STEPS == 100
    assert "100 meta-updates (CPU default" in capsys.readouterr().err
    assert main(["maml", "train", "--family", "sinusoid", "--device", "cpu", "--steps", "7", "--eval-episodes",
                 "0"]) == 0
    assert seen["steps"] == 7
