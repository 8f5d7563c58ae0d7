"""Build the desktop app with PyInstaller, measure it, and run the frozen app's self-test.

Same command on Windows, macOS and Linux (run on each platform for its own build):

    python packaging/build.py [--dist DIR] [--work DIR] [--with-demo-model] [--self-test]

The result is ``DIST/Veritrace/`` (``DIST/Veritrace.app`` on macOS). The build never writes inside the
source tree unless told to: by default it goes to ``veritrace-build`` in the system's temporary folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import layout

SPEC = Path(__file__).resolve().parent / "veritrace.spec"
DEFAULT_OUTPUT = Path(tempfile.gettempdir()) / "veritrace-build"


@dataclass(frozen=True)
class BuildResult:
    bundle: Path
    executable: Path
    seconds: float
    size: int  # bytes, the whole bundle folder
    model_size: int  # bytes of .gguf files in it (the demo model, if carried)


def folder_size(folder: Path, pattern: str = "*") -> int:
    """Bytes of the files under ``folder`` matching ``pattern``, links not followed."""
    return sum(p.lstat().st_size for p in folder.rglob(pattern) if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path, *, with_demo_model: bool = False) -> BuildResult:
    """Run PyInstaller on the spec; raises CalledProcessError with PyInstaller's own output on failure."""
    env = dict(os.environ, **{layout.DEMO_ENV: "1" if with_demo_model else "0"})
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, cwd=layout.ROOT)
    bundle = dist / f"{layout.NAME}.app" if sys.platform == "darwin" else layout.bundle_dir(dist)
    if sys.platform.startswith("linux"):
        targets = layout.strip_targets(layout.bundle_dir(dist) / layout.CONTENTS)
        if targets:
            subprocess.run(["strip", "--strip-unneeded", *map(str, targets)], check=True)
    if sys.platform != "win32":
        layout.link_duplicates(bundle)
    seconds = time.monotonic() - started
    return BuildResult(
        bundle=bundle,
        executable=layout.executable_path(dist),
        seconds=seconds,
        size=folder_size(bundle),
        model_size=folder_size(bundle, "*.gguf"),
    )


def run_self_test(executable: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the frozen app's ``--self-test`` with no display, as CI does."""
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [str(executable), "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=DEFAULT_OUTPUT / "dist", help="where the app is put")
    parser.add_argument(
        "--work", type=Path, default=DEFAULT_OUTPUT / "work", help="PyInstaller's work folder"
    )
    parser.add_argument(
        "--with-demo-model", action="store_true", help="carry the SmolLM2 demo model (about 90 MB) in the app"
    )
    parser.add_argument("--self-test", action="store_true", help="run the built app's --self-test afterwards")
    args = parser.parse_args(argv)

    result = build(args.dist, args.work, with_demo_model=args.with_demo_model)
    mib = 1024 * 1024
    print(
        f"Built {result.bundle} (Veritrace {layout.app_version()}) in {result.seconds:.0f} s: "
        f"{result.size / mib:.1f} MiB, {(result.size - result.model_size) / mib:.1f} MiB without models"
    )
    if not args.self_test:
        return 0
    done = run_self_test(result.executable)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
