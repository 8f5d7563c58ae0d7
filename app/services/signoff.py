"""A personal, deliberate sign-off: the signer sees what they sign, then signs it with their own key.

First ``signoff_summary``: the conversation's turns and how each ended, every flag a reviewer
raised, every turn that is not a whole answer, every model and projector used (by full SHA-256),
and the digest of its content as recorded. Then a ``SigningAttempt`` for that summary, which signs
only if the conversation is still exactly what the summary showed, with the identity's key
opened by its owner's passphrase. Three wrong passphrases end the attempt, and the refusal is
recorded; nothing else is recorded for an attempt that does not sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.core.clock import utc_now
from app.core.errors import VeritraceError
from app.core.signing import KeyPair
from app.core.states import State, TurnState, turn_state
from app.core.types import Annotation, Conversation, Flag, HashCheck, Identity, Meaning, SignOff, Turn
from app.services.config import AppConfig, load_config
from app.services.identities import MAX_PASSPHRASE_TRIES, find_identity, unlock
from app.services.signing import WrongPassphraseError, installation_key
from app.storage.repository import Store

PROMPT_EXCERPT = 80  # characters of a prompt the summary shows
REFUSED_EVENT = "signoff.refused"
# After three wrong passphrases an identity signs nothing for this long, whatever attempt asks
# (a new dialog, another command): the refusal in the ledger is what counts, not a counter.
LOCKOUT = timedelta(minutes=15)
_SUMMARY_READS = 3  # a conversation that keeps changing while it is summarized is not summarized


class TooManyTries(VeritraceError):
    """Wrong passphrases ended a signing attempt; its refusal is recorded."""


@dataclass(frozen=True)
class SummaryTurn:
    turn_id: int
    index: int  # from 0, as recorded; shown from 1
    prompt: str  # its first line, cut to PROMPT_EXCERPT characters
    state: TurnState
    flags: tuple[Annotation, ...]  # the concerns and errors reviewers noted on it
    # The files whose hash did not verify, ("model" | "projector", the check): what the hash
    # warnings say, kept as values so a window can word them in its own language.
    hash_problems: tuple[tuple[str, HashCheck], ...] = ()

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class ModelUse:
    """A model or projector a conversation used, as its summary's label names it."""

    role: str  # "model" | "projector"
    name: str  # the file's name, or the model id a server ran
    sha256: str  # "" for a server's model
    server: str = ""  # where a server's model ran

    @property
    def label(self) -> str:
        if self.server:
            return f"Model {self.name} at {self.server}"
        return f"{'Projector' if self.role == 'projector' else 'Model'} {self.name}"


@dataclass(frozen=True)
class SignOffSummary:
    """What a signer is shown, and acknowledges, before signing a conversation."""

    conversation_id: int
    title: str
    turns: tuple[SummaryTurn, ...]
    warnings: tuple[str, ...]  # one plain sentence each
    models: tuple[tuple[str, str], ...]  # (label, full SHA-256; "" for a server's model)
    content_sha256: str  # what the signature will cover (app.core.signoff.content_digest)
    model_uses: tuple[ModelUse, ...] = ()  # the same models as values, one for each label

    def lines(self) -> list[str]:
        """The summary as lines of text, everything in it (the command line prints these)."""
        lines = [f"Conversation {self.conversation_id}: {self.title}", f"{len(self.turns)} turn(s):"]
        lines += [f"  Turn {turn.number} [{turn.state.words}]: {turn.prompt}" for turn in self.turns]
        lines.append("Models used:")
        lines += [
            f"  {label}: SHA-256 {sha256}" if sha256 else f"  {label}: no file hash (it ran on a server)"
            for label, sha256 in self.models
        ]
        if self.warnings:
            lines.append(f"Before you sign, {len(self.warnings)} warning(s):")
            lines += [f"  ! {warning}" for warning in self.warnings]
        else:
            lines.append("No warnings: every turn completed and no turn is flagged.")
        lines.append(f"Content SHA-256 (what the signature covers): {self.content_sha256}")
        return lines


def signoff_summary(store: Store, conversation_id: int) -> SignOffSummary:
    """What signing ``conversation_id`` means, as recorded now.

    Raises ``VeritraceError`` (one line) for an unknown conversation, one without turns, or one
    with a turn still running.
    """
    for _ in range(_SUMMARY_READS):
        _, before = store.conversation_content(conversation_id)
        conversation = store.conversation(conversation_id)  # NotFoundError if there is none
        _, after = store.conversation_content(conversation_id)
        if before == after:  # the text shown is the content the digest names
            return _summary(conversation, after)
    raise VeritraceError(
        f"Conversation {conversation_id} kept changing while it was summarized; try again once it is still."
    )


