"""File ▸ Use a remote server…: an OpenAI-compatible endpoint, a model id and an API key."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
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

from app.core.errors import VeritraceError
from app.runtime.remote_backend import RemoteBackend, RemoteEndpoint, list_models


class RemoteDialog(QDialog):
    """Asks where the server is; checks it off the GUI thread before it is chosen.

    The key is shown only as dots and leaves this dialog only inside ``endpoint()``.

    Signals:
        models_fetched(list): the model ids the server listed.
        checked(bool, str): a connection test ended: whether it worked, and what to tell the user.
    """

    models_fetched = Signal(list)
    checked = Signal(bool, str)
    _answered = Signal(object)  # a callable to run on the GUI thread

    def __init__(
        self, url: str = "", model: str = "", api_key: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Use a remote server")
        self.url = QLineEdit(url)
        self.url.setPlaceholderText("http://127.0.0.1:8080/v1 or https://api.mistral.ai/v1")
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setCurrentText(model)
        self.model.setMinimumContentsLength(28)
        self.fetch = QPushButton("Fetch models")
        self.key = QLineEdit(api_key)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("none needed for most self-hosted servers")
        self.test = QPushButton("Test connection")
        self.message = QLabel(
            "Turns run on this server are recorded with its address and the model id, and say that "
            "the model ran remotely. The key is kept in the system keyring, never in the record."
        )
        self.message.setWordWrap(True)
        self.message.setObjectName("remoteResult")

        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.fetch)
        form = QFormLayout()
        form.addRow("Server address", self.url)
        form.addRow("Model id", model_row)
        form.addRow("API key", self.key)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this server")
        buttons.addButton(self.test, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        self.fetch.clicked.connect(self.fetch_models)
        self.test.clicked.connect(self.test_connection)
        self._answered.connect(lambda deliver: deliver())

    def endpoint(self) -> RemoteEndpoint:
        return RemoteEndpoint(self.url.text().strip(), self.model.currentText().strip(), self.key.text())

    def fetch_models(self) -> None:
        """List the server's models into the model box (in the background)."""
        endpoint = self.endpoint()

        def work() -> Callable[[], None]:
            ids = [model.id for model in list_models(endpoint)]
            return lambda: self._show_models(ids)

        self._run("Asking the server for its models…", work)

    def test_connection(self) -> None:
        """Check the address, the key and the model id, as choosing the server will."""
        endpoint = self.endpoint()

        def work() -> Callable[[], None]:
            loaded = RemoteBackend(endpoint).load()
            host = endpoint.host
            return lambda: self._finish(True, f"Connected: {host} serves “{loaded.name}”.")

        self._run("Testing the connection…", work)

    def _show_models(self, ids: list[str]) -> None:
        current = self.model.currentText()
        self.model.clear()
        self.model.addItems(ids)
        self.model.setCurrentText(current if current in ids or not ids else ids[0])
        self._set_busy(False)
        self.message.setText(
            f"The server offers {len(ids)} model(s)." if ids else "The server lists no models."
        )
        self.models_fetched.emit(ids)

    def _finish(self, ok: bool, message: str) -> None:
        self._set_busy(False)
        self.message.setText(message)
        self.checked.emit(ok, message)

    def _run(self, doing: str, work: Callable[[], Callable[[], None]]) -> None:
        self._set_busy(True)
        self.message.setText(doing)

        def run() -> None:
            try:
                deliver = work()
            except VeritraceError as error:
                message = str(error)
                deliver = lambda: self._finish(False, message)  # noqa: E731
            except Exception as error:  # a bug: say so rather than leave the dialog waiting
                message = f"Unexpected error ({type(error).__name__}: {error})."
                deliver = lambda: self._finish(False, message)  # noqa: E731
            self._answered.emit(deliver)  # queued: the dialog lives on the GUI thread

        threading.Thread(target=run, name="remote-check", daemon=True).start()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.fetch, self.test):
            widget.setEnabled(not busy)
