"""Engine API: a game through Engine.handle / tick, views, snapshots, strict mode."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

import roshambo
from conftest import cmd, dumps, hello


def play_one_room(engine: roshambo.Engine) -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    events += engine.handle(hello("u1", "Ann"), 1000)
    events += engine.handle(hello("u2", "Bob", "b.png"), 1001)
    events += engine.handle(cmd("u1", "join"), 1005)
    events += engine.handle(cmd("u2", "join"), 1006)
    events += engine.handle(cmd("u1", "choice", choice=2), 2000)
    events += engine.handle(cmd("u2", "choice", choice=1), 2100)
    return events


def test_a_room_plays_and_settles() -> None:
    engine = roshambo.Engine()
    events = play_one_room(engine)
    assert [e["type"] for e in events] == ["hi", "hi", "room", "room", "start", "movement", "movement"]
    assert events[0] == {"at": 1000, "to": ["u1"], "type": "hi", "data": {"message": "welcome", "nearby": 1}}
    start = events[4]
    assert start["to"] == ["u1", "u2"]
    assert start["data"] == {
        "roomId": "room-1",
        "gameTime": 3,
        "deadline": 4006,
        "roomUsers": [
            {"uid": "u1", "uname": "Ann", "uavatar": "", "totalScore": 0, "winStreak": 0},
            {"uid": "u2", "uname": "Bob", "uavatar": "b.png", "totalScore": 0, "winStreak": 0},
        ],
    }
    # A movement never reveals the choice and goes to the others only.
    assert events[5] == {"at": 2000, "to": ["u2"], "type": "movement", "data": {"uid": "u1", "movement": "choice"}}
    assert engine.next_deadline() == 4006
    assert engine.tick(4005) == []
    (result,) = engine.tick(4006)
    assert result["type"] == "result"
    rows = result["data"]["result"]
    assert [r["uid"] for r in rows] == ["u1", "u2"]
    assert rows[0] == {
        "uid": "u1", "bot": False, "choice": 2, "wins": 1, "losses": 0, "base": 1,
        "roundScore": 1, "totalScore": 1, "winStreak": 1,
    }
    assert rows[1]["base"] == -1 and rows[1]["totalScore"] == 0
    assert engine.next_deadline() is None
    assert engine.now == 4006
    engine.verify()


def test_event_dicts_keep_the_log_key_order() -> None:
    engine = roshambo.Engine()
    for e in play_one_room(engine) + engine.tick(10_000):
        assert list(e) == ["at", "to", "type", "data"]
    text = dumps(engine.handle(cmd("u1", "face", face=3), 10_001)[0])
    assert text == '{"at":10001,"to":["u1"],"type":"error","data":{"code":"not_in_room","message":"not in a room"}}'


def test_event_strings_are_equal_and_every_event_is_a_fresh_dict() -> None:
    # Uid strs may be shared between events (they are immutable); the dicts and lists
    # are each event's own, so changing one changes no other.
    engine = roshambo.Engine({"bot_fill_after_ms": 0})
    a, b = "player-with-a-long-uid-a", "player-with-a-long-uid-b"
    for uid in (a, b):
        engine.handle(hello(uid), 1)
        engine.handle(cmd(uid, "join"), 1)
    first = engine.handle(cmd(a, "face", face=1), 2)
    want = [{"at": 2, "to": [b], "type": "movement", "data": {"uid": a, "movement": "face", "face": 1}}]
    assert first == want
    to, data = first[0]["to"], first[0]["data"]
    assert isinstance(to, list) and isinstance(data, dict)
    to.append("x")
    data["uid"] += "-changed"
    assert engine.handle(cmd(a, "face", face=1), 2) == want


def test_game_time_in_seconds_is_an_int_or_the_shortest_float() -> None:
    for ms, text in [(3000, "3"), (2500, "2.5"), (1, "0.001"), (12345, "12.345"), (86_399_999, "86399.999")]:
        engine = roshambo.Engine({"game_time_ms": ms})
        start = play_one_room(engine)[4]
        assert json.dumps(start["data"]["gameTime"]) == text


def test_handle_takes_a_tick_command() -> None:
    a, b = roshambo.Engine(), roshambo.Engine()
    play_one_room(a)
    play_one_room(b)
    assert a.handle({"type": "tick"}, 5000) == b.tick(5000)


def test_bots_fill_a_waiting_room() -> None:
    engine = roshambo.Engine({"bot_fill_after_ms": 500}, seed=3)
    engine.handle(hello("u1"), 0)
    engine.handle(cmd("u1", "join"), 10)
    events = engine.tick(10_000)
    types = [e["type"] for e in events]
    assert types[:2] == ["room", "start"]
    assert events[0]["at"] == 510 and events[0]["to"] == ["u1"]  # bots receive nothing
    assert events[-1]["type"] == "result"
    bot_row = events[-1]["data"]["result"][1]
    assert bot_row["bot"] is True and bot_row["uid"] == "bot-1"
    engine.verify()


def test_views_are_read_only_copies() -> None:
    engine = roshambo.Engine()
    play_one_room(engine)
    p = engine.player("u2")
    assert p is not None
    assert (p.uid, p.name, p.avatar, p.total_score, p.win_streak, p.online, p.bot, p.room) == (
        "u2", "Bob", "b.png", 0, 0, True, False, "room-1",
    )
    with pytest.raises(AttributeError):
        p.total_score = 5  # type: ignore[misc]
    assert engine.player("nobody") is None
    assert [q.uid for q in engine.players()] == ["u1", "u2"]
    (room,) = engine.rooms()
    assert (room.id, room.number, room.phase, room.opened_at, room.deadline) == ("room-1", 1, "playing", 1005, 4006)
    assert room.members == ("u1", "u2") and room.choices == (2, 1)
    assert engine.room("room-1") is not None and engine.room(1) is not None
    assert engine.room("room-2") is None and engine.room("lobby") is None and engine.room(-1) is None
    stats = engine.stats()
    assert (stats.players, stats.online, stats.rooms, stats.waiting_rooms, stats.rooms_settled) == (2, 2, 1, 0, 0)
    engine.tick(5000)
    assert engine.rooms() == [] and engine.stats().rooms_settled == 1
    assert p.room == "room-1"  # a copy: unchanged by the engine moving on
    assert "u2" in repr(p) and "room-1" in repr(room) and "players=2" in repr(stats)


def test_snapshot_restore_continues_identically() -> None:
    engine = roshambo.Engine({"capacity": 3, "bot_fill_after_ms": 700}, seed=11)
    play_one_room(engine)
    snap = engine.snapshot()
    assert json.loads(snap)  # JSON text
    restored = roshambo.Engine.restore(snap)
    assert restored.digest() == engine.digest()
    assert restored.snapshot() == snap
    assert restored.config == engine.config
    later = [cmd("u1", "leave"), hello("u3"), cmd("u3", "join"), cmd("u2", "face", face=2)]
    for i, c in enumerate(later):
        assert restored.handle(c, 5000 + i) == engine.handle(c, 5000 + i)
    assert restored.tick(60_000) == engine.tick(60_000)
    assert restored.digest() == engine.digest()
    assert roshambo.Engine.restore(snap.encode()).digest() == roshambo.Engine.restore(snap).digest()


def test_copy_and_pickle_fork_the_lobby() -> None:
    engine = roshambo.Engine(seed=5)
    play_one_room(engine)
    for fork in (copy.copy(engine), copy.deepcopy(engine), pickle.loads(pickle.dumps(engine))):
        assert fork.digest() == engine.digest()
        fork.handle(cmd("u1", "leave"), 3000)
        assert fork.digest() != engine.digest()
    assert engine.room("room-1") is not None and engine.room("room-1").members == ("u1", "u2")  # type: ignore[union-attr]


def test_strict_mode_raises_command_error_with_the_events() -> None:
    engine = roshambo.Engine()
    play_one_room(engine)
    with pytest.raises(roshambo.CommandError) as info:
        # The deadline at 4006 fires first; then the choice is refused (not in a room).
        engine.handle(cmd("u1", "choice", choice=1), 5000, strict=True)
    err = info.value
    assert err.code == "not_in_room" and err.message == "not in a room" and str(err) == "not in a room"
    assert [e["type"] for e in err.events] == ["result", "error"]
    assert err.events[-1]["data"] == {"code": "not_in_room", "message": "not in a room"}
    assert engine.now == 5000 and engine.next_deadline() is None
    with pytest.raises(roshambo.CommandError) as info:
        engine.tick(10, strict=True)
    assert info.value.code == "time_went_backwards"
    assert info.value.events[0]["to"] == []
    # Not strict: the same refusal is an error event.
    (ev,) = engine.handle(cmd("ghost", "join"), 6000)
    assert ev["type"] == "error" and ev["data"]["code"] == "unknown_player" and ev["to"] == ["ghost"]
    assert isinstance(err, Exception) and not isinstance(err, ValueError)


def test_refused_commands_change_nothing() -> None:
    engine = roshambo.Engine()
    play_one_room(engine)
    engine.tick(2200)  # time is part of the state; the refusals below are all at 2200
    before = engine.digest()
    bad = [
        cmd("u1", "choice", choice=7),
        cmd("u1", "face", face=0),
        cmd("u1", "join"),  # game in progress
        cmd("zz", "leave"),
        {"from": "u1", "type": "dance", "data": {}},
        {"from": "u1", "type": "choice", "data": {"choice": "2"}},
        {"from": "u1", "type": "choice", "data": {"choice": True}},
        {"from": "u1", "type": "choice", "data": {"choice": 2.0}},
    ]
    for c in bad:
        (ev,) = engine.handle(c, 2200)
        assert ev["type"] == "error"
        with pytest.raises(roshambo.CommandError):
            engine.handle(c, 2200, strict=True)
    assert engine.digest() == before
    (ev,) = engine.handle(cmd("u1", "leave"), 100)
    assert ev["data"]["code"] == "time_went_backwards"
    assert engine.digest() == before


def test_seed_overrides_the_config_seed() -> None:
    assert roshambo.Engine({"seed": 9}).config.seed == 9
    assert roshambo.Engine({"seed": 9}, seed=4).config.seed == 4
    assert roshambo.Engine(roshambo.Config(seed=1), seed=2**64 - 1).config.seed == 2**64 - 1
    assert roshambo.Engine().config == roshambo.Config()


def test_config_round_trips() -> None:
    c = roshambo.Config(capacity=4, bot_strategy="biased:1,2,3", scoring="reference", requeue=True, fill_policy="fullest")
    assert (c.capacity, c.bot_strategy, c.scoring, c.requeue, c.fill_policy) == (4, "biased:1,2,3", "reference", True, "fullest")
    d = c.to_dict()
    assert list(d)[:3] == ["capacity", "game_time_ms", "bot_fill_after_ms"]
    assert roshambo.Config.from_dict(d) == c
    assert roshambo.Config.from_json(c.to_json()) == c
    assert c.replace(capacity=5).capacity == 5 and c.capacity == 4
    assert pickle.loads(pickle.dumps(c)) == c and hash(c) == hash(roshambo.Config.from_dict(d))
    assert c != roshambo.Config() and "capacity=4" in repr(c)
    with pytest.raises(AttributeError):
        c.capacity = 3  # type: ignore[misc]


def test_replay_digest_lines() -> None:
    lines = [json.dumps({"at": i, **hello(f"u{i}")}) for i in range(5)]
    events = list(roshambo.replay(lines, digest_every=2))
    digests = [e for e in events if e["type"] == "digest"]
    assert [d["data"]["lines"] for d in digests] == [2, 4]
    assert all(len(d["data"]["digest"]) == 16 and d["to"] == [] for d in digests)
    engine = roshambo.Engine()
    for i in range(4):
        engine.handle(hello(f"u{i}"), i)
    assert digests[1]["data"]["digest"] == f"{engine.digest():016x}"
    assert digests[1]["at"] == 3


def test_version_matches_the_cmake_project() -> None:
    import pathlib
    import re

    cmake = pathlib.Path(__file__).resolve().parents[2] / "CMakeLists.txt"
    m = re.search(r"project\(roshambo\s+VERSION\s+([0-9.]+)", cmake.read_text())
    assert m and roshambo.__version__ == m.group(1)
    assert set(roshambo.__all__) <= set(dir(roshambo))


def test_extra_keys_are_ignored_and_at_does_not_override_now() -> None:
    engine = roshambo.Engine()
    (ev,) = engine.handle({**hello("u1"), "at": 99_999, "id": 7, "meta": {"x": [1, None]}}, 1234)
    assert ev["at"] == 1234 and ev["type"] == "hi" and engine.now == 1234
