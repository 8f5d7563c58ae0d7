"""File ▸ Use a remote server…: an OpenAI-compatible endpoint, a model id and an API key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.cancel import CancelToken
from app.core.remote import MISTRAL_API, RemoteEndpoint
from app.core.types import RunSettings
from app.services.remote import check_server, is_magistral_on_mistral, magistral_models, server_models
from app.ui.accessibility import describe_standard_buttons
from app.ui.background import Background

T = TypeVar("T")


class RemoteDialog(QDialog):
    """Asks where the server is; checks it off the GUI thread before it is chosen.

    The key is shown only as dots and leaves this dialog only inside ``endpoint()``.
    Mistral's own API offers the Magistral models, and asks whether to request its reasoning
    prompt (``prompt_mode``); ``options()`` says what was chosen.

    Signals:
        models_fetched(list): the model ids the server listed (for Mistral's API, its Magistral ones).
        checked(bool, str): a connection test ended: whether it worked, and what to tell the user.
    """

    models_fetched = Signal(list)
    checked = Signal(bool, str)

    def __init__(
        self,
        url: str = "",
        model: str = "",
        api_key: str = "",
        parent: QWidget | None = None,
        *,
        settings: RunSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Use a remote server"))
        settings = settings or RunSettings()
        self.url = QLineEdit(url)
        self.url.setPlaceholderText(self.tr("http://127.0.0.1:8080/v1 or https://api.mistral.ai/v1"))
        self.mistral = QPushButton(self.tr("Mistral API"))
        self.mistral.setToolTip(
            self.tr("{address}: Magistral Small and Medium on Mistral's own servers").format(
                address=MISTRAL_API
            )
        )
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setCurrentText(model)
        self.model.setMinimumContentsLength(28)
        self.fetch = QPushButton(self.tr("Fetch models"))
        self.key = QLineEdit(api_key)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(self.tr("none needed for most self-hosted servers"))
        self.prompt_mode = QCheckBox(
            self.tr("Ask Mistral's API for Magistral's reasoning prompt (prompt_mode)")
        )
        self.prompt_mode.setToolTip(
            self.tr(
                "Sends prompt_mode: \"reasoning\" instead of Magistral's system prompt. Unticked, the API's "
                "prompt is declined (prompt_mode: null) and the Magistral preset's own system prompt is "
                "sent. Either way the request is recorded."
            )
        )
        self.prompt_mode.setChecked(settings.prompt_mode != "none")
        self.resend_reasoning = QCheckBox(self.tr("Send earlier turns' reasoning back with their answers"))
        self.resend_reasoning.setToolTip(
            self.tr(
                "Reasoning models are trained to see earlier answers without their reasoning: "
                "leave this off unless you mean to."
            )
        )
        self.resend_reasoning.setChecked(settings.resend_reasoning)
        self.test = QPushButton(self.tr("Test connection"))
        self.message = QLabel(
            self.tr(
                "Turns run on this server are recorded with its address, the model id, the exact request "
                "sent and what the server said of its answer. The key is kept in the system keyring, "
                "never in the record."
            )
        )
        self.message.setWordWrap(True)
        self.message.setObjectName("remoteResult")

        url_row = QHBoxLayout()
        url_row.addWidget(self.url, 1)
        url_row.addWidget(self.mistral)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.fetch)
        form = QFormLayout()
        form.addRow(self.tr("Server address"), url_row)
        form.addRow(self.tr("Model id"), model_row)
        form.addRow(self.tr("API key"), self.key)
        form.addRow("", self.prompt_mode)
        form.addRow("", self.resend_reasoning)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Use this server"))
        buttons.addButton(self.test, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        self.fetch.clicked.connect(self.fetch_models)
        self.test.clicked.connect(self.test_connection)
        self.mistral.clicked.connect(self.use_mistral)
        self.url.editingFinished.connect(self._on_url_editing_finished)
        self.model.currentTextChanged.connect(self._on_model_current_text_changed)
        self._background = Background("remote-check", self)
        self.url.setAccessibleName(self.tr("Server address"))
        self.url.setAccessibleDescription(
            self.tr("The address of an OpenAI-compatible server, its /v1 path included.")
        )
        self.model.setAccessibleName(self.tr("Model id"))
        self.model.setAccessibleDescription(
            self.tr("The id of the model on the server: type it, or fetch the server's list and choose.")
        )
        self.fetch.setAccessibleDescription(self.tr("Asks the server which models it offers."))
        self.key.setAccessibleName(self.tr("API key"))
        self.key.setAccessibleDescription(
            self.tr("The server's API key, shown as dots; kept in the system keyring, never in the record.")
        )
        self.test.setAccessibleDescription(
            self.tr("Asks the server for the chosen model and says what it answered.")
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleDescription(
            self.tr("Runs the next turns on this server, as this model.")
        )
        describe_standard_buttons(buttons)
        self._on_url_editing_finished()
        self._on_model_current_text_changed(self.model.currentText())

    def endpoint(self) -> RemoteEndpoint:
        return RemoteEndpoint(self.url.text().strip(), self.model.currentText().strip(), self.key.text())

    def options(self) -> tuple[bool | None, bool]:
        """(ask for Mistral's reasoning prompt — None where that does not apply, resend reasoning)."""
        endpoint = self.endpoint()
        asks = self.prompt_mode.isChecked() if is_magistral_on_mistral(endpoint.url, endpoint.model) else None
        return asks, self.resend_reasoning.isChecked()

    def use_mistral(self) -> None:
        """Mistral's own API: its address, and its Magistral models to choose from."""
        self.url.setText(MISTRAL_API)
        self._on_url_editing_finished()

    def _on_url_editing_finished(self) -> None:
        if not is_magistral_on_mistral(self.url.text(), "magistral"):
            return
        current = self.model.currentText().strip()
        if self.model.count() == 0:
            self.model.addItems(magistral_models())
            self.model.setCurrentText(current or self.model.itemText(0))
            self.message.setText(
                self.tr(
                    "Mistral's API: Magistral Small and Medium 1.2 run with the Magistral preset "
                    "(temperature 0.7, top-p 0.95). Fetch models adds any other Magistral it lists."
                )
            )

    def _on_model_current_text_changed(self, text: str) -> None:
        self.prompt_mode.setVisible(is_magistral_on_mistral(self.url.text(), text))

    def _offer(self, ids: list[str], keep: str) -> None:
        self.model.clear()
        self.model.addItems(ids)
        self.model.setCurrentText(keep if keep in ids or not ids else ids[0])

    def fetch_models(self) -> None:
        """List the server's models into the model box (in the background)."""
        endpoint = self.endpoint()
        self._run(
            self.tr("Asking the server for its models…"),
            lambda _cancel: server_models(endpoint),
            self._show_models,
        )

    def test_connection(self) -> None:
        """Check the address, the key and the model id, as choosing the server will."""
        endpoint = self.endpoint()
        self._run(
            self.tr("Testing the connection…"),
            lambda _cancel: check_server(endpoint),
            lambda name: self._finish(
                True, self.tr("Connected: {host} serves “{model}”.").format(host=endpoint.host, model=name)
            ),
        )

    def _show_models(self, ids: list[str]) -> None:
        self._offer(ids, keep=self.model.currentText())
        self._set_busy(False)
        self.message.setText(
            self.tr("The server offers %n models.", "", len(ids))
            if ids
            else self.tr("The server lists no models.")
        )
        self.models_fetched.emit(ids)

    def _finish(self, ok: bool, message: str) -> None:
        self._set_busy(False)
        self.message.setText(message)
        self.checked.emit(ok, message)

    def _run(self, doing: str, work: Callable[[CancelToken], T], done: Callable[[T], None]) -> None:
        self._set_busy(True)
        self.message.setText(doing)
        self._background.start(
            work, done, lambda message: self._finish(False, message), doing="Asking the server"
        )

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.fetch, self.test, self.mistral):
            widget.setEnabled(not busy)
