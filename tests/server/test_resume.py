"""Reconnection grace (docs/RULES.md §11) through the server: a dropped connection is a
``disconnect`` for the engine, and a new connection's hello within the grace resumes."""

from __future__ import annotations

import asyncio
from typing import Any

from serverkit import Client, run


async def drop(c: Client) -> None:
    """Lose the connection the way a phone does: the transport goes, no goodbye."""
    await c.sio.eio.disconnect(abort=True)
    await asyncio.wait_for(c.disconnected.wait(), 5)


def test_drop_and_resume_within_the_grace(start_server: Any) -> None:
    srv = start_server({"game_time_ms": 2500, "bot_fill_after_ms": 0, "reconnect_grace_ms": 5000})

    async def body() -> None:
        ca = await Client("a").connect(srv.url)
        cb = await Client("b").connect(srv.url)
        await ca.hello("a", "Ann")
        await cb.hello("b", "Bob")
        await ca.emit("join")
        room = await ca.wait("room")
        # dropped while waiting: the seat is kept and the room still fills
        mark_b = len(cb.events)
        await drop(ca)
        await cb.emit("join")
        full = await cb.wait("room", since=mark_b)
        assert full["full"] and [u["uid"] for u in full["users"]] == ["a", "b"]
        start = await cb.wait("start", since=mark_b)
        ca2 = await Client("a2").connect(srv.url)
        mark_b = len(cb.events)
        hi = await ca2.hello("a", "Ann")
        assert hi["nearby"] == 2
        resume = await ca2.wait("resume")
        assert resume["roomId"] == room["roomId"] and resume["phase"] == "playing"
        assert resume["deadline"] == start["deadline"] and resume["choice"] == 0 and resume["full"] is True
        assert [u["uid"] for u in resume["users"]] == ["a", "b"]
        assert ca2.types() == ["hi", "resume"]  # hi first, then resume to that player alone
        assert await cb.wait("presence", since=mark_b) == {"uid": "a", "online": True}

        # dropped while playing, after choosing: the choice stands through the drop
        await ca2.emit("choice", {"choice": 2})
        await cb.wait("movement", lambda d: d["uid"] == "a")
        mark_b = len(cb.events)
        await drop(ca2)
        assert await cb.wait("presence", since=mark_b) == {"uid": "a", "online": False}
        ca3 = await Client("a3").connect(srv.url)
        await ca3.hello("a", "Ann")
        assert (await ca3.wait("resume"))["choice"] == 2
        await cb.emit("choice", {"choice": 1})
        res = await ca3.wait("result", timeout=6)
        assert [(r["uid"], r["choice"], r["base"]) for r in res["result"]] == [("a", 2, 1), ("b", 1, -1)]
        assert "leave" not in cb.types()
        for c in (ca3, cb):
            await c.close()

    run(body())


def test_drop_past_the_grace_leaves_the_room(start_server: Any) -> None:
    srv = start_server({"game_time_ms": 3000, "bot_fill_after_ms": 0, "reconnect_grace_ms": 300})

    async def body() -> None:
        ca = await Client("a").connect(srv.url)
        cb = await Client("b").connect(srv.url)
        await ca.hello("a")
        await cb.hello("b")
        await ca.emit("join")
        await cb.emit("join")
        await cb.wait("start")
        await ca.emit("choice", {"choice": 2})
        mark_b = len(cb.events)
        await drop(ca)
        assert await cb.wait("presence", since=mark_b) == {"uid": "a", "online": False}
        # the grace timer fires on its own (nobody sends anything): a leaves as by leave
        assert await cb.wait("leave", since=mark_b, timeout=3) == {"uid": "a"}
        ca2 = await Client("a2").connect(srv.url)
        await ca2.hello("a")
        assert await ca2.quiet(0.3) == []  # no resume: an ordinary hello
        await ca2.emit("leave")
        assert (await ca2.wait("error"))["code"] == "not_in_room"
        res = await cb.wait("result", since=mark_b, timeout=6)
        assert [r["uid"] for r in res["result"]] == ["b"]
        assert "result" not in ca2.types()
        for c in (ca2, cb):
            await c.close()

    run(body())
