"""The JSON audit bundle: conversations as recorded, with the ledger and signature that prove them.

A bundle is a folder (or a zip of one) that a third party checks with ``verify_bundle.py``
and Python alone. Its records are the ledger's own payloads, so the hash chain and the
signed checkpoint authenticate them; everything else in it (the manifest, the README, the
grouped conversation files) is checked against those.

Writing is all or nothing: files go to a temporary sibling that is renamed into place only
when complete, so a cancelled or failed export leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.resources
import json
import os
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.ledger import canonical
from app.core.report import BundleScope, ScopeRecord
from app.core.signing import KEY_ENROLLED, fingerprint
from app.core.states import state_of
from app.core.tokens import unpack_ids
from app.core.types import Checkpoint, TurnStatus
from app.export.files import (
    ExportError,
    check_destination,
    discard,
    inside,
    replace_with,
    suffix_for,
    temporary_sibling,
)
from app.export.verify_bundle import (
    FORMAT,
    LEDGER,
    MANIFEST,
    README,
    SEAL_SCHEME,
    TIMESTAMP_ROOT,
    TIMESTAMP_TOKEN,
    VERIFIER,
    pretty,
    readme_text,
    seal_message,
    zip_sealed_part,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BundleInfo:
    """What the manifest and the export event say about the export itself."""

    report_id: str
    generated_at: str
    generated_by: str
    app_version: str
    scope_label: str


@dataclass(frozen=True)
class WrittenBundle:
    path: Path
    manifest_sha256: str
    size: int  # bytes: the zip file, or all files of the folder
    files: int


def verifier_source() -> bytes:
    """The standalone verifier exactly as shipped (copied into every bundle)."""
    return importlib.resources.files("app.export").joinpath("verify_bundle.py").read_bytes()


def export_detail(info: BundleInfo, scope: BundleScope) -> dict[str, Any]:
    """What the ``export.made`` event records: enough for a bundle to be checked against it."""
    return {
        "report_id": info.report_id,
        "format": "json",
        "bundle_format": FORMAT,
        "scope": info.scope_label,
        "conversations": list(scope.conversation_ids),
        "scope_entries": len(scope.records),
        "scope_as_of": scope.as_of,
        "scope_digest": scope.digest,
        "generated_at": info.generated_at,
        "generated_by": info.generated_by,
        "app_version": info.app_version,
        "verifier_sha256": hashlib.sha256(verifier_source()).hexdigest(),
    }


def member_name(name: str) -> str:
    """``name`` if it is a plain relative name inside a bundle ("images/ab….png"), else refuse."""
    parts = name.split("/")
    if (
        not name
        or "\\" in name
        or "\0" in name
        or ":" in name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ExportError(f"Refused to write {name!r} into a bundle: not a plain relative name.")
    return name


def bundle_path(root: Path, name: str) -> Path:
    """Where ``name`` goes under ``root``, resolved (links included) and checked to stay inside it."""
    return inside(root, member_name(name))


def image_names(scope: BundleScope) -> dict[str, str]:
    """The file each stored image is written to: ``images/<sha256>.<suffix of its media type>``."""
    images = [record.payload for record in scope.records if record.table == "turn_images"]
    names: dict[str, str] = {}
    for image in images:
        names.setdefault(image["sha256"], f"images/{image['sha256']}{suffix_for(image['media_type'])}")
    for image in images:
        if "sent_sha256" in image:  # the copy the model saw is always a PNG
            names.setdefault(image["sent_sha256"], f"images/{image['sent_sha256']}.png")
    return names


def conversation_documents(scope: BundleScope, report_id: str) -> dict[int, dict[str, Any]]:
    """Each conversation's records grouped for reading, each with its ledger entry.

    Besides the records, a turn carries its parsed settings, the ``reasoning`` and ``answer``
    joined from its output chunks, and its ``prompt_token_ids`` and ``output_token_ids`` as
    lists (each image of the prompt as 4294967295; null where none were recorded): derived for
    convenience, and checked by the verifier against the records they come from. Each time a
    turn was run again is one of its ``reproductions``: the ``turn.reproduced`` event recorded.
    Its ``state`` says how it ended, as every other view says it (``app.core.states``), from its
    outcome record ("running" without one): beside the records, which stay as the ledger holds them.

    A sign-off made with a personal signature carries what it takes to check it: its
    ``identity`` (the signer's public key and the key's proof), the identity's ``revocation``
    (null if it was never revoked), and the ``enrolment``, the record's first key event, which
    names the record every signature signs for. A sign-off from before personal signatures
    carries none of them.
    """
    tables: dict[str, list[ScopeRecord]] = defaultdict(list)
    for record in scope.records:
        tables[record.table].append(record)
    files = image_names(scope)
    blobs = {record.payload["sha256"]: record for record in tables["blobs"]}
    models = _grouped(tables["model_files"], "sha256", ("id",))
    turns = _grouped(tables["turns"], "conversation_id", ("turn_index",))
    chunks = _grouped(tables["turn_chunks"], "turn_id", ("seq", "id"))
    images = _grouped(tables["turn_images"], "turn_id", ("position",))
    notes = _grouped(tables["annotations"], "turn_id", ("id",))
    reproduced: defaultdict[int, list[ScopeRecord]] = defaultdict(list)  # turn.reproduced events
    enrolment: ScopeRecord | None = None  # the record's key enrolment, when a personal signature needs it
    for event in sorted(tables["events"], key=lambda item: item.payload["id"]):
        if event.payload["kind"] == KEY_ENROLLED:
            enrolment = enrolment or event
        else:
            reproduced[json.loads(event.payload["detail_json"])["turn_id"]].append(event)
    identities = {record.payload["id"]: record for record in tables["identities"]}
    revocations = {record.payload["identity_id"]: record for record in tables["identity_revocations"]}
    checks = _grouped(tables["model_checks"], "turn_id", ("id",))
    signoffs = _grouped(tables["signoffs"], "conversation_id", ("id",))
    outcomes = {record.payload["turn_id"]: record for record in tables["turn_outcomes"]}
    links = {record.payload["conversation_id"]: record for record in tables["conversation_links"]}
    conversations = {record.payload["id"]: record for record in tables["conversations"]}

    def signoff(record: ScopeRecord) -> dict[str, Any]:
        signer = record.payload.get("identity_id")
        if signer is None:  # typed with a name, before personal signatures
            return _item(record)
        if enrolment is None or signer not in identities:
            raise ExportError(
                f"Sign-off {record.payload['id']} is signed personally, but the record lacks its "
                f"identity {signer} or the key enrolment naming the record: the record is damaged. "
                "Run Verify to locate the problem before exporting."
            )
        revocation = revocations.get(signer)
        return {
            **_item(record),
            "identity": _item(identities[signer]),
            "revocation": _item(revocation) if revocation else None,
            "enrolment": _item(enrolment),
        }

    def blob(sha256: str) -> dict[str, Any]:
        return {**_item(blobs[sha256]), "file": files[sha256]}

    def token_ids(table: str, column: str, record: ScopeRecord | None) -> list[int] | None:
        if record is None or column not in record.payload:
            return None
        return list(unpack_ids(scope.token_blobs[(table, column, int(record.payload["id"]))], column))

    def image(record: ScopeRecord) -> dict[str, Any]:
        sent = record.payload.get("sent_sha256")
        return {
            **_item(record),
            "original": blob(record.payload["sha256"]),
            "sent": blob(sent) if sent else None,
        }

    def turn(record: ScopeRecord) -> dict[str, Any]:
        payload = record.payload
        output = chunks[payload["id"]]
        settled = checks[payload["id"]]
        named = dict.fromkeys(
            [
                *(payload.get(key) for key in ("model_sha256", "projector_sha256")),
                *(check.payload["sha256"] for check in settled),
            ]
        )
        outcome = outcomes.get(payload["id"])
        return {
            **_item(record),
            "settings": json.loads(payload["params_json"]),
            "model_files": [_item(model) for sha256 in named if sha256 for model in models[sha256]],
            # What the load's full hash found, for a turn that began before it finished.
            "model_checks": [_item(check) for check in settled],
            "images": [image(item) for item in images[payload["id"]]],
            "chunks": [_item(chunk) for chunk in output],
            "outcome": _item(outcome) if outcome else None,
            "state": _state(outcome),
            "annotations": [_item(note) for note in notes[payload["id"]]],
            "reproductions": [_item(event) for event in reproduced[payload["id"]]],
            "reasoning": "".join(chunk.payload.get("reasoning", "") for chunk in output),
            "answer": "".join(chunk.payload.get("answer", "") for chunk in output),
            "prompt_token_ids": token_ids("turns", "prompt_token_ids", record),
            "output_token_ids": token_ids("turn_outcomes", "output_token_ids", outcome),
        }

    documents = {}
    for number in scope.conversation_ids:
        link = links.get(number)
        documents[number] = {
            "format": FORMAT,
            "report_id": report_id,
            "conversation": _item(conversations[number]),
            "continues": _item(link) if link else None,
            "turns": [turn(record) for record in turns[number]],
            "signoffs": [signoff(record) for record in signoffs[number]],
        }
    return documents


def _state(outcome: ScopeRecord | None) -> dict[str, str]:
    """How a turn with ``outcome`` ended, in the app's words."""
    if outcome is None:
        return state_of(TurnStatus.RUNNING, None, None).to_json()
    payload = outcome.payload
    return state_of(payload["status"], payload.get("finish_reason"), payload.get("error")).to_json()


