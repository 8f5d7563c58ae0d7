"""Full-text search over the record, and the conversation summaries the session browser lists.

The index (``search_text``, an FTS5 table with the trigram tokenizer) is derived data, not part
of the record: it has no ledger entries, verification ignores it, and ``rebuild`` recreates it
from the record at any time. ``Store`` keeps it current inside the same transaction as the rows
it derives from: a conversation's title when the conversation is created, a turn's prompt when
the turn starts, its reasoning and answer once when it ends (never per saved chunk), and the
comment of each annotation.

Each indexed text's rowid is ``conversation_id * 2**32 + n``: the conversations matching a
query then come straight from the index's lists of rowids, without reading any text, which
keeps "which of 10,000 conversations mention this" fast even for a common word.

How a query finds text in the index is the engine's (``sqlite_dialect.text_matches``): user
input is always searched for as text, never as query syntax, and in any case; queries shorter
than a trigram (two-character CJK words are common) are found too.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, delete, func, insert, inspect, select

from app.core.types import (
    MATCH_END,
    MATCH_START,
    ConversationSummary,
    Flag,
    ModelFile,
    ReviewState,
    SearchField,
    SearchHit,
    SessionFilter,
    TurnStatus,
)
from app.storage.models import (
    AnnotationRow,
    ConversationRow,
    SignOffRow,
    TurnChunkRow,
    TurnImageRow,
    TurnOutcomeRow,
    TurnRow,
)
from app.storage.sqlite_dialect import SEARCH_TABLE, SEARCH_TEXT, among, require_fts5, text_matches

SHIFT = 32  # rowid = conversation_id << SHIFT | n
SNIPPET_WIDTH = 160
SNIPPET_BEFORE = 50
_BATCH = 2000
_FIELD_ORDER = {field: position for position, field in enumerate(SearchField)}
_MARKERS = str.maketrans({MATCH_START: "\ufffd", MATCH_END: "\ufffd"})


# -- keeping the index current ----------------------------------------------------------------


def _indexable(body: str) -> str:
    # FTS5's tokenizer stops at NUL: index a visible stand-in so the rest is searchable.
    return body.replace("\x00", "\ufffd")


class SearchIndex:
    """Adds the text of freshly recorded rows to the index, in the caller's transaction.

    Off when the schema has no index table, which only a Store opened with an earlier list of
    migrations sees; migration 0007 then fills the index from everything recorded before it.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def of(cls, engine: Engine) -> SearchIndex:
        require_fts5()
        with engine.connect() as connection:
            return cls(inspect(connection).has_table(SEARCH_TABLE))

    def add_title(self, connection: Connection, conversation_id: int, title: str) -> None:
        if self.enabled and title:
            _insert(connection, [(conversation_id << SHIFT, title, SearchField.TITLE, None)])

    def add_prompt(self, connection: Connection, conversation_id: int, turn_id: int, prompt: str) -> None:
        if self.enabled and prompt:
            _append(connection, conversation_id, [(prompt, SearchField.PROMPT, turn_id)])

    def add_outputs(self, connection: Connection, turn_ids: Iterable[int]) -> None:
        """Index the reasoning and answer of turns that just ended, from their saved chunks."""
        if not self.enabled:
            return
        for turn_id in turn_ids:
            conversation_id = connection.execute(
                select(TurnRow.conversation_id).where(TurnRow.id == turn_id)
            ).scalar_one()
            chunks = connection.execute(
                select(TurnChunkRow.reasoning, TurnChunkRow.answer)
                .where(TurnChunkRow.turn_id == turn_id)
                .order_by(TurnChunkRow.seq)
            ).all()
            _append(connection, conversation_id, _outputs(turn_id, chunks))

    def add_annotation(
        self, connection: Connection, conversation_id: int, turn_id: int, comment: str
    ) -> None:
        if self.enabled and comment:
            _append(connection, conversation_id, [(comment, SearchField.ANNOTATION, turn_id)])


def _outputs(turn_id: int, chunks: Iterable[Any]) -> list[tuple[str, SearchField, int]]:
    parts = list(chunks)
    reasoning = "".join(part[0] for part in parts)
    answer = "".join(part[1] for part in parts)
    found = [(reasoning, SearchField.REASONING, turn_id), (answer, SearchField.ANSWER, turn_id)]
    return [entry for entry in found if entry[0]]


