"""Export conversations as a JSON audit bundle that anyone can verify with Python alone.

The order is what lets a bundle prove it is complete:
1. the scope is read, and a digest of exactly which ledger entries it holds is taken;
2. an ``export.made`` event recording that digest (with the report id, scope and
   manifest facts) joins the ledger;
3. the chain head, now including that event, is signed (a checkpoint);
4. the bundle is written through that checkpoint, so the signature covers the event and
   the event covers every record the bundle carries.
A failed or cancelled write is recorded as such after the event.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app import __version__
from app.core.cancel import CancelToken
from app.core.clock import utc_now
from app.core.errors import StorageError, VeritraceError
from app.core.report import new_report_id
from app.core.signing import KeyPair
from app.core.types import Checkpoint
from app.export.bundle import BundleInfo, Progress, export_detail, write_bundle
from app.export.files import ExportError, check_destination
from app.services.anchoring import Authority, pem_certificate, pending, received_token, send_queued
from app.services.destination import check_writable
from app.storage.repository import Store


@dataclass(frozen=True)
class BundleResult:
    path: Path
    report_id: str
    manifest_sha256: str
    size: int  # bytes: the zip file, or all files of the folder
    files: int
    checkpoint: Checkpoint
    conversation_ids: tuple[int, ...]
    timestamped: bool = False  # the bundle carries an RFC 3161 token over its checkpoint


def export_bundle(
    store: Store,
    key: KeyPair,
    conversation_ids: Sequence[int],
    scope_label: str,
    destination: Path,
    *,
    as_zip: bool,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    generated_by: str,
    authority: Authority | None = None,
) -> BundleResult:
    """Write the bundle of ``conversation_ids`` to ``destination`` (a folder, or a .zip file).

    With an ``authority``, the export's checkpoint is timestamped before the bundle is written
    and the token travels in it; offline, the bundle goes without one (``timestamped`` False)
    and the request stays queued in the record.
    """
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise VeritraceError("Nothing to export: choose at least one conversation.")
    # Refuse before anything is recorded: an export that cannot start leaves no trace.
    check_destination(destination, overwrite=overwrite)
    check_writable(destination)
    if cancel is not None and cancel.is_set():
        raise ExportError("Export cancelled; nothing was written.")
    before = store.bundle_scope(ids)
    now = utc_now()
    info = BundleInfo(new_report_id(now), now, generated_by, __version__, scope_label)
    detail = export_detail(info, before)
    store.log_event("export.made", {**detail, "path": str(destination)})
    checkpoint = store.checkpoint(key, f"export {info.report_id}")
    timestamp = _timestamp(store, checkpoint, authority) if authority is not None else None
    scope = store.bundle_scope(
        ids, as_of=before.as_of, through=checkpoint.entry_count, report_id=info.report_id
    )
    if scope.digest != before.digest:  # append-only rows make this impossible short of damage
        raise StorageError(
            "The exported conversations changed while the export was being recorded. Export again."
        )
    try:
        written = write_bundle(
            scope,
            checkpoint,
            destination,
            info=info,
            image_data=store.image_data,
            as_zip=as_zip,
            sign=key.sign,
            overwrite=overwrite,
            progress=progress,
            cancel=cancel,
            timestamp=timestamp,
        )
    except BaseException as error:
        cancelled = cancel is not None and cancel.is_set()
        # The original error is what the user needs; a record that cannot take the note must not hide it.
        with contextlib.suppress(VeritraceError):
            store.log_event(
                "export.cancelled" if cancelled else "export.failed",
                {"report_id": info.report_id, "path": str(destination), "error": str(error)},
            )
        raise
    return BundleResult(
        written.path,
        info.report_id,
        written.manifest_sha256,
        written.size,
        written.files,
        checkpoint,
        scope.conversation_ids,
        timestamp is not None,
    )


def _timestamp(store: Store, checkpoint: Checkpoint, authority: Authority) -> tuple[bytes, bytes] | None:
    """The token for ``checkpoint`` (queued when it was made) and the authority's root, if it answers."""
    if checkpoint.id in pending(store):
        send_queued(store, authority)
    token = received_token(store, checkpoint.id)
    if token is None:
        return None
    return token, b"".join(pem_certificate(root) for root in authority.roots)
