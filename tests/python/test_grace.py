"""Reconnection grace through the binding: the config field, presence and resume dicts."""

from __future__ import annotations

import roshambo
from conftest import cmd, dumps, hello


def _engine(**fields: int) -> roshambo.Engine:
    config = {"capacity": 2, "game_time_ms": 3000, "bot_fill_after_ms": 0, "reconnect_grace_ms": 1000}
    config.update(fields)
    return roshambo.Engine(config, seed=1)


def test_config_field_defaults_to_zero_and_round_trips() -> None:
    assert roshambo.Config().reconnect_grace_ms == 0
    c = roshambo.Config(reconnect_grace_ms=2500)
    assert c.reconnect_grace_ms == 2500
    assert c.to_dict()["reconnect_grace_ms"] == 2500
    assert roshambo.Config.from_json(c.to_json()) == c


def test_out_of_range_grace_names_the_field() -> None:
    for bad in (-1, 86_400_001, "10", 1.5):
        try:
            roshambo.Config(reconnect_grace_ms=bad)
        except roshambo.ConfigError as e:
            assert e.field == "reconnect_grace_ms"
        else:
            raise AssertionError(f"{bad!r} accepted")


def test_drop_and_resume_as_dicts() -> None:
    e = _engine()
    for u in ("a", "b"):
        e.handle(hello(u, u.upper()), now=0)
        e.handle(cmd(u, "join"), now=0)
    e.handle(cmd("a", "choice", choice=3), now=10)
    dropped = e.handle(cmd("a", "disconnect"), now=20)
    assert dropped == [{"at": 20, "to": ["b"], "type": "presence", "data": {"uid": "a", "online": False}}]
    assert e.next_deadline() == 1020
    back = e.handle(hello("a", "A"), now=500)
    assert [ev["type"] for ev in back] == ["hi", "resume", "presence"]
    assert back[1] == {
        "at": 500,
        "to": ["a"],
        "type": "resume",
        "data": {
            "roomId": "room-1",
            "phase": "playing",
            "users": [{"uid": "a", "uname": "A", "uavatar": ""}, {"uid": "b", "uname": "B", "uavatar": ""}],
            "full": True,
            "deadline": 3000,
            "choice": 3,
        },
    }
    # Key order is the event log's, so the dumped dict is the CLI's line.
    assert dumps(back[2]) == '{"at":500,"to":["b"],"type":"presence","data":{"uid":"a","online":true}}'
    assert e.next_deadline() == 3000  # the grace timer is gone
    e.verify()


def test_grace_expiry_leaves_and_keeps_the_score() -> None:
    e = _engine(capacity=3)
    for u in ("a", "b"):
        e.handle(hello(u), now=0)
        e.handle(cmd(u, "join"), now=0)
    e.handle(cmd("b", "disconnect"), now=0)
    p = e.player("b")
    assert p is not None and not p.online and p.room == "room-1"
    events = e.tick(1000)
    assert [ev["type"] for ev in events] == ["leave", "room"]
    p = e.player("b")
    assert p is not None and p.room is None
    # A snapshot taken mid-grace restores to the same future.
    f = _engine(capacity=3)
    for u in ("a", "b"):
        f.handle(hello(u), now=0)
        f.handle(cmd(u, "join"), now=0)
    f.handle(cmd("b", "disconnect"), now=0)
    g = roshambo.Engine.restore(f.snapshot())
    assert g.digest() == f.digest()
    assert g.tick(1000) == f.tick(1000) == events
