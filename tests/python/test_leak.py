"""No leak: a million Engine.handle (or handle_as) calls grow the process RSS by less than 10 MB."""

from __future__ import annotations

import gc
import os
import resource
from collections.abc import Callable

import pytest

import roshambo
from conftest import cmd, hello


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: peak RSS is the best we have (KiB on Linux, bytes on macOS)
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def assert_no_growth(burst: Callable[[int], None]) -> None:
    """A million calls of `burst` after 100 000 to warm allocator pools and caches grow
    the RSS by less than 10 MB."""
    burst(100_000)
    gc.collect()
    before = rss_bytes()
    burst(1_000_000)
    gc.collect()
    grown = rss_bytes() - before
    assert grown < 10 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB"


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc for the current RSS")
def test_a_million_handle_calls_do_not_leak() -> None:
    engine = roshambo.Engine({"game_time_ms": 86_400_000, "bot_fill_after_ms": 0})
    engine.handle(hello("a", "Ann"), 0)
    engine.handle(hello("b", "Bob"), 0)
    engine.handle(cmd("a", "join"), 0)
    engine.handle(cmd("b", "join"), 0)
    # Every path that allocates: events with recipients, error events, refused dicts,
    # strict-mode exceptions, ticks, hello with a new name (a new profile).
    plain = [
        cmd("a", "choice", choice=1),
        cmd("b", "face", face=2),
        cmd("ghost", "join"),
        {"from": "a", "type": "choice", "data": {"choice": "x"}},
        {"type": "tick"},
        hello("c", "C"),
        hello("c", "Cee"),
    ]
    strict_bad = cmd("a", "leave") | {"type": "dance"}

    def burst(n: int) -> None:
        handle = engine.handle
        for i in range(n):
            if i % 10 == 9:
                try:
                    handle(strict_bad, 1, strict=True)
                except roshambo.CommandError:
                    pass
            else:
                handle(plain[i % 7], 1)

    assert_no_growth(burst)
    engine.verify()


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc for the current RSS")
def test_a_million_handle_as_calls_do_not_leak() -> None:
    engine = roshambo.Engine({"game_time_ms": 86_400_000, "bot_fill_after_ms": 0})
    for uid in ("a", "b"):
        engine.handle(hello(uid, uid.upper()), 0)
        engine.handle(cmd(uid, "join"), 0)
    a, b = engine.find_player("a"), engine.find_player("b")
    # Events, error events, strict-mode exceptions, refused arguments, keyword and
    # positional shapes, and a shape passed on to pybind11.
    def burst(n: int) -> None:
        handle_as = engine.handle_as
        for i in range(n):
            k = i % 8
            if k == 0:
                handle_as(a, "choice", 1, value=1 + i % 3)
            elif k == 1:
                handle_as(b, "face", 1, 1 + i % 4)
            elif k == 2:
                handle_as(9, "join", 1)
            elif k == 3:
                try:
                    handle_as(a, "choice", 1, 7, strict=True)
                except roshambo.CommandError:
                    pass
            elif k == 4:
                try:
                    handle_as(a, "jump", 1)
                except ValueError:
                    pass
            elif k == 5:
                try:
                    handle_as(a, "choice", 1, "2")
                except TypeError:
                    pass
            elif k == 6:
                handle_as(player=b, type="choice", now=1, value=2)
            else:
                handle_as(a, "choice", 1, value=2, strict=False)

    assert_no_growth(burst)
    engine.verify()
