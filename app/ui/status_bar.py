"""Status bar: what the app is doing, which model, how fast."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from app.core.models import DEMO_MODEL_NAME
from app.core.remote import host_of
from app.core.states import State, turn_state
from app.core.text import visible
from app.core.types import ModelFile, Turn
from app.render.html import label_text
from app.ui.elided import ElidedLabel
from app.ui.words import capitalised, decimal, local_time_now, number, percent, remote_model, state_words

if TYPE_CHECKING:  # the record's modules load after the window is shown
    from app.services.chat import ActiveModel
    from app.services.record import RecordCheck


class AppStatusBar(QStatusBar):
    """Shows the state on the left and the model and speed on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Each line is cut with "…" before it widens the window (the window fits 800 pixels).
        self.state = ElidedLabel(self.tr("Starting…"))
        self.state.setObjectName("stateLabel")
        self.state.setTextFormat(Qt.TextFormat.PlainText)  # it quotes errors: never markup
        # What the start-up found (turns the app's last stop cut off): stays until a turn starts.
        self.notice = QLabel("")
        self.notice.setObjectName("noticeLabel")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        # A long notice is cut by the window's width rather than widening the window.
        self.notice.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.notice.hide()
        self.speed = ElidedLabel("")
        self.speed.setObjectName("speedLabel")
        self.model = ElidedLabel(self.tr("No model"))
        self.model.setObjectName("modelLabel")
        self.integrity = ElidedLabel("")
        self.integrity.setObjectName("integrityLabel")
        self.hash = ElidedLabel("")
        self.hash.setObjectName("hashLabel")
        self.addWidget(self.state, 1)
        self.addWidget(self.notice, 3)
        self.addPermanentWidget(self.integrity)
        self.addPermanentWidget(self.hash)
        self.addPermanentWidget(self.speed)
        self.addPermanentWidget(self.model)

    def set_state(self, text: str, *, whole: bool = True) -> None:
        """What the app is doing; ``whole`` False sets apart the end of a turn that is not a
        whole, normal answer."""
        self.state.setText(text)
        if self.state.property("whole") != whole:
            self.state.setProperty("whole", whole)
            self._repolish(self.state)

    def set_turn_state(self, turn: Turn) -> None:
        """How the turn just ended, in the words every view uses (``app.core.states``)."""
        ended = turn_state(turn)
        if ended.state is State.COMPLETED:
            self.set_state(self.tr("Ready"))
            return
        words = capitalised(state_words(ended))
        if ended.state is not State.FAILED:
            words = self.tr("{state} — output up to then kept").format(state=words)
        self.set_state(_one_line(visible(words)), whole=ended.whole)

    def set_notice(self, text: str) -> None:
        """A line to keep in view beside the state ("" hides it); its full text is its tooltip."""
        shown = _one_line(visible(text))
        self.notice.setText(shown)
        self.notice.setToolTip(shown)
        self.notice.setVisible(bool(text))

    def set_verifying(self) -> None:
        self.integrity.setText(self.tr("Verifying record…"))
        self.integrity.setProperty("state", "")
        self._repolish(self.integrity)

    def set_verification(self, result: RecordCheck) -> None:
        verification = result.verification
        if result.intact:
            when = local_time_now()
            self.integrity.setText(
                self.tr("✓ Record verified %1 · %Ln entries", "", verification.entries).replace("%1", when)
            )
            self.integrity.setProperty("state", "ok")
        elif verification.problem is not None:
            self.integrity.setText(
                self.tr("✗ Record broken at entry {number}").format(number=verification.problem.seq)
            )
            self.integrity.setProperty("state", "broken")
        else:
            self.integrity.setText(self.tr("✗ Record not verified"))  # why: in its tooltip
            self.integrity.setProperty("state", "broken")
        self.integrity.setToolTip("\n".join(result.lines()))
        self._repolish(self.integrity)

    @staticmethod
    def _repolish(label: QLabel) -> None:
        label.style().unpolish(label)
        label.style().polish(label)

    def set_hash_progress(self, fraction: float) -> None:
        """The loaded model's full SHA-256, running in the background."""
        if fraction >= 1.0:
            return  # the result follows
        self.hash.setText(self.tr("Verifying model SHA-256… {percent}").format(percent=percent(fraction)))
        self.hash.setProperty("state", "")
        self.hash.setToolTip(
            self.tr(
                "The model file is hashed in full at every load, beside the model's own loading. "
                "Turns that begin before it finishes say so in the record and are settled when it does."
            )
        )
        self._repolish(self.hash)

    def set_hash_result(self, problem: str | None) -> None:
        """The full hash agreed (""), found a problem, or there is nothing to hash (None)."""
        if problem is None:
            self.hash.setText("")
            self.hash.setToolTip("")
        elif problem:
            self.hash.setText(self.tr("✗ Model file changed: load it again"))
            self.hash.setProperty("state", "broken")
            self.hash.setToolTip(label_text(problem))
        else:
            self.hash.setText(self.tr("✓ Model SHA-256 verified"))
            self.hash.setProperty("state", "ok")
            self.hash.setToolTip(self.tr("The model file loaded was hashed in full for this load."))
        self._repolish(self.hash)

    def set_speed(self, tokens: int, tokens_per_second: float) -> None:
        rate = self.tr("%1 tok/s").replace("%1", decimal(tokens_per_second))
        self.speed.setText(self.tr("%Ln tokens", "", tokens) + " · " + rate if tokens else "")

    def set_recorded_tokens(self, turn: Turn) -> None:
        """A finished turn's counts as recorded: the live count is a sample taken while it ran."""
        tokens = turn.completion_tokens
        if not tokens:
            self.speed.setText("")
            return
        split = ""
        if turn.reasoning_tokens is not None and turn.answer_tokens is not None:
            split = " " + self.tr("(%1 reasoning · %2 answer)").replace(
                "%1", number(turn.reasoning_tokens)
            ).replace("%2", number(turn.answer_tokens))
        rate = (
            " · " + self.tr("%1 tok/s").replace("%1", decimal(turn.tokens_per_second))
            if turn.tokens_per_second
            else ""
        )
        if turn.usage_source == "approximate":
            counted = self.tr("about %Ln tokens", "", tokens)
        else:
            counted = self.tr("%Ln tokens", "", tokens)
        self.speed.setText(f"{counted}{split}{rate}")

    def set_model(self, model: ActiveModel | None) -> None:
        if model is None:
            self.model.setText(self.tr("No model"))
            self.model.setToolTip("")
            self.model.setProperty("demo", False)
        elif model.loaded.endpoint is not None:
            self.model.setText(
                visible(
                    self.tr("Remote: {model} at {host}").format(
                        model=model.loaded.name, host=host_of(model.loaded.endpoint)
                    )
                )
            )
            self.model.setProperty("demo", False)
        elif model.loaded.is_demo:
            self.model.setText(
                self.tr("DEMO MODEL · {name} · not a reasoning model").format(name=DEMO_MODEL_NAME)
            )
            self.model.setProperty("demo", True)
        else:
            vision = " · " + self.tr("vision") if model.loaded.has_vision else ""
            context = self.tr("ctx {size}").format(size=number(model.loaded.n_ctx))
            self.model.setText(visible(f"{model.loaded.name} · {context}{vision}"))
            self.model.setProperty("demo", False)
        if model is not None:
            projector = (
                "\n" + self.tr("Projector {file}").format(file=file_text(model.projector))
                if model.projector
                else ""
            )
            backend = runtime_text(model.runtime_info)
            self.model.setToolTip(label_text(f"{identity_text(model)}{projector}{load_text(model)}{backend}"))
        self._repolish(self.model)


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def identity_text(model: ActiveModel) -> str:
    """Which model: a file by path and SHA-256; a remote model, which has no file, in words."""
    if model.loaded.endpoint is not None:
        return (
            f"{remote_model(model.loaded.endpoint, model.loaded.name, model.file.path)}\n"
            + QCoreApplication.translate(
                "AppStatusBar", "Each turn records the server's fingerprint, where it reports one."
            )
        )
    return file_text(model.file)


