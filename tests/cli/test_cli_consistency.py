"""One consistent CLI: every option has help, every command reading a dataset takes --data-dir."""

from __future__ import annotations

import argparse

from autometa.cli import build_parser


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    out = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix} {name}".strip()
                out[full] = sub
                out.update(_commands(sub, full))
    return out


def test_every_option_of_every_command_has_help() -> None:
    missing = [f"{name} {'/'.join(a.option_strings)}" for name, p in _commands(build_parser()).items()
               for a in p._actions if a.option_strings and not a.help and a.dest != "help"]
    assert missing == []


def test_every_command_that_reads_a_dataset_takes_data_dir() -> None:
    commands = _commands(build_parser())
    readers = ["fit", "recommend", "warm-start", "metafeatures", "tasks list", "tasks show", "metadata ingest",
               "metadata build", "metadata train-encoders", "maml train", "maml evaluate"]
    lacking = [c for c in readers if not any("--data-dir" in a.option_strings for a in commands[c]._actions)]
    assert lacking == []
