"""The session browser's storage: summaries, filters and the full-text index over the record."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.core.errors import StorageError
from app.core.types import (
    MATCH_END,
    MATCH_START,
    Flag,
    Meaning,
    ModelFile,
    ReviewState,
    SearchField,
    SessionFilter,
    Turn,
    TurnStatus,
)
from app.storage import ledger, migrations, search, sqlite_dialect
from app.storage import repository as repository_module
from app.storage.repository import Store
from tests.fixtures.old_records import make_old_record, steps_except, steps_through
from tests.fixtures.search_records import MAGISTRAL, MODELS, QWEN, SMOL, begin, run_turn
from tests.fixtures.signers import person, store_sign


class Clock:
    """The Store's clock, set by the test: conversations on chosen days."""

    def __init__(self) -> None:
        self.day = date(2026, 1, 1)
        self.tick = 0

    def __call__(self) -> str:
        self.tick += 1
        return f"{self.day.isoformat()}T10:{self.tick // 60 % 60:02d}:{self.tick % 60:02d}.000Z"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "record.db")
    yield opened
    opened.close()


def where(hits: Sequence[object]) -> set[tuple[int, int | None, str]]:
    return {(h.conversation_id, h.turn_id, str(h.field)) for h in hits}  # type: ignore[attr-defined]


def index_entries(store: Store) -> list[tuple[int, str, int | None, str]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT rowid >> {search.SHIFT}, field, turn_id, body FROM search_text")
        ).all()
    return sorted((row[0], row[1], row[2], row[3]) for row in rows)


# -- keeping the index current --------------------------------------------------------------


def test_each_text_is_indexed_when_it_is_recorded_and_outputs_only_once_ended(store: Store) -> None:
    turn = begin(store, None, "Does clause 14 survive termination?", title="Supply agreement")
    assert where(store.search("clause 14")) == {(turn.conversation_id, turn.id, "prompt")}
    assert where(store.search("supply agreement")) == {(turn.conversation_id, None, "title")}

    store.append_output(turn.id, 0, "[THINK]Survival clauses", "Survival clauses", "")
    store.append_output(turn.id, 1, " usually persist[/THINK]Yes.", " usually persist", "It survives.")
    assert store.search("usually persist") == [], "saved chunks are not indexed one by one"
    store.finish_turn(turn.id, TurnStatus.COMPLETED, finish_reason="stop")
    assert where(store.search("clauses usually")) == {(turn.conversation_id, turn.id, "reasoning")}
    assert where(store.search("it survives")) == {(turn.conversation_id, turn.id, "answer")}

    store.annotate(turn.id, Flag.CONCERN, "Check the governing-law carve-out", "bob")
    assert where(store.search("carve-out")) == {(turn.conversation_id, turn.id, "annotation")}

    bob, bob_key = person(store, "Bob Reviewer")
    store_sign(store, turn.conversation_id, bob, bob_key, Meaning.REVIEWED, "read it all")
    continued = store.continue_conversation(turn.conversation_id, "bob")
    assert (continued, None, "title") in where(store.search("Continued: Supply"))
    assert store.verify().intact


def test_an_interrupted_turn_is_indexed_with_the_output_it_saved(store: Store) -> None:
    turn = begin(store, None, "Long question")
    store.append_output(turn.id, 0, "[THINK]half a thought", "half a thought", "")
    assert store.search("half a thought") == []
    assert store.mark_interrupted() == [turn.id]
    assert where(store.search("half a thought")) == {(turn.conversation_id, turn.id, "reasoning")}


def test_the_index_is_derived_data_outside_the_ledger(store: Store) -> None:
    run_turn(store, None, "Is the cap enforceable?", "Caps are usually enforceable", "Yes.")
    with store.engine.connect() as connection:
        objects = {row[0] for row in connection.execute(text("SELECT DISTINCT object_type FROM ledger"))}
        triggers = {
            row[0]
            for row in connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'search%'")
            )
        }
        rows = sum(
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in ledger.TABLES
        )
    assert "search_text" not in ledger.TABLES and not any("search" in kind for kind in objects)
    assert triggers == set()
    result = store.verify()
    assert result.intact and result.entries == rows, "one ledger entry per recorded row, none for the index"


