"""``python -m autometa.cli``: the same as the ``autometa`` command."""

from __future__ import annotations

import sys

from autometa.cli import main

sys.exit(main())
