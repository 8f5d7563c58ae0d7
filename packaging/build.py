"""Build the desktop app with PyInstaller, measure it, and run the frozen app's self-test.

Same command on Windows, macOS and Linux (run on each platform for its own build):

    python packaging/build.py [--dist DIR] [--work DIR] [--with-demo-model] [--self-test]
                              [--installer PATH/TO/ISCC.exe]

The result is ``DIST/Veritrace/`` (``DIST/Veritrace.app`` on macOS). The build never writes inside the
source tree unless told to: by default it goes to ``veritrace-build`` in the system's temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
        layout.remove_dangling_links(bundle)
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


def compile_installer(iscc: Path, bundle: Path, compression: str = "lzma2") -> Path:
    """Run Inno Setup's compiler on installer.iss for a Windows layout of ``bundle``.

    On Windows it runs as it is; elsewhere through Wine (its compiler is a 32-bit Windows
    program: on Debian, ``wine`` and ``wine32:i386``). Returns the setup file it wrote.
    """
    windows = sys.platform == "win32"

    def path_for_iscc(path: Path) -> str:
        return str(path) if windows else "Z:" + str(path.resolve()).replace("/", "\\")

    command = [
        str(iscc),
        f"/DBundleDir={path_for_iscc(bundle)}",
        f"/DCompression={compression}",
        path_for_iscc(layout.ROOT / "installer.iss"),
    ]
    if not windows:
        command.insert(0, "wine")
    subprocess.run(command, check=True, env=dict(os.environ, WINEDEBUG="-all"))
    return bundle.parent / f"{layout.NAME}-{layout.app_version()}-setup.exe"


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
    parser.add_argument(
        "--installer", type=Path, metavar="ISCC", help="then compile installer.iss with this ISCC.exe"
    )
    args = parser.parse_args(argv)

    result = build(args.dist, args.work, with_demo_model=args.with_demo_model)
    mib = 1024 * 1024
    print(
        f"Built {result.bundle} (Veritrace {layout.app_version()}) in {result.seconds:.0f} s: "
        f"{result.size / mib:.1f} MiB, {(result.size - result.model_size) / mib:.1f} MiB without models"
    )
    if args.self_test:
        done = run_self_test(result.executable)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            return done.returncode
    if args.installer is not None:
        if sys.platform != "win32":
            print("The installer is for Windows: compiling it for this build's files, as a check.")
        setup = compile_installer(args.installer, windows_bundle(result.bundle, args.dist))
        print(f"Installer {setup} ({setup.stat().st_size / 2**20:.1f} MiB)")
    return 0


def windows_bundle(bundle: Path, dist: Path) -> Path:
    """The bundle as installer.iss expects it: on Windows itself; elsewhere a copy named the Windows way."""
    if sys.platform == "win32":
        return bundle
    staged = dist / "windows-layout" / layout.NAME
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    shutil.copy2(bundle / layout.EXECUTABLE, staged / f"{layout.NAME}.exe")
    shutil.copytree(bundle / layout.CONTENTS, staged / layout.CONTENTS, symlinks=False)
    return staged


if __name__ == "__main__":
    sys.exit(main())