def test_the_store_keeps_the_index_equal_to_a_rebuild_from_the_record(store: Store) -> None:
    first = run_turn(store, None, "Prompt one", "Reasoning one", "Answer one", title="Matter A")
    run_turn(store, first.conversation_id, "Prompt two", "Reasoning two", "", model=QWEN)
    store.annotate(first.id, Flag.OK, "fine", "bob")
    store.annotate(first.id, Flag.ERROR, "on reflection, wrong", "bob")
    store.create_conversation("Empty matter", "alice")
    orphan = begin(store, None, "Never finished", title="Matter B")
    store.append_output(orphan.id, 0, "[THINK]partial", "partial", "")
    store.mark_interrupted()
    store.continue_conversation(first.conversation_id, "bob")
    incremental = index_entries(store)
    with store.engine.begin() as connection:
        count = search.rebuild(connection)
    assert index_entries(store) == incremental and count == len(incremental) == 13


def test_an_old_record_is_indexed_when_it_is_upgraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    # Today's ORM writes the columns later migrations added: the old file has them too.
    before_search = steps_except("0007_search")
    make_old_record(path, before_search)
    monkeypatch.setattr(migrations, "MIGRATIONS", before_search)
    old = Store(path)
    assert not old.index.enabled
    done = run_turn(old, None, "Which law governs?", "English law is chosen", "English law.", title="Venue")
    old.annotate(done.id, Flag.CONCERN, "Brexit wording", "bob")
    running = begin(old, done.conversation_id, "And the venue?")
    old.append_output(running.id, 0, "[THINK]London seat", "London seat", "")
    old.close()
    with sqlite3.connect(path) as connection:
        found = connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 'search_text'").fetchone()
    assert found == (0,)
    connection.close()
    monkeypatch.undo()

    upgraded = Store(path)
    conversation = done.conversation_id
    assert upgraded.index.enabled
    assert where(upgraded.search("venue")) == {
        (conversation, None, "title"),
        (conversation, running.id, "prompt"),
    }
    assert where(upgraded.search("english law")) == {
        (conversation, done.id, "reasoning"),
        (conversation, done.id, "answer"),
    }
    assert where(upgraded.search("brexit")) == {(conversation, done.id, "annotation")}
    assert upgraded.search("london seat") == [], "a turn still open is indexed when it ends"
    upgraded.mark_interrupted()
    assert where(upgraded.search("london seat")) == {(conversation, running.id, "reasoning")}
    assert upgraded.verify().intact
    with upgraded.engine.connect() as connection:
        applied = connection.execute(
            text("SELECT detail_json FROM events WHERE kind = 'database.migrated'")
        ).scalar_one()
    assert "0007_search" in applied and "0006_events" not in applied
    upgraded.close()


def test_a_python_without_fts5_gets_a_clear_message_and_the_record_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    make_old_record(path, steps_through("0006_events"))
    monkeypatch.setattr(sqlite_dialect, "_fts5_problem", lambda: "no such module: fts5")
    with pytest.raises(StorageError, match=r"needs SQLite's full-text search \(FTS5") as raised:
        Store(path)
    assert "record was not changed" in str(raised.value)
    with sqlite3.connect(path) as connection:
        applied = {row[0] for row in connection.execute("SELECT name FROM schema_migrations")}
    connection.close()
    assert "0007_search" not in applied and len(applied) == 6
    with pytest.raises(StorageError, match="FTS5"):
        Store(tmp_path / "new.db")


