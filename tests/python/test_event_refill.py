"""A result nobody holds any more is refilled by the next call (docs/python.md, "Events").

The list and dicts of the previous result are reused when nothing outside the binding
references them. Whatever the caller did to that result before dropping it, the next
result must be exactly what a fresh build gives (same keys, order, values and exact
types), and a result, or any part of one, that the caller still holds never changes.
"""

from __future__ import annotations

import copy
import gc
import json
import pathlib
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import roshambo
from conftest import cmd, dumps, golden_stems, hello
from test_properties import configs, steps

SETTINGS = settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def exact(value: Any) -> Any:
    """The value with every container's exact type, to compare as well as its JSON."""
    if type(value) is dict:
        return ("dict", [(k, type(k).__name__, exact(v)) for k, v in value.items()])
    if type(value) is list:
        return ("list", [exact(v) for v in value])
    return (type(value).__name__, value)


class Mark:
    """An object to put into a result: weakly referenceable, and may act on release."""

    def __init__(self, on_release: Callable[[], None] | None = None) -> None:
        self.on_release = on_release

    def __del__(self) -> None:
        if self.on_release is not None:
            self.on_release()


class Key(str):
    """A str subclass key: equal to the plain key, but not the same object."""


# What a caller may do to a result before dropping it.
def _add_key(r: list[Any]) -> None:
    r[0]["extra"] = [1, 2]


def _drop_data(r: list[Any]) -> None:
    del r[0]["data"]


def _reorder(r: list[Any]) -> None:
    r[0]["to"] = r[0].pop("to")


def _to_tuple(r: list[Any]) -> None:
    r[0]["to"] = tuple(r[0]["to"])


def _to_longer(r: list[Any]) -> None:
    r[0]["to"].append("zz")


def _to_empty(r: list[Any]) -> None:
    r[0]["to"].clear()


def _data_list(r: list[Any]) -> None:
    r[0]["data"] = [r[0]["data"]]


def _data_extra(r: list[Any]) -> None:
    if isinstance(r[0]["data"], dict):
        r[0]["data"]["zz"] = {"nested": True}


def _data_subclass(r: list[Any]) -> None:
    class Sub(dict):  # type: ignore[type-arg]
        pass

    r[0]["data"] = Sub(r[0]["data"])


def _value_changed(r: list[Any]) -> None:
    r[0]["type"] = 7
    r[0]["at"] = "later"


def _plain_key(r: list[Any]) -> None:
    value = r[0].pop("type")
    r[0]["".join(["ty", "pe"])] = value  # an equal key that is another object


def _subclass_key(r: list[Any]) -> None:
    value = r[0].pop("at")
    r[0][Key("at")] = value


def _event_replaced(r: list[Any]) -> None:
    r[0] = None


def _list_longer(r: list[Any]) -> None:
    r.append({"at": 0})


def _list_shorter(r: list[Any]) -> None:
    r.pop()


def _list_empty(r: list[Any]) -> None:
    r.clear()


def _cleared(r: list[Any]) -> None:
    r[0].clear()


def _nothing(r: list[Any]) -> None:
    pass


MUTATIONS = [
    _nothing, _add_key, _drop_data, _reorder, _to_tuple, _to_longer, _to_empty, _data_list, _data_extra,
    _data_subclass, _value_changed, _plain_key, _subclass_key, _event_replaced, _list_longer, _list_shorter,
    _list_empty, _cleared,
]


def _refill_run(config: dict[str, Any], script: list[tuple[int, dict[str, Any]]],
                mutate: Callable[[int, list[Any]], None]) -> None:
    """One engine whose results are kept, one whose results are mutated and dropped at
    once: the same bytes and exact types, and the kept ones never change. The kept list
    is one per process, so each dropped result is refilled by the next call, the kept
    engine's, and checked against the other's result, built new."""
    kept_engine = roshambo.Engine(config)
    dropped_engine = roshambo.Engine(config)
    kept: list[tuple[list[Any], list[str]]] = []
    now = 0
    for i, (step, command) in enumerate(script):
        now += step
        want = kept_engine.handle(command, now)
        kept.append((want, [dumps(e) for e in want]))
        got = dropped_engine.handle(command, now)
        assert exact(got) == exact(want)
        if got:
            mutate(i, got)
        del got
    # Nothing handed out and kept was touched by the refills.
    for result, lines in kept:
        assert [dumps(e) for e in result] == lines


@pytest.mark.parametrize("stem", golden_stems(), ids=lambda s: s.name)
def test_dropped_results_equal_kept_ones_on_the_golden_logs(stem: pathlib.Path) -> None:
    config_path = pathlib.Path(str(stem) + ".config.json")
    config = json.loads(config_path.read_text()) if config_path.exists() else None
    script = []
    last = 0
    for line in pathlib.Path(str(stem) + ".commands.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        at = obj.pop("at", None)
        if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at <= 2**62:
            continue
        script.append((at - last, obj))
        last = at
    assert script
    _refill_run(config or {}, script, lambda i, r: MUTATIONS[i % len(MUTATIONS)](r))


@given(configs, steps, st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=40))
@SETTINGS
def test_results_mutated_then_dropped_are_rebuilt_exactly(
    config: dict[str, Any], script: list[tuple[int, dict[str, Any]]], mutations: list[Callable[[list[Any]], None]]
) -> None:
    _refill_run(config, script, lambda i, r: mutations[i % len(mutations)](r))


