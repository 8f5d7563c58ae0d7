from __future__ import annotations

import threading

from app.core.cancel import CancelToken


def test_hooks_run_on_set_and_at_once_if_already_set() -> None:
    token = CancelToken()
    calls: list[str] = []
    unsubscribe = token.subscribe(lambda: calls.append("first"))
    assert calls == [] and not token.is_set()
    token.set()
    assert calls == ["first"] and token.is_set()
    token.subscribe(lambda: calls.append("late"))
    assert calls == ["first", "late"]
    unsubscribe()
    token.clear()
    token.set()
    assert calls == ["first", "late", "late"]


def test_is_an_event_for_code_that_only_polls() -> None:
    token = CancelToken()
    assert isinstance(token, threading.Event)
    threading.Thread(target=token.set).start()
    assert token.wait(10)