def _append(
    connection: Connection, conversation_id: int, entries: list[tuple[str, SearchField, int]]
) -> None:
    """Give each entry the next free rowid of its conversation (the title has n = 0)."""
    if not entries:
        return
    low = conversation_id << SHIFT
    rowid = SEARCH_TEXT.c.rowid
    last = connection.execute(
        select(rowid).where(rowid.between(low, low + (1 << SHIFT) - 1)).order_by(rowid.desc()).limit(1)
    ).scalar()
    start = (last if last is not None else low) + 1
    _insert(
        connection, [(start + n, body, field, turn_id) for n, (body, field, turn_id) in enumerate(entries)]
    )


def _insert(connection: Connection, rows: list[tuple[int, str, SearchField, int | None]]) -> None:
    connection.execute(
        insert(SEARCH_TEXT),
        [
            {"rowid": rowid, "body": _indexable(body), "field": str(field), "turn_id": turn_id}
            for rowid, body, field, turn_id in rows
        ],
    )


def rebuild(connection: Connection) -> int:
    """Recreate the index from the record; returns the number of texts indexed."""
    connection.execute(delete(SEARCH_TEXT))
    conversation_of: dict[int, int] = {}
    next_n: dict[int, int] = defaultdict(lambda: 1)
    pending: list[tuple[int, str, SearchField, int | None]] = []
    count = 0

    def add(conversation_id: int, body: str, field: SearchField, turn_id: int | None) -> None:
        nonlocal count
        if not body:
            return
        if field == SearchField.TITLE:
            rowid = conversation_id << SHIFT
        else:
            rowid = (conversation_id << SHIFT) + next_n[conversation_id]
            next_n[conversation_id] += 1
        pending.append((rowid, body, field, turn_id))
        count += 1
        if len(pending) >= _BATCH:
            _insert(connection, pending)
            pending.clear()

    for conversation_id, title in connection.execute(select(ConversationRow.id, ConversationRow.title)).all():
        add(conversation_id, title, SearchField.TITLE, None)
    for turn_id, conversation_id, prompt in connection.execute(
        select(TurnRow.id, TurnRow.conversation_id, TurnRow.prompt).order_by(TurnRow.id)
    ).all():
        conversation_of[turn_id] = conversation_id
        add(conversation_id, prompt, SearchField.PROMPT, turn_id)
    for turn_id, chunks in _chunks_of_ended_turns(connection):
        for body, field, _ in _outputs(turn_id, chunks):
            add(conversation_of[turn_id], body, field, turn_id)
    for turn_id, comment in connection.execute(
        select(AnnotationRow.turn_id, AnnotationRow.comment).order_by(AnnotationRow.id)
    ).all():
        add(conversation_of[turn_id], comment, SearchField.ANNOTATION, turn_id)
    if pending:
        _insert(connection, pending)
    return count


def _chunks_of_ended_turns(connection: Connection) -> Iterator[tuple[int, list[Any]]]:
    """(turn id, its chunks' (reasoning, answer) in order) for every turn with an outcome."""
    rows = connection.execute(
        select(TurnChunkRow.turn_id, TurnChunkRow.reasoning, TurnChunkRow.answer)
        .join(TurnOutcomeRow, TurnOutcomeRow.turn_id == TurnChunkRow.turn_id)
        .order_by(TurnChunkRow.turn_id, TurnChunkRow.seq)
    )
    for turn_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield turn_id, [(row[1], row[2]) for row in group]


# -- searching ------------------------------------------------------------------------------


def clean_query(query: str) -> str:
    """The text actually searched for: trimmed, the index's stand-in for NUL, no match markers."""
    query = query.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates from undecodable argv
    return _indexable(query.replace(MATCH_START, "").replace(MATCH_END, "")).strip()


def matching_conversations(connection: Connection, query: str) -> set[int]:
    """Ids of the conversations in which ``query`` occurs anywhere indexed."""
    query = clean_query(query)
    if not query:
        return set()
    conversation = SEARCH_TEXT.c.rowid.op(">>")(SHIFT)
    return set(connection.scalars(select(conversation).distinct().where(text_matches(query))))


@dataclass(frozen=True)
class _Found:
    rowid: int
    field: SearchField
    turn_id: int | None
    body: str

    @property
    def conversation_id(self) -> int:
        return self.rowid >> SHIFT


