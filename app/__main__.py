"""``veritrace`` / ``python -m app``: no arguments opens the app; subcommands run the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--inspect-gguf"]:
        # The model inspector's child process (see app.runtime.gguf_inspect): no Qt, no CLI.
        from app.runtime.gguf_child import main as inspect_main

        return inspect_main(arguments[1:])
    if not arguments:
        from app.ui.application import run_gui  # deferred: the command line never loads Qt

        return run_gui()
    from app.cli import main as cli_main

    return cli_main(arguments)


if __name__ == "__main__":
    sys.exit(main())