def _item(record: ScopeRecord) -> dict[str, Any]:
    return {"ledger_seq": record.seq, "record": record.payload}


def _grouped(
    records: list[ScopeRecord], field: str, order: tuple[str, ...]
) -> defaultdict[Any, list[ScopeRecord]]:
    grouped: defaultdict[Any, list[ScopeRecord]] = defaultdict(list)
    for record in sorted(records, key=lambda item: tuple(item.payload[key] for key in order)):
        grouped[record.payload[field]].append(record)
    return grouped


def write_bundle(
    scope: BundleScope,
    checkpoint: Checkpoint,
    destination: Path,
    *,
    info: BundleInfo,
    image_data: Callable[[str], bytes],
    as_zip: bool,
    sign: Callable[[bytes], str] | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    timestamp: tuple[bytes, bytes] | None = None,
) -> WrittenBundle:
    """Write the bundle of ``scope`` through ``checkpoint`` to ``destination`` (a folder or .zip).

    ``timestamp``: an RFC 3161 token over the checkpoint and the authority's root certificate
    (PEM), carried so a third party can check when the head existed.

    A zip is sealed: ``sign`` (the key that signed ``checkpoint``) signs the SHA-256 of the whole
    file, so a changed byte anywhere in it, member headers included, fails verification.

    ``scope`` must run to the checkpoint's entry and carry the export event for
    ``info.report_id``; ``image_data`` gives a stored image's bytes by SHA-256.
    """
    if scope.export_seq is None or scope.entry_count != checkpoint.entry_count:
        raise ValueError("The scope must end at the signed checkpoint and carry its export event.")
    if scope.ledger[-1].entry_hash != checkpoint.head_hash:
        raise ValueError("The checkpoint does not sign the scope's ledger head.")
    check_destination(destination, overwrite=overwrite)
    key_fingerprint = fingerprint(checkpoint.public_key)
    documents = conversation_documents(scope, info.report_id)
    readme = readme_text(info.report_id, key_fingerprint).encode("utf-8")
    # Each file: its name, what produces its bytes (when it is written), whether to compress it.
    plan: list[tuple[str, Callable[[], Iterable[bytes]], bool]] = [
        (name, partial(_stored_image, image_data, sha256), False)
        for sha256, name in sorted(image_names(scope).items(), key=lambda item: item[1])
    ]
    plan += [
        (f"conversations/{number}.json", partial(_pretty, document), True)
        for number, document in documents.items()
    ]
    plan += [
        (LEDGER, partial(_ledger_lines, scope), True),
        (README, partial(list, [readme]), True),
        (VERIFIER, partial(list, [verifier_source()]), True),
    ]
    if timestamp is not None:
        plan += [
            (TIMESTAMP_TOKEN, partial(list, [timestamp[0]]), True),
            (TIMESTAMP_ROOT, partial(list, [timestamp[1]]), True),
        ]
    total = len(plan) + 1
    if as_zip and sign is None:
        raise ValueError("A zip bundle is sealed: pass the key's sign function.")
    temporary = temporary_sibling(destination)
    writer: _Writer = (
        _ZipWriter(temporary, info.generated_at, sign) if as_zip and sign else _FolderWriter(temporary)
    )
    try:
        listed: dict[str, dict[str, Any]] = {}
        for done, (name, produce, compress) in enumerate(plan, start=1):
            _stop_if_cancelled(cancel)
            sha256, size = writer.write(name, produce(), compress)
            listed[name] = {"sha256": sha256, "size": size}
            if progress is not None:
                progress(done, total)
        _stop_if_cancelled(cancel)
        manifest = pretty(_manifest(scope, checkpoint, info, key_fingerprint, listed))
        writer.write(MANIFEST, [manifest], True)
        writer.close()
        _stop_if_cancelled(cancel)
        if destination.exists() and not overwrite:  # appeared while writing: still never replaced unasked
            raise ExportError(f"{destination} already exists. Choose another name or confirm replacing it.")
        replace_with(temporary, destination)
    except BaseException:
        writer.abort()
        discard(temporary)
        raise
    if progress is not None:
        progress(total, total)
    if as_zip:
        size = destination.stat().st_size
    else:
        size = len(manifest) + sum(item["size"] for item in listed.values())
    return WrittenBundle(destination, hashlib.sha256(manifest).hexdigest(), size, total)