def test_browsing_queries_read_indexes_not_turn_rows(store: Store) -> None:
    run_turn(store, None, "p", "r", "a")
    browsing = [
        str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
        for only in (None, [1, 2])
        for query in (search._turn_totals(only), search._models_used(only))
    ]
    with store.engine.connect() as connection:
        plans = [
            " ".join(str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {query}")))
            for query in (
                *browsing,
                "SELECT id FROM annotations WHERE turn_id IN (1, 2)",
                "SELECT id FROM signoffs WHERE conversation_id = 1",
            )
        ]
    assert all("COVERING INDEX ix_turns_browse" in plan for plan in plans[:4]), plans
    assert "SCAN turns " not in " ".join(plans[2:4]), "narrowed to some conversations: searched, not scanned"
    assert "ix_annotations_turn" in plans[4] and re.search(
        r"INDEX ix_signoffs_\w+ \(conversation_id=", plans[5]
    ), plans


# -- summaries and filters ---------------------------------------------------------------


@dataclass
class Planned:
    """What the test made of one conversation, to compute every filter's expected result."""

    id: int
    day: date
    models: list[ModelFile]
    images: bool = False
    noted: bool = False
    flagged: bool = False
    signed: bool = False
    words: list[str] = field(default_factory=list)

    @property
    def state(self) -> ReviewState:
        if self.signed:
            return ReviewState.SIGNED
        return ReviewState.ANNOTATED if self.noted else ReviewState.UNREVIEWED


@pytest.fixture(scope="module")
def planned_record(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, list[Planned]]]:
    """240 conversations over 90 days: three models, images, notes, flags, sign-offs (read only)."""
    store = Store(tmp_path_factory.mktemp("planned") / "record.db")
    clock = Clock()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(repository_module, "utc_now", clock)
        made = _plan(store, clock)
    yield store, made
    store.close()


def _plan(store: Store, clock: Clock) -> list[Planned]:
    made = []
    bob, bob_key = person(store, "Bob Reviewer")
    for i in range(240):
        clock.day = date(2026, 1, 1) + timedelta(days=i % 90)
        model = MODELS[i % 3]
        word = "alpha" if i % 2 else "beta"
        first = run_turn(
            store,
            None,
            f"Matter {i:04d}: review the {word} clause",
            f"Considering matter {i:04d} carefully",
            f"Answer for matter {i:04d}.",
            model=model,
            title=f"Matter {i:04d}",
            images=1 if i % 7 == 0 else 0,
        )
        plan = Planned(first.conversation_id, clock.day, [model], images=i % 7 == 0, words=[word])
        if i % 11 == 0:
            second = MODELS[(i + 1) % 3]
            run_turn(store, plan.id, "Follow-up on gamma", "More thought", "More.", model=second)
            plan.models.append(second)
            plan.words.append("gamma")
        if i % 4 == 1:
            flag = Flag.CONCERN if i % 8 == 1 else Flag.OK
            store.annotate(first.id, flag, f"Note on matter {i:04d}", "bob")
            plan.noted, plan.flagged = True, flag != Flag.OK
            if i % 16 == 1:  # the later note supersedes the concern
                store.annotate(first.id, Flag.OK, "Resolved after a call", "bob")
                plan.flagged = False
        if i % 5 == 2:
            store_sign(store, plan.id, bob, bob_key, Meaning.APPROVED, "checked")
            plan.signed = True
        made.append(plan)
    return made


@pytest.mark.slow
def test_summaries_carry_review_state_models_images_and_activity(
    planned_record: tuple[Store, list[Planned]],
) -> None:
    store, planned = planned_record
    summaries = store.list_conversations()
    assert [s.id for s in summaries] == sorted((p.id for p in planned), reverse=True)
    assert summaries == store.browse()
    by_id = {s.id: s for s in summaries}
    for plan in planned:
        summary = by_id[plan.id]
        assert summary.review_state == plan.state, plan
        assert summary.flagged == plan.flagged, plan
        assert summary.has_images == plan.images, plan
        assert summary.models == tuple(plan.models), plan
        assert summary.turn_count == len(plan.models)
        assert summary.last_status == TurnStatus.COMPLETED
        assert summary.created_at.startswith(plan.day.isoformat())
        assert summary.last_activity >= summary.created_at
    assert {s.review_state for s in summaries} == set(ReviewState)
    assert any(s.flagged for s in summaries)


