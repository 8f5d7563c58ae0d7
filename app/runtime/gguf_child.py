"""The GGUF metadata reader that runs in a child process, under memory and CPU limits.

Run as ``python -m app.runtime.gguf_child PATH`` or, in a frozen build, ``veritrace
--inspect-gguf PATH``. It prints one JSON object on stdout: the metadata, or
``{"error": "..."}`` with exit status 2 when the file is not a usable GGUF.

Why not ``gguf.GGUFReader``: it memory-maps the whole file (a 14 GB model needs 14 GB of
address space, which an address-space limit forbids) and parses every array in full. This
reader streams the header with the ``gguf`` package's own type tables, checks every declared
count against the bytes the file actually has before looping over it, caps entries, array
elements, string lengths and nesting, reads tensor *descriptions* only (never tensor data), and
checks that the tensor data the header promises is really in the file.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from app.core.models import TOKENS_OF_INTEREST

MAX_METADATA_ENTRIES = 100_000
MAX_TENSORS = 1_000_000
MAX_ARRAY_ELEMENTS = 16_000_000  # the largest vocabularies' merges are well under a million
MAX_STRING_BYTES = 16 * 2**20  # chat templates are tens of kilobytes
MAX_KEY_BYTES = 65_535
MAX_NESTING = 3
MAX_DIMS = 4  # GGML_MAX_DIMS
_KEPT_NUMBERS = 4096  # numeric arrays of the architecture's own keys (per-layer head counts)
_BUFFER = 1 << 20

# GGUF value types (the spec's numbering; gguf.GGUFValueType has the same values).
_U8, _I8, _U16, _I16, _U32, _I32, _F32, _BOOL, _STR, _ARR, _U64, _I64, _F64 = range(13)
_SCALARS = {
    _U8: "B",
    _I8: "b",
    _U16: "H",
    _I16: "h",
    _U32: "I",
    _I32: "i",
    _F32: "f",
    _BOOL: "?",
    _U64: "Q",
    _I64: "q",
    _F64: "d",
}
_TOKEN_CONTROL, _TOKEN_USER_DEFINED = 3, 4
_U64_FORMAT = struct.Struct("<Q")
_WANTED_TOKENS = frozenset(token.encode("utf-8") for token in TOKENS_OF_INTEREST)


class GGUFFormatError(Exception):
    """The file is not a GGUF this app can use; the message says why, in plain words."""


class _Reader:
    """Little-endian reads that never run past the end of the file."""

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self.handle = handle
        self.size = size
        self.position = 0

    @property
    def remaining(self) -> int:
        return self.size - self.position

    def take(self, count: int, what: str) -> bytes:
        if count > self.remaining:
            raise GGUFFormatError(
                f"the file ends inside the {what} (it is truncated: {self.size} bytes, "
                f"{count} more needed at offset {self.position})"
            )
        data = self.handle.read(count)
        if len(data) != count:
            raise GGUFFormatError(f"the file ends inside the {what} (it is truncated)")
        self.position += count
        return data

    def skip(self, count: int, what: str) -> None:
        if count > self.remaining:
            raise GGUFFormatError(f"the file ends inside the {what} (it is truncated)")
        self.handle.seek(count, os.SEEK_CUR)
        self.position += count

    def scalar(self, code: int, what: str) -> Any:
        fmt = _SCALARS[code]
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt), what))[0]

    def u32(self, what: str) -> int:
        return int(struct.unpack("<I", self.take(4, what))[0])

    def u64(self, what: str) -> int:
        return int(struct.unpack("<Q", self.take(8, what))[0])

    def string_length(self, what: str, limit: int = MAX_STRING_BYTES) -> int:
        length = self.u64(what)
        if length > limit:
            raise GGUFFormatError(
                f"the {what} claims to be {length:,} bytes long, over the {limit:,}-byte limit"
            )
        if length > self.remaining:
            raise GGUFFormatError(
                f"the {what} claims {length:,} bytes but only {self.remaining:,} remain "
                "(the file is truncated or corrupt)"
            )
        return length

    def string(self, what: str, limit: int = MAX_STRING_BYTES) -> str:
        return self.take(self.string_length(what, limit), what).decode("utf-8", "replace")

    def strings(
        self, count: int, what: str, limit: int, wanted: frozenset[bytes] = frozenset()
    ) -> dict[int, str]:
        """Walk ``count`` strings, each length checked; returns those in ``wanted`` by index.

        A vocabulary holds 50,000 to 250,000 of them, so this is one tight loop; the first
        string that breaks a rule is re-read by ``string_length``, which says what is wrong.
        """
        found: dict[int, str] = {}
        read, unpack = self.handle.read, _U64_FORMAT.unpack
        position, size = self.position, self.size
        for index in range(count):
            head = read(8)
            length = unpack(head)[0] if len(head) == 8 else -1
            if length < 0 or length > limit or length > size - position - 8:
                self.handle.seek(position)
                self.position = position
                self.string_length(what, limit)  # raises, naming the problem
                raise GGUFFormatError(f"the file ends inside the {what} (it is truncated)")
            data = read(length)
            if len(data) != length:
                raise GGUFFormatError(f"the file ends inside the {what} (it is truncated)")
            position += 8 + length
            if data in wanted:
                found[index] = data.decode("utf-8")
        self.position = position
        return found


def _min_size(code: int) -> int:
    """The fewest bytes one value of this type can occupy (to check declared counts)."""
    if code in _SCALARS:
        return struct.calcsize(_SCALARS[code])
    if code == _STR:
        return 8
    if code == _ARR:
        return 12
    raise GGUFFormatError(f"a metadata value has the unknown type {code}")


class _Metadata:
    """The values kept from the key-value section; everything else is validated and skipped."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.architecture = ""
        self.token_positions: dict[int, str] = {}  # index -> token of interest
        self.token_types: dict[int, int] = {}
        self.vocab_size = 0