def hits(
    connection: Connection,
    query: str,
    allowed: Callable[[int], bool] | None = None,
    limit: int = 200,
) -> list[SearchHit]:
    """Where ``query`` occurs: newest conversation first, then in reading order within one.

    ``allowed`` restricts the conversations (by id). At most ``limit`` hits; the last
    conversation's earliest hits are kept when the limit falls inside it.
    """
    query = clean_query(query)
    if not query or limit <= 0:
        return []
    chosen: list[int] = []
    last_conversation = None
    rowids = SEARCH_TEXT.c.rowid
    for rowid in connection.scalars(select(rowids).where(text_matches(query)).order_by(rowids.desc())):
        conversation_id = rowid >> SHIFT
        if len(chosen) >= limit and conversation_id != last_conversation:
            break
        if allowed is None or allowed(conversation_id):
            chosen.append(rowid)
            last_conversation = conversation_id
    found = [_fetch(connection, rowid) for rowid in chosen]
    turns = _lookup(connection, TurnRow.id, TurnRow.turn_index, {f.turn_id for f in found} - {None})
    titles = _lookup(
        connection, ConversationRow.id, ConversationRow.title, {f.conversation_id for f in found}
    )
    found.sort(key=lambda f: (-f.conversation_id, turns.get(f.turn_id, -1), _FIELD_ORDER[f.field], f.rowid))
    return [
        SearchHit(
            conversation_id=f.conversation_id,
            conversation_title=titles.get(f.conversation_id, ""),
            turn_id=f.turn_id,
            turn_index=turns.get(f.turn_id),
            field=f.field,
            snippet=snippet(f.body, query),
        )
        for f in found[:limit]
    ]


def _fetch(connection: Connection, rowid: int) -> _Found:
    field, turn_id, body = connection.execute(
        select(SEARCH_TEXT.c.field, SEARCH_TEXT.c.turn_id, SEARCH_TEXT.c.body).where(
            SEARCH_TEXT.c.rowid == rowid
        )
    ).one()
    return _Found(rowid, SearchField(field), turn_id, body)


def _lookup(connection: Connection, key: Any, value: Any, ids: set[Any]) -> dict[Any, Any]:
    """``value`` by ``key`` for the rows whose key is in ``ids``."""
    if not ids:
        return {}
    return dict(connection.execute(select(key, value).where(among(key, sorted(ids)))).all())


def snippet(body: str, query: str, width: int = SNIPPET_WIDTH) -> str:
    """A one-line excerpt of ``body`` around the first match, every match in it marked."""
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    body = body.translate(_MARKERS)  # the markers must be the only marker characters
    first = pattern.search(body)
    start = 0 if first is None else max(0, first.start() - SNIPPET_BEFORE)
    if start > 0:  # begin at a word if one starts shortly after the cut
        space = body.find(" ", start, start + 15)
        if space != -1 and (first is None or space < first.start()):
            start = space + 1
    end = min(len(body), start + width)
    if first is not None:
        end = max(end, first.end())
    window = body[start:end]
    marked = pattern.sub(lambda match: MATCH_START + match.group(0) + MATCH_END, window)
    marked = re.sub(r"\s", " ", marked).strip()  # one line; one space per space keeps the matches whole
    return ("…" if start > 0 else "") + marked + ("…" if end < len(body) else "")


# -- browsing -------------------------------------------------------------------------------


def summaries(connection: Connection, only: Collection[int] | None = None) -> list[ConversationSummary]:
    """Every conversation (or those in ``only``), newest first, from a few grouped queries.

    Never one query per conversation. ``only`` narrows every query through the indexes by
    conversation, so the conversations a search matched cost what they are, not what the record is.
    """
    turns = {row[0]: row[1:] for row in connection.execute(_turn_totals(only))}
    first_use: dict[tuple[int, str], tuple[int, ModelFile]] = {}
    for conversation_id, sha256, path, size, first in connection.execute(_models_used(only)):
        # Distinct as ``ModelFile.key`` is: a file by its hash; a remote model (no hash now, a
        # "remote:" one before) and a file never hashed by their path; each with the path and
        # size the conversation's first turn with it recorded.
        key = (conversation_id, path if sha256 == "" or sha256[:7].lower() == "remote:" else sha256)
        if key not in first_use or first < first_use[key][0]:
            first_use[key] = (first, ModelFile(path, size, sha256))
    models: dict[int, list[tuple[int, ModelFile]]] = defaultdict(list)
    for (conversation_id, _), used in first_use.items():
        models[conversation_id].append(used)
    with_images = set(
        connection.scalars(
            select(TurnRow.conversation_id)
            .distinct()
            .where(TurnRow.id.in_(select(TurnImageRow.turn_id)), *_among(TurnRow.conversation_id, only))
        )
    )
    signed: dict[int, str] = dict(
        connection.execute(
            select(SignOffRow.conversation_id, func.max(SignOffRow.signed_at))
            .where(*_among(SignOffRow.conversation_id, only))
            .group_by(SignOffRow.conversation_id)
        ).all()
    )
    noted: dict[int, str] = {}
    flagged: set[int] = set()
    latest_notes = select(func.max(AnnotationRow.id)).group_by(AnnotationRow.turn_id)
    for conversation_id, flag, created_at in connection.execute(
        select(TurnRow.conversation_id, AnnotationRow.flag, AnnotationRow.created_at)
        .select_from(AnnotationRow)
        .join(TurnRow, TurnRow.id == AnnotationRow.turn_id)
        .where(AnnotationRow.id.in_(latest_notes), *_among(TurnRow.conversation_id, only))
    ):
        noted[conversation_id] = max(created_at, noted.get(conversation_id, ""))
        if flag != Flag.OK:
            flagged.add(conversation_id)
    result = []
    for conversation_id, title, created_at in connection.execute(
        select(ConversationRow.id, ConversationRow.title, ConversationRow.created_at)
        .where(*_among(ConversationRow.id, only))
        .order_by(ConversationRow.id.desc())
    ):
        count, last_started, status, finished_at, finish_reason, error = turns.get(
            conversation_id, (0, None, None, None, None, None)
        )
        state = (
            ReviewState.SIGNED
            if conversation_id in signed
            else ReviewState.ANNOTATED
            if conversation_id in noted
            else ReviewState.UNREVIEWED
        )
        moments = (
            created_at,
            last_started,
            finished_at,
            noted.get(conversation_id),
            signed.get(conversation_id),
        )
        result.append(
            ConversationSummary(
                id=conversation_id,
                title=title,
                created_at=created_at,
                turn_count=count,
                last_status=(TurnStatus(status) if status else TurnStatus.RUNNING) if count else None,
                review_state=state,
                flagged=conversation_id in flagged,
                has_images=conversation_id in with_images,
                models=tuple(model for _, model in sorted(models.get(conversation_id, []))),
                last_activity=max(moment for moment in moments if moment),
                last_finish_reason=finish_reason,
                last_error=error,
            )
        )
    return result


