"""The installation's Ed25519 signing key: created once, encrypted at rest, never leaves its folder.

The key file is PKCS#8 encrypted (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC). Its password is a random
secret kept in the OS keyring where there is one; otherwise a passphrase the user chose, taken from
``VERITRACE_KEY_PASSPHRASE`` or asked for through the prompt a front end registers. Which of the two a
key uses is written in comment lines before its PEM block, so the file is whole on its own and is
replaced in one atomic step. A key is never written unencrypted.

A passphrase is stretched with many PBKDF2 rounds (the rounds and salt are in the comment lines)
before it becomes the PKCS#8 password: cryptography's PKCS#8 writer uses few rounds, enough for a
random keyring secret but not for a phrase a person can remember.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    load_pem_private_key,
)

from app.core.errors import StorageError
from app.core.signing import KeyPair, fingerprint
from app.services.durable import sync_folder, write_durably
from app.services.paths import data_dir

KEY_NAME = "signing-key.pem"
PASSPHRASE_VARIABLE = "VERITRACE_KEY_PASSPHRASE"
KEYRING_SERVICE = "veritrace"
KEYRING_USER_PREFIX = "signing-key:"
PASSPHRASE_ROUNDS = 600_000
REPAIR_COMMAND = "veritrace key replace --reason TEXT"

_KEYRING = "keyring"
_PASSPHRASE = "passphrase"
_BEGIN = b"-----BEGIN "
_PLAIN_LABEL = b"PRIVATE KEY"
_ENCRYPTED_LABEL = b"ENCRYPTED PRIVATE KEY"
# A rounds figure beyond this is damage, not a setting: it would hang the load for hours.
_MOST_ROUNDS = 100_000_000


class KeyProtectionError(StorageError):
    """Nothing is available to protect (or unlock) the signing key: no keyring, no passphrase."""


class KeyDamagedError(StorageError):
    """The signing key file exists but cannot be used; the message names the repair command."""

    problem = ""  # what is wrong with the file, in words ("is cut short")


class WrongPassphraseError(KeyDamagedError):
    """The passphrase given for a passphrase-protected key does not open it."""

    tries_left: int | None = None  # where tries are counted (a personal signature): how many remain


PassphrasePrompt = Callable[[str], str | None]

_lock = threading.RLock()  # one creation at a time in this process, and the passphrase asked once
_cache: dict[Path, KeyPair] = {}
_prompt: PassphrasePrompt | None = None


def set_passphrase_prompt(callback: PassphrasePrompt | None) -> None:
    """Register how a front end asks for a passphrase (None returned: the user declined).

    It is called on whichever thread first needs the key, at most once per key and process.
    The question for a new key starts with "Choose a passphrase", so a front end can ask twice.
    """
    global _prompt
    _prompt = callback


def forget_cached_keys(folder: Path | None = None) -> None:
    """Drop the keys loaded in this process (all of them, or the one in ``folder``)."""
    with _lock:
        if folder is None:
            _cache.clear()
        else:
            _cache.pop(_key_path(folder), None)


def key_state(folder: Path | None = None) -> Literal["missing", "present"]:
    """Whether the key file is "missing" or "present", without reading it or asking for anything."""
    return "present" if _key_path(folder).exists() else "missing"


def installation_public_key(folder: Path | None = None) -> str | None:
    """The installation key's public key (hex), read without unlocking anything; None if unknown."""
    path = _key_path(folder)
    try:
        parsed = _parse(path, path.read_bytes())
    except (OSError, StorageError):
        return None
    if not parsed.encrypted:  # a key an earlier version kept in the clear
        try:
            return KeyPair(_private_key(path, parsed.pem, None, wrong=_damaged(path, ""))).public_hex
        except StorageError:
            return None
    found = parsed.fields.get("public-key", "")
    return found if len(found) == 64 and all(c in "0123456789abcdef" for c in found) else None