@pytest.mark.parametrize(
    ("criteria", "accepts"),
    [
        ({}, lambda p: True),
        ({"date_from": date(2026, 2, 1)}, lambda p: p.day >= date(2026, 2, 1)),
        ({"date_to": date(2026, 1, 10)}, lambda p: p.day <= date(2026, 1, 10)),
        (
            {"date_from": date(2026, 1, 5), "date_to": date(2026, 1, 5)},
            lambda p: p.day == date(2026, 1, 5),
        ),
        ({"model": QWEN.sha256}, lambda p: QWEN in p.models),
        ({"model": MAGISTRAL.sha256[:12].upper()}, lambda p: MAGISTRAL in p.models),
        ({"model": "smollm2"}, lambda p: SMOL in p.models),
        ({"model": "no-such-model"}, lambda p: False),
        ({"review_state": ReviewState.UNREVIEWED}, lambda p: p.state == ReviewState.UNREVIEWED),
        ({"review_state": ReviewState.ANNOTATED}, lambda p: p.state == ReviewState.ANNOTATED),
        ({"review_state": ReviewState.SIGNED}, lambda p: p.signed),
        ({"flagged_only": True}, lambda p: p.flagged),
        ({"text": "ALPHA"}, lambda p: "alpha" in p.words),
        ({"text": "gamma"}, lambda p: "gamma" in p.words),
        (
            {"text": "beta", "model": "qwen3", "review_state": ReviewState.SIGNED},
            lambda p: "beta" in p.words and QWEN in p.models and p.signed,
        ),
        (
            {"flagged_only": True, "date_from": date(2026, 2, 1), "text": "matter"},
            lambda p: p.flagged and p.day >= date(2026, 2, 1),
        ),
    ],
)
def test_every_filter_selects_exactly_the_planned_conversations(
    planned_record: tuple[Store, list[Planned]], criteria: dict[str, object], accepts: object
) -> None:
    store, planned = planned_record
    chosen = SessionFilter(**criteria)  # type: ignore[arg-type]
    expected = sorted((p.id for p in planned if accepts(p)), reverse=True)  # type: ignore[operator]
    assert [s.id for s in store.browse(chosen)] == expected
    if chosen.text:
        hits = store.search(chosen.text, chosen, limit=10_000)
        assert {h.conversation_id for h in hits} == set(expected)
        matching = store.conversations_matching(chosen.text)
        assert set(expected) <= matching and matching == {
            s.id for s in store.browse(SessionFilter(text=chosen.text))
        }


def test_hits_come_newest_first_in_reading_order_and_respect_the_limit(
    planned_record: tuple[Store, list[Planned]],
) -> None:
    store, planned = planned_record
    every = store.search("matter", limit=10_000)
    # Each conversation: title, then the first turn's prompt, reasoning, answer, then notes.
    assert len(every) == sum(4 + p.noted for p in planned)
    order = [(-h.conversation_id, h.turn_index if h.turn_index is not None else -1) for h in every]
    assert order == sorted(order)
    newest = planned[-1].id
    assert [h.field for h in every[:4]] == [
        SearchField.TITLE,
        SearchField.PROMPT,
        SearchField.REASONING,
        SearchField.ANSWER,
    ]
    assert {h.conversation_id for h in every[:4]} == {newest}
    assert every[0].conversation_title == "Matter 0239"
    limited = store.search("matter", limit=50)
    assert len(limited) == 50 and limited == every[:50]
    signed = store.search("matter", SessionFilter(review_state=ReviewState.SIGNED), limit=10_000)
    assert {h.conversation_id for h in signed} == {p.id for p in planned if p.signed}
    chosen = {planned[2].id, planned[100].id, planned[102].id}  # two of them signed
    within = store.search("matter", limit=10_000, within=chosen)
    assert {h.conversation_id for h in within} == chosen and within == [
        h for h in every if h.conversation_id in chosen
    ]
    both = store.search("matter", SessionFilter(review_state=ReviewState.SIGNED), limit=10_000, within=chosen)
    assert {h.conversation_id for h in both} == {planned[2].id, planned[102].id}


# -- queries: short, CJK, case, hostile, markers -----------------------------------------------