def _summary(conversation: Conversation, content: str) -> SignOffSummary:
    number = conversation.id
    if not conversation.turns:
        raise VeritraceError(f"Conversation {number} has no turns to sign off.")
    turns = []
    warnings: list[str] = []
    models: dict[ModelUse, None] = {}
    for turn in conversation.turns:
        state = turn_state(turn)
        if state.state is State.RUNNING:
            raise VeritraceError(f"Conversation {number} has a turn still running; sign off once it ends.")
        flags = tuple(note for note in turn.annotations if note.flag in (Flag.CONCERN, Flag.ERROR))
        problems = _hash_problems(turn)
        turns.append(SummaryTurn(turn.id, turn.index, _excerpt(turn.prompt), state, flags, problems))
        warnings += _state_warnings(turn, state)
        warnings += [_flag_warning(turn, note) for note in flags]
        warnings += _hash_warnings(turn.index + 1, problems)
        models.update(dict.fromkeys(_models(turn)))
    labels = tuple((use.label, use.sha256) for use in models)
    return SignOffSummary(
        number, conversation.title, tuple(turns), tuple(warnings), labels, content, tuple(models)
    )


def _excerpt(prompt: str) -> str:
    lines = prompt.strip().splitlines()
    first = lines[0] if lines else ""
    if len(first) > PROMPT_EXCERPT or len(lines) > 1:
        return first[:PROMPT_EXCERPT].rstrip() + "…"
    return first


def _state_warnings(turn: Turn, state: TurnState) -> list[str]:
    number = turn.index + 1
    incomplete = {
        State.TOKEN_LIMIT: "stopped at the token limit: its answer may be incomplete",
        State.STOPPED: "was stopped by the reviewer before it finished: its answer is incomplete",
        State.WINDOW_CLOSED: "ended when the window was closed during generation: its answer is incomplete",
        State.INTERRUPTED: "was interrupted (the app stopped before it finished): its answer is incomplete",
    }
    if state.state in incomplete:
        return [f"Turn {number} {incomplete[state.state]}."]
    if state.state is State.FAILED:
        return [f"Turn {number} failed: {state.reason.rstrip('.')}."]
    if state.state is State.ENDED_BY_SERVER:
        return [f"Turn {number} was {state.words}: its answer may be cut short or filtered."]
    return []


def _flag_warning(turn: Turn, note: Annotation) -> str:
    kind = "an error" if note.flag is Flag.ERROR else "a concern"
    return f"Turn {turn.index + 1} is flagged as {kind} by {note.author} ({note.created_at}): {note.comment}"


def _hash_problems(turn: Turn) -> tuple[tuple[str, HashCheck], ...]:
    checks = (("model", turn.model_check), ("projector", turn.projector_check))
    return tuple(
        (role, check) for role, check in checks if check in (HashCheck.MISMATCH, HashCheck.UNVERIFIABLE)
    )


def _hash_warnings(number: int, problems: tuple[tuple[str, HashCheck], ...]) -> list[str]:
    return [
        f"Turn {number}: its {role} file's hash did not match the cached one."
        if check is HashCheck.MISMATCH
        else f"Turn {number}: its {role} file was written to while loaded (not hashable)."
        for role, check in problems
    ]


def _models(turn: Turn) -> list[ModelUse]:
    if turn.ran_remotely or turn.model.is_remote:
        where = turn.endpoint or turn.model.path
        return [ModelUse("model", turn.remote_model or turn.model.path, "", where)]
    used = [ModelUse("model", Path(turn.model.path).name, turn.model.sha256)]
    if turn.projector is not None:
        used.append(ModelUse("projector", Path(turn.projector.path).name, turn.projector.sha256))
    return used


def meaning_statement(meaning: Meaning | str, config: AppConfig | None = None) -> str:
    """What a signature of ``meaning`` signifies, as the settings word it (else the default)."""
    return (config or load_config()).statement(meaning)


