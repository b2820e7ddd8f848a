"""Identity, takeover, token mode, bad input, shutdown and HTTP of roshambo-server."""

from __future__ import annotations

import asyncio
import json
import math
import urllib.request
from typing import Any

import aiohttp
from serverkit import FAST, Client, run

from roshambo.server import token_for

SLOW = {"game_time_ms": 5000, "bot_fill_after_ms": 0}


def test_a_connection_acts_only_as_the_uid_it_said_hello_with(start_server: Any) -> None:
    srv = start_server(SLOW, "--commands", "log.jsonl")

    async def body() -> None:
        ca = await Client("a").connect(srv.url)
        cb = await Client("b").connect(srv.url)
        # nothing before hello reaches the engine
        await ca.emit("join")
        assert (await ca.wait("error"))["code"] == "unknown_player"
        await ca.hello("a")
        await cb.hello("b")
        await ca.emit("join")
        await cb.emit("join")
        await cb.wait("start")
        # a payload naming another player changes nothing: the connection is "a"
        mark = len(cb.events)
        await ca.emit("choice", {"choice": 2, "from": "b", "uid": "b", "user": {"uid": "b"}})
        assert await cb.wait("movement", since=mark) == {"uid": "a", "movement": "choice"}
        # a second hello as someone else is refused, and "b" is untouched
        mark_a, mark_b = len(ca.events), len(cb.events)
        await ca.emit("hello", {"user": {"uid": "b", "uname": "Mallory", "uavatar": ""}})
        err = await ca.wait("error", since=mark_a)
        assert err["code"] == "invalid_field" and '"a"' in err["message"]
        await ca.emit("leave")  # still "a": a leaves, b is told
        assert await cb.wait("leave", since=mark_b) == {"uid": "a"}
        res = await cb.wait("result", since=mark_b, timeout=8)
        assert [(r["uid"], r["choice"]) for r in res["result"]] == [("b", 0)]
        # the same hello again on the same connection is fine
        assert (await ca.hello("a"))["message"] == "welcome"
        await ca.close()
        await cb.close()

    run(body())
    srv.stop()
    lines = [json.loads(x) for x in (srv.workdir / "log.jsonl").read_text().splitlines()]
    # the engine saw only "a" and "b" acting as themselves, never a payload's claim
    assert {(x.get("from"), x["type"]) for x in lines if x["type"] == "hello"} == {("a", "hello"), ("b", "hello")}
    assert all(x["from"] in ("a", "b") for x in lines if x["type"] != "tick")
    assert not any(x["type"] == "hello" and x["data"]["user"]["uname"] == "Mallory" for x in lines)


def test_takeover_closes_the_old_connection_and_keeps_the_seat(start_server: Any) -> None:
    srv = start_server(SLOW)

    async def body() -> None:
        old = await Client("old").connect(srv.url)
        await old.hello("a")
        await old.emit("join")
        room = await old.wait("room")
        new = await Client("new").connect(srv.url)
        hi = await new.hello("a")
        assert hi["nearby"] == 1  # the same player, not a second one
        err = await old.wait("error")
        assert err["code"] == "replaced"
        await asyncio.wait_for(old.disconnected.wait(), 5)
        # the seat carries over: b joins a's room and the new connection gets the game
        cb = await Client("b").connect(srv.url)
        await cb.hello("b")
        await cb.emit("join")
        start = await new.wait("start")
        assert start["roomId"] == room["roomId"]
        await new.emit("choice", {"choice": 3})
        assert await cb.wait("movement") == {"uid": "a", "movement": "choice"}
        # the old connection's disconnect did not take "a" offline
        assert "leave" not in cb.types()
        assert "start" not in old.types()
        await new.close()
        await cb.close()

    run(body())


def test_token_mode(start_server: Any) -> None:
    secret = "s3cret"
    srv = start_server(SLOW, "--commands", "log.jsonl", env={"ROSHAMBO_SECRET": secret})

    async def body() -> None:
        c = await Client("a").connect(srv.url)
        for extra in ({}, {"token": "00" * 32}, {"token": token_for(secret, "b")}, {"token": 7}):
            mark = len(c.events)
            await c.emit("hello", {"user": {"uid": "a", "uname": "A", "uavatar": ""}, **extra})
            err = await c.wait("error", since=mark)
            assert err["code"] == "unauthorized", extra
        await c.emit("join")
        assert (await c.wait("error", lambda d: d["code"] == "unknown_player"))["code"] == "unknown_player"
        hi = await c.hello("a", token=token_for(secret, "a"))
        assert hi == {"message": "welcome", "nearby": 1}
        # a stolen connection cannot become someone else even with their token
        mark = len(c.events)
        await c.emit("hello", {"user": {"uid": "b", "uname": "", "uavatar": ""}, "token": token_for(secret, "b")})
        assert (await c.wait("error", since=mark))["code"] == "invalid_field"
        await c.close()

    run(body())
    srv.stop()
    lines = [json.loads(x) for x in (srv.workdir / "log.jsonl").read_text().splitlines()]
    hellos = [x for x in lines if x["type"] == "hello"]
    assert len(hellos) == 1 and hellos[0]["from"] == "a"  # refused hellos never reached the engine
    assert "token" not in hellos[0]["data"]  # and the credential is not logged


