"""``veritrace`` / ``python -m app``: no arguments opens the app; subcommands run the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments:
        from app.ui.application import run_gui  # deferred: the command line never loads Qt

        return run_gui()
    from app.cli import main as cli_main

    return cli_main(arguments)


if __name__ == "__main__":
    sys.exit(main())
