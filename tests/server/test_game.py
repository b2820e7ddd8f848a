"""Playing the game through roshambo-server with python-socketio clients."""

from __future__ import annotations

from typing import Any

from serverkit import FAST, Client, run


async def two_in_a_room(url: str, a: str = "a", b: str = "b") -> tuple[Client, Client, Any, Any]:
    ca = await Client(a).connect(url)
    cb = await Client(b).connect(url)
    await ca.hello(a, "Ann")
    await cb.hello(b, "Bob")
    await ca.emit("join")
    await ca.wait("room")
    await cb.emit("join", {})
    sa = await ca.wait("start")
    sb = await cb.wait("start")
    return ca, cb, sa, sb


def test_a_full_round_between_two_clients(start_server: Any) -> None:
    srv = start_server(FAST)

    async def body() -> None:
        ca = await Client("a").connect(srv.url)
        cb = await Client("b").connect(srv.url)
        hi = await ca.hello("a", "Ann", "a.png")
        assert hi == {"message": "welcome", "nearby": 1}
        assert (await cb.hello("b", "Bob"))["nearby"] == 2

        await ca.emit("join")  # the original client sends join without a payload
        room = await ca.wait("room")
        assert room["full"] is False and [u["uid"] for u in room["users"]] == ["a"]
        await cb.emit("join", {})
        full = await cb.wait("room")
        assert full["full"] is True and full["roomId"] == room["roomId"]
        assert full["users"] == [
            {"uid": "a", "uname": "Ann", "uavatar": "a.png"},
            {"uid": "b", "uname": "Bob", "uavatar": ""},
        ]
        start = await ca.wait("start")
        assert start == await cb.wait("start")
        assert start["gameTime"] == 0.6 and start["roomId"] == room["roomId"]
        assert [u["uid"] for u in start["roomUsers"]] == ["a", "b"]

        await ca.emit("choice", {"choice": 2})  # rock
        await cb.emit("choice", {"choice": 1})  # scissors
        assert await cb.wait("movement") == {"uid": "a", "movement": "choice"}  # never the choice itself
        assert await ca.wait("movement") == {"uid": "b", "movement": "choice"}

        ra = await ca.wait("result", timeout=5)
        assert ra == await cb.wait("result")
        a, b = ra["result"]
        assert (a["uid"], a["choice"], a["wins"], a["losses"], a["base"], a["roundScore"]) == ("a", 2, 1, 0, 1, 1)
        assert (a["totalScore"], a["winStreak"], a["bot"]) == (1, 1, False)
        assert (b["uid"], b["choice"], b["base"], b["roundScore"], b["winStreak"]) == ("b", 1, -1, 0, 0)
        # nobody got anything they should not have
        assert ca.types() == ["hi", "room", "room", "start", "movement", "result"]
        assert cb.types() == ["hi", "room", "start", "movement", "result"]

        # and a second round in the same connections, scores carried over
        mark_a, mark_b = len(ca.events), len(cb.events)
        await ca.emit("join")
        await cb.emit("join")
        await ca.wait("start", since=mark_a)
        await ca.emit("choice", {"choice": 3})
        r2 = await cb.wait("result", since=mark_b, timeout=5)
        assert r2["result"][0]["roundScore"] == 2 and r2["result"][0]["totalScore"] == 3  # 1 x streak 2
        await ca.close()
        await cb.close()

    run(body())


def test_a_bot_fills_the_room_and_plays(start_server: Any) -> None:
    srv = start_server({"game_time_ms": 600, "bot_fill_after_ms": 200}, "--seed", "5")

    async def body() -> None:
        c = await Client("solo").connect(srv.url)
        await c.hello("solo")
        await c.emit("join")
        full = await c.wait("room", lambda d: d["full"])
        assert [u["uid"] for u in full["users"]] == ["solo", "bot-1"]
        start = await c.wait("start")
        assert [u["uid"] for u in start["roomUsers"]] == ["solo", "bot-1"]
        await c.emit("choice", {"choice": 2})
        assert await c.wait("movement") == {"uid": "bot-1", "movement": "choice"}
        res = await c.wait("result")
        me, bot = res["result"]
        assert me["bot"] is False and bot["bot"] is True and bot["uid"] == "bot-1"
        assert me["choice"] == 2 and bot["choice"] in (1, 2, 3)
        assert me["base"] == -bot["base"]
        await c.close()

    run(body())


