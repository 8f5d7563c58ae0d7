"""The models Veritrace offers to download, by name.

Only names live here: which repository and which file. Sizes and SHA-256 digests are read from the
Hub when a download starts, so a re-upload on the Hub can never be checked against a stale digest.
The sizes below are rough hints for choosing before the Hub has answered, and are shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import VeritraceError

# Mistral's own GGUF repository has BF16, Q8_0, Q5_K_M and Q4_K_M but no vision encoder;
# Unsloth's repository has the other common quantizations and the projector (mmproj).
MISTRAL_REPO = "mistralai/Magistral-Small-2509-GGUF"
UNSLOTH_REPO = "unsloth/Magistral-Small-2509-GGUF"

GB = 1_000_000_000


@dataclass(frozen=True)
class RemoteFile:
    """One file in a Hub model repository."""

    repo_id: str
    filename: str
    revision: str = "main"

    @property
    def label(self) -> str:
        return f"{self.repo_id}/{self.filename}"


@dataclass(frozen=True)
class Quantization:
    """A quantization of an offered model; ``approx_bytes`` is a hint, the Hub gives the real size."""

    name: str
    file: RemoteFile
    approx_bytes: int
    note: str = ""


@dataclass(frozen=True)
class Offering:
    """A model offered by name, with its quantizations and its vision projector."""

    name: str
    title: str
    quantizations: tuple[Quantization, ...]
    projector: RemoteFile | None
    projector_approx_bytes: int = 0
    default_quant: str = "Q4_K_M"
    aliases: tuple[str, ...] = ()

    def quantization(self, name: str) -> Quantization:
        wanted = name.strip().upper()
        for quantization in self.quantizations:
            if quantization.name.upper() == wanted:
                return quantization
        known = ", ".join(q.name for q in self.quantizations)
        raise VeritraceError(f"{self.title} has no quantization {name!r}; choose one of {known}.")


MAGISTRAL_SMALL_1_2 = Offering(
    name="magistral-small-1.2",
    title="Magistral Small 1.2 (24B, 2509)",
    quantizations=(
        Quantization(
            "Q4_K_M",
            RemoteFile(MISTRAL_REPO, "Magistral-Small-2509-Q4_K_M.gguf"),
            14_300_000_000,
            "smallest; the usual choice with 32 GB of RAM",
        ),
        Quantization("Q5_K_M", RemoteFile(MISTRAL_REPO, "Magistral-Small-2509-Q5_K_M.gguf"), 16_800_000_000),
        Quantization(
            "Q6_K",
            RemoteFile(UNSLOTH_REPO, "Magistral-Small-2509-Q6_K.gguf"),
            19_300_000_000,
            "Unsloth's quantization",
        ),
        Quantization(
            "Q8_0",
            RemoteFile(MISTRAL_REPO, "Magistral-Small-2509-Q8_0.gguf"),
            25_100_000_000,
            "closest to the original weights",
        ),
    ),
    projector=RemoteFile(UNSLOTH_REPO, "mmproj-F16.gguf"),
    projector_approx_bytes=880_000_000,
    aliases=("magistral", "magistral-small", "magistral-small-2509"),
)

OFFERINGS: tuple[Offering, ...] = (MAGISTRAL_SMALL_1_2,)


def offering(name: str) -> Offering:
    """The offering called ``name`` (or one of its aliases), any case."""
    wanted = name.strip().lower()
    for candidate in OFFERINGS:
        if wanted == candidate.name or wanted in candidate.aliases:
            return candidate
    known = ", ".join(candidate.name for candidate in OFFERINGS)
    raise VeritraceError(f"No model called {name!r} is offered for download; choose one of {known}.")
