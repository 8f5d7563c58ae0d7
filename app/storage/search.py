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

User input never reaches FTS5's query syntax: it is always one quoted phrase (a bound
parameter), so ``"`` or ``AND (`` are searched for as text. The trigram tokenizer needs three
characters; shorter queries (two-character CJK words are common) scan the indexed text with
LIKE instead. Both ways are case-insensitive.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, text

from app.core.errors import StorageError
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

TABLE = "search_text"
SHIFT = 32  # rowid = conversation_id << SHIFT | n
MIN_TRIGRAM = 3
SNIPPET_WIDTH = 160
SNIPPET_BEFORE = 50
_BATCH = 2000
_FIELD_ORDER = {field: position for position, field in enumerate(SearchField)}
_MARKERS = str.maketrans({MATCH_START: "\ufffd", MATCH_END: "\ufffd"})


# -- availability ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fts5_problem() -> str | None:
    """Why this Python's SQLite cannot build the index, or None if it can."""
    try:
        with closing(sqlite3.connect(":memory:")) as connection:
            connection.execute("CREATE VIRTUAL TABLE probe USING fts5(body, tokenize = 'trigram')")
    except sqlite3.Error as error:
        return str(error)
    return None


def require_fts5() -> None:
    """Refuse, with a message a user can act on, to run without FTS5 and its trigram tokenizer."""
    problem = _fts5_problem()
    if problem is not None:
        raise StorageError(
            f"Veritrace needs SQLite's full-text search (FTS5 with the trigram tokenizer, SQLite 3.34 "
            f"or newer) to search the record, and this Python's SQLite {sqlite3.sqlite_version} lacks "
            f"it ({problem}). Install a Python built with a current SQLite; the record was not changed."
        )


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
            found = connection.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name = :name"), {"name": TABLE}
            ).scalar()
        return cls(bool(found))

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
                text("SELECT conversation_id FROM turns WHERE id = :id"), {"id": turn_id}
            ).scalar_one()
            chunks = connection.execute(
                text("SELECT reasoning, answer FROM turn_chunks WHERE turn_id = :id ORDER BY seq"),
                {"id": turn_id},
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
    last = connection.execute(
        text(f"SELECT rowid FROM {TABLE} WHERE rowid BETWEEN :low AND :high ORDER BY rowid DESC LIMIT 1"),
        {"low": low, "high": low + (1 << SHIFT) - 1},
    ).scalar()
    start = (last if last is not None else low) + 1
    _insert(
        connection, [(start + n, body, field, turn_id) for n, (body, field, turn_id) in enumerate(entries)]
    )


def _insert(connection: Connection, rows: list[tuple[int, str, SearchField, int | None]]) -> None:
    connection.execute(
        text(f"INSERT INTO {TABLE} (rowid, body, field, turn_id) VALUES (:rowid, :body, :field, :turn)"),
        [
            {"rowid": rowid, "body": _indexable(body), "field": str(field), "turn": turn_id}
            for rowid, body, field, turn_id in rows
        ],
    )


def rebuild(connection: Connection) -> int:
    """Recreate the index from the record; returns the number of texts indexed."""
    connection.execute(text(f"DELETE FROM {TABLE}"))
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

    for conversation_id, title in connection.execute(text("SELECT id, title FROM conversations")).all():
        add(conversation_id, title, SearchField.TITLE, None)
    for turn_id, conversation_id, prompt in connection.execute(
        text("SELECT id, conversation_id, prompt FROM turns ORDER BY id")
    ).all():
        conversation_of[turn_id] = conversation_id
        add(conversation_id, prompt, SearchField.PROMPT, turn_id)
    for turn_id, chunks in _chunks_of_ended_turns(connection):
        for body, field, _ in _outputs(turn_id, chunks):
            add(conversation_of[turn_id], body, field, turn_id)
    for turn_id, comment in connection.execute(
        text("SELECT turn_id, comment FROM annotations ORDER BY id")
    ).all():
        add(conversation_of[turn_id], comment, SearchField.ANNOTATION, turn_id)
    if pending:
        _insert(connection, pending)
    return count


def _chunks_of_ended_turns(connection: Connection) -> Iterator[tuple[int, list[Any]]]:
    """(turn id, its chunks' (reasoning, answer) in order) for every turn with an outcome."""
    rows = connection.execute(
        text(
            "SELECT c.turn_id, c.reasoning, c.answer FROM turn_chunks AS c "
            "JOIN turn_outcomes AS o ON o.turn_id = c.turn_id ORDER BY c.turn_id, c.seq"
        )
    )
    for turn_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield turn_id, [(row[1], row[2]) for row in group]


# -- searching ------------------------------------------------------------------------------


def clean_query(query: str) -> str:
    """The text actually searched for: trimmed, the index's stand-in for NUL, no match markers."""
    query = query.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates from undecodable argv
    return _indexable(query.replace(MATCH_START, "").replace(MATCH_END, "")).strip()


def _where(query: str) -> tuple[str, dict[str, str]]:
    """The WHERE clause finding ``query`` (already cleaned), and its parameters."""
    if len(query) >= MIN_TRIGRAM:
        return f"{TABLE} MATCH :phrase", {"phrase": '"' + query.replace('"', '""') + '"'}
    # LIKE folds ASCII case only: list the case variants of the other letters (two at most).
    # The ESCAPE clause also keeps the pattern away from FTS5's own LIKE support, which in
    # SQLite 3.40 finds nothing for patterns of fewer than three non-ASCII characters.
    variants = sorted({"".join(v) for v in itertools.product(*(_cases(c) for c in query))})
    clauses = " OR ".join(f"body LIKE :p{n} ESCAPE '\\'" for n in range(len(variants)))
    return f"({clauses})", {f"p{n}": "%" + _like_escape(v) + "%" for n, v in enumerate(variants)}


def _cases(character: str) -> set[str]:
    if character.isascii():
        return {character}
    forms = {character, character.lower(), character.upper()}
    forms |= {form.lower() for form in list(forms)} | {form.upper() for form in list(forms)}
    return {form for form in forms if len(form) == 1}


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_conversations(connection: Connection, query: str) -> set[int]:
    """Ids of the conversations in which ``query`` occurs anywhere indexed."""
    query = clean_query(query)
    if not query:
        return set()
    where, parameters = _where(query)
    result = connection.execute(
        text(f"SELECT DISTINCT rowid >> {SHIFT} FROM {TABLE} WHERE {where}"), parameters
    )
    return {row[0] for row in result}


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
    where, parameters = _where(query)
    chosen: list[int] = []
    last_conversation = None
    for (rowid,) in connection.execute(
        text(f"SELECT rowid FROM {TABLE} WHERE {where} ORDER BY rowid DESC"), parameters
    ):
        conversation_id = rowid >> SHIFT
        if len(chosen) >= limit and conversation_id != last_conversation:
            break
        if allowed is None or allowed(conversation_id):
            chosen.append(rowid)
            last_conversation = conversation_id
    found = [_fetch(connection, rowid) for rowid in chosen]
    turns = _lookup(connection, "SELECT id, turn_index FROM turns", {f.turn_id for f in found} - {None})
    titles = _lookup(connection, "SELECT id, title FROM conversations", {f.conversation_id for f in found})
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
        text(f"SELECT field, turn_id, body FROM {TABLE} WHERE rowid = :rowid"), {"rowid": rowid}
    ).one()
    return _Found(rowid, SearchField(field), turn_id, body)