@pytest.fixture
def corpus(store: Store) -> dict[str, Turn]:
    texts = {
        "chinese": ("合同第十四条在终止后是否继续有效？", "根据法律，该条款继续有效。", "是的。"),
        "japanese": ("契約の準拠法は何ですか", "日本法が準拠法です", "日本法です。"),
        "greek": ("Ποιο δίκαιο ΙΣΧΎΕΙ;", "Το ελληνικό δίκαιο ισχύει", "Ωμέγα."),
        "german": ("Gilt die Haftungsbeschränkung?", "GROSSE Fahrlässigkeit ausgenommen", "Ja, 100% sicher."),
        "symbols": ('Say "AND (" or NEAR(x) * ^start', "snake_case and 50% off", "C:\\path\\file"),
    }
    made = {}
    for name, (prompt, reasoning, answer) in texts.items():
        made[name] = run_turn(store, None, prompt, reasoning, answer, title=name.capitalize())
    return made


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("合同", {("chinese", "prompt")}),  # two CJK characters: below the trigram, a LIKE scan
        (
            "法",
            {("chinese", "reasoning"), *(("japanese", part) for part in ("prompt", "reasoning", "answer"))},
        ),
        ("继续有效", {("chinese", "prompt"), ("chinese", "reasoning")}),
        ("準拠法", {("japanese", "prompt"), ("japanese", "reasoning")}),
        ("ισχύει", {("greek", "prompt"), ("greek", "reasoning")}),  # Unicode case folding, trigram
        ("ΩΜ", {("greek", "answer")}),  # and below the trigram
        ("ωμ", {("greek", "answer")}),
        ("haftungsbeschränkung", {("german", "prompt")}),
        ("ja", {("german", "answer"), ("japanese", "title")}),
        ("%", {("german", "answer"), ("symbols", "reasoning")}),
        ("0%", {("german", "answer"), ("symbols", "reasoning")}),
        ("_", {("symbols", "reasoning")}),
        ("\\", {("symbols", "answer")}),
        ('"', {("symbols", "prompt")}),
        ('"AND ("', {("symbols", "prompt")}),
        ("AND (", {("symbols", "prompt")}),
        ("NEAR(x)", {("symbols", "prompt")}),
        ("* ^start", {("symbols", "prompt")}),
        ("  ^start  ", {("symbols", "prompt")}),
        ("OR", {("symbols", "prompt")}),
        ("x OR y", set()),
        ("'; DROP TABLE turns; --", set()),
        ("body:snake", set()),
        ("{body}", set()),
        ("\ud800case", {("symbols", "reasoning")}),  # a lone surrogate from undecodable input
        (MATCH_START + "snake" + MATCH_END, {("symbols", "reasoning")}),
        ("", set()),
        ("   ", set()),
    ],
)
def test_short_cjk_case_and_hostile_queries(
    store: Store, corpus: dict[str, Turn], query: str, expected: set[tuple[str, str]]
) -> None:
    names = {turn.conversation_id: name for name, turn in corpus.items()}
    hits = store.search(query)
    assert {(names[h.conversation_id], str(h.field)) for h in hits} == expected
    browsed = {s.id for s in store.browse(SessionFilter(text=query))}
    if query.strip():
        assert browsed == {corpus[name].conversation_id for name, _ in expected}
    else:  # no text: no text criterion
        assert browsed == {turn.conversation_id for turn in corpus.values()}


def test_text_after_a_nul_character_is_still_found(store: Store) -> None:
    turn = run_turn(store, None, "before\x00after the NUL", "r", "a")
    assert where(store.search("after the")) == {(turn.conversation_id, turn.id, "prompt")}
    assert where(store.search("\x00after")) == {(turn.conversation_id, turn.id, "prompt")}