async def raw_socket(session: aiohttp.ClientSession, url: str) -> aiohttp.ClientWebSocketResponse:
    """A bare Engine.IO v4 websocket joined to the default namespace."""
    ws = await session.ws_connect(url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket")
    opened = await ws.receive_str()
    assert opened.startswith("0{")
    await ws.send_str("40")
    connected = await ws.receive_str()
    assert connected.startswith("40{"), connected
    return ws


async def raw_events(ws: aiohttp.ClientWebSocketResponse, seconds: float) -> list[Any]:
    """Socket.IO events received in the next ``seconds`` (pings answered)."""
    out: list[Any] = []
    end = asyncio.get_running_loop().time() + seconds
    while (left := end - asyncio.get_running_loop().time()) > 0:
        try:
            msg = await ws.receive(timeout=left)
        except asyncio.TimeoutError:
            break
        if msg.type != aiohttp.WSMsgType.TEXT:
            out.append(("closed", msg.type))
            break
        if msg.data == "2":
            await ws.send_str("3")
        elif msg.data.startswith("42"):
            out.append(json.loads(msg.data[2:]))
    return out


def test_bad_input_is_refused_and_touches_nobody_else(start_server: Any) -> None:
    srv = start_server({"game_time_ms": 1500, "bot_fill_after_ms": 0, "max_command_bytes": 2048}, "--commands", "log.jsonl")

    async def body() -> None:
        # two players in a round that must end normally whatever the attacker does
        ca = await Client("a").connect(srv.url)
        cb = await Client("b").connect(srv.url)
        await ca.hello("a")
        await cb.hello("b")
        await ca.emit("join")
        await cb.emit("join")
        await ca.wait("start")
        await ca.emit("choice", {"choice": 2})
        await cb.emit("choice", {"choice": 3})

        m = await Client("mallory").connect(srv.url)
        await m.hello("m")

        async def refused(event: str, *payload: Any) -> str:
            mark = len(m.events)
            await m.emit(event, *payload)
            return str((await m.wait("error", since=mark))["code"])

        # non-object payloads
        for payload in ("join", 7, [1, 2], True, ""):
            assert await refused("choice", payload) == "malformed", payload
        assert await refused("choice", {"choice": 1}, {"choice": 2}) == "malformed"  # two payloads
        assert await refused("choice", {"choice": math.nan}) == "malformed"  # not JSON
        assert await refused("hello", {"user": {"uid": "m", "uname": b"\x00", "uavatar": ""}}) == "malformed"
        assert await refused("face", b"\x01\x02") == "malformed"
        # unknown event names, including Socket.IO's reserved ones sent as events
        for name in ("start", "result", "tick", "disconnect", "connect", "x" * 100):
            assert await refused(name, {}) == "unknown_command", name
        # engine refusals go back to the sender only
        assert await refused("choice", {"choice": 9}) == "invalid_choice"
        assert await refused("leave") == "not_in_room"
        assert await refused("choice", {}) in ("invalid_field", "invalid_choice", "not_in_room")
        # a payload under the Socket.IO limit whose command line would exceed max_command_bytes
        assert await refused("face", {"face": 1, "pad": "x" * 2000}) == "capacity_exceeded"
        # still connected and working after all that
        assert (await m.hello("m"))["nearby"] == 3

        # raw Engine.IO frames that are not Socket.IO packets at all
        async with aiohttp.ClientSession() as session:
            ws = await raw_socket(session, srv.url)
            await ws.send_str('42["choice",null]')  # a client library would send no payload instead
            assert await raw_events(ws, 0.5) == [["error", {"code": "malformed", "message": "choice: the payload must be one JSON object"}]]
            for frame in ('42not json', '42["hello"', "42{}", "42[]", "42[1,2]", "4", "9", "42" + "[" * 900 + "]" * 900):
                await ws.send_str(frame)
            await ws.send_bytes(b"\x00\x01garbage")
            await raw_events(ws, 0.3)
            await ws.close()

        # an oversized packet closes that connection
        big = await Client("big").connect(srv.url)
        await big.emit("face", {"face": 1, "pad": "x" * 4000})
        await asyncio.wait_for(big.disconnected.wait(), 5)

        # a flood: dropped with one rate_limited error, then the connection is closed
        f = await Client("flood").connect(srv.url)
        await f.hello("f")
        for _ in range(60):
            await f.emit("face", {"face": 1})
        await f.wait("error", lambda d: d["code"] == "rate_limited")
        await f.quiet(0.2)
        errors = [d["code"] for t, d in f.events if t == "error"]
        assert errors.count("rate_limited") == 1  # one warning per burst of drops, not one per event
        assert 30 <= errors.count("not_in_room") <= 45  # about the burst went through to the engine
        assert f.sio.connected
        for _ in range(400):
            await f.emit("face", {"face": 1})
        await asyncio.wait_for(f.disconnected.wait(), 5)

        # the round of a and b ended as it should
        res = await cb.wait("result", timeout=8)
        assert [(r["uid"], r["choice"], r["base"]) for r in res["result"]] == [("a", 2, -1), ("b", 3, 1)]
        assert "error" not in ca.types() and "error" not in cb.types()
        await ca.close()
        await cb.close()
        await m.close()

    run(body(), timeout=60)
    assert srv.stop() == 0
    assert "Traceback" not in srv.stderr(), srv.stderr()
    lines = [json.loads(x) for x in (srv.workdir / "log.jsonl").read_text().splitlines()]
    # the engine saw nothing of the refused input: only well-formed commands of known types
    assert {x["type"] for x in lines} <= {"hello", "join", "choice", "face", "leave", "disconnect", "tick"}
    assert all(isinstance(x.get("data", {}), dict) for x in lines)


def test_sigterm_closes_connections_and_flushes_the_log(start_server: Any) -> None:
    srv = start_server(SLOW, "--commands", "log.jsonl")

    async def body() -> Client:
        c = await Client("a").connect(srv.url)
        p = await Client("p").connect(srv.url, transport="polling")  # a long poll must not hold shutdown up
        await c.hello("a")
        await p.hello("p")
        await c.emit("join")
        await c.wait("room")
        srv.proc.send_signal(15)
        await asyncio.wait_for(c.disconnected.wait(), 10)
        await asyncio.wait_for(p.disconnected.wait(), 10)
        return c

    run(body())
    assert srv.stop() == 0
    lines = [json.loads(x) for x in (srv.workdir / "log.jsonl").read_text().splitlines()]
    assert [(x["from"], x["type"]) for x in lines[:3]] == [("a", "hello"), ("p", "hello"), ("a", "join")]
    assert sorted((x["from"], x["type"]) for x in lines[3:]) == [("a", "disconnect"), ("p", "disconnect")]


def test_http_page_info_and_not_found(start_server: Any) -> None:
    srv = start_server(FAST)

    def get(path: str) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(srv.url + path, timeout=5) as r:
                return r.status, r.headers["content-type"], r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers["content-type"], e.read()

    status, kind, body = get("/")
    assert status == 200 and kind.startswith("text/html")
    assert b'src="/socket.io.min.js"' in body and b'src="/app.js"' in body
    assert get("/app.js")[0] == 200 and get("/style.css")[0] == 200
    status, kind, body = get("/info")
    info = json.loads(body)
    assert status == 200 and isinstance(info["now"], int) and info["path"] == "/socket.io"
    assert info["capacity"] == 2 and info["gameTimeMs"] == 600 and "seed" not in body.decode()
    assert get("/../../etc/passwd")[0] == 404 and get("/nothing")[0] == 404


def test_the_command_line_refuses_a_bad_config_and_is_installed(tmp_path: Any) -> None:
    import importlib.metadata
    import subprocess
    import sys

    bad = tmp_path / "bad.json"
    bad.write_text('{"capacity": 1}')
    r = subprocess.run(
        [sys.executable, "-m", "roshambo.server", "--port", "0", "--config", str(bad)],
        capture_output=True, text=True, timeout=30, cwd=tmp_path,
    )
    assert r.returncode != 0 and "capacity" in r.stderr and "listening" not in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "roshambo.server", "--port", "0", "--config", str(tmp_path / "missing.json")],
        capture_output=True, text=True, timeout=30, cwd=tmp_path,
    )
    assert r.returncode != 0 and "cannot read --config" in r.stderr
    # `pip install .[server]` puts roshambo-server on the PATH
    (script,) = [e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == "roshambo-server"]
    assert script.value == "roshambo.server.__main__:main" and callable(script.load())


def test_another_socketio_path_and_the_secret_flag(start_server: Any) -> None:
    srv = start_server(FAST, "--path", "/game/io", "--secret", "flag-secret")

    async def body() -> None:
        with urllib.request.urlopen(srv.url + "/info", timeout=5) as r:
            assert json.loads(r.read())["path"] == "/game/io"
        c = Client("a")
        await c.sio.connect(srv.url, transports=["websocket"], socketio_path="game/io", wait_timeout=5)
        mark = len(c.events)
        await c.emit("hello", {"user": {"uid": "a", "uname": "", "uavatar": ""}})
        assert (await c.wait("error", since=mark))["code"] == "unauthorized"
        assert (await c.hello("a", token=token_for("flag-secret", "a")))["nearby"] == 1
        await c.close()

    run(body())
