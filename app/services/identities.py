"""People who sign: each with an Ed25519 key of their own, made here and kept encrypted with a
passphrase only they know.

The key file lives in the data folder (``identities/<fingerprint without colons>.key``), written
as a passphrase-protected installation key is (``app.services.signing``) but never through the
keyring, the environment or a prompt: the passphrase is asked of its owner each time they sign.
The record keeps the public key, its fingerprint, the name and role, the operating-system user
who made it, and the key's own signature over those (proof its owner held it).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.errors import NotFoundError, VeritraceError
from app.core.signing import KeyPair, fingerprint
from app.core.types import Identity
from app.services.paths import data_dir
from app.services.signing import (
    KeyDamagedError,
    installation_key,
    key_file_public_key,
    read_passphrase_key,
    write_passphrase_key,
)
from app.storage.repository import Store

MAX_PASSPHRASE_TRIES = 3
MIN_PASSPHRASE_LENGTH = 8
MAX_NAME_LENGTH = 200
FOLDER_NAME = "identities"
# Characters that reorder or hide text where a name is shown: never part of a signer's name.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class IdentityKeyError(VeritraceError):
    """An identity's key file is missing, damaged, or holds another key: it cannot sign here."""


def identities_folder(folder: Path | None = None) -> Path:
    """Where identity key files are kept: ``identities`` in ``folder`` (default: the data folder)."""
    return (folder or data_dir()) / FOLDER_NAME


def key_path(identity: Identity | str, folder: Path | None = None) -> Path:
    """The key file of an identity (or of a fingerprint)."""
    found = identity.fingerprint if isinstance(identity, Identity) else identity
    return identities_folder(folder) / f"{found.replace(':', '')}.key"


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to protect a signing key."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise VeritraceError(
            f"A passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters; "
            "choose a longer one (nothing was recorded)."
        )


def create_identity(
    store: Store,
    name: str,
    role: str,
    passphrase: str,
    folder: Path | None = None,
    *,
    key: KeyPair | None = None,
) -> Identity:
    """Make a new signing identity: its key file, encrypted with ``passphrase``, then its record.

    ``folder`` is the data folder that keeps ``identities/``; ``key`` the installation key that
    signs the head after it (default: the installation's, of the same folder). If recording fails,
    the key file is removed again; if the key file cannot be written, nothing is recorded.
    """
    name, role = _one_line(name, "name"), _one_line(role, "role")
    if not name:
        raise VeritraceError("An identity needs the signer's name (nothing was recorded).")
    check_passphrase(passphrase)
    signer = KeyPair(Ed25519PrivateKey.generate())
    path = key_path(fingerprint(signer.public_hex), folder)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_passphrase_key(path, signer.private, passphrase)
    try:
        return store.create_identity(name, role, signer, key or installation_key(folder))
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def identities(store: Store) -> list[Identity]:
    """Every identity of the record, oldest first, revoked ones included (and marked)."""
    return store.identities()


def find_identity(store: Store, given: str) -> Identity:
    """The identity whose fingerprint is ``given``, or starts with it (colons and case ignored)."""
    wanted = given.strip().lower().replace(":", "")
    if not wanted:
        raise VeritraceError("Name the identity by its fingerprint (see `veritrace identity list`).")
    found = [found for found in store.identities() if found.fingerprint.replace(":", "").startswith(wanted)]
    if not found:
        raise NotFoundError(
            f"No identity of this record has the fingerprint {given.strip()!r}; "
            "`veritrace identity list` shows them."
        )
    if len(found) > 1:
        listed = ", ".join(f"{one.fingerprint} ({one.name})" for one in found)
        raise VeritraceError(
            f"{given.strip()!r} is the start of several fingerprints ({listed}): give more of it."
        )
    return found[0]


def revoke_identity(store: Store, fingerprint: str, reason: str, *, key: KeyPair | None = None) -> Identity:
    """Withdraw an identity: it can sign nothing from now on; what it signed stays valid."""
    found = find_identity(store, fingerprint)
    return store.revoke_identity(found.id, reason, key or installation_key())


def unlock(identity: Identity, passphrase: str, folder: Path | None = None) -> KeyPair:
    """The identity's key, opened with its owner's passphrase.

    Raises ``WrongPassphraseError`` if the passphrase does not open it, and ``IdentityKeyError`` if
    the key file is missing, damaged, or holds another key than the one the record names.
    """
    path = key_path(identity, folder)
    who = f"{identity.fingerprint} ({identity.name})"
    if not path.is_file():
        raise IdentityKeyError(
            f"The key file of identity {who} is not in {path.parent}: it can sign only where its key is."
        )
    named = key_file_public_key(path)
    if named is not None and named != identity.public_key:
        raise _swapped(path, who, named)
    try:
        pair = KeyPair(read_passphrase_key(path, passphrase))
    except KeyDamagedError as error:
        if error.problem:  # damage, not a wrong passphrase
            raise IdentityKeyError(
                f"The key file {path} of identity {who} {error.problem}: it cannot sign."
            ) from error
        raise
    if pair.public_hex != identity.public_key:
        raise _swapped(path, who, pair.public_hex)
    return pair


def _swapped(path: Path, who: str, other: str) -> IdentityKeyError:
    return IdentityKeyError(
        f"The key file {path} holds another key ({fingerprint(other)}), not that of identity {who}: "
        "it was replaced. Nothing was signed; put the identity's own key file back."
    )


def _one_line(text: str, what: str) -> str:
    """``text`` stripped, refused if it cannot be shown as one honest line."""
    text = text.strip()
    if len(text) > MAX_NAME_LENGTH:
        raise VeritraceError(f"An identity's {what} has at most {MAX_NAME_LENGTH} characters.")
    for character in text:
        if unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS:
            raise VeritraceError(
                f"An identity's {what} must be one line of plain text: it holds the control character "
                f"U+{ord(character):04X}."
            )
    return text
