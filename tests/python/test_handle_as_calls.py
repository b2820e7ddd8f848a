"""Engine.handle_as(player, type, now, value=0, *, strict=False) called in every shape:
positional, by keyword, with bad types and bad shapes. The usual shapes take a direct
C entry and the rest pybind11's; both must give the documented results and errors."""

from __future__ import annotations

from typing import Any

import pytest

import roshambo
from conftest import cmd, hello

MOVED = [{"at": 2, "to": ["b"], "type": "movement", "data": {"uid": "a", "movement": "choice"}}]
INCOMPATIBLE = "handle_as(): incompatible function arguments"


def bad_choice(code: int) -> list[dict[str, Any]]:
    message = f"choice must be 1 (scissors), 2 (rock) or 3 (paper), got {code}"
    return [{"at": 2, "to": ["a"], "type": "error", "data": {"code": "invalid_choice", "message": message}}]


@pytest.fixture
def engine() -> roshambo.Engine:
    e = roshambo.Engine({"game_time_ms": 86_400_000, "bot_fill_after_ms": 0})
    for uid in ("a", "b"):
        e.handle(hello(uid), 1)
        e.handle(cmd(uid, "join"), 1)
    assert e.find_player("a") == 0
    return e


@pytest.mark.parametrize("call", [
    lambda e: e.handle_as(0, "choice", 2, 2),
    lambda e: e.handle_as(0, "choice", 2, value=3),
    lambda e: e.handle_as(0, "choice", 2, 1, strict=True),
    lambda e: e.handle_as(0, "choice", 2, value=1, strict=False),
    lambda e: e.handle_as(0, "choice", 2, strict=True, value=1),
    lambda e: e.handle_as(0, "choice", now=2, value=1),
    lambda e: e.handle_as(player=0, type="choice", now=2, value=1, strict=True),
    lambda e: e.handle_as(0, "choice", 2, **{"value": 2}),
    lambda e: e.handle_as(0, "choice", 2, value=True + 1),
    lambda e: roshambo.Engine.handle_as(e, 0, "choice", 2, 1),
    lambda e: e.handle_as(0, "choice", 2, 2, strict=1),  # pybind11 converts a non-bool strict
])
def test_accepted_shapes_give_the_event(engine: roshambo.Engine, call: Any) -> None:
    assert call(engine) == MOVED


def test_value_defaults_to_zero(engine: roshambo.Engine) -> None:
    assert engine.handle_as(0, "choice", 2) == bad_choice(0)
    assert engine.handle_as(0, "choice", 2, strict=False) == bad_choice(0)
    assert engine.handle_as(0, "choice", 2, strict=None) == bad_choice(0)  # None converts to False
    with pytest.raises(roshambo.CommandError) as info:
        engine.handle_as(0, "choice", 2, strict=True)
    assert info.value.code == "invalid_choice"
    assert info.value.events == bad_choice(0)


def test_strict_raises_with_the_events(engine: roshambo.Engine) -> None:
    for strict in (True, 1):
        with pytest.raises(roshambo.CommandError) as info:
            engine.handle_as(0, "choice", 2, 9, strict=strict)
        assert info.value.code == "invalid_choice"
        assert info.value.message == "choice must be 1 (scissors), 2 (rock) or 3 (paper), got 9"
        assert info.value.events == bad_choice(9)


@pytest.mark.parametrize("call", [
    lambda e: e.handle_as(0, "choice", 2, 2, True),  # strict is keyword-only
    lambda e: e.handle_as(0, "choice", 2, 2, value=2),  # value twice
    lambda e: e.handle_as(0, "choice"),
    lambda e: e.handle_as(),
    lambda e: e.handle_as(0, "choice", 2, bogus=1),
    lambda e: e.handle_as(0, "choice", 2, strict="yes"),
    lambda e: roshambo.Engine.handle_as(0, "choice", 2, 1),  # no self
])
def test_bad_shapes_raise_pybind11s_type_error(engine: roshambo.Engine, call: Any) -> None:
    with pytest.raises(TypeError) as info:
        call(engine)
    text = str(info.value)
    assert text.startswith(INCOMPATIBLE), text
    assert "(self: roshambo._core.Engine, player: object, type: object, now: object, value: object = 0, " \
           "*, strict: bool = False) -> list" in text
    assert engine.now == 1  # nothing ran


