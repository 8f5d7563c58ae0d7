"""Run settings: preset, system prompt, reasoning requirement and every sampling knob."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.models import ModelInfo, memory_estimate
from app.core.presets import PRESETS
from app.core.types import Meaning, RunSettings, SamplingParams, TemplateChoice
from app.ui import words
from app.ui.accessibility import describe_standard_buttons
from app.ui.i18n import LANGUAGE_NAMES
from app.ui.theme import Choice, theme_manager


class _ScrollingPage(QScrollArea):
    """A tab page as large as its content where the screen allows, scrolling where it does not
    (an 800×600 screen, a large font, a longer language)."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Not a Tab stop of its own: Tab goes from field to field, each scrolled into view.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:
        # The whole content, and room for a scroll bar should the dialog be cut to the screen.
        widget = self.widget()
        content = widget.sizeHint() if widget is not None else QSize()
        return QSize(content.width() + self.verticalScrollBar().sizeHint().width(), content.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 200)


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
        remote: bool = False,
        statements: Mapping[Meaning, str] | None = None,
        language: str | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Run settings"))
        self.setObjectName("SettingsDialog")
        self.preset = QComboBox()
        for name in PRESETS:
            self.preset.addItem(words.preset(name), name)
        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setMinimumHeight(110)
        self.require_reasoning = QCheckBox(
            self.tr("Require a reasoning trace (a grammar forces [THINK]…[/THINK] first)")
        )
        self.template = QComboBox()
        for choice in TemplateChoice:
            self.template.addItem(words.template(choice), str(choice))
        self.temperature = _double(0.0, 2.0, 0.05)
        self.top_p = _double(0.0, 1.0, 0.01)
        self.top_k = _int(0, 1000, self.tr("off"))
        self.min_p = _double(0.0, 1.0, 0.01)
        self.repeat_penalty = _double(0.5, 2.0, 0.05)
        self.seed = _int(-1, 2**31 - 1, self.tr("random, recorded per turn"))
        self.max_tokens = _int(1, 131072)
        self.n_ctx = _int(256, 131072)
        self.n_ctx.setSingleStep(1024)
        self.n_threads = _int(0, 256, self.tr("automatic"))
        self.n_gpu_layers = _int(0, 999)
        spoken = (
            (
                self.preset,
                self.tr("Preset"),
                self.tr("Settings made for a family of models; choosing one sets every value below."),
            ),
            (
                self.system_prompt,
                self.tr("System prompt"),
                self.tr("Sent before the conversation in every turn; recorded with each turn."),
            ),
            (
                self.template,
                self.tr("Chat template"),
                self.tr("Which chat template turns the conversation into the model's prompt."),
            ),
            (
                self.require_reasoning,
                self.tr("Require a reasoning trace"),
                self.tr("A grammar makes the model write its reasoning first, between [THINK] tags."),
            ),
            (
                self.temperature,
                self.tr("Temperature"),
                self.tr("How random sampling is: 0 always takes the likeliest token."),
            ),
            (
                self.top_p,
                self.tr("Top-p"),
                self.tr("Samples only among the likeliest tokens whose chances add up to this."),
            ),
            (
                self.top_k,
                self.tr("Top-k"),
                self.tr("Samples only among this many likeliest tokens; 0 turns it off."),
            ),
            (
                self.min_p,
                self.tr("Min-p"),
                self.tr("Leaves out tokens less likely than this share of the likeliest one."),
            ),
            (
                self.repeat_penalty,
                self.tr("Repeat penalty"),
                self.tr("Above 1, repeating recent tokens is made less likely."),
            ),
            (
                self.seed,
                self.tr("Seed"),
                self.tr("The random seed; -1 draws one for each turn, and it is recorded."),
            ),
            (
                self.max_tokens,
                self.tr("Max tokens"),
                self.tr("The most tokens the model may write in one turn, reasoning included."),
            ),
            (
                self.n_ctx,
                self.tr("Context size"),
                self.tr(
                    "How many tokens of conversation the model holds; more takes more memory. "
                    "Reloads the model."
                ),
            ),
            (
                self.n_threads,
                self.tr("Threads"),
                self.tr("Processor threads the model runs on; 0 lets the runtime decide. Reloads the model."),
            ),
            (
                self.n_gpu_layers,
                self.tr("GPU layers"),
                self.tr("How many of the model's layers run on the graphics card. Reloads the model."),
            ),
        )
        for widget, name, description in spoken:
            widget.setAccessibleName(name)
            widget.setAccessibleDescription(description)

        prompt_box = QGroupBox(self.tr("Prompt"))
        prompt_form = QFormLayout(prompt_box)
        prompt_form.addRow(self.tr("Preset"), self.preset)
        prompt_form.addRow(self.tr("System prompt"), self.system_prompt)
        prompt_form.addRow(self.tr("Chat template"), self.template)
        prompt_form.addRow("", self.require_reasoning)
        sampling_box = QGroupBox(self.tr("Sampling"))
        sampling_form = QFormLayout(sampling_box)
        sampling_form.addRow(self.tr("Temperature"), self.temperature)
        sampling_form.addRow(self.tr("Top-p"), self.top_p)
        sampling_form.addRow(self.tr("Top-k"), self.top_k)
        sampling_form.addRow(self.tr("Min-p"), self.min_p)
        sampling_form.addRow(self.tr("Repeat penalty"), self.repeat_penalty)
        sampling_form.addRow(self.tr("Seed"), self.seed)
        sampling_form.addRow(self.tr("Max tokens"), self.max_tokens)
        runtime_box = QGroupBox(self.tr("Runtime (reloads the model)"))
        runtime_form = QFormLayout(runtime_box)
        # The model's trained length caps the context; the estimate says what it will cost.
        self._info = info
        self._remote = remote
        trained = trained_context or (info.context_length if info else 0)
        if trained:
            self.n_ctx.setMaximum(max(256, trained))
            self.n_ctx.setToolTip(
                self.tr("This model was trained with a {count}-token context.").format(
                    count=words.number(trained)
                )
            )
        self.memory = QLabel("")
        self.memory.setObjectName("paneCaption")
        self.memory.setWordWrap(True)  # a long estimate (or its language) must not widen the dialog
        self.n_ctx.valueChanged.connect(self._on_n_ctx_value_changed)
        runtime_form.addRow(self.tr("Context size"), self.n_ctx)
        runtime_form.addRow("", self.memory)
        runtime_form.addRow(self.tr("Threads"), self.n_threads)
        runtime_form.addRow(self.tr("GPU layers"), self.n_gpu_layers)
        columns = QHBoxLayout()
        columns.addWidget(sampling_box)
        columns.addWidget(runtime_box)
        # What each meaning of a sign-off states, one line each, as the signer reads it when signing;
        # on a tab of its own, so that the dialog still fits a small screen.
        self.statement_fields: dict[Meaning, QLineEdit] = {}
        statements_page = QWidget()
        statements_form = QFormLayout(statements_page)
        statements_note = QLabel(
            self.tr(
                "What a signature of each meaning states, one line each. The signer reads it before "
                "signing, and the signature covers it word for word. Leave one empty for its default."
            )
        )
        statements_note.setWordWrap(True)
        statements_form.addRow(statements_note)
        for meaning in Meaning:
            field = QLineEdit((statements or {}).get(meaning, ""))
            field.setAccessibleName(self.tr("Statement for {meaning}").format(meaning=words.meaning(meaning)))
            field.setCursorPosition(0)
            field.setAccessibleDescription(
                self.tr("What a signature of this meaning states, word for word; empty for the default.")
            )
            self.statement_fields[meaning] = field
            statements_form.addRow(words.capitalised(words.meaning(meaning)), field)
        note = QLabel(self.tr("Every value here is recorded with each turn."))
        note.setObjectName("paneCaption")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        describe_standard_buttons(buttons)
        run_content = QWidget()
        run_layout = QVBoxLayout(run_content)
        run_layout.addWidget(prompt_box)
        run_layout.addLayout(columns)
        run_layout.addWidget(note)
        run_page = _ScrollingPage(run_content)
        # Long labels (a preset's, in a longer language) are cut in the closed box, whole in its list.
        for combo in (self.preset, self.template):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(28)
        self.tabs = QTabWidget()
        for part in (self.tabs, self.tabs.tabBar()):
            part.setAccessibleName(self.tr("Settings pages"))
            part.setAccessibleDescription(
                self.tr("Run settings, and what sign-offs state; Ctrl+Tab turns the page.")
            )
        self.tabs.addTab(run_page, self.tr("Run"))
        if statements is not None:
            self.tabs.addTab(statements_page, self.tr("Sign-off statements"))
        # The window's own choices, apart from what is recorded with each turn.
        self.language = QComboBox()
        self.language.setObjectName("languageChoice")
        self.language.addItem(self.tr("System language"), "")
        for code, name in LANGUAGE_NAMES.items():  # each in its own language
            self.language.addItem(name, code)
        self.language.setAccessibleName(self.tr("Language"))
        self.language.setAccessibleDescription(
            self.tr("The language of the window; records and exports stay in English.")
        )
        self.window_page = QWidget()
        self.window_form = QFormLayout(self.window_page)
        self.window_form.addRow(self.tr("Language"), self.language)
        language_note = QLabel(
            self.tr(
                "A new language takes effect the next time Veritrace starts. Records, exports and "
                "the command line stay in English."
            )
        )
        language_note.setObjectName("paneCaption")
        language_note.setWordWrap(True)
        self.window_form.addRow("", language_note)
        self._add_theme_row(theme)
        if language is not None:
            self.language.setCurrentIndex(max(0, self.language.findData(language)))
        if language is not None or theme is not None:
            self.tabs.addTab(self.window_page, self.tr("Window"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        # A screen reader reads a tab's tooltip as its description.
        self.tabs.setTabToolTip(
            self.tabs.indexOf(run_page), self.tr("The preset, the system prompt, sampling and the runtime.")
        )
        self.tabs.setTabToolTip(
            self.tabs.indexOf(statements_page), self.tr("What a signature of each meaning states.")
        )
        layout.addWidget(buttons)
        self._fit_screen()
        self._show(settings)
        self._on_n_ctx_value_changed(self.n_ctx.value())
        self.preset.activated.connect(self._on_preset_activated)

    def _fit_screen(self) -> None:
        """As large as the content asks, within the screen (where the pages then scroll)."""
        screen = self.screen().availableGeometry()
        wanted = self.sizeHint()
        self.resize(
            min(wanted.width(), screen.width() * 95 // 100), min(wanted.height(), screen.height() * 9 // 10)
        )

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

    def _add_theme_row(self, theme: str | None) -> None:
        """Light, Dark or the system's: shown at once while the dialog is open, kept by OK only."""
        self._theme_before = Choice(theme) if theme in set(Choice) else theme_manager().choice
        self.theme = QComboBox()
        self.theme.setObjectName("themeChoice")
        self.theme.addItem(self.tr("Follow the system"), Choice.SYSTEM.value)
        self.theme.addItem(self.tr("Light"), Choice.LIGHT.value)
        self.theme.addItem(self.tr("Dark"), Choice.DARK.value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(self._theme_before.value)))
        self.theme.setAccessibleName(self.tr("Theme"))
        self.theme.setAccessibleDescription(
            self.tr("The window's colours: light, dark, or as the system is set. Shown at once.")
        )
        self.window_form.addRow(self.tr("Theme"), self.theme)
        self.theme.currentIndexChanged.connect(self._on_theme_current_index_changed)
        self.rejected.connect(self._on_rejected)

    def chosen_theme(self) -> str:
        """The window's colours chosen: "system", "light" or "dark"."""
        return str(self.theme.currentData())

    def _on_theme_current_index_changed(self, _index: int) -> None:
        theme_manager().choose(self.chosen_theme())

    def _on_rejected(self) -> None:
        theme_manager().choose(self._theme_before)  # cancelled: back to the colours before

    def chosen_language(self) -> str:
        """The window's language chosen: "" follows the system, else "en", "fr" or "de"."""
        return str(self.language.currentData())

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
            estimate = memory_estimate(self._info, value)
            self.memory.setText(
                self.tr("Memory ≈ {total} (weights {weights}, context {context}, compute {compute})").format(
                    total=words.gibibytes(estimate.total),
                    weights=words.gibibytes(estimate.weights),
                    context=words.gibibytes(estimate.kv_cache),
                    compute=words.gibibytes(estimate.compute),
                )
            )
        elif self._remote:
            self.memory.setText(self.tr("Memory: the server's own, not known here"))
        else:
            self.memory.setText(self.tr("Memory: not estimated (the model file has not been inspected)"))

    def _on_preset_activated(self, index: int) -> None:
        chosen = PRESETS[str(self.preset.itemData(index))]
        kept = self._shown  # the server's choices are not part of a preset
        self._show(replace(chosen, prompt_mode=kept.prompt_mode, resend_reasoning=kept.resend_reasoning))
