"""``veritrace`` / ``python -m app``: no arguments opens the app; subcommands run the command line."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

LAUNCHED = time.perf_counter()  # before Qt and the rest are imported: start-up is timed from here


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--inspect-gguf"]:
        # The model inspector's child process (see app.runtime.gguf_inspect): no Qt, no CLI.
        from app.runtime.gguf_child import main as inspect_main

        return inspect_main(arguments[1:])
    if arguments[:1] == ["--self-test"]:
        return _self_test()
    if not arguments:
        # The Qt-free modules the window needs first: PySide6 reads the source of every module
        # imported after it (looking for its ``__feature__`` switches), which delays the window.
        import app.render.html
        import app.services.config
        import app.services.instance
        import app.services.remote
        import app.services.signing
        import app.services.witness  # noqa: F401
        from app.ui.display import display_problem  # before the window's modules: Qt would abort

        problem = display_problem()
        if problem is not None:
            print(problem, file=sys.stderr, flush=True)
            return 2
        from app.ui.application import run_gui  # deferred: the command line never loads Qt

        return run_gui(LAUNCHED)
    from app.cli import main as cli_main

    return cli_main(arguments)


def _self_test() -> int:
    """Check this installation end to end (the frozen app too) and print one line."""
    from app.services.selftest import run_self_test  # it runs Qt offscreen itself: no display needed

    result = run_self_test()
    if sys.stdout is not None:  # a windowed frozen app on Windows has no console: the exit status remains
        print(result.line(), flush=True)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