@pytest.mark.parametrize(("args", "kwargs", "error", "message"), [
    (("0", "choice", 2), {}, TypeError, "player must be an int, got str"),
    ((True, "choice", 2), {}, TypeError, "player must be an int, got bool"),
    ((0.0, "choice", 2), {}, TypeError, "player must be an int, got float"),
    ((-1, "jump", "x", "y"), {}, ValueError, "player must be a handle from find_player (0..2^32-1), got -1"),
    ((2**40, "choice", 2), {}, ValueError,
     "player must be a handle from find_player (0..2^32-1), got 1099511627776"),
    ((2**70, "choice", 2), {}, ValueError,
     "player must be a handle from find_player (0..2^32-1), got 9223372036854775807"),
    ((0, b"choice", 2), {}, TypeError, "type must be a str, got bytes"),
    ((0, "choice", 2, 2.0), {}, TypeError, "value must be an int, got float"),
    ((0, "choice", 2), {"value": "2"}, TypeError, "value must be an int, got str"),
    ((0, "choice", True), {}, TypeError, "now must be an int (milliseconds), got bool"),
    ((0, "jump", "x"), {"strict": True}, TypeError, "now must be an int (milliseconds), got str"),
    ((0, "jump", 2), {}, ValueError, "unknown command type 'jump' (hello, join, choice, face, leave, disconnect)"),
    ((0, "Choice", 2), {"value": 1}, ValueError,
     "unknown command type 'Choice' (hello, join, choice, face, leave, disconnect)"),
    ((0, "x" * 50, 2), {}, ValueError,
     f"unknown command type '{'x' * 32}' (hello, join, choice, face, leave, disconnect)"),
])
def test_bad_arguments_raise_in_order(engine: roshambo.Engine, args: tuple[Any, ...], kwargs: dict[str, Any],
                                      error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        engine.handle_as(*args, **kwargs)
    assert type(info.value) is error
    assert str(info.value) == message
    assert engine.now == 1  # refused before the engine


def test_time_and_handle_refusals_are_events(engine: roshambo.Engine) -> None:
    engine.handle_as(0, "choice", 2, 2)
    assert engine.handle_as(0, "choice", 1, value=2) == [
        {"at": 2, "to": ["a"], "type": "error",
         "data": {"code": "time_went_backwards", "message": "time went backwards: 1 < 2"}}]
    assert engine.handle_as(7, "join", 3) == [
        {"at": 3, "to": [], "type": "error", "data": {"code": "unknown_player", "message": "unknown player handle 7"}}]


def test_int_subclasses_and_index_objects_are_read_as_ints(engine: roshambo.Engine) -> None:
    class Index:
        def __init__(self, v: int) -> None:
            self.v = v

        def __index__(self) -> int:
            return self.v

    assert engine.handle_as(Index(0), "choice", Index(2), value=Index(1)) == MOVED  # type: ignore[arg-type]


def test_subclass_instances_are_served(engine: roshambo.Engine) -> None:
    class Sub(roshambo.Engine):
        pass

    sub = Sub({"game_time_ms": 86_400_000, "bot_fill_after_ms": 0})
    for uid in ("a", "b"):
        sub.handle(hello(uid), 1)
        sub.handle(cmd(uid, "join"), 1)
    assert sub.handle_as(0, "choice", 2, value=2) == MOVED
    assert sub.handle_as(0, "choice", 2, 2, strict=False) == MOVED


def test_the_method_keeps_its_name_and_doc() -> None:
    method = roshambo.Engine.handle_as
    assert method.__name__ == "handle_as"
    assert method.__doc__.startswith(
        "handle_as(self: roshambo._core.Engine, player: object, type: object, now: object, value: object = 0, "
        "*, strict: bool = False) -> list")
    engine = roshambo.Engine()
    assert engine.handle_as.__self__ is engine
    assert engine.handle_as.__name__ == "handle_as"


def test_type_words_built_at_run_time_or_subclassed_are_read_by_their_text(engine: roshambo.Engine) -> None:
    class Word(str):
        pass

    built = "".join(["cho", "ice"])
    assert built == "choice"
    assert engine.handle_as(0, built, 2, 1) == MOVED
    assert engine.handle_as(0, Word("choice"), 2, value=2) == MOVED
    with pytest.raises(ValueError) as info:
        engine.handle_as(0, "ch\u00f6ice", 2)
    assert str(info.value) == "unknown command type 'ch\u00f6ice' (hello, join, choice, face, leave, disconnect)"
    # A str with no UTF-8 form fails as it is read, before value and now are.
    with pytest.raises(UnicodeEncodeError):
        engine.handle_as(0, "\ud800", 2, "x")  # type: ignore[arg-type]
