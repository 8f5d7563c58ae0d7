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


def test_the_first_stop_request_gives_the_reason_and_runs_the_hooks_once() -> None:
    token = CancelToken()
    calls: list[str | None] = []
    token.subscribe(lambda: calls.append(token.reason))
    assert token.reason is None
    token.set("window_closed")
    assert token.is_set() and token.reason == "window_closed"
    token.set()  # a later request (the user's Stop) changes neither the reason nor runs hooks again
    token.set("something else")
    assert token.reason == "window_closed" and calls == ["window_closed"]


def test_a_plain_set_has_no_reason_and_clear_forgets_the_last_one() -> None:
    token = CancelToken()
    token.set()
    assert token.is_set() and token.reason is None
    token.clear()
    token.set("window_closed")
    assert token.reason == "window_closed"
    token.clear()
    assert not token.is_set() and token.reason is None, "a cleared token has no reason"
    token.set()
    assert token.reason is None, "a reason never carries over to the next request"


def test_racing_requests_agree_on_one_reason() -> None:
    for _ in range(50):
        token = CancelToken()
        seen: list[str | None] = []
        token.subscribe(lambda token=token, seen=seen: seen.append(token.reason))
        start = threading.Barrier(3)

        def request(reason: str | None, token: CancelToken = token, start: threading.Barrier = start) -> None:
            start.wait()
            token.set(reason)

        threads = [threading.Thread(target=request, args=(reason,)) for reason in ("window_closed", None)]
        for thread in threads:
            thread.start()
        start.wait()
        for thread in threads:
            thread.join()
        assert len(seen) == 1 and seen[0] == token.reason