def _read_value(reader: _Reader, code: int, key: str, meta: _Metadata, depth: int) -> Any:
    if code in _SCALARS:
        return reader.scalar(code, f"value of {key}")
    if code == _STR:
        return reader.string(f"value of {key}")
    if code != _ARR:
        raise GGUFFormatError(f"the metadata entry {key!r} has the unknown type {code}")
    if depth >= MAX_NESTING:
        raise GGUFFormatError(f"the metadata entry {key!r} nests arrays more than {MAX_NESTING} deep")
    element = reader.u32(f"array type of {key}")
    count = reader.u64(f"array length of {key}")
    if count > MAX_ARRAY_ELEMENTS:
        raise GGUFFormatError(
            f"the metadata entry {key!r} claims {count:,} array elements, "
            f"over the {MAX_ARRAY_ELEMENTS:,} limit"
        )
    if count * _min_size(element) > reader.remaining:
        raise GGUFFormatError(
            f"the metadata entry {key!r} claims {count:,} array elements, more than the rest of the "
            "file can hold (it is truncated or corrupt)"
        )
    if key == "tokenizer.ggml.tokens" and element == _STR:
        meta.vocab_size = count
        meta.token_positions = reader.strings(count, "token list", 1 << 16, _WANTED_TOKENS)
        return None
    if key == "tokenizer.ggml.token_type" and element in _SCALARS and element != _BOOL:
        fmt = "<" + _SCALARS[element]
        width = struct.calcsize(fmt)
        raw = reader.take(width * count, "token types")  # count was checked against the file
        for index in meta.token_positions:
            if index < count:
                meta.token_types[index] = int(struct.unpack_from(fmt, raw, index * width)[0])
        return None
    keep = key.startswith(f"{meta.architecture}.") and element in _SCALARS and count <= _KEPT_NUMBERS
    if element in _SCALARS:
        width = struct.calcsize(_SCALARS[element])
        if keep:
            raw = reader.take(width * count, f"array {key}")
            return list(struct.unpack(f"<{count}{_SCALARS[element]}", raw))
        reader.skip(width * count, f"array {key}")
        return None
    if element == _STR:  # each one's length must be read
        reader.strings(count, f"string in {key}", MAX_STRING_BYTES)
        return None
    for _ in range(count):
        _read_value(reader, element, key, meta, depth + 1)
    return None