def installation_key(folder: Path | None = None, *, passphrase: str | None = None) -> KeyPair:
    """Load the signing key, creating it on first use.

    ``passphrase``, if given, protects a new key instead of the keyring (a throwaway folder
    leaves nothing in the user's keyring) and opens a passphrase-protected one.

    Raises ``KeyProtectionError`` when nothing can protect or unlock the key, ``KeyDamagedError``
    when the file cannot be used, and ``StorageError`` when it cannot be written (a full disk).
    """
    path = _key_path(folder)
    with _lock:
        cached = _cache.get(path)
        if cached is not None:
            return cached
        if path.exists():
            key = _load(path, passphrase)
        else:
            key = Ed25519PrivateKey.generate()
            _store(path, key, passphrase, _question_for_new(path.parent))
        pair = KeyPair(key)
        _cache[path] = pair
        return pair


def replace_installation_key(folder: Path | None = None, *, passphrase: str | None = None) -> KeyPair:
    """Make a fresh key in place of whatever is there, which is kept as ``signing-key.pem.replaced-<time>``.

    The old file is copied aside before the new one is renamed over it, so at every moment the
    folder holds the old key or the new one. Its keyring secret is kept too.
    """
    with new_installation_key(folder, passphrase=passphrase) as new:
        return new.install()


@dataclass
class NewKey:
    """A fresh installation key, written in full beside the current one but not yet in its place.

    A key change is recorded first (``pair`` signs it), then ``install`` puts the file in place; a
    change that fails leaves the installation's key as it was (see ``new_installation_key``).
    """

    pair: KeyPair
    path: Path
    staged: Path
    protection: _Protection
    installed: bool = False

    def install(self) -> KeyPair:
        """Keep the current key file aside, then rename the new one over it (one atomic step)."""
        with _lock:
            try:
                if self.path.exists():
                    _keep_aside(self.path)
                os.replace(self.staged, self.path)
                sync_folder(self.path.parent)
            except OSError as error:
                raise StorageError(
                    f"The new signing key {fingerprint(self.pair.public_hex)} could not be put in place "
                    f"({error.strerror or error}); it is kept as {self.staged}. Move that file to "
                    f"{self.path}, then run the command again."
                ) from error
            self.installed = True
            _cache[self.path] = self.pair
            return self.pair

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.staged.unlink()
        self.protection.forget()


@contextmanager
def new_installation_key(folder: Path | None = None, *, passphrase: str | None = None) -> Iterator[NewKey]:
    """A fresh key, protected like any installation key and written beside the current one.

    Whatever stops the block before ``install`` (the change refused, a full disk, a busy record)
    removes it again: the installation keeps its key, and the record never names one it lacks.
    """
    path = _key_path(folder)
    key = Ed25519PrivateKey.generate()
    staged = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    protection = _store(staged, key, passphrase, _question_for_new(path.parent))
    new = NewKey(KeyPair(key), path, staged, protection)
    try:
        yield new
    finally:
        if not new.installed:
            new.discard()


# -- key files protected by a passphrase alone (a person's own key) ---------------------------


def write_passphrase_key(path: Path, key: Ed25519PrivateKey, passphrase: str) -> None:
    """Write ``key`` to ``path`` encrypted with ``passphrase``, stretched as an installation key's is.

    Never through the keyring, the environment variable or a prompt: the passphrase is the owner's.
    """
    if not passphrase:
        raise KeyProtectionError(f"The key file {path} needs a passphrase to protect it; none was given.")
    _store(path, key, passphrase, "")


