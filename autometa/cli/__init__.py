"""The ``autometa`` command line.

Each command group lives in its own module with a ``register(subparsers)`` function
that adds its parser and sets ``func`` on it; the function receives the parsed
arguments and returns an exit code. Every command is a thin layer over a public
Python function. Bad input exits with code 2 and a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser"]

# command-group modules, in the order `autometa --help` lists them
_COMMAND_MODULES = [
    "autometa.cli.tasks",
    "autometa.cli.metafeatures",
    "autometa.cli.recommend",
    "autometa.cli.fit",
    "autometa.cli.predict",
    "autometa.cli.warm_start",
    "autometa.cli.metadata",
    "autometa.cli.maml",
    "autometa.cli.demo",
]


def build_parser() -> argparse.ArgumentParser:
    from autometa._version import __version__

    parser = argparse.ArgumentParser(
        prog="autometa",
        description="Meta-learning for tabular AutoML: recommend pipelines, warm-start Optuna, "
        "fit models, and meta-train few-shot networks.",
    )
    parser.add_argument("--version", action="version", version=f"autometa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that command group does not exist yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from autometa.exceptions import AutometaError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(args.func(args) or 0)
    except AutometaError as exc:
        print(f"autometa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autometa: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a full disk, a folder that went away, a permission: one line, not a traceback
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) not in str(exc.strerror) else ""
        hint = "; free some space and run again" if exc.errno == errno.ENOSPC else ""
        print(f"autometa: error: {exc.strerror or exc}{where}{hint}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
