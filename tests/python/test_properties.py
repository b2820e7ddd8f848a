"""Hypothesis properties on random command sequences (docs/RULES.md §8).

verify() holds after every step; a restored snapshot continues exactly like the
original; the same config, seed and commands give the same events; a command dict
gives the same events as the same command as a log line; extra ticks change nothing.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import roshambo
from conftest import dumps

SETTINGS = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

UIDS = ["u1", "u2", "u3", "u4", "u5", "bot-1", ""]

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
code = st.integers(min_value=0, max_value=5) | st.integers(min_value=-(2**65), max_value=2**65)

well_formed = st.one_of(
    st.builds(
        lambda u, name, avatar: {"from": u, "type": "hello", "data": {"user": {"uid": u, "uname": name, "uavatar": avatar}}},
        st.sampled_from(UIDS),
        st.text(max_size=70),
        st.sampled_from(["", "a.png"]),
    ),
    st.builds(lambda u: {"from": u, "type": "join", "data": {}}, st.sampled_from(UIDS)),
    st.builds(lambda u, c: {"from": u, "type": "choice", "data": {"choice": c}}, st.sampled_from(UIDS), code),
    st.builds(lambda u, c: {"from": u, "type": "face", "data": {"face": c}}, st.sampled_from(UIDS), code),
    st.builds(lambda u: {"from": u, "type": "leave", "data": {}}, st.sampled_from(UIDS)),
    st.builds(lambda u: {"from": u, "type": "disconnect", "data": {}}, st.sampled_from(UIDS)),
    st.just({"type": "tick"}),
)
# Anything a JSON object can be, with the command keys likely.
junk = st.dictionaries(
    st.sampled_from(["from", "type", "data", "user", "choice", "extra"]),
    json_values | st.sampled_from(UIDS) | st.sampled_from(["hello", "join", "choice", "face", "leave", "tick"]),
    max_size=4,
)
commands = st.one_of(well_formed, well_formed, well_formed, junk)
# Time steps: mostly forward, sometimes backwards (refused).
steps = st.lists(st.tuples(st.integers(min_value=-50, max_value=2500), commands), min_size=1, max_size=40)
configs = st.fixed_dictionaries(
    {
        "capacity": st.integers(min_value=2, max_value=4),
        "game_time_ms": st.integers(min_value=1, max_value=3000),
        "bot_fill_after_ms": st.integers(min_value=0, max_value=1500),
        "bot_strategy": st.sampled_from(["uniform", "rock", "none", "biased:1,0,3"]),
        "scoring": st.sampled_from(["article", "reference"]),
        "loss_penalty": st.booleans(),
        "streak_cap": st.integers(min_value=0, max_value=3),
        "requeue": st.booleans(),
        "fill_policy": st.sampled_from(["oldest", "newest", "fullest"]),
        "max_players": st.integers(min_value=0, max_value=4),
        "max_rooms": st.integers(min_value=0, max_value=2),
    }
)
seeds = st.integers(min_value=0, max_value=2**64 - 1)


def timed(seq: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    out, now = [], 0
    for dt, c in seq:
        now = max(0, now + dt)
        out.append((now, c))
    return out


def run(engine: roshambo.Engine, seq: list[tuple[int, dict[str, Any]]]) -> list[str]:
    events = []
    for now, c in seq:
        events.extend(dumps(e) for e in engine.handle(c, now))
    return events


@SETTINGS
@given(configs, seeds, steps)
def test_verify_holds_after_every_step(config: dict[str, Any], seed: int, seq: list[tuple[int, dict[str, Any]]]) -> None:
    engine = roshambo.Engine(config, seed=seed)
    for now, c in timed(seq):
        for e in engine.handle(c, now):
            assert list(e) == ["at", "to", "type", "data"]
            assert e["at"] <= max(now, engine.now)
        engine.verify()
    # Not much further: with requeue, rooms go on settling for as long as time runs.
    engine.tick(engine.now + 10_000)
    engine.verify()
    assert engine.next_deadline() is None or engine.next_deadline() > engine.now  # type: ignore[operator]


@SETTINGS
@given(configs, seeds, steps, st.data())
def test_snapshot_restore_continues_identically(
    config: dict[str, Any], seed: int, seq: list[tuple[int, dict[str, Any]]], data: st.DataObject
) -> None:
    seq = timed(seq)
    cut = data.draw(st.integers(min_value=0, max_value=len(seq)))
    engine = roshambo.Engine(config, seed=seed)
    run(engine, seq[:cut])
    snap = engine.snapshot()
    restored = roshambo.Engine.restore(snap)
    assert restored.digest() == engine.digest()
    assert restored.snapshot() == snap
    assert restored.players() == engine.players()
    assert run(restored, seq[cut:]) == run(engine, seq[cut:])
    end = engine.now + 10_000
    assert [dumps(e) for e in restored.tick(end)] == [dumps(e) for e in engine.tick(end)]
    assert restored.digest() == engine.digest()


@SETTINGS
@given(configs, seeds, steps)
def test_same_inputs_same_bytes(config: dict[str, Any], seed: int, seq: list[tuple[int, dict[str, Any]]]) -> None:
    seq = timed(seq)
    a, b = roshambo.Engine(config, seed=seed), roshambo.Engine(roshambo.Config.from_dict(config), seed=seed)
    assert run(a, seq) == run(b, seq)
    assert a.digest() == b.digest()


@SETTINGS
@given(configs, seeds, steps)
def test_a_dict_and_its_log_line_give_the_same_events(
    config: dict[str, Any], seed: int, seq: list[tuple[int, dict[str, Any]]]
) -> None:
    seq = timed(seq)
    engine = roshambo.Engine(config, seed=seed)
    handled = run(engine, seq)
    lines = [json.dumps({"at": now, **{k: v for k, v in c.items() if k != "at"}}, ensure_ascii=False) for now, c in seq]
    replayed = [dumps(e) for e in roshambo.replay(lines, config, seed)]
    assert handled == replayed


@SETTINGS
@given(configs, seeds, steps, st.lists(st.integers(min_value=0, max_value=2500), max_size=30))
def test_extra_ticks_change_nothing(
    config: dict[str, Any], seed: int, seq: list[tuple[int, dict[str, Any]]], gaps: list[int]
) -> None:
    """However often the host ticks, the same events come out (docs/RULES.md §8)."""
    seq = [(now, c) for now, c in timed(seq) if c.get("type") != "tick"]
    plain = roshambo.Engine(config, seed=seed)
    ticked = roshambo.Engine(config, seed=seed)
    end = (seq[-1][0] if seq else 0) + 10_000
    want = run(plain, seq) + [dumps(e) for e in plain.tick(end)]
    got: list[str] = []
    for i, (now, c) in enumerate(seq):
        # A few ticks between the previous command and this one.
        for g in gaps[i % max(1, len(gaps)):][:2]:
            t = ticked.now + g
            if t <= now:
                got.extend(dumps(e) for e in ticked.tick(t))
        got.extend(dumps(e) for e in ticked.handle(c, now))
    got.extend(dumps(e) for e in ticked.tick(end))
    # Ticks only fire timers; the events are the same, in the same order.
    assert got == want