def read_passphrase_key(path: Path, passphrase: str) -> Ed25519PrivateKey:
    """Open a key file written by ``write_passphrase_key`` with ``passphrase`` alone.

    Raises ``WrongPassphraseError`` if it does not open the file, ``KeyDamagedError`` (whose
    ``problem`` says what is wrong) if the file is not such a key file. Nothing is written.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _damaged(path, f"cannot be read ({error.strerror or error})") from error
    parsed = _parse(path, data)
    if not parsed.encrypted or parsed.fields.get("protection") != _PASSPHRASE:
        raise _damaged(path, "is not protected by a passphrase")
    wrong = WrongPassphraseError(f"The passphrase does not open the key file {path}.")
    return _private_key(path, parsed.pem, _stretched(path, parsed.fields, passphrase), wrong=wrong)


def key_file_public_key(path: Path) -> str | None:
    """The public key (hex) a key file names in the clear, read without unlocking it; None if none."""
    try:
        found = _parse(path, path.read_bytes()).fields.get("public-key", "")
    except (OSError, StorageError):
        return None
    return found if len(found) == 64 and all(c in "0123456789abcdef" for c in found) else None


# -- loading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _KeyFile:
    fields: dict[str, str]  # from the comment lines before the PEM block
    pem: bytes
    encrypted: bool


def _load(path: Path, passphrase: str | None) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _damaged(path, f"cannot be read ({error.strerror or error})") from error
    parsed = _parse(path, data)
    if not parsed.encrypted:
        # Written by a version that kept the key in the clear: protect it now, same key.
        key = _private_key(path, parsed.pem, None, wrong=_damaged(path, "is not a readable key"))
        _store(path, key, passphrase, _question_for_legacy(path))
        return key
    protection = parsed.fields.get("protection")
    if protection == _KEYRING:
        password = _keyring_password(path, parsed.fields)
        wrong = _damaged(path, "does not open with the password kept for it in the OS keyring")
    elif protection == _PASSPHRASE:
        password = _stretched(path, parsed.fields, _passphrase_to_open(path, passphrase))
        wrong = WrongPassphraseError(
            f"The passphrase for the signing key {path} is wrong. Try again; if it is lost, "
            f"`{REPAIR_COMMAND}` records a new key, and signatures already in the record stay "
            "valid and checkable."
        )
    elif protection is None:
        raise _damaged(path, "does not say how it is protected")
    else:
        raise _damaged(path, f"names a protection this version does not know ({protection})")
    return _private_key(path, parsed.pem, password, wrong=wrong)


def _parse(path: Path, data: bytes) -> _KeyFile:
    """Split the comment lines from the PEM block, refusing anything not whole."""
    if not data.strip():
        raise _damaged(path, "is empty")
    start = data.find(_BEGIN)
    if start < 0:
        raise _damaged(path, "is not a key file")
    fields: dict[str, str] = {}
    try:
        head = data[:start].decode("utf-8")
    except UnicodeDecodeError as error:
        raise _damaged(path, "is not a key file") from error
    for line in head.splitlines():
        name, colon, value = line.lstrip("# ").partition(":")
        if line.startswith("#") and colon:
            fields[name.strip().lower()] = value.strip()
    lines = data[start:].strip().splitlines()
    label = lines[0][len(_BEGIN) :].rstrip(b"-")
    if label not in (_PLAIN_LABEL, _ENCRYPTED_LABEL):
        raise _damaged(path, "is not a key file")
    if len(lines) < 3 or lines[-1] != b"-----END " + label + b"-----":
        raise _damaged(path, "is cut short")
    try:
        der = base64.b64decode(b"".join(lines[1:-1]), validate=True)
    except binascii.Error as error:
        raise _damaged(path, "is cut short or garbled") from error
    if not _whole_der(der):
        raise _damaged(path, "is cut short or garbled")
    return _KeyFile(fields, data[start:], encrypted=label == _ENCRYPTED_LABEL)


def _whole_der(der: bytes) -> bool:
    """Whether ``der`` is exactly one ASN.1 SEQUENCE, as long as its own header says."""
    if len(der) < 2 or der[0] != 0x30:
        return False
    if der[1] < 0x80:
        return len(der) == 2 + der[1]
    width = der[1] & 0x7F
    if not 1 <= width <= 4 or len(der) < 2 + width:
        return False
    return len(der) == 2 + width + int.from_bytes(der[2 : 2 + width], "big")


def _private_key(path: Path, pem: bytes, password: bytes | None, *, wrong: Exception) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(pem, password)
    except (ValueError, TypeError) as error:
        # The PEM structure was checked whole already, so a failure here is the password
        # (or, far less likely, damage inside the ciphertext, which no check can tell apart).
        raise wrong from error
    if not isinstance(key, Ed25519PrivateKey):
        raise _damaged(path, "is not an Ed25519 key")
    return key


def _keyring_password(path: Path, fields: dict[str, str]) -> bytes:
    username = fields.get("keyring-username")
    if not username:
        raise _damaged(path, "does not name its keyring entry")
    keyring = _keyring()
    unreachable = (
        f"The signing key {path} is protected by the OS keyring, which cannot be reached now: "
        "unlock or start the keyring (on Linux, a Secret Service such as GNOME Keyring) and try again."
    )
    if keyring is None:
        raise KeyProtectionError(unreachable)
    try:
        secret = keyring.get_password(fields.get("keyring-service", KEYRING_SERVICE), username)
    except keyring.errors.KeyringError as error:
        raise KeyProtectionError(unreachable) from error
    if not secret:
        raise _damaged(path, "has lost its password: the OS keyring no longer holds it")
    return secret.encode("utf-8")


def _passphrase_to_open(path: Path, given: str | None) -> str:
    phrase = _passphrase(given, f"Passphrase for the signing key of {path.parent}")
    if phrase is not None:
        return phrase
    if _prompt is not None:
        raise KeyProtectionError(f"No passphrase was given, so the signing key {path} stays locked.")
    raise KeyProtectionError(
        f"The signing key {path} is protected by a passphrase: set {PASSPHRASE_VARIABLE} to it and try again."
    )


def _stretched(path: Path, fields: dict[str, str], phrase: str) -> bytes:
    try:
        algorithm, rounds_text, salt_hex = fields["passphrase-kdf"].split()
        rounds = int(rounds_text)
        salt = bytes.fromhex(salt_hex)
    except (KeyError, ValueError) as error:
        raise _damaged(path, "does not say how its passphrase was stretched") from error
    if algorithm != "pbkdf2-sha256" or not 1 <= rounds <= _MOST_ROUNDS or not salt:
        raise _damaged(path, "does not say how its passphrase was stretched")
    return _stretch(phrase, salt, rounds)


def _stretch(phrase: str, salt: bytes, rounds: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", phrase.encode("utf-8"), salt, rounds).hex().encode("ascii")


# -- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Protection:
    password: bytes
    header: list[str]
    forget: Callable[[], None]  # undo a keyring secret no file came to use


def _store(path: Path, key: Ed25519PrivateKey, passphrase: str | None, question: str) -> _Protection:
    """Write ``key`` encrypted over ``path``, its keyring secret (if any) stored first."""
    protection = _protect(path, passphrase, question)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(protection.password))
    # The public half in the clear, so verify can name this installation's key without unlocking it.
    header = [*protection.header, f"public-key: {KeyPair(key).public_hex}"]
    data = "".join(f"# {line}\n" for line in header).encode("utf-8") + pem
    try:
        write_durably(path, data, 0o600)
    except OSError as error:
        if not _holds(path, data):
            protection.forget()
        raise StorageError(_unwritable(path, error)) from error
    return protection


def _protect(path: Path, given: str | None, question: str) -> _Protection:
    """A keyring secret (stored now) or a stretched passphrase; never nothing."""
    if given is None:
        stored = _new_keyring_secret(path)
        if stored is not None:
            return stored
    phrase = _passphrase(given, question)
    if phrase is None and _prompt is not None:
        raise KeyProtectionError(
            f"No passphrase was given, so the signing key in {path.parent} was not written: "
            "one is needed to protect it."
        )
    if phrase is None:
        raise KeyProtectionError(
            f"This system has no keyring to protect the signing key in {path.parent}: set "
            f"{PASSPHRASE_VARIABLE} to a passphrase of your choice and try again."
        )
    salt = secrets.token_bytes(16)
    return _Protection(
        _stretch(phrase, salt, PASSPHRASE_ROUNDS),
        [
            "Veritrace signing key. The key below is encrypted with a passphrase the user chose.",
            f"protection: {_PASSPHRASE}",
            f"passphrase-kdf: pbkdf2-sha256 {PASSPHRASE_ROUNDS} {salt.hex()}",
        ],
        forget=lambda: None,
    )


def _new_keyring_secret(path: Path) -> _Protection | None:
    keyring = _keyring()
    if keyring is None:
        return None
    # Each written key file gets its own entry, so no write (a second process creating the key
    # at the same moment, a replacement) ever overwrites the secret of a file still on disk.
    folder_id = hashlib.sha256(str(path.parent).encode("utf-8")).hexdigest()[:16]
    username = f"{KEYRING_USER_PREFIX}{folder_id}:{secrets.token_hex(4)}"
    secret = secrets.token_hex(32)
    try:
        keyring.set_password(KEYRING_SERVICE, username, secret)
    except keyring.errors.KeyringError:
        return None

    def forget() -> None:
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(KEYRING_SERVICE, username)

    return _Protection(
        secret.encode("ascii"),
        [
            "Veritrace signing key. The key below is encrypted; its password is in the OS keyring.",
            f"protection: {_KEYRING}",
            f"keyring-service: {KEYRING_SERVICE}",
            f"keyring-username: {username}",
        ],
        forget,
    )


def _keep_aside(path: Path) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.replaced-{stamp}")
    try:
        old = path.read_bytes()
    except OSError:
        os.replace(path, aside)  # unreadable: it cannot be copied, only moved
        return
    write_durably(aside, old, 0o600)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _unwritable(path: Path, error: OSError) -> str:
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            f"The disk holding {path.parent} is full, so the signing key could not be saved. "
            "Free some space and try again; no key file was written."
        )
    return f"The signing key could not be saved in {path.parent} ({error.strerror or error})."


# -- shared ------------------------------------------------------------------------------------


def _key_path(folder: Path | None) -> Path:
    return ((folder or data_dir()) / KEY_NAME).resolve()


NEW_PASSPHRASE = "Choose a passphrase"  # how a question for a new passphrase begins


def _question_for_new(folder: Path) -> str:
    return f"{NEW_PASSPHRASE} to protect the new signing key of {folder}"


def _question_for_legacy(path: Path) -> str:
    return f"{NEW_PASSPHRASE} to protect the signing key of {path.parent} (it was stored unencrypted)"


def _passphrase(given: str | None, question: str) -> str | None:
    """``given``, else the environment variable, else the front end's answer; None if none (or empty)."""
    if given:
        return given
    phrase = os.environ.get(PASSPHRASE_VARIABLE)
    if phrase:
        return phrase
    if _prompt is not None:
        return _prompt(question) or None
    return None


def _keyring() -> Any | None:
    """The keyring package, or None where the system has none; imported late, as choosing is slow."""
    import keyring
    import keyring.backends.fail
    import keyring.errors

    try:
        backend = keyring.get_keyring()
    except keyring.errors.KeyringError:
        return None
    return None if isinstance(backend, keyring.backends.fail.Keyring) else keyring


def _damaged(path: Path, problem: str) -> KeyDamagedError:
    error = KeyDamagedError(
        f"The signing key {path} {problem}, so new checkpoints cannot be signed. Signatures already in "
        f"the record stay valid and checkable; `{REPAIR_COMMAND}` records a new key in the ledger, "
        "marked as a replacement not signed by the old one."
    )
    error.problem = problem
    return error
