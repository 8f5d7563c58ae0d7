"""Audit report exports (PDF, Markdown, JSON bundle): gather, sign, write, record.

The order matters for what a report can prove:
0. the destination is checked first (a new file can be made in its folder): a refused export
   leaves no trace in the record;
1. the whole record is verified, so the report can say it was intact when exported;
2. the chain head is signed (a checkpoint), and every page cites that signature;
3. the file is written (to a temporary name, moved into place when complete);
4. an ``export.made`` event with the file's SHA-256 joins the ledger, so the record itself
   says which report was produced, by whom, of what; a cancelled or failed export is
   recorded as such.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app import __version__
from app.core.cancel import Cancelled, CancelToken, stop_if_set
from app.core.clock import utc_now
from app.core.errors import VeritraceError
from app.core.report import new_report_id
from app.core.signing import KeyPair, fingerprint
from app.export.files import ExportError, check_destination
from app.export.report import Report
from app.services.anchoring import Authority
from app.services.destination import check_writable
from app.services.record import check_record
from app.services.reproduce import reproductions
from app.storage.repository import Store

Progress = Callable[[int, int], None]
CANCELLED = "Export cancelled; nothing was written."
FORMATS = {"pdf": "PDF", "md": "Markdown", "json": "JSON bundle"}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    report_id: str
    format: str
    sha256: str  # of the written file (for a bundle: of its manifest)
    size: int
    timestamped: bool = False  # a bundle carries an RFC 3161 token over its checkpoint


def scope_label(store: Store, conversation_ids: Sequence[int]) -> str:
    """A plain description of what is exported, for the cover page and the ledger."""
    if len(conversation_ids) == 1:
        conversation = store.conversation(conversation_ids[0])
        return f"Conversation {conversation.id}: {conversation.title}"
    return f"{len(conversation_ids)} conversations: " + ", ".join(str(number) for number in conversation_ids)


def build_report(
    store: Store,
    key: KeyPair,
    conversation_ids: Sequence[int],
    scope: str,
    generated_by: str,
    cancel: CancelToken | None = None,
) -> Report:
    """Snapshot the conversations, verify the record and sign its head for this report.

    ``cancel`` is looked at while the record is verified (seconds on a large record); a cancelled
    report raises ``Cancelled`` before anything is signed.
    """
    if not conversation_ids:
        raise VeritraceError("Nothing to export: choose at least one conversation.")
    conversations = tuple(store.conversation(number) for number in dict.fromkeys(conversation_ids))
    images = {
        image.sha256: store.image_data(image.sha256)
        for conversation in conversations
        for turn in conversation.turns
        for image in turn.images
    }
    verification = check_record(store, cancel)
    stop_if_set(cancel, CANCELLED)
    now = utc_now()
    report_id = new_report_id(now)
    checkpoint = store.checkpoint(key, f"export {report_id}")
    return Report(
        report_id=report_id,
        scope=scope,
        generated_at=now,
        generated_by=generated_by,
        app_version=__version__,
        conversations=conversations,
        checkpoint=checkpoint,
        key_fingerprint=fingerprint(key.public_hex),
        verification=" ".join(verification.lines()),
        intact=verification.intact,
        images=images,
        # Only a file's hash names its metadata: a remote model and a file never hashed have none.
        model_details=store.model_details(
            {
                turn.model.sha256
                for c in conversations
                for turn in c.turns
                if turn.model.sha256 and not turn.model.is_remote
            }
        ),
        reproductions={
            turn_id: tuple(found)
            for turn_id, found in reproductions(
                store, {turn.id for c in conversations for turn in c.turns}
            ).items()
        },
    )


def export(
    store: Store,
    key: KeyPair,
    conversation_ids: Sequence[int],
    destination: Path,
    *,
    format: str,
    scope: str | None = None,
    page_size: str = "a4",
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    authority: Authority | None = None,
) -> ExportResult:
    """Export ``conversation_ids`` to ``destination`` in ``format`` (pdf, md or json).

    With an ``authority``, a bundle's checkpoint is timestamped and the token travels in it.
    """
    if format not in FORMATS:
        raise VeritraceError(f"Unknown export format {format!r}: choose pdf, md or json.")
    ids = list(dict.fromkeys(conversation_ids))
    label = scope or scope_label(store, ids) if ids else ""
    generated_by = store.actor if store.actor == store.os_user else f"{store.actor} ({store.os_user})"
    if format == "json":
        from app.services.bundle_export import export_bundle

        bundle = export_bundle(
            store,
            key,
            ids,
            label,
            destination,
            as_zip=destination.suffix.lower() == ".zip",
            overwrite=overwrite,
            progress=progress,
            cancel=cancel,
            generated_by=generated_by,
            authority=authority,
        )
        return ExportResult(
            bundle.path, bundle.report_id, format, bundle.manifest_sha256, bundle.size, bundle.timestamped
        )

    # Refuse before anything is verified, signed or recorded: an export that cannot start leaves
    # no trace (as for bundles), so a refused re-run adds no checkpoint to the record.
    check_destination(destination, overwrite=overwrite)
    if format == "md":
        from app.export.markdown import images_folder

        check_destination(images_folder(destination), overwrite=overwrite)
    check_writable(destination)
    try:
        stop_if_set(cancel)
        report = build_report(store, key, ids, label, generated_by, cancel)
    except Cancelled as stopped:  # before or while verifying: nothing signed, recorded or written yet
        raise ExportError(CANCELLED) from stopped
    detail = {
        "report_id": report.report_id,
        "format": format,
        "scope": label,
        "conversations": ids,
        "checkpoint_id": report.checkpoint.id,
        "path": str(destination),
    }
    try:
        if format == "pdf":
            from app.export.pdf import write_pdf

            write_pdf(
                report,
                destination,
                page_size=page_size,
                overwrite=overwrite,
                progress=progress,
                cancel=cancel,
            )
            detail["page_size"] = page_size
        else:
            from app.export.markdown import write_markdown

            write_markdown(report, destination, overwrite=overwrite, progress=progress, cancel=cancel)
    except BaseException as error:
        cancelled = cancel is not None and cancel.is_set()
        store.log_event("export.cancelled" if cancelled else "export.failed", {**detail, "error": str(error)})
        raise
    data = destination.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    store.log_event("export.made", {**detail, "sha256": digest, "bytes": len(data)})
    return ExportResult(destination, report.report_id, format, digest, len(data))
