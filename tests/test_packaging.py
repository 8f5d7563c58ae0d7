"""The desktop build's files agree with each other: spec, installer script, desktop entry, icons, version.

The fast checks need nothing. The real PyInstaller build with the frozen app's self-test takes one
to two minutes on two cores; it is part of the test run (``-m "not packaging"`` leaves it out).
"""

from __future__ import annotations

import configparser
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

import app

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
ISS = ROOT / "installer.iss"
MIB = 1024 * 1024
BUNDLE_GOAL_MB = 250  # the desktop bundle without models, in 10^6 bytes


def _load(name: str) -> ModuleType:
    if str(PACKAGING) not in sys.path:
        sys.path.insert(0, str(PACKAGING))  # build.py imports its sibling layout.py
    qualified = f"veritrace_packaging_{name}"  # not a package: "packaging" is PyPA's library
    spec = importlib.util.spec_from_file_location(qualified, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


layout = _load("layout")


# -- installer.iss -------------------------------------------------------------------------


def iss_defines() -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"$', ISS.read_text("utf-8"), re.MULTILINE))


def iss_section(name: str) -> list[str]:
    """The non-comment lines of one [Section] of installer.iss."""
    lines: list[str] = []
    inside = False
    for line in ISS.read_text("utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            inside = stripped == f"[{name}]"
        elif inside and stripped and not stripped.startswith(";"):
            lines.append(stripped)
    return lines


def iss_file_sources(bundle: Path) -> list[str]:
    """Every [Files] Source as a glob, with the preprocessor's names filled in."""
    names = {**iss_defines(), "BundleDir": str(bundle)}
    sources = []
    for line in iss_section("Files"):
        match = re.match(r'Source: "([^"]+)"', line)
        assert match, f"a [Files] line without a Source: {line}"
        source = re.sub(r"\{#(\w+)\}", lambda m: names[m.group(1)], match.group(1)).replace("\\", "/")
        sources.append(source)
    return sources


def missing_sources(bundle: Path) -> list[str]:
    """[Files] Sources that match nothing: in the bundle, or relative to the script's folder."""
    missing = []
    for source in iss_file_sources(bundle):
        base = Path(source) if Path(source).is_absolute() else ROOT / source
        if not any(base.parent.glob(base.name)):
            missing.append(source)
    return missing


def windows_layout(bundle: Path, staging: Path) -> Path:
    """``bundle`` laid out as the Windows build is: ``Veritrace.exe`` beside the contents folder."""
    staged = staging / layout.NAME
    staged.mkdir(parents=True)
    windows_exe = layout.executable_path(staging, "win32").name
    linux_exe = layout.executable_path(bundle.parent, "linux").name
    (staged / windows_exe).symlink_to(bundle / linux_exe)
    (staged / layout.CONTENTS).symlink_to(bundle / layout.CONTENTS, target_is_directory=True)
    return staged


def test_installer_names_agree_with_the_spec_layout() -> None:
    defines = iss_defines()
    assert defines["AppName"] == layout.NAME
    assert defines["AppExeName"] == layout.executable_path(Path("dist"), "win32").name == "Veritrace.exe"
    assert defines["Contents"] == layout.CONTENTS


def test_every_installer_source_exists_in_the_bundle_layout(tmp_path: Path) -> None:
    # What PyInstaller makes on Windows, per layout.py: the executable and its contents folder.
    bundle = tmp_path / "dist" / layout.NAME
    (bundle / layout.CONTENTS / "PySide6").mkdir(parents=True)
    (bundle / layout.CONTENTS / "PySide6" / "Qt6Core.dll").write_bytes(b"MZ")
    (bundle / layout.executable_path(tmp_path, "win32").name).write_bytes(b"MZ")

    assert len(iss_file_sources(bundle)) == 3
    assert missing_sources(bundle) == []
    # And the check does notice a bundle that lacks something.
    shutil.rmtree(bundle / layout.CONTENTS)
    assert missing_sources(bundle) == [f"{bundle.as_posix()}/{layout.CONTENTS}/*"]


def test_the_installer_reads_the_version_into_a_public_define() -> None:
    # Inno Setup's preprocessor makes a #define inside #sub local to that call unless it is
    # public: without it the version never leaves ReadVersionLine and every compile aborts
    # with "No __version__ line found" (seen compiling with ISCC 6.4.1).
    source = ISS.read_text("utf-8")
    body = source[source.index("#sub ReadVersionLine") : source.index("#endsub")]
    assignments = re.findall(r"#define (public )?AppVersion\b", body)
    assert assignments == ["public "], assignments
    line = '__version__ = "' + app.__version__ + '"'
    assert line in (ROOT / "app" / "__init__.py").read_text("utf-8").splitlines()
    assert line[15 : len(line) - 1] == app.__version__  # Copy(FileLine, 16, Len(FileLine) - 16), 1-based


def test_installer_is_per_user_upgradable_and_keeps_the_record_unless_asked() -> None:
    setup = dict(line.split("=", 1) for line in iss_section("Setup"))
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == r"{localappdata}\Programs\{#AppName}"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppVersion"] == "{#AppVersion}"
    assert (ROOT / setup["LicenseFile"]).read_text("utf-8").lstrip().startswith("Apache License")
    with Image.open(ROOT / setup["SetupIconFile"].replace("\\", "/")) as icon:
        assert icon.format == "ICO"
    tasks = iss_section("Tasks")
    assert any('Name: "desktopicon"' in task and "Flags: unchecked" in task for task in tasks)
    icons = iss_section("Icons")
    assert any(line.startswith('Name: "{autoprograms}') for line in icons)
    assert any(line.startswith('Name: "{autodesktop}') and "Tasks: desktopicon" in line for line in icons)
    code = "\n".join(iss_section("Code"))
    # Data is deleted only after an explicit Yes (No is the default button), never silently.
    assert "DelTree(DataDir" in code
    assert "ExpandConstant('{localappdata}\\{#AppName}')" in code
    assert "UninstallSilent" in code and "MB_DEFBUTTON2" in code and "= IDYES" in code


# -- version, spec, desktop entry, icons ---------------------------------------------------


def test_the_version_has_one_source(tmp_path: Path) -> None:
    assert layout.app_version() == app.__version__
    other = tmp_path / "__init__.py"
    other.write_text('"""x"""\n\n__version__ = "9.8.7rc1"\n', encoding="utf-8")
    assert layout.app_version(other) == "9.8.7rc1"
    # Nobody copied the number: the spec and the installer read it.
    literal = re.compile(r"\b" + re.escape(app.__version__) + r"\b")
    for path in (PACKAGING / "veritrace.spec", PACKAGING / "build.py", PACKAGING / "layout.py", ISS):
        assert not literal.search(path.read_text("utf-8")), path
    assert r'AddBackslash(SourcePath) + "app\__init__.py"' in ISS.read_text("utf-8")


def test_the_spec_is_python_and_its_inputs_exist() -> None:
    source = (PACKAGING / "veritrace.spec").read_text("utf-8")
    compile(source, "veritrace.spec", "exec")
    assert "console=False" in source
    for folder, destination in layout.data_folders():
        assert Path(folder).exists(), folder
        assert not Path(destination).is_absolute()
    for platform in ("win32", "darwin", "linux"):
        assert layout.icon_file(platform).is_file()
    assert (PACKAGING / "launcher.py").is_file()
    assert "PySide6.QtWebEngineCore" in layout.QT_EXCLUDES and "PySide6.QtQuick" in layout.QT_EXCLUDES
    assert layout.dropped("PySide6/Qt/lib/libQt6Quick.so.6")
    assert layout.dropped("PySide6\\Qt6Qml.dll")
    assert not layout.dropped("PySide6/Qt/lib/libQt6Widgets.so.6")


def test_the_desktop_entry_is_valid_and_launches_the_app() -> None:
    entry = PACKAGING / "veritrace.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(entry, encoding="utf-8")
    fields = parser["Desktop Entry"]
    assert fields["Type"] == "Application"
    assert fields["Exec"] == layout.EXECUTABLE
    assert fields["Terminal"] == "false"
    assert (ROOT / "resources" / "icons" / f"{fields['Icon']}.png").is_file()
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    done = subprocess.run([validator, str(entry)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_the_icons_cover_every_size_the_platforms_ask_for() -> None:
    icons = ROOT / "resources" / "icons"
    with Image.open(icons / "veritrace.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= ico.info["sizes"]
    with Image.open(icons / "veritrace.icns") as icns:
        assert icns.format == "ICNS" and icns.size == (1024, 1024)  # 512 pt at 2x
    with Image.open(icons / "veritrace.png") as png:
        assert png.size == (512, 512) and png.mode == "RGBA"


# -- trimming the bundle --------------------------------------------------------------------


def test_libraries_only_a_dropped_plugin_needed_are_left_out() -> None:
    links = {
        "/src/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "/src/libQt6Gui.so.6": ["libQt6Core.so.6", "libfreetype.so.6"],
        "/src/libqxcb.so": ["libQt6XcbQpa.so.6", "libX11.so.6"],
        "/src/libllama.so": ["libggml.so.0", "libgomp.so.1"],
    }
    binaries = [
        ("PySide6/QtGui.abi3.so", "/src/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/src/libQt6XcbQpa.so.6", "BINARY"),
        ("llama_cpp/lib/libllama.so", "/src/libllama.so", "BINARY"),
        ("llama_cpp/lib/libggml.so.0", "/src/libggml.so.0", "BINARY"),
        ("libfreetype.so.6", "/usr/lib/libfreetype.so.6", "BINARY"),
        ("libX11.so.6", "/usr/lib/libX11.so.6", "BINARY"),
        ("libgomp.so.1", "/usr/lib/libgomp.so.1", "BINARY"),
        ("python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", "/src/_ssl.so", "EXTENSION"),
        # What GTK's theme plugin (dropped by QT_DROP) had brought in:
        ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
        ("libcairo.so.2", "/usr/lib/libcairo.so.2", "BINARY"),
    ]
    kept = layout.needed_closure(binaries, lambda source: links.get(source, []))
    assert [entry[0] for entry in kept] == [entry[0] for entry in binaries[:-2]]
    assert layout.is_root("llama_cpp/lib/libmtmd.so") and layout.is_root("libpython3.11.so.1.0")
    assert not layout.is_root("libcairo.so.2") and not layout.is_root("numpy.libs/libopenblas.so")
    assert layout.dropped("PySide6/Qt/plugins/platformthemes/libqgtk3.so")
    # Qt's own translations go, but for its standard buttons in the languages the window ships in.
    assert layout.dropped("PySide6/Qt/translations/qtbase_ja.qm")
    assert layout.dropped("PySide6/Qt/translations/qt_help_de.qm")
    assert not layout.dropped("PySide6/Qt/translations/qtbase_de.qm")
    assert not layout.dropped("PySide6\\Qt\\translations\\qtbase_fr.qm")
    assert not layout.dropped("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert not layout.dropped("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert not layout.dropped("PySide6/Qt/plugins/platforms/libqwayland.so")


def test_identical_libraries_become_links_that_still_load(tmp_path: Path) -> None:
    library = tmp_path / "llama_cpp" / "lib"
    library.mkdir(parents=True)
    (library / "libllama.so").write_bytes(b"\x7fELF same bytes")
    (library / "libllama.so.0").write_bytes(b"\x7fELF same bytes")
    (tmp_path / "libllama.so.0").write_bytes(b"\x7fELF same bytes")
    (tmp_path / "libother.so.1").write_bytes(b"\x7fELF other bytes")
    (tmp_path / "notes.txt").write_bytes(b"\x7fELF same bytes")  # not a library: untouched

    saved = layout.link_duplicates(tmp_path)

    assert saved == 2 * len(b"\x7fELF same bytes")
    links = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_symlink())
    assert len(links) == 2 and "libother.so.1" not in links
    for name in ("libllama.so", "libllama.so.0"):
        assert (library / name).read_bytes() == b"\x7fELF same bytes"
    assert (tmp_path / "libllama.so.0").read_bytes() == b"\x7fELF same bytes"
    assert not (tmp_path / "notes.txt").is_symlink()
    assert layout.link_duplicates(tmp_path) == 0  # links are never linked again


def test_links_whose_library_was_left_out_are_removed(tmp_path: Path) -> None:
    (tmp_path / "PySide6").mkdir()
    kept = tmp_path / "PySide6" / "libQt6Gui.so.6"
    kept.write_bytes(b"\x7fELF")
    (tmp_path / "libQt6Gui.so.6").symlink_to("PySide6/libQt6Gui.so.6")
    (tmp_path / "libQt6Network.so.6").symlink_to("PySide6/libQt6Network.so.6")  # left out

    assert layout.remove_dangling_links(tmp_path) == [tmp_path / "libQt6Network.so.6"]
    assert (tmp_path / "libQt6Gui.so.6").read_bytes() == b"\x7fELF"
    assert not (tmp_path / "libQt6Network.so.6").is_symlink()


# -- the real build (slow) -----------------------------------------------------------------


@pytest.mark.packaging
@pytest.mark.timeout(1200)
def test_the_frozen_app_builds_and_passes_its_self_test(tmp_path: Path, report_line) -> None:
    build = _load("build")

    result = build.build(tmp_path / "dist", tmp_path / "work", with_demo_model=True)
    done = build.run_self_test(result.executable)

    report_line(
        f"desktop bundle: built in {result.seconds:.0f} s, {result.size / MIB:.1f} MiB, "
        f"{(result.size - result.model_size) / MIB:.1f} MiB without models (goal < {BUNDLE_GOAL_MB} MB)"
    )
    report_line(f"frozen app: {done.stdout.strip()}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Veritrace self-test passed: ")
    assert "demo model SmolLM2-135M-Instruct" in done.stdout
    assert result.model_size > 0
    assert (result.size - result.model_size) / 1e6 < BUNDLE_GOAL_MB
    links = [path for path in result.bundle.rglob("*") if path.is_symlink()]
    assert links and all(path.exists() for path in links), "a link in the bundle points nowhere"
    if sys.platform.startswith("linux"):
        assert missing_sources(windows_layout(result.bundle, tmp_path / "windows")) == []