def file_text(file: ModelFile) -> str:
    """A file's path and SHA-256 (none yet while a file loaded without a cached hash is hashed)."""
    hashed = (
        f"SHA-256 {file.sha256}"
        if file.sha256
        else QCoreApplication.translate("AppStatusBar", "not hashed yet")
    )
    return f"{file.path}\n{hashed}"


def load_text(model: ActiveModel) -> str:
    """How long the model took to load, and whether its weights are memory-mapped."""
    if model.loaded.is_remote:
        return ""
    mapped = (
        " · " + QCoreApplication.translate("AppStatusBar", "weights memory-mapped")
        if model.runtime_info.get("mmap")
        else ""
    )
    loaded = QCoreApplication.translate("AppStatusBar", "Loaded in {seconds} s").format(
        seconds=decimal(model.load_seconds, 2)
    )
    return f"\n{loaded}{mapped}"


def runtime_text(runtime: Mapping[str, object]) -> str:
    """What the runtime reported, as the model's tooltip says it ("" if it reported nothing)."""
    if "n_threads" in runtime:  # llama.cpp, here
        offload = (
            ""
            if runtime.get("gpu_offload_supported")
            else " " + QCoreApplication.translate("AppStatusBar", "(no GPU offload in this build)")
        )
        threads = QCoreApplication.translate(
            "AppStatusBar", "Threads {threads} · GPU layers {offloaded} of {layers} offloaded"
        ).format(
            threads=runtime["n_threads"],
            offloaded=runtime.get("layers_offloaded"),
            layers=runtime.get("n_layers"),
        )
        return f"\n{threads}{offload}\n{runtime.get('system_info')}"
    if runtime.get("runs_on"):
        runs_on = QCoreApplication.translate(
            "AppStatusBar", "Runs on a {server}: it decides threads and GPUs."
        )
        return "\n" + runs_on.format(server=runtime["runs_on"])
    if runtime.get("scripted"):
        return "\n" + QCoreApplication.translate("AppStatusBar", "Scripted backend: no model runs.")
    return ""
