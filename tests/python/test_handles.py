"""Player handles from Python: Engine.find_player and Engine.handle_as, the trusted-host
entry point, give the events of the same uid command, byte for byte."""

from __future__ import annotations

import random
from typing import Any

import pytest

import roshambo
from conftest import cmd, hello

VALUE_KEY = {"choice": "choice", "face": "face"}


def random_game(seed: int) -> list[tuple[int, str, str, int]]:
    """(now, uid, type, value): hellos first, then joins, choices, faces, leaves and drops."""
    rng = random.Random(seed)
    steps = []
    now = 0
    for _ in range(300):
        now += rng.choice([0, 0, 1, 50, 700])
        kind = rng.choice(["hello", "join", "join", "choice", "choice", "face", "leave", "disconnect"])
        value = rng.randint(0, 5) if kind in VALUE_KEY else 0
        steps.append((now, f"p{rng.randrange(6)}", kind, value))
    return steps


def by_uid(engine: roshambo.Engine, now: int, uid: str, kind: str, value: int) -> list[dict[str, Any]]:
    if kind == "hello":
        return engine.handle(hello(uid, "n" + uid), now)
    data = {VALUE_KEY[kind]: value} if kind in VALUE_KEY else {}
    return engine.handle(cmd(uid, kind, **data), now)


@pytest.mark.parametrize("seed", range(8))
def test_handle_as_gives_the_uid_commands_events(seed: int) -> None:
    config = {"capacity": 3, "game_time_ms": 900, "bot_fill_after_ms": 600, "reconnect_grace_ms": 400 * (seed % 2)}
    a, b = roshambo.Engine(config, seed=seed), roshambo.Engine(config, seed=seed)
    for now, uid, kind, value in random_game(seed):
        expected = by_uid(a, now, uid, kind, value)
        handle = b.find_player(uid)
        if kind == "hello" or handle is None:
            got = by_uid(b, now, uid, kind, value)  # hello registers (and renames) by uid
        else:
            got = b.handle_as(handle, kind, now, value=value)
        assert got == expected, (now, uid, kind, value)
    assert a.digest() == b.digest()
    b.verify()


def test_handles_are_registration_order_and_survive_a_snapshot() -> None:
    engine = roshambo.Engine()
    for uid in ["ann", "bob"]:
        engine.handle(hello(uid), 0)
    assert engine.find_player("ann") == 0
    assert engine.find_player("bob") == 1
    assert engine.find_player("nobody") is None
    assert roshambo.Engine.restore(engine.snapshot()).find_player("bob") == 1


def test_bad_handle_input_is_refused_and_changes_nothing() -> None:
    engine = roshambo.Engine()
    engine.handle(hello("ann"), 0)
    engine.tick(10)
    before = engine.digest()
    with pytest.raises(ValueError, match="unknown command type 'jump'"):
        engine.handle_as(0, "jump", 10)
    with pytest.raises(ValueError, match="player must be a handle"):
        engine.handle_as(-1, "join", 10)
    with pytest.raises(TypeError, match="value must be an int"):
        engine.handle_as(0, "choice", 10, "2")  # type: ignore[arg-type]
    events = engine.handle_as(5, "join", 10)
    assert events == [{"at": 10, "to": [], "type": "error",
                       "data": {"code": "unknown_player", "message": "unknown player handle 5"}}]
    with pytest.raises(roshambo.CommandError) as info:
        engine.handle_as(0, "choice", 10, value=2, strict=True)
    assert info.value.code == "not_in_room"
    assert engine.digest() == before


@pytest.mark.parametrize("seed", range(3))
def test_reserve_changes_nothing_a_host_can_see(seed: int) -> None:
    config = {"capacity": 3, "game_time_ms": 900, "bot_fill_after_ms": 600}
    plain, reserved = roshambo.Engine(config, seed=seed), roshambo.Engine(config, seed=seed)
    reserved.reserve(5000)
    assert reserved.digest() == plain.digest() and reserved.snapshot() == plain.snapshot()
    for now, uid, kind, value in random_game(seed):
        assert by_uid(reserved, now, uid, kind, value) == by_uid(plain, now, uid, kind, value)
        if now % 7 == 0:
            reserved.reserve(now)  # again, smaller or larger than before: still nothing
    assert reserved.snapshot() == plain.snapshot() and reserved.digest() == plain.digest()
    reserved.verify()


def test_reserve_refuses_what_is_not_a_count_and_changes_nothing() -> None:
    engine = roshambo.Engine({"capacity": 2})
    engine.handle(hello("a", "A"), 0)
    before = engine.snapshot()
    for bad in (True, 1.5, "10", None):
        with pytest.raises(TypeError, match="players must be an int"):
            engine.reserve(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="players must be >= 0, got -1"):
        engine.reserve(-1)
    # More than any allocation can hold: refused by the library, the engine untouched.
    with pytest.raises((ValueError, MemoryError)):
        engine.reserve(2**70)
    assert engine.snapshot() == before
    engine.verify()
    assert engine.handle(cmd("a", "join"), 1)[0]["type"] == "room"