def test_snippets_mark_every_match_and_cannot_be_confused_by_recorded_markers(store: Store) -> None:
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6
    reasoning = (
        f"{filler}The Liability cap\nis twelve months; liability for fraud {MATCH_START}x{MATCH_END} "
        f"is not capped. {filler}"
    )
    turn = run_turn(store, None, "cap?", reasoning, "")
    [hit] = store.search("LIABILITY")
    assert hit.field == SearchField.REASONING and hit.turn_id == turn.id and hit.turn_index == 0
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "\n" not in hit.snippet and len(hit.plain()) < 200
    plain = hit.plain()
    assert [plain[a:b] for a, b in hit.spans()] == ["Liability", "liability"]
    assert hit.snippet.count(MATCH_START) == hit.snippet.count(MATCH_END) == 2
    assert "\ufffdx\ufffd" in plain, "marker characters in the record are neutralised"
    assert hit.to_json()["matches"] == [list(span) for span in hit.spans()]


def test_a_match_late_in_a_long_trace_gets_a_snippet_around_it(store: Store) -> None:
    reasoning = "word " * 5000 + "needle in the haystack" + " word" * 5000
    run_turn(store, None, "find it", reasoning, "")
    [hit] = store.search("needle")
    assert MATCH_START + "needle" + MATCH_END in hit.snippet and len(hit.snippet) < 220


# -- any query agrees with a plain scan of the same texts ----------------------------------------

ALPHABET = "aAbBäÄωΩ合同法 \"*()%_\\^:-'\n"
TEXTS = st.text(alphabet=ALPHABET, min_size=0, max_size=40)


@pytest.fixture(scope="module")
def random_record(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[int, list[str]]]]:
    """30 conversations of random text from a small alphabet full of syntax characters."""
    import random

    rng = random.Random(7)
    opened = Store(tmp_path_factory.mktemp("random") / "record.db")
    bodies: dict[int, list[str]] = {}
    for _ in range(30):
        prompt, reasoning, answer = (
            "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(3)
        )
        turn = run_turn(opened, None, prompt, reasoning, answer, title="t")
        bodies[turn.conversation_id] = [prompt, reasoning, answer]
    yield opened, bodies
    opened.close()


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=TEXTS)
def test_any_query_finds_exactly_the_texts_containing_it(
    random_record: tuple[Store, dict[int, list[str]]], query: str
) -> None:
    store, bodies = random_record
    wanted = query.strip()
    pattern = re.compile(re.escape(wanted), re.IGNORECASE)
    expected = {
        (conversation, position)
        for conversation, texts in bodies.items()
        for position, body in enumerate(texts)
        if wanted and pattern.search(body)
    }
    fields = [SearchField.PROMPT, SearchField.REASONING, SearchField.ANSWER]
    hits = [h for h in store.search(query, limit=10_000) if h.field != SearchField.TITLE]
    assert {(h.conversation_id, fields.index(h.field)) for h in hits} == expected
    shown = re.compile(re.escape(re.sub(r"\s", " ", wanted)), re.IGNORECASE)  # snippets are one line
    for hit in hits:
        plain = hit.plain()
        assert hit.spans() and all(shown.fullmatch(plain[a:b]) for a, b in hit.spans()), hit


def test_summaries_of_some_conversations_are_those_of_all_narrowed(tmp_path: Path) -> None:
    store = Store(tmp_path / "narrow.db")
    reviewer, reviewer_key = person(store, "Dr. R")
    for index in range(12):
        turn = run_turn(
            store,
            None,
            f"Question {index} about {'indemnity' if index % 3 == 0 else 'warranty'}",
            "Reasoning about the clause.",
            f"Answer {index}.",
            title=f"Matter {index}",
            model=QWEN if index % 2 else MAGISTRAL,
            images=1 if index % 4 == 0 else 0,
        )
        if index % 5 == 0:
            store.annotate(turn.id, Flag.CONCERN, "check", "Dr. R")
        if index % 6 == 0:
            store_sign(store, turn.conversation_id, reviewer, reviewer_key, Meaning.APPROVED, "ok")
    with store.engine.connect() as connection:
        every = search.summaries(connection)
        for some in ({1}, {2, 5, 11}, set(range(1, 13)), set()):
            assert search.summaries(connection, some) == [s for s in every if s.id in some]
    matching = store.conversations_matching("indemnity")
    assert len(matching) == 4
    assert store.browse(SessionFilter(text="indemnity")) == [s for s in every if s.id in matching]
    assert store.browse(SessionFilter(text="no such words anywhere")) == []
    store.close()