def test_changing_a_choice_counts_the_last_one(start_server: Any) -> None:
    srv = start_server(FAST)

    async def body() -> None:
        ca, cb, _, _ = await two_in_a_room(srv.url)
        mark = len(cb.events)
        for choice in (1, 3, 2):  # scissors, paper, then rock
            await ca.emit("choice", {"choice": choice})
        await cb.emit("choice", {"choice": 1})
        res = await ca.wait("result")
        assert res["result"][0]["choice"] == 2 and res["result"][0]["base"] == 1
        # every change is a movement for the others, none reveals the choice
        moves = [d for t, d in cb.events[mark:] if t == "movement"]
        assert moves == [{"uid": "a", "movement": "choice"}] * 3
        await ca.close()
        await cb.close()

    run(body())


def test_emotes_go_to_the_others(start_server: Any) -> None:
    srv = start_server({"game_time_ms": 5000, "bot_fill_after_ms": 0})

    async def body() -> None:
        ca, cb, _, _ = await two_in_a_room(srv.url)
        mark_a = len(ca.events)
        for face in (1, 2, 3, 4):
            await ca.emit("face", {"face": face})
        for face in (1, 2, 3, 4):
            assert await cb.wait("movement", lambda d, f=face: d.get("face") == f) == {
                "uid": "a",
                "movement": "face",
                "face": face,
            }
        await ca.emit("face", {"face": 5})
        err = await ca.wait("error", since=mark_a)
        assert err["code"] == "invalid_face"
        assert "movement" not in ca.types(mark_a)  # an emote is not echoed to its sender
        await ca.close()
        await cb.close()

    run(body())


def test_leave_in_every_phase(start_server: Any) -> None:
    srv = start_server(FAST)

    async def body() -> None:
        ca = await Client("a").connect(srv.url)
        cb = await Client("b").connect(srv.url)
        cc = await Client("c").connect(srv.url)
        for c, uid in ((ca, "a"), (cb, "b"), (cc, "c")):
            await c.hello(uid)
        # in no room
        await ca.emit("leave")
        assert (await ca.wait("error"))["code"] == "not_in_room"
        # waiting: the others get leave and the new room
        await ca.emit("join")
        room = await ca.wait("room")
        mark = len(ca.events)
        await cb.emit("join")
        await ca.wait("room", lambda d: d["full"], since=mark)
        # capacity 2: a and b started; c waits alone in a new room, then leaves it
        await cc.emit("join")
        croom = await cc.wait("room")
        assert croom["roomId"] != room["roomId"]
        await cc.emit("leave", {})
        assert await cc.quiet(0.2) == []  # nobody else there: no event at all
        # playing: b leaves, a gets leave and settles alone at the deadline
        await ca.wait("start")
        mark = len(ca.events)
        await cb.emit("leave")
        assert await ca.wait("leave", since=mark) == {"uid": "b"}
        res = await ca.wait("result", since=mark)
        assert [r["uid"] for r in res["result"]] == ["a"] and res["result"][0]["base"] == 0
        assert "result" not in cb.types()
        for c in (ca, cb, cc):
            await c.close()

    run(body())


def test_a_room_member_dropping_is_a_disconnect(start_server: Any) -> None:
    srv = start_server({"game_time_ms": 5000, "bot_fill_after_ms": 0})

    async def body() -> None:
        ca, cb, _, _ = await two_in_a_room(srv.url)
        mark = len(ca.events)
        await cb.close()
        assert await ca.wait("leave", since=mark) == {"uid": "b"}
        c2 = await Client("b2").connect(srv.url)
        assert (await c2.hello("b"))["nearby"] == 2  # back online, scores kept, in no room
        await c2.emit("leave")
        assert (await c2.wait("error"))["code"] == "not_in_room"
        await ca.close()
        await c2.close()

    run(body())
