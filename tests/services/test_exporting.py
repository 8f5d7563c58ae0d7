"""Exports as the record sees them: verified first, a signed checkpoint cited, the finished
file's SHA-256 in the ledger, failures and cancellations recorded, nothing half-written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.core.cancel import CancelToken
from app.core.errors import VeritraceError
from app.core.signing import KeyPair, fingerprint
from app.export.files import ExportError
from app.services.exporting import build_report, export, scope_label
from app.storage.repository import Store
from tests.fixtures.keys import TEST_KEY
from tests.fixtures.records import long_conversation


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "record.db")
    long_conversation(opened, 4, title="Loan file")
    long_conversation(opened, 2, title="Second", sign=False)
    yield opened
    opened.close()


@pytest.fixture
def key() -> KeyPair:
    return TEST_KEY  # the key the records these tests build are signed with


def events(store: Store, kind: str) -> list[dict[str, object]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT detail_json FROM events WHERE kind = :kind ORDER BY id"), {"kind": kind}
        )
        return [json.loads(row[0]) for row in rows]


def test_report_snapshot_cites_a_fresh_signed_checkpoint(store: Store, key: KeyPair) -> None:
    report = build_report(store, key, [1, 2], "two", "tester")
    assert [conversation.id for conversation in report.conversations] == [1, 2]
    assert report.intact and "Record intact" in report.verification
    assert report.key_fingerprint == fingerprint(key.public_hex)
    with store.engine.connect() as connection:
        head = connection.execute(
            text("SELECT entry_hash FROM ledger WHERE seq = :seq"), {"seq": report.checkpoint.entry_count}
        ).scalar()
    assert head == report.checkpoint.head_hash
    assert report.checkpoint.reason == f"export {report.report_id}"
    assert set(report.images) == {image.sha256 for turn in report.turns for image in turn.images}


@pytest.mark.parametrize("format, name", [("pdf", "r.pdf"), ("md", "r.md")])
def test_each_export_is_recorded_with_its_file_hash(
    qapp: object, store: Store, key: KeyPair, tmp_path: Path, format: str, name: str
) -> None:
    result = export(store, key, [1], tmp_path / name, format=format)
    data = result.path.read_bytes()
    assert result.sha256 == hashlib.sha256(data).hexdigest() and result.size == len(data)
    (made,) = events(store, "export.made")
    assert made["report_id"] == result.report_id
    assert made["sha256"] == result.sha256
    assert made["conversations"] == [1]
    assert made["format"] == format
    assert made["scope"] == "Conversation 1: Loan file"
    assert store.verify().intact


def test_cancelled_export_leaves_nothing_and_is_recorded(
    qapp: object, store: Store, key: KeyPair, tmp_path: Path
) -> None:
    cancel = CancelToken()
    with pytest.raises(ExportError, match="cancelled"):
        export(
            store,
            key,
            [1, 2],
            tmp_path / "r.pdf",
            format="pdf",
            cancel=cancel,
            progress=lambda done, total: cancel.set(),
        )
    assert not list(tmp_path.glob("*r.pdf*"))
    (cancelled,) = events(store, "export.cancelled")
    assert cancelled["conversations"] == [1, 2]
    assert not events(store, "export.made")


def test_a_destination_that_cannot_be_used_is_refused_before_anything_is_recorded(
    qapp: object, store: Store, key: KeyPair, tmp_path: Path
) -> None:
    existing = tmp_path / "r.pdf"
    existing.write_bytes(b"an earlier report")
    entries = store.verify().entries
    for destination, format, message in [
        (tmp_path / "missing" / "r.pdf", "pdf", "does not exist"),
        (existing, "pdf", "already exists"),
        (tmp_path, "pdf", "not a Veritrace export"),
        (tmp_path / "missing" / "r.md", "md", "does not exist"),
    ]:
        with pytest.raises(ExportError, match=message):
            export(store, key, [1], destination, format=format, overwrite=destination == tmp_path)
    # No verification, checkpoint or event: a refused re-run leaves the record as it was.
    assert store.verify().entries == entries
    assert not events(store, "export.failed") and not events(store, "export.made")
    assert existing.read_bytes() == b"an earlier report"


def test_a_failure_while_writing_is_recorded(
    qapp: object, store: Store, key: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.export import files

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("app.export.markdown.write_synced", full_disk)
    assert files.write_synced is not full_disk
    with pytest.raises(OSError, match="No space left"):
        export(store, key, [1], tmp_path / "r.md", format="md")
    (failed,) = events(store, "export.failed")
    assert "No space left" in str(failed["error"]) and failed["format"] == "md"
    assert not list(tmp_path.glob("*r.md*")) and not list(tmp_path.glob("*r.images*"))
    assert store.verify().intact


def test_bad_requests_are_refused(store: Store, key: KeyPair, tmp_path: Path) -> None:
    with pytest.raises(VeritraceError, match="Nothing to export"):
        export(store, key, [], tmp_path / "r.pdf", format="pdf")
    with pytest.raises(VeritraceError, match="Unknown export format"):
        export(store, key, [1], tmp_path / "r.doc", format="doc")
    with pytest.raises(VeritraceError, match="No conversation with id 99"):
        export(store, key, [99], tmp_path / "r.md", format="md")


def test_scope_labels(store: Store) -> None:
    assert scope_label(store, [2]) == "Conversation 2: Second"
    assert scope_label(store, [1, 2]) == "2 conversations: 1, 2"


class _CancelAfter(CancelToken):
    """Set after it has been looked at ``looks`` times: a user pressing Cancel mid-verification."""

    def __init__(self, looks: int) -> None:
        super().__init__()
        self.looks = looks

    def is_set(self) -> bool:
        self.looks -= 1
        if self.looks < 0 and not super().is_set():
            self.set()
        return super().is_set()


def test_cancel_is_heard_while_the_record_is_being_verified(
    qapp: object, store: Store, key: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.cancel import Cancelled
    from app.storage import ledger

    monkeypatch.setattr(ledger, "_CANCEL_EVERY", 2)
    with pytest.raises(Cancelled, match="Verification cancelled"):
        store.verify(_CancelAfter(3))
    entries = store.verify().entries
    cancel = _CancelAfter(2)  # one look before verification starts; set at the second look inside it
    with pytest.raises(ExportError, match="cancelled; nothing was written"):
        export(store, key, [1], tmp_path / "r.pdf", format="pdf", cancel=cancel)
    assert cancel.looks < 0
    assert store.verify().entries == entries, "nothing was signed or recorded"
    assert not list(tmp_path.glob("*r.pdf*"))


@pytest.mark.slow
@pytest.mark.e2e
def test_reports_name_the_quantization_the_gguf_declares(
    qapp: object, tiny_models: tuple[Path, Path], key: KeyPair, tmp_path: Path
) -> None:
    import shutil

    from app.core.presets import preset, with_params
    from app.export.markdown import inline
    from app.export.report import models_used
    from app.runtime.llama_backend import LlamaBackend
    from app.services.chat import ChatService, SilentSink
    from app.services.exporting import build_report

    # A name that says nothing about the quantization: only the file's metadata can.
    model = tmp_path / "contract-model.gguf"
    shutil.copy(tiny_models[0], model)
    store = Store(tmp_path / "loaded.db")
    backend = LlamaBackend()
    try:
        service = ChatService(store, backend)
        settings = with_params(preset("magistral"), max_tokens=8, seed=1, n_ctx=512)
        service.load_model(model, settings)
        turn = service.run_turn(None, "Hello", settings, SilentSink(), CancelToken())
    finally:
        backend.close()
    (loaded,) = events(store, "model.loaded")
    assert (loaded["quantization"], loaded["architecture"], loaded["trained_context"]) == (
        "Q8_0",
        "llama",
        2048,
    )
    assert isinstance(loaded["parameters"], int) and loaded["parameters"] > 0

    report = build_report(store, key, [turn.conversation_id], "one", "tester")
    (use,) = models_used(report.conversations, report.model_details)
    assert use.file_name == "contract-model.gguf" and use.quantization == "Q8_0"
    text = export(store, key, [turn.conversation_id], tmp_path / "r.md", format="md").path.read_text("utf-8")
    assert f"| {inline('Q8_0')} |" in text  # Markdown-escaped, as every recorded field
    # A record without the metadata (older, or another file) says where its answer came from.
    assert models_used(report.conversations)[0].quantization == "not recorded"
    store.close()