def _among(column: Any, only: Collection[int] | None) -> list[ColumnElement[bool]]:
    """The condition keeping ``column`` to the conversations in ``only`` (none without it)."""
    return [] if only is None else [among(column, sorted(only))]


def _turn_totals(only: Collection[int] | None) -> Select:
    """(conversation, turns, latest start, the last turn's status, end, finish reason and error)
    per conversation."""
    per_conversation = (
        select(
            TurnRow.conversation_id,
            func.count().label("turns"),
            func.max(TurnRow.id).label("last_id"),
            func.max(TurnRow.started_at).label("last_started"),
        )
        .where(*_among(TurnRow.conversation_id, only))
        .group_by(TurnRow.conversation_id)
        .subquery()
    )
    return select(
        per_conversation.c.conversation_id,
        per_conversation.c.turns,
        per_conversation.c.last_started,
        TurnOutcomeRow.status,
        TurnOutcomeRow.finished_at,
        TurnOutcomeRow.finish_reason,
        TurnOutcomeRow.error,
    ).outerjoin_from(per_conversation, TurnOutcomeRow, TurnOutcomeRow.turn_id == per_conversation.c.last_id)


def _models_used(only: Collection[int] | None) -> Select:
    """(conversation, model hash, path, size, the first turn naming them) per model file named."""
    return (
        select(
            TurnRow.conversation_id,
            TurnRow.model_sha256,
            TurnRow.model_path,
            TurnRow.model_size,
            func.min(TurnRow.id),
        )
        .where(*_among(TurnRow.conversation_id, only))
        .group_by(TurnRow.conversation_id, TurnRow.model_sha256, TurnRow.model_path, TurnRow.model_size)
    )


def browse(connection: Connection, session_filter: SessionFilter) -> list[ConversationSummary]:
    """The conversations ``session_filter`` accepts, newest first."""
    if session_filter.text.strip():
        matching = matching_conversations(connection, session_filter.text)
        found = summaries(connection, matching) if matching else []
    else:
        found = summaries(connection)
    return [summary for summary in found if session_filter.accepts(summary)]


def search(
    connection: Connection,
    query: str,
    session_filter: SessionFilter | None,
    limit: int,
    within: Collection[int] | None = None,
) -> list[SearchHit]:
    """Hits for ``query`` in the conversations the filter's other criteria accept (and ``within``)."""
    allowed: Callable[[int], bool] | None = None
    if session_filter is not None and session_filter.narrows:
        accepted = {summary.id for summary in summaries(connection) if session_filter.accepts(summary)}
        allowed = accepted.__contains__
    if within is not None:
        ids = within if isinstance(within, set | frozenset) else set(within)
        allowed = ids.__contains__ if allowed is None else (lambda c, a=allowed: a(c) and c in ids)
    return hits(connection, query, allowed, limit)
