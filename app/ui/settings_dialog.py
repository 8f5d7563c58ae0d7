"""Run settings: preset, system prompt, reasoning requirement and every sampling knob."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.models import ModelInfo, memory_estimate
from app.core.presets import PRESETS
from app.core.types import Meaning, RunSettings, SamplingParams, TemplateChoice

_PRESET_LABELS = {
    "magistral": "Magistral Small 1.2 (reasoning, [THINK] tags)",
    "think-tags": "<think> models (Qwen3, DeepSeek-R1 distills)",
    "instruct": "Instruct models (no reasoning tags)",
    "demo": "Demo model (grammar-forced reasoning)",
}
_TEMPLATE_LABELS = {
    TemplateChoice.AUTO: "The model's own, else pinned Magistral",
    TemplateChoice.GGUF: "The model's own (GGUF)",
    TemplateChoice.MAGISTRAL: "Pinned Magistral Small 1.2 template",
}


def _double(minimum: float, maximum: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(minimum, maximum)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    return box


def _int(minimum: int, maximum: int, special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    if special:
        box.setSpecialValueText(special)
    return box


class SettingsDialog(QDialog):
    """Edit the run settings; ``settings()`` returns what the user chose."""

    def __init__(
        self,
        settings: RunSettings,
        parent: QWidget | None = None,
        *,
        trained_context: int = 0,
        info: ModelInfo | None = None,
        statements: Mapping[Meaning, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run settings")
        self.setObjectName("SettingsDialog")
        self.preset = QComboBox()
        for name in PRESETS:
            self.preset.addItem(_PRESET_LABELS.get(name, name), name)
        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setMinimumHeight(110)
        self.require_reasoning = QCheckBox(
            "Require a reasoning trace (a grammar forces [THINK]…[/THINK] first)"
        )
        self.template = QComboBox()
        for choice in TemplateChoice:
            self.template.addItem(_TEMPLATE_LABELS[choice], str(choice))
        self.temperature = _double(0.0, 2.0, 0.05)
        self.top_p = _double(0.0, 1.0, 0.01)
        self.top_k = _int(0, 1000, "off")
        self.min_p = _double(0.0, 1.0, 0.01)
        self.repeat_penalty = _double(0.5, 2.0, 0.05)
        self.seed = _int(-1, 2**31 - 1, "random, recorded per turn")
        self.max_tokens = _int(1, 131072)
        self.n_ctx = _int(256, 131072)
        self.n_ctx.setSingleStep(1024)
        self.n_threads = _int(0, 256, "automatic")
        self.n_gpu_layers = _int(0, 999)

        prompt_box = QGroupBox("Prompt")
        prompt_form = QFormLayout(prompt_box)
        prompt_form.addRow("Preset", self.preset)
        prompt_form.addRow("System prompt", self.system_prompt)
        prompt_form.addRow("Chat template", self.template)
        prompt_form.addRow("", self.require_reasoning)
        sampling_box = QGroupBox("Sampling")
        sampling_form = QFormLayout(sampling_box)
        sampling_form.addRow("Temperature", self.temperature)
        sampling_form.addRow("Top-p", self.top_p)
        sampling_form.addRow("Top-k", self.top_k)
        sampling_form.addRow("Min-p", self.min_p)
        sampling_form.addRow("Repeat penalty", self.repeat_penalty)
        sampling_form.addRow("Seed", self.seed)
        sampling_form.addRow("Max tokens", self.max_tokens)
        runtime_box = QGroupBox("Runtime (reloads the model)")
        runtime_form = QFormLayout(runtime_box)
        # The model's trained length caps the context; the estimate says what it will cost.
        self._info = info
        trained = trained_context or (info.context_length if info else 0)
        if trained:
            self.n_ctx.setMaximum(max(256, trained))
            self.n_ctx.setToolTip(f"This model was trained with a {trained:,}-token context.")
        self.memory = QLabel("")
        self.memory.setObjectName("paneCaption")
        self.n_ctx.valueChanged.connect(self._on_n_ctx_value_changed)
        runtime_form.addRow("Context size", self.n_ctx)
        runtime_form.addRow("", self.memory)
        runtime_form.addRow("Threads", self.n_threads)
        runtime_form.addRow("GPU layers", self.n_gpu_layers)
        columns = QHBoxLayout()
        columns.addWidget(sampling_box)
        columns.addWidget(runtime_box)
        # What each meaning of a sign-off states, one line each, as the signer reads it when signing;
        # on a tab of its own, so that the dialog still fits a small screen.
        self.statement_fields: dict[Meaning, QLineEdit] = {}
        statements_page = QWidget()
        statements_form = QFormLayout(statements_page)
        statements_note = QLabel(
            "What a signature of each meaning states, one line each. The signer reads it before "
            "signing, and the signature covers it word for word. Leave one empty for its default."
        )
        statements_note.setWordWrap(True)
        statements_form.addRow(statements_note)
        for meaning in Meaning:
            field = QLineEdit((statements or {}).get(meaning, ""))
            field.setAccessibleName(f"Statement for {meaning}")
            field.setCursorPosition(0)
            self.statement_fields[meaning] = field
            statements_form.addRow(str(meaning).capitalize(), field)
        note = QLabel("Every value here is recorded with each turn.")
        note.setObjectName("paneCaption")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        run_page = QWidget()
        run_layout = QVBoxLayout(run_page)
        run_layout.addWidget(prompt_box)
        run_layout.addLayout(columns)
        run_layout.addWidget(note)
        self.tabs = QTabWidget()
        self.tabs.addTab(run_page, "Run")
        if statements is not None:
            self.tabs.addTab(statements_page, "Sign-off statements")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self._show(settings)
        self._on_n_ctx_value_changed(self.n_ctx.value())
        self.preset.activated.connect(self._on_preset_activated)

    def settings(self) -> RunSettings:
        seed = self.seed.value()
        return RunSettings(
            # Chosen with the server (File ▸ Use a remote server…), not here: kept as they were.
            prompt_mode=self._shown.prompt_mode,
            resend_reasoning=self._shown.resend_reasoning,
            preset=str(self.preset.currentData()),
            system_prompt=self.system_prompt.toPlainText(),
            require_reasoning=self.require_reasoning.isChecked(),
            template=TemplateChoice(self.template.currentData()),
            params=SamplingParams(
                temperature=self.temperature.value(),
                top_p=self.top_p.value(),
                top_k=self.top_k.value(),
                min_p=self.min_p.value(),
                repeat_penalty=self.repeat_penalty.value(),
                seed=None if seed < 0 else seed,
                max_tokens=self.max_tokens.value(),
                n_ctx=self.n_ctx.value(),
                n_threads=self.n_threads.value(),
                n_gpu_layers=self.n_gpu_layers.value(),
            ),
        )

    def statements(self) -> dict[Meaning, str]:
        """The statement of each meaning, one line each (an empty one means its default)."""
        return {meaning: " ".join(field.text().split()) for meaning, field in self.statement_fields.items()}

    def _show(self, settings: RunSettings) -> None:
        self._shown = settings
        self.preset.setCurrentIndex(max(0, self.preset.findData(settings.preset)))
        self.system_prompt.setPlainText(settings.system_prompt)
        self.require_reasoning.setChecked(settings.require_reasoning)
        self.template.setCurrentIndex(max(0, self.template.findData(str(settings.template))))
        params = settings.params
        self.temperature.setValue(params.temperature)
        self.top_p.setValue(params.top_p)
        self.top_k.setValue(params.top_k)
        self.min_p.setValue(params.min_p)
        self.repeat_penalty.setValue(params.repeat_penalty)
        self.seed.setValue(-1 if params.seed is None else params.seed)
        self.max_tokens.setValue(params.max_tokens)
        self.n_ctx.setValue(params.n_ctx)
        self.n_threads.setValue(params.n_threads)
        self.n_gpu_layers.setValue(params.n_gpu_layers)

    def _on_n_ctx_value_changed(self, value: int) -> None:
        if self._info is not None and not self._info.is_projector:
            self.memory.setText(f"Memory {memory_estimate(self._info, value).describe()}")

    def _on_preset_activated(self, index: int) -> None:
        chosen = PRESETS[str(self.preset.itemData(index))]
        kept = self._shown  # the server's choices are not part of a preset
        self._show(replace(chosen, prompt_mode=kept.prompt_mode, resend_reasoning=kept.resend_reasoning))
