"""Every error path: bad config fields, bad commands (strict and not), wrong Python types."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import roshambo
from conftest import cmd, dumps, hello

# ---------------------------------------------------------------- config

BAD_CONFIG_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"capacity": 1}, "capacity"),
    ({"capacity": 1025}, "capacity"),
    ({"capacity": "2"}, "capacity"),
    ({"capacity": 2.0}, "capacity"),
    ({"capacity": True}, "capacity"),
    ({"capacity": None}, "capacity"),
    ({"capacity": float("nan")}, "capacity"),
    ({"game_time_ms": 0}, "game_time_ms"),
    ({"game_time_ms": 86_400_001}, "game_time_ms"),
    ({"bot_fill_after_ms": -1}, "bot_fill_after_ms"),
    ({"bot_strategy": "lucky"}, "bot_strategy"),
    ({"bot_strategy": "biased:0,0,0"}, "bot_strategy"),
    ({"bot_strategy": "biased:1,2"}, "bot_strategy"),
    ({"bot_strategy": 3}, "bot_strategy"),
    ({"scoring": "golf"}, "scoring"),
    ({"loss_penalty": 1}, "loss_penalty"),
    ({"streak_cap": -1}, "streak_cap"),
    ({"streak_cap": 2**32}, "streak_cap"),
    ({"requeue": "yes"}, "requeue"),
    ({"fill_policy": "emptiest"}, "fill_policy"),
    ({"max_players": 2**32}, "max_players"),
    ({"max_rooms": -5}, "max_rooms"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**64}, "seed"),
    ({"max_uid_bytes": 0}, "max_uid_bytes"),
    ({"max_uid_bytes": 65}, "max_uid_bytes"),
    ({"max_name_bytes": 65}, "max_name_bytes"),
    ({"max_avatar_bytes": 257}, "max_avatar_bytes"),
    ({"max_command_bytes": 63}, "max_command_bytes"),
    ({"max_command_bytes": (16 << 20) + 1}, "max_command_bytes"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_CONFIG_FIELDS, ids=lambda x: repr(x))
def test_bad_config_fields_raise_config_error_naming_the_field(fields: dict[str, Any], field: str) -> None:
    makers = [
        lambda: roshambo.Engine(fields),
        lambda: roshambo.Config(**fields),
        lambda: roshambo.Config.from_dict(fields),
        lambda: roshambo.Config().replace(**fields),
        lambda: list(roshambo.replay([], fields)),
        lambda: roshambo.simulate(players=2, rounds=1, **fields),
    ]
    if "nan" not in repr(fields):  # json.dumps would write NaN, which is not JSON at all
        makers.append(lambda: roshambo.Config.from_json(json.dumps(fields)))
    for make in makers:
        with pytest.raises(roshambo.ConfigError) as info:
            make()
        assert info.value.field == field
        assert field in str(info.value)
        assert isinstance(info.value, ValueError)


def test_config_json_that_is_not_an_object() -> None:
    for text in ["[1]", "nope", "", b"\xff"]:
        with pytest.raises(roshambo.ConfigError) as info:
            roshambo.Config.from_json(text)
        assert info.value.field == "config"


def test_engine_seed_out_of_range_and_wrong_types() -> None:
    with pytest.raises(roshambo.ConfigError):
        roshambo.Engine(seed=-1)
    with pytest.raises(roshambo.ConfigError):
        roshambo.Engine(seed=2**64)
    for seed in ["1", 1.0, True, [1]]:
        with pytest.raises(TypeError, match="seed"):
            roshambo.Engine(seed=seed)  # type: ignore[arg-type]
    for config in [[("capacity", 2)], "capacity=2", 2, object()]:
        with pytest.raises(TypeError, match="config"):
            roshambo.Engine(config)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        roshambo.Engine({"capacity": {1, 2}})
    with pytest.raises(TypeError):
        roshambo.Engine({1: 2})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        roshambo.Config(capacity=object())


# ---------------------------------------------------------------- bad commands

def engine_with_players() -> roshambo.Engine:
    engine = roshambo.Engine({"max_players": 3, "bot_fill_after_ms": 0})
    engine.handle(hello("u1", "Ann"), 10)
    engine.handle(hello("u2", "Bob"), 10)
    engine.handle(cmd("u1", "join"), 10)
    return engine


# (command, expected code, message): the decoder's messages, word for word.
BAD_COMMANDS: list[tuple[dict[str, Any], str, str]] = [
    ({"from": "u1", "data": {}}, "invalid_field", "type: missing"),
    ({"from": "u1", "type": 3}, "invalid_field", "type: must be a string"),
    ({"from": "u1", "type": None}, "invalid_field", "type: must be a string"),
    ({"from": "u1", "type": "dance"}, "unknown_command", 'unknown command type "dance"'),
    ({"type": "join", "data": {}}, "invalid_field", "from: missing"),
    ({"from": 7, "type": "join"}, "invalid_field", "from: must be a string"),
    ({"from": None, "type": "join"}, "invalid_field", "from: must be a string"),
    ({"from": "u1", "type": "join", "data": []}, "invalid_field", "data: must be an object"),
    ({"from": "u1", "type": "choice", "data": {}}, "invalid_field", "data.choice: missing"),
    ({"from": "u1", "type": "choice"}, "invalid_field", "data.choice: missing"),
    ({"from": "u1", "type": "choice", "data": None}, "invalid_field", "data.choice: missing"),
    ({"from": "u1", "type": "choice", "data": {"choice": "1"}}, "invalid_field", "data.choice: must be an integer"),
    ({"from": "u1", "type": "choice", "data": {"choice": 1.0}}, "invalid_field", "data.choice: must be an integer"),
    ({"from": "u1", "type": "choice", "data": {"choice": False}}, "invalid_field", "data.choice: must be an integer"),
    # Whole numbers beyond int64 are refused as such, never clamped to another number.
    ({"from": "u1", "type": "choice", "data": {"choice": 2**64}}, "invalid_field",
     "data.choice: must be an integer in -2^63..2^63-1"),
    ({"from": "u1", "type": "choice", "data": {"choice": 2**64 - 1}}, "invalid_field",
     "data.choice: must be an integer in -2^63..2^63-1"),
    ({"from": "u1", "type": "choice", "data": {"choice": -(2**63) - 1}}, "invalid_field",
     "data.choice: must be an integer in -2^63..2^63-1"),
    ({"from": "u1", "type": "choice", "data": {"choice": 2**63}}, "invalid_field",
     "data.choice: must be an integer in -2^63..2^63-1"),
    ({"from": "u1", "type": "face", "data": {"face": 1e19}}, "invalid_field",
     "data.face: must be an integer in -2^63..2^63-1"),
    ({"from": "u1", "type": "choice", "data": {"choice": 2**63 - 1}}, "invalid_choice",
     "choice must be 1 (scissors), 2 (rock) or 3 (paper), got 9223372036854775807"),
    ({"from": "u1", "type": "choice", "data": {"choice": 4}}, "invalid_choice",
     "choice must be 1 (scissors), 2 (rock) or 3 (paper), got 4"),
    ({"from": "u1", "type": "choice", "data": {"choice": 2}}, "not_playing", "room-1 has not started"),
    ({"from": "u2", "type": "choice", "data": {"choice": 2}}, "not_in_room", "not in a room"),
    ({"from": "u1", "type": "face", "data": {"face": 5}}, "invalid_face", "face must be 1..4, got 5"),
    ({"from": "u1", "type": "face", "data": {"face": [1]}}, "invalid_field", "data.face: must be an integer"),
    ({"from": "u2", "type": "leave", "data": {}}, "not_in_room", "not in a room"),
    ({"from": "u9", "type": "join", "data": {}}, "unknown_player", 'unknown or offline player "u9": send hello first'),
    ({"from": "u1", "type": "hello", "data": {}}, "invalid_field", "data.user: missing"),
    ({"from": "u1", "type": "hello", "data": {"user": "u1"}}, "invalid_field", "data.user: must be an object"),
    ({"from": "u1", "type": "hello", "data": {"user": {"uid": "u2"}}}, "invalid_field", "data.user.uid: must equal from"),
    ({"from": "u1", "type": "hello", "data": {"user": {"uname": 5}}}, "invalid_field", "data.user.uname: must be a string"),
    ({"from": "u1", "type": "hello", "data": {"user": {"uavatar": []}}}, "invalid_field", "data.user.uavatar: must be a string"),
    ({"from": "u1", "type": "hello", "data": {"user": {"uname": "x" * 65}}}, "invalid_field", "user.uname: longer than 64 bytes"),
    ({"from": "u1", "type": "hello", "data": {"user": {"uavatar": "é" * 129}}}, "invalid_field", "user.uavatar: longer than 256 bytes"),
    ({"from": "", "type": "join"}, "invalid_field", "from: must not be empty"),
    ({"from": "u" * 65, "type": "join"}, "invalid_field", "from: longer than 64 bytes"),
    ({"from": "bot-1", "type": "hello", "data": {"user": {}}}, "invalid_field",
     'user.uid: the prefix "bot-" is reserved for engine bots'),
    ({"from": "u\ud800", "type": "join"}, "invalid_field", "from: not valid UTF-8"),
    (hello("u3"), "", ""),  # fills max_players: accepted
    (hello("u4"), "capacity_exceeded", "max_players reached (3 players)"),
]


@pytest.mark.parametrize(("command", "code", "message"), BAD_COMMANDS, ids=lambda x: repr(x)[:60])
def test_bad_commands_give_an_error_event_or_raise_in_strict_mode(
    command: dict[str, Any], code: str, message: str
) -> None:
    engine = engine_with_players()
    if command.get("from") == "u4":
        engine.handle(hello("u3"), 10)
    before = engine.digest()
    events = engine.handle(command, 10)
    if not code:
        assert events[0]["type"] == "hi"
        return
    (ev,) = events
    assert ev["type"] == "error"
    assert ev["data"] == {"code": code, "message": message}
    sender = command.get("from")
    valid_sender = isinstance(sender, str) and 0 < len(sender.encode("utf-8", "surrogatepass")) <= 64 and "\ud800" not in sender
    assert ev["to"] == ([sender] if valid_sender else [])
    assert engine.digest() == before
    with pytest.raises(roshambo.CommandError) as info:
        engine.handle(command, 10, strict=True)
    assert info.value.code == code and info.value.message == message
    assert info.value.events == [ev]
    assert engine.digest() == before
    # The same command as a log line is refused the same way, byte for byte (a lone
    # surrogate has no JSON form: the decoder refuses such a line as malformed).
    if "\\ud800" not in repr(command):
        log = [json.dumps({"at": 10, **c}) for c in [hello("u1", "Ann"), hello("u2", "Bob"), cmd("u1", "join")]]
        if command.get("from") == "u4":
            log.append(json.dumps({"at": 10, **hello("u3")}))
        log.append(json.dumps({"at": 10, **command}))
        replayed = list(roshambo.replay(log, {"max_players": 3, "bot_fill_after_ms": 0}))
        assert dumps(replayed[-1]) == dumps(ev)


def test_time_is_checked_before_what_is_wrong_with_the_command() -> None:
    # One check order for dicts, log lines and C++ commands (docs/RULES.md §7): a command
    # from the past is time_went_backwards whatever else is wrong with it.
    engine = engine_with_players()
    before = engine.digest()
    for bad in ({"from": "u1", "type": "dance"}, {"from": 5, "type": "join"},
                {"from": "u1", "type": "choice", "data": {"choice": "x"}}, {"type": 7},
                {"from": "u1", "type": "join", "data": {"pad": "x" * 70_000}}):
        (ev,) = engine.handle(bad, 5)
        assert ev["data"] == {"code": "time_went_backwards", "message": "time went backwards: 5 < 10"}
        assert ev["at"] == 10
        with pytest.raises(roshambo.CommandError) as info:
            engine.handle(bad, 5, strict=True)
        assert info.value.code == "time_went_backwards"  # the code of the event, not the dict's defect
        assert engine.digest() == before
    (ev,) = engine.handle({"from": "u1", "type": "dance"}, 2**62 + 1)
    assert ev["data"] == {"code": "invalid_field", "message": "at: larger than 2^62"}
    # The same lines in a log: the same events.
    log = [json.dumps({"at": 10, **c}) for c in [hello("u1", "Ann"), hello("u2", "Bob"), cmd("u1", "join")]]
    log.append(json.dumps({"at": 5, "from": "u1", "type": "dance"}))
    assert list(roshambo.replay(log, {"max_players": 3, "bot_fill_after_ms": 0}))[-1]["data"]["code"] == (
        "time_went_backwards")


def test_unknown_type_excerpt_is_cut_between_characters() -> None:
    # 63 ASCII bytes then a 2-byte character: a 64-byte cut would split it.
    name = "d" * 63 + "é" + "x"
    engine = roshambo.Engine()
    (ev,) = engine.handle({"from": "u1", "type": name}, 0)
    assert ev["data"]["message"] == 'unknown command type "' + "d" * 63 + '"'
    (replayed,) = roshambo.replay([json.dumps({"at": 0, "from": "u1", "type": name}, ensure_ascii=False)])
    assert replayed == ev
    assert "\ufffd" not in replayed["data"]["message"]


def test_oversized_commands_are_refused_before_conversion() -> None:
    engine = roshambo.Engine({"max_command_bytes": 64})
    assert engine.handle(hello("u1"), 0)[0]["data"]["code"] == "capacity_exceeded"  # 74 bytes
    assert engine.handle({"from": "u1", "type": "hello", "data": {"user": {}}}, 0)[0]["type"] == "hi"
    before = engine.digest()
    big = {"from": "u1", "type": "join", "data": {"pad": "x" * 100}}
    (ev,) = engine.handle(big, 0)
    assert ev["data"] == {"code": "capacity_exceeded", "message": "command longer than max_command_bytes (64)"}
    assert ev["to"] == ["u1"]
    with pytest.raises(roshambo.CommandError) as info:
        engine.handle(big, 0, strict=True)
    assert info.value.code == "capacity_exceeded"
    assert engine.digest() == before
    # Size is the compact JSON: 64 bytes fit, escapes and UTF-8 bytes count.
    fits = {"from": "u1", "type": "join", "data": {"p": "x" * 21}}
    assert len(json.dumps(fits, separators=(",", ":"))) == 64
    assert engine.handle(fits, 0)[0]["type"] == "room"
    engine.handle(cmd("u1", "leave"), 0)
    for over in (
        {"from": "u1", "type": "join", "data": {"p": "x" * 22}},
        {"from": "u1", "type": "join", "data": {"p": "é" * 12}},
        {"from": "u1", "type": "join", "data": {"p": "\n" * 12}},
        {"from": "u1", "type": "join", "data": {"p": list(range(20))}},
        {"from": "u1", "type": "join", "data": {"p": 10**60}},
    ):
        assert len(json.dumps(over, separators=(",", ":"), ensure_ascii=False).encode()) > 64
        (ev,) = engine.handle(over, 0)
        assert ev["data"]["code"] == "capacity_exceeded", over
    # A huge string is refused without being copied (this would take a while otherwise).
    huge = {"from": "u1", "type": "join", "data": {"p": "y" * (50 << 20)}}
    assert roshambo.Engine().handle(huge, 0)[0]["data"]["code"] == "capacity_exceeded"


def test_deep_and_cyclic_commands_do_not_crash() -> None:
    engine = roshambo.Engine()
    engine.handle(hello("u1"), 0)
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    (ev,) = engine.handle({"from": "u1", "type": "join", "data": {"x": deep}}, 0)
    assert ev["data"]["code"] == "malformed" and "deep" in ev["data"]["message"]
    cyclic: dict[str, Any] = {"from": "u1", "type": "join"}
    cyclic["data"] = cyclic
    (ev,) = engine.handle(cyclic, 0)
    assert ev["data"]["code"] == "malformed"
    engine.verify()


# ---------------------------------------------------------------- wrong Python types

@pytest.mark.parametrize(
    "command",
    [None, "join", b'{"from":"u1","type":"join"}', ["u1", "join"], 5, ("from", "u1")],
    ids=repr,
)
def test_a_command_that_is_not_a_dict_is_a_type_error(command: Any) -> None:
    engine = roshambo.Engine()
    with pytest.raises(TypeError, match="command must be a dict"):
        engine.handle(command, 0)
    with pytest.raises(TypeError):
        engine.handle(command, 0, strict=True)


@pytest.mark.parametrize(
    "command",
    [
        {"from": "u1", "type": "join", "data": {"x": {1, 2}}},
        {"from": "u1", "type": "join", "data": {"x": object()}},
        {"from": "u1", "type": "join", "data": {1: 2}},
        {"from": "u1", "type": "join", "extra": b"bytes"},
        {("from",): "u1", "type": "join"},
        {"from": "u1", "type": "choice", "data": {"choice": 1 + 0j}},
    ],
    ids=lambda c: repr(c)[:50],
)
def test_values_json_cannot_express_are_type_errors(command: dict[Any, Any]) -> None:
    engine = roshambo.Engine()
    engine.handle(hello("u1"), 0)
    before = engine.digest()
    with pytest.raises(TypeError):
        engine.handle(command, 0)
    assert engine.digest() == before


@pytest.mark.parametrize("now", ["1000", 1000.0, None, True, [1], 1 + 0j], ids=repr)
def test_now_must_be_an_int(now: Any) -> None:
    engine = roshambo.Engine()
    with pytest.raises(TypeError, match="now must be an int"):
        engine.handle(hello("u1"), now)
    with pytest.raises(TypeError, match="now must be an int"):
        engine.tick(now)
    assert engine.now == 0 and engine.players() == []


def test_out_of_range_times_are_refused_by_the_engine() -> None:
    import numpy as np

    engine = roshambo.Engine()
    assert engine.handle(hello("u1"), np.int64(5))[0]["type"] == "hi"  # any int-like
    for now, code in [(-1, "time_went_backwards"), (-(2**70), "time_went_backwards"),
                      (2**62 + 1, "invalid_field"), (2**70, "invalid_field")]:
        (ev,) = engine.handle(cmd("u1", "join"), now)
        assert ev["data"]["code"] == code
        (ev,) = engine.tick(now)
        assert ev["data"]["code"] == code and ev["to"] == []
    assert engine.now == 5


def test_other_wrong_types() -> None:
    engine = roshambo.Engine()
    with pytest.raises(TypeError):
        engine.player(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.room(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.handle(hello("u1"), 0, strict="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        roshambo.Engine.restore(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        list(roshambo.replay([5]))  # type: ignore[list-item]
    with pytest.raises(TypeError):
        list(roshambo.replay(["{}"], digest_every=-1))
    with pytest.raises(TypeError):
        roshambo.Config.from_json(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        roshambo.Config.from_dict([("capacity", 3)])  # type: ignore[arg-type]


def test_every_shape_of_handle_call_is_taken_as_before() -> None:
    # handle(command, now[, strict=True/False]) on an Engine has a fast entry; every
    # other shape goes to the general one and must convert and fail as it always did.
    engine = roshambo.Engine()
    ghost = cmd("ghost", "join")
    assert engine.handle(command=hello("u1"), now=1)[0]["type"] == "hi"
    assert engine.handle(hello("u1"), now=2)[0]["type"] == "hi"
    assert roshambo.Engine.handle(engine, hello("u1"), 3)[0]["type"] == "hi"
    assert engine.handle(ghost, 4, strict=None)[0]["type"] == "error"  # type: ignore[arg-type]
    with pytest.raises(roshambo.CommandError):
        engine.handle(ghost, 4, strict=1)  # type: ignore[arg-type]
    calls: list[Callable[[], object]] = [
        lambda: engine.handle(ghost),  # type: ignore[call-arg]
        lambda: engine.handle(ghost, 4, True),  # type: ignore[call-arg]
        lambda: engine.handle(ghost, 4, stict=True),  # type: ignore[call-arg]
        lambda: roshambo.Engine.handle(ghost, 4),  # type: ignore[arg-type, call-arg]
    ]
    for call in calls:
        with pytest.raises(TypeError, match=r"^handle\(\): incompatible function arguments"):
            call()

    class Lobby(roshambo.Engine):  # type: ignore[misc]
        pass

    assert Lobby().handle(hello("u2"), 1, strict=True)[0]["type"] == "hi"


def test_bad_snapshots_raise_snapshot_error() -> None:
    engine = roshambo.Engine()
    engine.handle(hello("u1"), 0)
    good = json.loads(engine.snapshot())
    for text in ["", "[]", "{}", "not json", json.dumps({**good, "version": 999}), engine.snapshot()[:-5]]:
        with pytest.raises(roshambo.SnapshotError):
            roshambo.Engine.restore(text)
    assert isinstance(roshambo.SnapshotError("x"), ValueError)


def test_replay_bad_lines_become_error_events() -> None:
    events = list(roshambo.replay(["not json", "[1]", '{"at": -5, "type": "tick"}', '{"at": 1, "type": "tick"}', "", "   "]))
    assert [e["data"]["code"] for e in events] == ["malformed", "malformed", "time_went_backwards"]
    assert all(e["type"] == "error" and e["to"] == [] for e in events)