def _tensor_bytes(dims: list[int], ggml_type: int, name: str) -> int:
    from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

    try:
        block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(ggml_type)]
    except (ValueError, KeyError):
        raise GGUFFormatError(f"tensor {name!r} has the unknown data type {ggml_type}") from None
    elements = 1
    for dim in dims:
        elements *= dim
    if elements >= 2**62:
        raise GGUFFormatError(f"tensor {name!r} claims an impossible shape {dims}")
    if dims and dims[0] % block:
        raise GGUFFormatError(f"tensor {name!r} has a row length that does not fit its data type")
    return elements // block * type_size


def read_gguf(path: Path) -> dict[str, Any]:
    """The metadata of a GGUF file as a JSON-ready dict; raise GGUFFormatError if it is unusable."""
    size = path.stat().st_size
    with path.open("rb", buffering=_BUFFER) as handle:
        reader = _Reader(handle, size)
        if size < 4 or reader.take(4, "header") != b"GGUF":
            raise GGUFFormatError("it is not a GGUF file (it does not start with 'GGUF')")
        version = reader.u32("header")
        if version & 0xFFFF == 0 and version:
            raise GGUFFormatError("it is a big-endian GGUF, which llama.cpp on this machine cannot load")
        if version not in (2, 3):
            raise GGUFFormatError(f"it declares GGUF version {version}; versions 2 and 3 are supported")
        tensor_count = reader.u64("header")
        kv_count = reader.u64("header")
        if kv_count > MAX_METADATA_ENTRIES or kv_count * 13 > reader.remaining:
            raise GGUFFormatError(
                f"its header claims {kv_count:,} metadata entries, more than the file can hold "
                "(it is corrupt or truncated)"
            )
        if tensor_count > MAX_TENSORS or tensor_count * 24 > reader.remaining:
            raise GGUFFormatError(
                f"its header claims {tensor_count:,} tensors, more than the file can hold "
                "(it is corrupt or truncated)"
            )
        meta = _Metadata()
        for _ in range(kv_count):
            key = reader.string("metadata key", MAX_KEY_BYTES)
            code = reader.u32(f"type of {key}")
            value = _read_value(reader, code, key, meta, 0)
            if key == "general.architecture" and isinstance(value, str):
                meta.architecture = value
            if isinstance(value, str) and key == "tokenizer.chat_template":
                meta.values[key] = [tag for tag in TOKENS_OF_INTEREST if tag in value]
            elif (
                value is not None
                and (key.startswith("general.") or key.startswith(meta.architecture + "."))
                and (not isinstance(value, str) or len(value) <= 4096)
            ):
                meta.values[key] = value
        parameters, data_end = 0, 0
        for _ in range(tensor_count):
            name = reader.string("tensor name", MAX_KEY_BYTES)
            n_dims = reader.u32(f"shape of tensor {name!r}")
            if not 1 <= n_dims <= MAX_DIMS:
                raise GGUFFormatError(f"tensor {name!r} claims {n_dims} dimensions (at most {MAX_DIMS})")
            dims = [reader.u64(f"shape of tensor {name!r}") for _ in range(n_dims)]
            ggml_type = reader.u32(f"type of tensor {name!r}")
            offset = reader.u64(f"offset of tensor {name!r}")
            nbytes = _tensor_bytes(dims, ggml_type, name)
            count = 1
            for dim in dims:
                count *= dim
            parameters += count
            data_end = max(data_end, offset + nbytes)
        alignment = meta.values.get("general.alignment", 32)
        if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
            raise GGUFFormatError(f"it declares an invalid alignment ({alignment})")
        data_start = -(-reader.position // alignment) * alignment
        if tensor_count == 0:
            raise GGUFFormatError("it holds no tensors, so it is not a model (only a GGUF header)")
        if data_start + data_end > size:
            raise GGUFFormatError(
                f"it is truncated: its tensors need {data_start + data_end:,} bytes but the file has {size:,}"
            )
    return _summary(path, size, version, tensor_count, kv_count, parameters, meta)


def _number(values: dict[str, Any], key: str) -> int:
    value = values.get(key)
    if isinstance(value, list):  # per-layer values: the largest one sizes the cache
        value = max((v for v in value if isinstance(v, int | float)), default=0)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _quantization(file_type: int | None) -> str | None:
    if file_type is None:
        return None
    from gguf.constants import LlamaFileType

    try:
        name = LlamaFileType(file_type).name
    except ValueError:
        return f"type {file_type}"
    return name.removeprefix("MOSTLY_").removeprefix("ALL_")


def _summary(
    path: Path,
    size: int,
    version: int,
    tensor_count: int,
    kv_count: int,
    parameters: int,
    meta: _Metadata,
) -> dict[str, Any]:
    values, arch = meta.values, meta.architecture or "unknown"
    file_type = values.get("general.file_type")
    file_type = int(file_type) if isinstance(file_type, int) and not isinstance(file_type, bool) else None
    special = sorted(
        {
            token
            for index, token in meta.token_positions.items()
            if meta.token_types.get(index) in (_TOKEN_CONTROL, _TOKEN_USER_DEFINED)
        },
        key=TOKENS_OF_INTEREST.index,
    )
    hints = values.get("tokenizer.chat_template")
    name = values.get("general.name")
    return {
        "path": str(path),
        "size": size,
        "gguf_version": version,
        "architecture": arch,
        "name": name if isinstance(name, str) and name else path.stem,
        "parameter_count": parameters,
        "tensor_count": tensor_count,
        "metadata_count": kv_count,
        "file_type": file_type,
        "quantization": _quantization(file_type),
        "context_length": _number(values, f"{arch}.context_length"),
        "block_count": _number(values, f"{arch}.block_count"),
        "embedding_length": _number(values, f"{arch}.embedding_length"),
        "head_count": _number(values, f"{arch}.attention.head_count"),
        "head_count_kv": _number(values, f"{arch}.attention.head_count_kv"),
        "key_length": _number(values, f"{arch}.attention.key_length"),
        "value_length": _number(values, f"{arch}.attention.value_length"),
        "vocab_size": _number(values, f"{arch}.vocab_size") or meta.vocab_size,
        "has_chat_template": isinstance(hints, list),
        "template_hints": hints if isinstance(hints, list) else [],
        "special_tokens": special,
        "is_projector": arch == "clip" or "clip.projector_type" in values,
    }


def apply_limits(memory_mb: int, cpu_seconds: int) -> list[str]:
    """Cap this process's address space and CPU time; return the limits that could not be set.

    POSIX only; on Windows the parent's wall-clock timeout rules. macOS refuses (or ignores) an
    address-space limit, so the data-segment limit is tried next; a limit the platform will not
    take never stops an inspection: the timeout, the CPU limit and the reader's checks of every
    declared count against the file's size remain.
    """
    try:
        import resource
    except ImportError:  # Windows
        return ["memory", "cpu"] if memory_mb > 0 or cpu_seconds > 0 else []
    refused: list[str] = []
    if memory_mb > 0:
        limit = memory_mb * 2**20
        for kind in ("RLIMIT_AS", "RLIMIT_DATA"):
            try:
                resource.setrlimit(getattr(resource, kind), (limit, limit))
                break
            except (AttributeError, ValueError, OSError):
                continue
        else:
            refused.append("memory")
    if cpu_seconds > 0:
        try:
            # The soft limit sends SIGXCPU; the hard one, a second later, SIGKILL.
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        except (ValueError, OSError):
            refused.append("cpu")
    return refused


def main(argv: Sequence[str]) -> int:
    """``PATH [--memory-mb N] [--cpu-seconds N]``: print the metadata as JSON."""
    arguments = list(argv)
    if not arguments:
        print(json.dumps({"error": "no file was named"}))
        return 2
    path = Path(arguments[0])
    options = dict(zip(arguments[1::2], arguments[2::2], strict=False))
    try:
        memory_mb, cpu_seconds = int(options.get("--memory-mb", 0)), int(options.get("--cpu-seconds", 0))
    except ValueError:
        print(json.dumps({"error": "the inspection limits are not whole numbers"}))
        return 2
    apply_limits(memory_mb, cpu_seconds)
    try:
        result: dict[str, Any] = read_gguf(path)
        status = 0
    except GGUFFormatError as error:
        result, status = {"error": str(error)}, 2
    except MemoryError:
        result, status = {"error": "memory", "limit": True}, 3
    except OSError as error:
        result, status = {"error": f"it cannot be read ({error.strerror or error})"}, 2
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