class SigningAttempt:
    """One signer's attempt to sign one conversation, as summarized for them.

    ``sign`` may be called again after a wrong passphrase, up to ``MAX_PASSPHRASE_TRIES`` in all;
    the last wrong one records a ``signoff.refused`` event and raises ``TooManyTries``, as every
    later call does at once. ``key`` is the installation key that signs the head after the
    sign-off (default: the installation's); ``folder`` the data folder with the identity's key file.
    """

    def __init__(
        self,
        store: Store,
        conversation_id: int,
        *,
        fingerprint: str,
        meaning: Meaning | str,
        reason: str,
        acknowledged: SignOffSummary,
        key: KeyPair | None = None,
        folder: Path | None = None,
        config: AppConfig | None = None,
    ) -> None:
        self.store = store
        self.conversation_id = conversation_id
        self.fingerprint = fingerprint
        self.reason = reason
        self.acknowledged = acknowledged
        try:
            self.meaning = Meaning(meaning)
        except ValueError:
            raise VeritraceError(
                f"{meaning!r} is not a meaning of a signature: reviewed, approved or rejected."
            ) from None
        self.statement = meaning_statement(self.meaning, config)
        self._key = key
        self._folder = folder
        self._wrong = 0

    @property
    def tries_left(self) -> int:
        return MAX_PASSPHRASE_TRIES - self._wrong

    def check(self) -> Identity:
        """Refuse now what no passphrase could make signable; the identity that would sign.

        A reason is given, the identity exists and is not revoked, and the conversation is still
        exactly what the summary showed. ``sign`` checks all of it again.
        """
        if self.tries_left <= 0:
            raise TooManyTries(self._too_many())
        if not self.reason.strip():
            raise VeritraceError(
                "A signature needs a reason: say what was checked, or why. Nothing was signed."
            )
        if self.acknowledged.conversation_id != self.conversation_id:
            raise VeritraceError(
                f"The summary shown is of conversation {self.acknowledged.conversation_id}, not of "
                f"{self.conversation_id}; review the summary of the conversation to sign."
            )
        identity = find_identity(self.store, self.fingerprint)
        self.fingerprint = identity.fingerprint  # named in full from here on
        until = locked_until(self.store, identity.fingerprint)
        if until is not None:
            raise TooManyTries(
                f"Identity {identity.fingerprint} ({identity.name}) is locked until {until} after "
                f"{MAX_PASSPHRASE_TRIES} wrong passphrases; nothing was signed."
            )
        if identity.revoked:
            raise VeritraceError(
                f"Identity {identity.fingerprint} ({identity.name}) was revoked at {identity.revoked_at} "
                "and can no longer sign."
            )
        _, now = self.store.conversation_content(self.conversation_id)
        if now != self.acknowledged.content_sha256:
            raise VeritraceError(
                f"Conversation {self.conversation_id} changed after its summary was shown; review the "
                "summary again."
            )
        return identity

    def sign(self, passphrase: str) -> SignOff:
        """Sign with the identity's key, opened by ``passphrase``; the conversation is then locked."""
        identity = self.check()
        try:
            signer = unlock(identity, passphrase, self._folder)
        except WrongPassphraseError as error:
            self._wrong += 1
            if self.tries_left <= 0:
                self.store.log_event(
                    REFUSED_EVENT,
                    {
                        "fingerprint": identity.fingerprint,
                        "conversation_id": self.conversation_id,
                        "os_user": self.store.os_user,
                        "reason": "three wrong passphrases",
                        "at": utc_now(),
                    },
                )
                raise TooManyTries(self._too_many()) from error
            wrong = WrongPassphraseError(
                f"Wrong passphrase for identity {identity.fingerprint} ({identity.name}); "
                f"{self.tries_left} {'try' if self.tries_left == 1 else 'tries'} left."
            )
            wrong.tries_left = self.tries_left
            raise wrong from error
        return self.store.sign_off(
            self.conversation_id,
            identity_id=identity.id,
            signer=signer,
            meaning=self.meaning,
            statement=self.statement,
            reason=self.reason,
            content_sha256=self.acknowledged.content_sha256,
            key=self._key or installation_key(),
        )

    def _too_many(self) -> str:
        return (
            f"{MAX_PASSPHRASE_TRIES} wrong passphrases for identity {self.fingerprint}: the sign-off of "
            f"conversation {self.conversation_id} was refused, and the refusal recorded; the identity "
            f"signs nothing for {LOCKOUT.seconds // 60} minutes."
        )


def _now() -> datetime:
    return datetime.now(UTC)


def locked_until(store: Store, fingerprint: str) -> str | None:
    """When an identity may sign again (UTC, as recorded) after its last refusal; None: now."""
    for _, _, detail in reversed(store.events_of([REFUSED_EVENT])):
        if detail.get("fingerprint") != fingerprint or not isinstance(detail.get("at"), str):
            continue
        refused = datetime.strptime(detail["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        until = refused + LOCKOUT
        return until.strftime("%Y-%m-%dT%H:%M:%SZ") if until > _now() else None
    return None