def _manifest(
    scope: BundleScope,
    checkpoint: Checkpoint,
    info: BundleInfo,
    key_fingerprint: str,
    files: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "report_id": info.report_id,
        "generated_at": info.generated_at,
        "generated_by": info.generated_by,
        "app_version": info.app_version,
        "scope": {
            "label": info.scope_label,
            "conversation_ids": list(scope.conversation_ids),
            "entries": len(scope.records),
            "as_of": scope.as_of,
            "digest": scope.digest,
        },
        "export_event": scope.export_seq,
        "ledger": {"entry_count": checkpoint.entry_count, "head_hash": checkpoint.head_hash},
        "checkpoint": {
            "algorithm": "Ed25519",
            "entry_count": checkpoint.entry_count,
            "head_hash": checkpoint.head_hash,
            "at": checkpoint.at,
            "public_key": checkpoint.public_key,
            "signature": checkpoint.signature,
            "key_fingerprint": key_fingerprint,
        },
        "files": dict(sorted(files.items())),
    }


def _ledger_lines(scope: BundleScope) -> Iterator[bytes]:
    for line in scope.ledger:
        yield canonical(line.to_json()) + b"\n"


def _stored_image(image_data: Callable[[str], bytes], sha256: str) -> list[bytes]:
    data = image_data(sha256)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ExportError(
            f"The stored image {sha256} does not match its SHA-256: the record is damaged. "
            "Run Verify to locate the problem before exporting."
        )
    return [data]


