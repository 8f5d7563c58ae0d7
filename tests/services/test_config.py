from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ModelError
from app.core.presets import preset
from app.services.config import AppConfig, load_config, resolve_model, save_config, settings_for, with_model


def test_defaults_to_the_demo_model_and_preset(demo_gguf: Path) -> None:
    config = load_config()
    choice = resolve_model(config)
    assert choice.is_demo and choice.path == demo_gguf
    assert config.settings.preset == "demo" and config.settings.require_reasoning


def test_model_choice_persists(tmp_path: Path) -> None:
    config = with_model(AppConfig(), str(tmp_path / "magistral.gguf"))
    save_config(config)
    again = load_config()
    assert again.model_path == str(tmp_path / "magistral.gguf")
    assert again.settings.preset == "magistral", "a real model leaves the demo preset"
    assert not resolve_model(again).is_demo


def test_damaged_settings_file_falls_back_to_defaults(veritrace_home: Path) -> None:
    (veritrace_home / "settings.json").write_text("{not json")
    assert load_config() == AppConfig()


def test_demo_settings_never_apply_to_a_real_model(tmp_path: Path) -> None:
    real = resolve_model(AppConfig(model_path=str(tmp_path / "m.gguf")))
    assert settings_for(real, preset("demo")).preset == "magistral"
    assert settings_for(real, preset("think-tags")).preset == "think-tags"


def test_missing_demo_model_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.services.config.demo_model_path", lambda: None)
    with pytest.raises(ModelError, match="demo model is not installed"):
        resolve_model(AppConfig())
