"""Write the CLI reference page from ``autometa``'s argparse parser (every command's ``--help``)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _subcommands(parser: argparse.ArgumentParser, prefix: str) -> list[tuple[str, argparse.ArgumentParser]]:
    out = [(prefix, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out += _subcommands(sub, f"{prefix} {name}")
    return out


def write_cli_reference(path: Path) -> None:
    """Write ``path``: one section per command and subcommand, its help as printed."""
    import os

    from autometa.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal: the page must not depend on it
    lines = ["# Command-line reference", "",
             "Generated from the parser at build time: each command's `--help`, as the shell prints it.", ""]
    for name, parser in _subcommands(build_parser(), "autometa"):
        parser.prog = name
        lines += [f"## `{name}`", "", "```text", parser.format_help().rstrip(), "```", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines)
    if not path.exists() or path.read_text() != text:  # unchanged: Sphinx keeps its cache
        path.write_text(text)
