"""The installation's signing key: encrypted at rest, written whole or not at all, repairable.

Real files, real cryptography, real child processes killed mid-write; nothing of the code under
test is mocked. Only the operating system's failures are stood in for where a test must choose
the moment they happen (a full disk, a process death).
"""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from app.core.errors import StorageError
from app.services.signing import (
    KEY_NAME,
    PASSPHRASE_VARIABLE,
    REPAIR_COMMAND,
    KeyDamagedError,
    KeyProtectionError,
    WrongPassphraseError,
    forget_cached_keys,
    installation_key,
    key_state,
    replace_installation_key,
    set_passphrase_prompt,
)
from tests.fixtures.keyrings import MemoryKeyring

REPO = Path(__file__).resolve().parents[2]
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="file modes are a POSIX notion")
# DER encodings of the algorithm identifiers an encrypted PKCS#8 key must carry.
PBES2_OID = bytes.fromhex("06092a864886f70d01050d")  # 1.2.840.113549.1.5.13
AES_256_CBC_OID = bytes.fromhex("060960864801650304012a")  # 2.16.840.1.101.3.4.1.42


def _pem_block(data: bytes) -> bytes:
    return data[data.index(b"-----BEGIN ") :]


def _der(data: bytes) -> bytes:
    lines = _pem_block(data).strip().splitlines()
    return base64.b64decode(b"".join(lines[1:-1]))


def _plain_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def _folder_id(folder: Path) -> str:
    return hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:16]


@pytest.fixture
def no_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSPHRASE_VARIABLE, raising=False)


@pytest.fixture
def questions() -> Iterator[list[str]]:
    """A registered prompt that answers "typed passphrase" and remembers what it was asked."""
    asked: list[str] = []

    def answer(question: str) -> str | None:
        asked.append(question)
        return "typed passphrase"

    set_passphrase_prompt(answer)
    yield asked
    set_passphrase_prompt(None)


def _refuse_to_ask(question: str) -> str | None:
    raise AssertionError(f"asked for a passphrase it did not need: {question}")


# -- encrypted at rest -------------------------------------------------------------------------


def test_key_file_is_pkcs8_encrypted_with_pbes2_aes256(veritrace_home: Path) -> None:
    made = installation_key()

    data = (veritrace_home / KEY_NAME).read_bytes()
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in data
    assert b"BEGIN PRIVATE KEY" not in data
    assert PBES2_OID in _der(data) and AES_256_CBC_OID in _der(data)
    with pytest.raises(TypeError):
        load_pem_private_key(_pem_block(data), None)
    # The passphrase is stretched before it becomes the PKCS#8 password: it alone opens nothing.
    with pytest.raises(ValueError):
        load_pem_private_key(_pem_block(data), os.environ[PASSPHRASE_VARIABLE].encode())
    forget_cached_keys()
    assert installation_key().public_hex == made.public_hex


@POSIX_ONLY
def test_key_file_is_readable_by_its_owner_only(veritrace_home: Path) -> None:
    installation_key()
    assert (veritrace_home / KEY_NAME).stat().st_mode & 0o777 == 0o600


def test_keyring_keeps_the_secret_and_no_passphrase_is_needed(
    veritrace_home: Path, memory_keyring: MemoryKeyring, no_passphrase: None
) -> None:
    set_passphrase_prompt(_refuse_to_ask)
    made = installation_key()

    [((service, username), secret)] = memory_keyring.items.items()
    assert service == "veritrace"
    assert username.startswith(f"signing-key:{_folder_id(veritrace_home)}:")
    data = (veritrace_home / KEY_NAME).read_bytes()
    assert f"keyring-username: {username}".encode() in data
    assert len(bytes.fromhex(secret)) == 32
    opened = load_pem_private_key(_pem_block(data), secret.encode())
    assert isinstance(opened, Ed25519PrivateKey)
    forget_cached_keys()
    assert installation_key().public_hex == made.public_hex