@pytest.fixture
def room() -> roshambo.Engine:
    engine = roshambo.Engine({"game_time_ms": 86_400_000, "bot_fill_after_ms": 0})
    for uid in ("ann", "bob"):
        engine.handle(hello(uid, uid.title()), 1)
        engine.handle(cmd(uid, "join"), 1)
    return engine


def test_a_dropped_result_is_refilled_in_place(room: roshambo.Engine) -> None:
    first = room.handle(cmd("ann", "face", face=1), 2)
    ids = (id(first), id(first[0]), id(first[0]["to"]), id(first[0]["data"]))
    del first
    # The same objects (nothing held them), with the new values ...
    second = room.handle(cmd("ann", "face", face=3), 5)
    assert (id(second), id(second[0]), id(second[0]["to"]), id(second[0]["data"])) == ids
    assert second == [{"at": 5, "to": ["bob"], "type": "movement", "data": {"uid": "ann", "movement": "face", "face": 3}}]
    del second
    # ... and fewer keys in the same order.
    third = room.handle(cmd("ann", "choice", choice=2), 6)
    assert (id(third), id(third[0]), id(third[0]["to"]), id(third[0]["data"])) == ids
    assert exact(third) == exact([{"at": 6, "to": ["bob"], "type": "movement", "data": {"uid": "ann", "movement": "choice"}}])


@pytest.mark.parametrize("part", ["list", "event", "to", "data"])
def test_a_held_part_of_a_result_never_changes(room: roshambo.Engine, part: str) -> None:
    result = room.handle(cmd("ann", "choice", choice=1), 2)
    held = {"list": result, "event": result[0], "to": result[0]["to"], "data": result[0]["data"]}[part]
    snapshot = copy.deepcopy(held)
    del result
    for t in range(3, 10):
        fresh = room.handle(cmd("ann" if t % 2 else "bob", "choice", choice=t % 3 + 1), t)
        assert fresh[0]["at"] == t
        assert all(held is not p for p in (fresh, fresh[0], fresh[0]["to"], fresh[0]["data"]))
        del fresh
    assert held == snapshot


def test_strict_errors_keep_their_events(room: roshambo.Engine) -> None:
    with pytest.raises(roshambo.CommandError) as info:
        room.handle(cmd("ghost", "join"), 2, strict=True)
    events = info.value.events
    snapshot = copy.deepcopy(events)
    for t in range(3, 6):
        room.handle(cmd("ghost", "join"), t)
    assert events == snapshot


def test_what_a_caller_put_in_a_dropped_result_goes_with_the_next_call(room: roshambo.Engine) -> None:
    mark = Mark()
    alive = weakref.ref(mark)
    result = room.handle(cmd("ann", "choice", choice=1), 2)
    result[0]["data"]["mine"] = mark
    del result, mark
    # Kept (with the list) until the next call that returns events ...
    assert room.handle({"type": "tick"}, 3) == []
    assert alive() is not None
    room.handle(cmd("ann", "choice", choice=2), 4)
    assert alive() is None


def test_a_cycle_through_a_result_is_collected(room: roshambo.Engine) -> None:
    mark = Mark()
    alive = weakref.ref(mark)
    result = room.handle(cmd("ann", "choice", choice=1), 2)
    result[0]["data"]["mine"] = mark
    result[0]["self"] = result  # the list holds itself: never refilled
    del result, mark
    again = room.handle(cmd("ann", "choice", choice=2), 3)
    assert again == [{"at": 3, "to": ["bob"], "type": "movement", "data": {"uid": "ann", "movement": "choice"}}]
    gc.collect()
    assert alive() is None


def test_a_release_that_calls_the_engine_again(room: roshambo.Engine) -> None:
    twin = copy.copy(room)
    nested: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []

    def call(command: dict[str, Any]) -> Callable[[], None]:
        return lambda: nested.append((command, room.handle(command, 3)))

    result = room.handle(cmd("ann", "choice", choice=1), 2)
    twin.handle(cmd("ann", "choice", choice=1), 2)
    # Released while the next call refills this result: they call the same engine.
    result[0]["data"]["mine"] = Mark(call(cmd("bob", "choice", choice=2)))
    result[0]["to"].append(Mark(call(cmd("bob", "face", face=1))))
    del result
    outer = room.handle(cmd("ann", "choice", choice=3), 3)
    assert len(nested) == 2
    # The outer call's events were all made before the nested calls ran.
    assert [dumps(e) for e in outer] == [dumps(e) for e in twin.handle(cmd("ann", "choice", choice=3), 3)]
    for command, events in nested:
        assert [dumps(e) for e in events] == [dumps(e) for e in twin.handle(command, 3)]
    room.verify()
    assert room.digest() == twin.digest()


def test_one_kept_list_serves_every_engine() -> None:
    a = roshambo.Engine({"bot_fill_after_ms": 0})
    b = roshambo.Engine({"bot_fill_after_ms": 0})
    first = a.handle(hello("x", "X"), 1)
    ids = id(first), id(first[0])
    del first
    held = b.handle(hello("y", "Y"), 1)
    assert (id(held), id(held[0])) == ids  # a's dropped result, refilled by b
    assert exact(held) == exact(roshambo.Engine({"bot_fill_after_ms": 0}).handle(hello("y", "Y"), 1))
    snapshot = copy.deepcopy(held)
    other = a.handle(hello("x", "X2"), 2)
    assert other is not held and other[0] is not held[0]
    assert held == snapshot