def _lookup(connection: Connection, select: str, ids: set[Any]) -> dict[Any, Any]:
    if not ids:
        return {}
    listed = ", ".join(str(int(value)) for value in ids)  # integers only: safe to inline
    return dict(connection.execute(text(f"{select} WHERE id IN ({listed})")).all())


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
    ids = {"only": json.dumps(sorted(only))} if only is not None else {}

    def among(column: str) -> str:
        return f" AND {column} IN (SELECT value FROM json_each(:only))" if only is not None else ""

    turns = {
        row[0]: row[1:]
        for row in connection.execute(
            text(
                "SELECT t.conversation_id, t.turns, t.last_started, o.status, o.finished_at FROM "
                "(SELECT conversation_id, count(*) AS turns, max(id) AS last_id, "
                f"max(started_at) AS last_started FROM turns WHERE 1{among('conversation_id')} "
                "GROUP BY conversation_id) AS t "
                "LEFT JOIN turn_outcomes AS o ON o.turn_id = t.last_id"
            ),
            ids,
        )
    }
    models: dict[int, list[tuple[int, ModelFile]]] = defaultdict(list)
    # Distinct as ``ModelFile.key`` is: a file by its hash; a remote model (no hash now, a
    # "remote:" one before) and a file never hashed by their path. The bare columns are
    # those of the group's first turn (SQLite's min()).
    for conversation_id, sha256, path, size, first in connection.execute(
        text(
            "SELECT conversation_id, model_sha256, model_path, model_size, min(id) FROM turns "
            f"WHERE 1{among('conversation_id')} GROUP BY conversation_id, "
            "CASE WHEN model_sha256 = '' OR model_sha256 LIKE 'remote:%' THEN model_path "
            "ELSE model_sha256 END"
        ),
        ids,
    ):
        models[conversation_id].append((first, ModelFile(path, size, sha256)))
    with_images = {
        row[0]
        for row in connection.execute(
            text(
                "SELECT DISTINCT conversation_id FROM turns WHERE id IN (SELECT turn_id FROM turn_images)"
                + among("conversation_id")
            ),
            ids,
        )
    }
    signed: dict[int, str] = dict(
        connection.execute(
            text(
                f"SELECT conversation_id, max(signed_at) FROM signoffs WHERE 1{among('conversation_id')} "
                "GROUP BY conversation_id"
            ),
            ids,
        ).all()
    )
    noted: dict[int, str] = {}
    flagged: set[int] = set()
    for conversation_id, flag, created_at in connection.execute(
        text(
            "SELECT t.conversation_id, a.flag, a.created_at FROM annotations AS a "
            "JOIN turns AS t ON t.id = a.turn_id "
            "WHERE a.id IN (SELECT max(id) FROM annotations GROUP BY turn_id)" + among("t.conversation_id")
        ),
        ids,
    ):
        noted[conversation_id] = max(created_at, noted.get(conversation_id, ""))
        if flag != Flag.OK:
            flagged.add(conversation_id)
    result = []
    for conversation_id, title, created_at in connection.execute(
        text(f"SELECT id, title, created_at FROM conversations WHERE 1{among('id')} ORDER BY id DESC"), ids
    ):
        count, last_started, status, finished_at = turns.get(conversation_id, (0, None, None, None))
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
            )
        )
    return result


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