def test_two_data_folders_do_not_share_a_keyring_secret(
    tmp_path: Path, memory_keyring: MemoryKeyring, no_passphrase: None
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()

    assert installation_key(first).public_hex != installation_key(second).public_hex
    prefixes = sorted(username.rsplit(":", 1)[0] for _, username in memory_keyring.items)
    assert prefixes == sorted(f"signing-key:{_folder_id(folder)}" for folder in (first, second))


def test_passphrase_from_the_environment_comes_back_the_same_key(veritrace_home: Path) -> None:
    set_passphrase_prompt(_refuse_to_ask)
    made = installation_key()

    forget_cached_keys()
    assert installation_key().public_hex == made.public_hex
    assert b"protection: passphrase" in (veritrace_home / KEY_NAME).read_bytes()


def test_the_prompt_is_asked_once_per_process(
    veritrace_home: Path, no_passphrase: None, questions: list[str]
) -> None:
    made = installation_key()
    assert questions == [f"Choose a passphrase to protect the new signing key of {veritrace_home.resolve()}"]

    forget_cached_keys()
    questions.clear()
    assert installation_key().public_hex == made.public_hex
    assert installation_key().public_hex == made.public_hex
    assert questions == [f"Passphrase for the signing key of {veritrace_home.resolve()}"]


def test_no_keyring_and_no_passphrase_refuses_and_writes_nothing(
    veritrace_home: Path, no_passphrase: None
) -> None:
    with pytest.raises(KeyProtectionError, match=f"no keyring to protect.*set {PASSPHRASE_VARIABLE}"):
        installation_key()
    assert key_state() == "missing"
    assert list(veritrace_home.iterdir()) == []


@pytest.mark.parametrize("answer", [None, ""], ids=["declined", "empty"])
def test_a_declined_prompt_writes_no_key(
    veritrace_home: Path, no_passphrase: None, answer: str | None
) -> None:
    set_passphrase_prompt(lambda question: answer)
    with pytest.raises(KeyProtectionError, match="No passphrase was given"):
        installation_key()
    assert list(veritrace_home.iterdir()) == []


def test_a_wrong_passphrase_says_so_and_leaves_the_key_alone(
    veritrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = installation_key()
    before = (veritrace_home / KEY_NAME).read_bytes()
    forget_cached_keys()
    right = os.environ[PASSPHRASE_VARIABLE]

    monkeypatch.setenv(PASSPHRASE_VARIABLE, "not the passphrase")
    with pytest.raises(WrongPassphraseError) as raised:
        installation_key()
    assert str(raised.value).startswith(f"The passphrase for the signing key {veritrace_home.resolve()}")
    assert "is wrong" in str(raised.value)
    assert (veritrace_home / KEY_NAME).read_bytes() == before

    monkeypatch.setenv(PASSPHRASE_VARIABLE, right)
    assert installation_key().public_hex == made.public_hex


def test_a_passphrase_key_without_its_passphrase_names_the_variable(
    veritrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installation_key()
    forget_cached_keys()
    monkeypatch.delenv(PASSPHRASE_VARIABLE)
    with pytest.raises(KeyProtectionError, match=f"protected by a passphrase: set {PASSPHRASE_VARIABLE}"):
        installation_key()


def test_a_keyring_key_when_the_keyring_is_unreachable_or_has_lost_it(
    memory_keyring: MemoryKeyring, no_passphrase: None
) -> None:
    import keyring
    from keyring.backends import fail

    installation_key()
    forget_cached_keys()
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyProtectionError, match="OS keyring, which cannot be reached"):
        installation_key()

    keyring.set_keyring(memory_keyring)
    memory_keyring.items.clear()
    with pytest.raises(KeyDamagedError, match="keyring no longer holds it") as raised:
        installation_key()
    assert REPAIR_COMMAND in str(raised.value)


# -- the key written by earlier versions, in the clear -------------------------------------------


@pytest.fixture(params=["passphrase", "keyring"])
def protection(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each way a key can be protected: a passphrase (the default in tests), or the OS keyring."""
    if request.param == "keyring":
        request.getfixturevalue("memory_keyring")
        monkeypatch.delenv(PASSPHRASE_VARIABLE)
    return str(request.param)


def test_a_legacy_plain_key_is_encrypted_in_place_and_kept(veritrace_home: Path, protection: str) -> None:
    legacy = Ed25519PrivateKey.generate()
    (veritrace_home / KEY_NAME).write_bytes(_plain_pem(legacy))
    public = legacy.public_key().public_bytes(Encoding.Raw, _raw()).hex()

    assert installation_key().public_hex == public
    data = (veritrace_home / KEY_NAME).read_bytes()
    assert b"BEGIN PRIVATE KEY" not in data
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in data
    assert f"protection: {protection}".encode() in data
    forget_cached_keys()
    assert installation_key().public_hex == public


def test_a_legacy_plain_key_with_nothing_to_protect_it_is_left_as_it_was(
    veritrace_home: Path, no_passphrase: None
) -> None:
    plain = _plain_pem(Ed25519PrivateKey.generate())
    (veritrace_home / KEY_NAME).write_bytes(plain)

    with pytest.raises(KeyProtectionError, match=PASSPHRASE_VARIABLE):
        installation_key()
    assert (veritrace_home / KEY_NAME).read_bytes() == plain


def _raw() -> object:
    from cryptography.hazmat.primitives.serialization import PublicFormat

    return PublicFormat.Raw


# -- a damaged key, and replacing it -----------------------------------------------------------------


def _without_a_line(good: bytes) -> bytes:
    lines = good.splitlines(keepends=True)
    begin = next(number for number, line in enumerate(lines) if line.startswith(b"-----BEGIN"))
    return b"".join(lines[: begin + 1] + lines[begin + 2 :])


def _ec_key(_good: bytes) -> bytes:
    return generate_private_key(SECP256R1()).private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


DAMAGE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "empty": (lambda good: b"", "is empty"),
    "garbage": (lambda good: b"\x00\xffthis is not a key at all\n" * 20, "is not a key file"),
    "cut in half": (lambda good: good[: (good.index(b"-----BEGIN") + len(good)) // 2], "is cut short"),
    "a line lost": (_without_a_line, "is cut short or garbled"),
    "not Ed25519": (_ec_key, "is not an Ed25519 key"),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_key_names_the_repair_and_replacing_it_keeps_it_aside(
    veritrace_home: Path, damage: str
) -> None:
    installation_key()
    forget_cached_keys()
    spoil, problem = DAMAGE[damage]
    damaged = spoil((veritrace_home / KEY_NAME).read_bytes())
    (veritrace_home / KEY_NAME).write_bytes(damaged)

    with pytest.raises(KeyDamagedError) as raised:
        installation_key()
    message = str(raised.value)
    assert type(raised.value) is KeyDamagedError  # not a wrong passphrase
    assert f"{KEY_NAME} {problem}" in message
    assert "stay valid and checkable" in message
    assert f"`{REPAIR_COMMAND}`" in message
    assert "backup" not in message.lower()

    fresh = replace_installation_key()
    [aside] = veritrace_home.glob(f"{KEY_NAME}.replaced-*")
    assert aside.read_bytes() == damaged
    forget_cached_keys()
    assert installation_key().public_hex == fresh.public_hex


@pytest.mark.slow
def test_replacing_a_good_key_keeps_it_openable_aside(
    veritrace_home: Path, tmp_path: Path, protection: str
) -> None:
    old = installation_key()
    new = replace_installation_key()
    assert new.public_hex != old.public_hex
    assert installation_key().public_hex == new.public_hex

    # The old file, and (for a keyring key) its secret, survive: moved back into a folder of its
    # own, it opens to the old key.
    [aside] = veritrace_home.glob(f"{KEY_NAME}.replaced-*")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / KEY_NAME).write_bytes(aside.read_bytes())
    assert installation_key(elsewhere).public_hex == old.public_hex


def test_replacing_where_there_is_no_key_makes_one(veritrace_home: Path) -> None:
    made = replace_installation_key()
    assert list(veritrace_home.glob(f"{KEY_NAME}.replaced-*")) == []
    forget_cached_keys()
    assert installation_key().public_hex == made.public_hex


def test_key_state_never_asks(veritrace_home: Path, no_passphrase: None) -> None:
    set_passphrase_prompt(_refuse_to_ask)
    assert key_state() == "missing"
    installation_key(passphrase="given by the caller")
    forget_cached_keys()
    assert key_state() == "present"
    assert key_state(veritrace_home) == "present"


def test_a_passphrase_given_by_the_caller_skips_the_keyring(
    veritrace_home: Path, memory_keyring: MemoryKeyring, no_passphrase: None
) -> None:
    made = installation_key(passphrase="for a throwaway folder")
    assert memory_keyring.items == {}
    forget_cached_keys()
    assert installation_key(passphrase="for a throwaway folder").public_hex == made.public_hex


# -- a full disk -------------------------------------------------------------------------------------


class _FullDiskFile:
    """A file on a full disk: opening works, writing fails as the OS reports it."""

    def __init__(self, handle: io.BufferedWriter) -> None:
        self.handle = handle

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return self.handle.fileno()

    def __enter__(self) -> _FullDiskFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


@pytest.mark.slow
def test_a_full_disk_on_first_creation_writes_nothing_and_a_retry_works(
    veritrace_home: Path, monkeypatch: pytest.MonkeyPatch, protection: str
) -> None:
    import keyring

    real_fdopen = os.fdopen
    with monkeypatch.context() as full:
        full.setattr(
            os, "fdopen", lambda fd, *args, **kwargs: _FullDiskFile(real_fdopen(fd, *args, **kwargs))
        )
        with pytest.raises(StorageError, match="is full, so the signing key could not be saved"):
            installation_key()
    assert key_state() == "missing"
    assert list(veritrace_home.iterdir()) == []
    if protection == "keyring":
        assert keyring.get_keyring().items == {}  # type: ignore[attr-defined]  # no orphaned secret

    made = installation_key()
    forget_cached_keys()
    assert installation_key().public_hex == made.public_hex


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs (root on Linux only; elsewhere the test above stands in)."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    point = tmp_path / "disk"
    point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=True)


def test_a_really_full_disk_on_first_creation_writes_nothing_and_a_retry_works(tiny_disk: Path) -> None:
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as handle, pytest.raises(OSError) as full:
        while True:
            handle.write(bytes(4096))
    assert full.value.errno == errno.ENOSPC

    with pytest.raises(StorageError, match="is full, so the signing key could not be saved"):
        installation_key(tiny_disk)
    assert sorted(path.name for path in tiny_disk.iterdir()) == ["filler"]

    filler.unlink()
    made = installation_key(tiny_disk)
    forget_cached_keys()
    assert installation_key(tiny_disk).public_hex == made.public_hex


# -- a process killed at every step ------------------------------------------------------------------

# Runs in a child: the N-th os call of the kind a crash can fall between (open, write, flush,
# fsync, rename) or the keyring's set call, kills the process on the spot, a write halfway through.
CHILD = r"""
import io, os, sys
from pathlib import Path

import keyring
from app.services import signing
from tests.fixtures.keyrings import FileKeyring

action, folder, kept, dies_at = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if kept != "-":
    keyring.set_keyring(FileKeyring(Path(kept)))
steps = 0


def reached():
    global steps
    steps += 1
    return steps == dies_at


def dying(call):
    def counted(*args, **kwargs):
        if reached():
            os._exit(9)
        return call(*args, **kwargs)
    return counted


class TornFile:
    def __init__(self, raw):
        self.raw = raw

    def write(self, data):
        if reached():
            self.raw.write(bytes(data)[: len(data) // 2])
            os._exit(9)
        return self.raw.write(data)

    def flush(self):
        if reached():
            os._exit(9)

    def fileno(self):
        return self.raw.fileno()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.raw.close()


if dies_at:
    for name in ("open", "write", "fsync", "replace", "rename"):
        setattr(os, name, dying(getattr(os, name)))
    os.fdopen = lambda fd, *args, **kwargs: TornFile(io.FileIO(fd, "w"))
    keyring.set_password = dying(keyring.set_password)
made = signing.replace_installation_key(folder) if action == "replace" else signing.installation_key(folder)
print(made.public_hex, steps)
"""


def _child(action: str, folder: Path, kept: Path | None, dies_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, action, str(folder), str(kept or "-"), str(dies_at)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _public(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenario", "with_keyring"),
    [("create", True), ("create", False), ("upgrade", True), ("replace", True)],
    ids=["create-keyring", "create-passphrase", "upgrade-legacy", "replace"],
)
def test_a_process_killed_at_any_step_leaves_no_key_or_a_whole_one(
    tmp_path: Path, scenario: str, with_keyring: bool
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    kept = tmp_path / "keyring.json" if with_keyring else None
    key_file = folder / KEY_NAME
    legacy = Ed25519PrivateKey.generate()
    legacy_public = legacy.public_key().public_bytes(Encoding.Raw, _raw()).hex()  # type: ignore[arg-type]
    original = b""
    if scenario == "replace":
        old_public = _public(_child("create", folder, kept, 0))
        original = key_file.read_bytes()

    outcomes: set[str] = set()
    for dies_at in range(1, 60):
        # Start each run from the same state; stray temporary files of earlier deaths stay.
        if scenario == "create":
            key_file.unlink(missing_ok=True)
        elif scenario == "upgrade":
            key_file.write_bytes(_plain_pem(legacy))
        else:
            key_file.write_bytes(original)
        run = _child("replace" if scenario == "replace" else "load", folder, kept, dies_at)
        if run.returncode == 0:
            completed_in = int(run.stdout.split()[1])
            break
        assert run.returncode == 9, f"dying at step {dies_at}: {run.stderr}"

        left = key_file.read_bytes() if key_file.exists() else None
        assert left != b"", f"a 0-byte key after dying at step {dies_at}"
        if scenario != "create":
            assert left is not None, f"no key at all after dying at step {dies_at}"
        after = _child("load", folder, kept, 0)
        assert after.returncode == 0, f"after dying at step {dies_at}: {after.stderr}"
        public = _public(after)
        if left is not None and b"BEGIN ENCRYPTED" in left:
            assert key_file.read_bytes() == left, f"the key left at step {dies_at} was not loaded as it was"
        if scenario == "upgrade":
            assert public == legacy_public
        if scenario == "replace":
            outcomes.add("old" if public == old_public else "new")
        else:
            outcomes.add("absent" if left is None else "whole")
    else:
        pytest.fail("creating the key never completed")

    # Every step was visited: the keyring's set call, the temporary file's open, write, flush and
    # fsync, the rename and the folder's fsync (the replacement also copies the old key aside).
    assert completed_in >= (7 if with_keyring else 6) + (6 if scenario == "replace" else 0)
    expected = {"old", "new"} if scenario == "replace" else {"absent", "whole"}
    if scenario == "upgrade":
        expected = {"whole"}
    assert outcomes == expected
