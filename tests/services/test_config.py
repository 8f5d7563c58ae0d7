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


@pytest.mark.parametrize(
    "garbage",
    [
        b'{"settings": {"params": {"seed": ',
        b"\xff\xfe not text",
        b"[1, 2, 3]",
        b'{"settings": {"params": 7}}',
    ],
    ids=["cut short", "not UTF-8", "not an object", "a setting it cannot use"],
)
def test_saving_never_writes_over_a_settings_file_that_could_not_be_used(
    veritrace_home: Path, garbage: bytes
) -> None:
    from app.services.config import set_settings_reporter
    from app.services.paths import config_path

    told: list[str] = []
    set_settings_reporter(told.append)
    try:
        settings = config_path()
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_bytes(garbage)
        assert load_config() == AppConfig()  # unusable: the defaults, the file as it is
        save_config(with_model(AppConfig(), "/models/chosen.gguf"))
        kept = [path for path in settings.parent.iterdir() if path.name.startswith("settings.json.unusable-")]
        assert len(kept) == 1 and kept[0].read_bytes() == garbage, "the old file kept, byte for byte"
        assert load_config().model_path == "/models/chosen.gguf"
        assert any(f"it was kept as {kept[0].name} and the new settings saved" in line for line in told), told
        save_config(with_model(AppConfig(), "/models/other.gguf"))  # a usable file is simply replaced
        assert len(list(settings.parent.glob("settings.json.unusable-*"))) == 1
    finally:
        set_settings_reporter(None)


def test_saving_refuses_when_a_folder_stands_where_the_settings_file_goes(veritrace_home: Path) -> None:
    from app.core.errors import VeritraceError
    from app.services.paths import config_path

    settings = config_path()
    settings.mkdir(parents=True)
    (settings / "mine.txt").write_text("the user's", "utf-8")
    with pytest.raises(
        VeritraceError, match="is a folder, not a settings file: the settings cannot be saved"
    ):
        save_config(AppConfig())
    assert (settings / "mine.txt").read_text("utf-8") == "the user's"