def _pretty(document: dict[str, Any]) -> list[bytes]:
    return [pretty(document)]


def _stop_if_cancelled(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportError("Export cancelled; nothing was written.")


class _Writer:
    """Files of a bundle, each written once, hashed as written."""

    def write(self, name: str, chunks: Iterable[bytes], compress: bool) -> tuple[str, int]:
        raise NotImplementedError

    def close(self) -> None:
        """Finish writing (everything is on disk when this returns)."""

    def abort(self) -> None:
        """Stop after a failure; the caller removes what was written."""


class _FolderWriter(_Writer):
    def __init__(self, root: Path) -> None:
        root.mkdir()
        self.root = root

    def write(self, name: str, chunks: Iterable[bytes], compress: bool) -> tuple[str, int]:
        path = bundle_path(self.root, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with path.open("xb") as handle:  # never over a file already there
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        return digest.hexdigest(), size


class _ZipWriter(_Writer):
    def __init__(self, path: Path, generated_at: str, sign: Callable[[bytes], str]) -> None:
        self.path = path
        self.handle = path.open("xb")
        self.archive = zipfile.ZipFile(self.handle, "w")
        self.sign = sign
        # Every member carries the export time: the same bundle zips to the same bytes.
        date, time = generated_at[:10].split("-"), generated_at[11:19].split(":")
        year, month, day, hour, minute, second = (int(part) for part in (*date, *time))
        self.date_time = (year, month, day, hour, minute, second)

    def write(self, name: str, chunks: Iterable[bytes], compress: bool) -> tuple[str, int]:
        member = zipfile.ZipInfo(member_name(name), self.date_time)
        member.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        member.external_attr = 0o644 << 16
        digest, size = hashlib.sha256(), 0
        with self.archive.open(member, "w") as handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def close(self) -> None:
        self.archive.close()  # with no comment: the file ends in the comment's length, zero
        self.handle.flush()
        # The seal covers what the verifier will hash: the same function finds it.
        sha256, comment = zip_sealed_part(str(self.path))
        if comment:
            raise ExportError("The zip file did not end as expected; nothing was written.")
        seal = f"{SEAL_SCHEME} sha256={sha256} signature={self.sign(seal_message(sha256))}".encode("ascii")
        self.handle.seek(-2, os.SEEK_END)  # the comment's length, then the seal as the comment
        self.handle.write(len(seal).to_bytes(2, "little") + seal)
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()

    def abort(self) -> None:
        # Closing the archive (even a broken one) stops it writing again when collected; the
        # caller deletes the file next.
        try:
            with contextlib.suppress(Exception):
                self.archive.close()
        finally:
            self.handle.close()
