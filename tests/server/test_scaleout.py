"""Scale-out (docs/server.md, Scale-out): several roshambo-server processes on one real
redis-server. Players of one shard meet whatever process they are connected to; every
client gets exactly the events the shard's logged commands replay to; a shard killed
with SIGKILL comes back from Redis with every acknowledged command and settled score;
a Redis outage refuses commands and applies none of them by half."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.error
import urllib.request
from typing import Any

import roshambo
from roshambo.server.scaleout import shard_of
from serverkit import Client, RedisServer, Server, cli_binary, run

SEED = 5


def compact(x: Any) -> str:
    return json.dumps(x, separators=(",", ":"), ensure_ascii=False)


def uids_of(shard: int, shards: int, n: int, prefix: str) -> list[str]:
    """The first ``n`` uids ``prefix0``, ``prefix1``, ... that shard ``shard`` owns."""
    out: list[str] = []
    i = 0
    while len(out) < n:
        uid = f"{prefix}{i}"
        if shard_of(uid, shards) == shard:
            out.append(uid)
        i += 1
    return out


def shard_args(redis: RedisServer, shards: int, shard: int) -> tuple[str, ...]:
    return ("--seed", str(SEED), "--redis", redis.url, "--shards", str(shards), "--shard", str(shard),
            "--log-format", "json", "--log-level", "info")


def health(srv: Server) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(srv.url + "/health", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


async def until_health(srv: Server, ok: bool, timeout: float = 15) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, h = await asyncio.to_thread(health, srv)
        if h["ok"] is ok and (status == 200) is ok:
            return h
        assert asyncio.get_running_loop().time() < deadline, h
        await asyncio.sleep(0.1)


async def choose_until_taken(cl: Client, peer: Client, uid: str, choice: int, timeout: float = 10) -> None:
    """Send a choice until the peer sees its movement, sending it again on each
    `unavailable` refusal as a client told to try again does: the log can refuse a
    write for a moment after the health check has seen Redis back."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        mark, mark_peer = len(cl.events), len(peer.events)
        await cl.emit("choice", {"choice": choice})
        while True:
            if any(t == "movement" and d["uid"] == uid for t, d in peer.events[mark_peer:]):
                return
            errors = [d for t, d in cl.events[mark:] if t == "error"]
            if errors:
                assert errors[0]["code"] == "unavailable", errors[0]
                break
            assert loop.time() < deadline, f"{uid}: choice neither taken nor refused"
            await asyncio.sleep(0.02)
        assert loop.time() < deadline, f"{uid}: choice still refused: {errors[0]}"
        await asyncio.sleep(0.1)


def seen_as_replayed(lines: list[str], config: dict[str, Any], seen: dict[str, list[tuple[str, Any]]]) -> None:
    """Each client received exactly, in order and once, the events that the shard's
    log replays to for its uid (refusals of the servers' own are not in the log)."""
    events = list(roshambo.replay(lines, config, seed=SEED))
    for uid, got in seen.items():
        want = [(e["type"], compact(e["data"])) for e in events if uid in e["to"]]
        mine = [(t, compact(d)) for t, d in got if not (t == "error" and d.get("code") == "unavailable")]
        assert mine == want, uid


def cli_totals(srv: Server, lines: list[str]) -> dict[str, int]:
    """Every player's total after a `roshambo replay` of the log: its last result."""
    cli = cli_binary()
    assert cli is not None, "the roshambo CLI is needed (ROSHAMBO_CLI or build/cli/roshambo)"
    path = srv.workdir / "shard.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = subprocess.run([str(cli), "replay", "--config", str(srv.config_path), "--seed", str(SEED), str(path)],
                         capture_output=True, timeout=30, check=True).stdout.decode()
    totals: dict[str, int] = {}
    for line in out.splitlines():
        e = json.loads(line)
        if e["type"] == "result":
            totals.update({r["uid"]: r["totalScore"] for r in e["data"]["result"]})
    return totals


async def seated_pair(url: str) -> tuple[Any, Any]:
    """Clients "a" and "b" on one process, said hello and joined, in that order."""
    ca = await Client("a").connect(url)
    cb = await Client("b").connect(url)
    await ca.hello("a")
    await cb.hello("b")
    await ca.emit("join")
    await cb.emit("join")
    return ca, cb


async def close_all(*clients: Any) -> dict[str, list[tuple[str, Any]]]:
    """Every event each client got, by uid, once all of them are closed."""
    seen = {c.name: list(c.events) for c in clients}
    for c in clients:
        await c.close()
    return seen


def test_three_processes_are_one_service(redis_server: RedisServer, start_server: Any) -> None:
    config = {"game_time_ms": 700, "bot_fill_after_ms": 0}
    procs = [start_server(config, *shard_args(redis_server, 3, k)) for k in range(3)]

    async def body() -> dict[str, list[tuple[str, Any]]]:
        pairs = []
        for s in range(3):
            x, y = uids_of(s, 3, 2, f"s{s}-")
            # x at its owner, y at the next process: commands forwarded, events relayed
            cx = await Client(x).connect(procs[s].url)
            cy = await Client(y).connect(procs[(s + 1) % 3].url)
            await cx.hello(x)
            await cy.hello(y)
            pairs.append((cx, cy))
        for rnd in range(2):
            marks = {c.name: len(c.events) for pair in pairs for c in pair}
            for cx, cy in pairs:
                await cx.emit("join")
                await cy.emit("join")
                start = await cx.wait("start", since=marks[cx.name])
                assert sorted(u["uid"] for u in start["roomUsers"]) == sorted([cx.name, cy.name])
            for cx, cy in pairs:
                await cx.emit("choice", {"choice": 1 + rnd})
                await cy.emit("choice", {"choice": 2 + rnd})
                await cy.emit("face", {"face": 3})
            for cx, cy in pairs:
                want = {cx.name: 1 + rnd, cy.name: 2 + rnd}
                for cl in (cx, cy):
                    res = await cl.wait("result", since=marks[cl.name])
                    assert {r["uid"]: r["choice"] for r in res["result"]} == want
        await asyncio.sleep(0.3)
        seen = await close_all(*(c for pair in pairs for c in pair))
        for s in range(3):
            h = await until_health(procs[s], True)
            assert h["shard"] == s and h["shards"] == 3 and h["players"] == 2 and h["rooms"] == 0
        assert sum(health(p)[1]["forwarded"] for p in procs) >= 3 * 7  # y: hello, 2 x (join, choice, face)
        return seen

    seen = run(body(), timeout=60)
    for s in range(3):
        mine = {uid: ev for uid, ev in seen.items() if shard_of(uid, 3) == s}
        seen_as_replayed(redis_server.log_lines(s), config, mine)
        assert sum(len(v) for v in mine.values()) > 20
    for p in procs:
        assert p.stop() == 0


def test_a_shard_killed_mid_countdown_loses_nothing(redis_server: RedisServer, start_server: Any) -> None:
    config = {"game_time_ms": 5000, "bot_fill_after_ms": 0, "reconnect_grace_ms": 15000}
    p0 = start_server(config, *shard_args(redis_server, 2, 0), "--snapshot-every", "8")
    p1 = start_server(config, *shard_args(redis_server, 2, 1))
    a, b = uids_of(0, 2, 2, "p")
    c, d = uids_of(1, 2, 2, "q")

    async def body() -> tuple[Server, dict[str, int]]:
        ca = await Client(a).connect(p0.url)
        cb = await Client(b).connect(p1.url)  # shard 0's player, through process 1
        cc = await Client(c).connect(p0.url)  # shard 1's player, through process 0
        cd = await Client(d).connect(p1.url)
        for cl in (ca, cb, cc, cd):
            await cl.hello(cl.name)
        # round 1 of shard 0, settled before the crash
        for cl in (ca, cb):
            await cl.emit("join")
        await ca.wait("start")
        await ca.emit("choice", {"choice": 2})
        await cb.emit("choice", {"choice": 1})
        first = await cb.wait("result", timeout=8)
        # round 2 of both shards: choices made and acknowledged (the others saw them)
        marks = {cl.name: len(cl.events) for cl in (ca, cb, cc, cd)}
        for cl in (ca, cb, cc, cd):
            await cl.emit("join")
        start0 = await ca.wait("start", since=marks[a])
        await cc.wait("start", since=marks[c])
        await ca.emit("choice", {"choice": 3})
        await cb.emit("choice", {"choice": 2})
        await cc.emit("choice", {"choice": 1})
        await cb.wait("movement", lambda m: m["uid"] == a, since=marks[b])
        await ca.wait("movement", lambda m: m["uid"] == b, since=marks[a])
        await cd.wait("movement", lambda m: m["uid"] == c, since=marks[d])

        p0.kill()  # mid-countdown: shard 0's engine and the connections of process 0
        await asyncio.wait_for(ca.disconnected.wait(), 5)
        await asyncio.wait_for(cc.disconnected.wait(), 5)
        mark_b = len(cb.events)
        await cb.emit("face", {"face": 1})
        assert (await cb.wait("error", since=mark_b))["code"] == "unavailable"

        p0b = await asyncio.to_thread(start_server, config, *shard_args(redis_server, 2, 0))
        # process 1 tells b its owner restarted and closes the connection, and drops c's session
        await asyncio.wait_for(cb.disconnected.wait(), 5)
        told = await cb.wait("error", lambda e: "restarted" in e["message"], since=mark_b)
        assert told["code"] == "unavailable"
        await cd.wait("presence", lambda m: m == {"uid": c, "online": False}, since=marks[d])
        ca2 = await Client(a).connect(p0b.url)
        cb2 = await Client(b).connect(p1.url)
        cc2 = await Client(c).connect(p1.url)
        for cl, choice in ((ca2, 3), (cb2, 2), (cc2, 1)):
            await cl.hello(cl.name)
            resume = await cl.wait("resume")
            assert resume["choice"] == choice and resume["phase"] == "playing", cl.name
        assert resume["deadline"] is not None
        res0 = await ca2.wait("result", timeout=10)
        assert {r["uid"]: r["choice"] for r in res0["result"]} == {a: 3, b: 2}
        assert res0["roomId"] == start0["roomId"]
        res1 = await cd.wait("result", lambda r: r["result"][0]["choice"] in (1, 0), since=marks[d], timeout=10)
        totals = {r["uid"]: r["totalScore"] for r in res0["result"] + res1["result"]}
        # a won both rounds: the score settled before the crash is in the total after it
        before = {r["uid"]: r["totalScore"] for r in first["result"]}
        assert totals[a] > before[a] > 0
        for cl in (ca2, cb2, cc2, cd):
            await cl.close()
        return p0b, totals

    p0b, totals = run(body(), timeout=90)
    assert p0b.stop() == 0 and p1.stop() == 0
    replayed = {**cli_totals(p0b, redis_server.log_lines(0)), **cli_totals(p1, redis_server.log_lines(1))}
    assert {u: replayed[u] for u in totals} == totals
    # the restart restored a snapshot (one every 8 lines) and replayed the lines after it
    logged = [json.loads(x) for x in p0b.stderr().splitlines() if x.startswith("{")]
    restored = [x for x in logged if x.get("msg") == "restored"]
    assert len(restored) == 1 and restored[0]["snapshot_seq"] > 0 and restored[0]["replayed"] > 0, restored


def test_redis_outage_refuses_then_recovers(redis_server: RedisServer, start_server: Any) -> None:
    # The countdown leaves room for Redis to restart on a busy machine before it ends.
    config = {"game_time_ms": 12000, "bot_fill_after_ms": 0}
    p0 = start_server(config, *shard_args(redis_server, 2, 0))
    p1 = start_server(config, *shard_args(redis_server, 2, 1))
    a, b = uids_of(0, 2, 2, "r")

    async def body() -> dict[str, list[tuple[str, Any]]]:
        ca = await Client(a).connect(p0.url)
        cb = await Client(b).connect(p1.url)  # forwarded to shard 0
        await ca.hello(a)
        await cb.hello(b)
        await ca.emit("join")
        await cb.emit("join")
        await ca.wait("start")
        await until_health(p0, True)
        redis_server.proc.kill()  # type: ignore[union-attr]
        h = await until_health(p0, False)
        assert h["redis"] == "down" and h["shard"] == 0 and h["rooms"] == 1 and h["nextDeadline"] is not None
        for cl in (ca, cb):
            mark = len(cl.events)
            await cl.emit("choice", {"choice": 3})
            err = await cl.wait("error", since=mark)
            assert err["code"] == "unavailable" and "try again" in err["message"], err
        await asyncio.to_thread(redis_server.start)
        await until_health(p0, True)
        await until_health(p1, True)
        await choose_until_taken(ca, cb, a, 1)
        await choose_until_taken(cb, ca, b, 2)
        res = await ca.wait("result", timeout=20)
        assert {r["uid"]: r["choice"] for r in res["result"]} == {a: 1, b: 2}
        await cb.wait("result")
        await asyncio.sleep(0.2)
        return await close_all(ca, cb)

    seen = run(body(), timeout=90)
    lines = redis_server.log_lines(0)
    assert not any('"choice":3' in x for x in lines)  # refused: never logged, never applied
    seen_as_replayed(lines, config, seen)
    assert p0.stop() == 0 and p1.stop() == 0


def test_a_deadline_that_passes_while_the_shard_is_down(redis_server: RedisServer, start_server: Any) -> None:
    """The shard restarts after its room's deadline: the room settles at the restart, at
    the deadline's time, with the choices made before the crash, exactly as the same
    commands give without a crash."""
    config = {"game_time_ms": 1200, "bot_fill_after_ms": 0, "reconnect_grace_ms": 10000}
    p0 = start_server(config, *shard_args(redis_server, 1, 0))

    async def body() -> tuple[Server, dict[str, Any], list[dict[str, Any]]]:
        ca, cb = await seated_pair(p0.url)
        start = await ca.wait("start")
        await ca.emit("choice", {"choice": 1})
        await cb.emit("choice", {"choice": 3})
        await ca.wait("movement", lambda m: m["uid"] == "b")
        await cb.wait("movement", lambda m: m["uid"] == "a")
        p0.kill()
        await asyncio.sleep(1.5)  # the deadline passes while nobody runs shard 0
        p0b = await asyncio.to_thread(start_server, config, *shard_args(redis_server, 1, 0))
        ca2 = await Client("a").connect(p0b.url)
        cb2 = await Client("b").connect(p0b.url)
        await ca2.hello("a")
        await cb2.hello("b")
        assert await ca2.quiet(0.2) == []  # the room is settled: nothing to resume
        await ca2.emit("join")
        await cb2.emit("join")
        again = await ca2.wait("start")
        for cl in (ca2, cb2):
            await cl.close()
        return p0b, start, again["roomUsers"]

    p0b, start, users = run(body(), timeout=40)
    assert p0b.stop() == 0
    lines = redis_server.log_lines(0)
    # the clean shutdown wrote a snapshot of everything: a restart replays nothing
    assert redis_server.snapshot_seq(0) == len(lines)
    events = list(roshambo.replay(lines, config, seed=SEED))
    result = next(e for e in events if e["type"] == "result")
    assert result["at"] == start["deadline"]
    assert {r["uid"]: (r["choice"], r["totalScore"]) for r in result["data"]["result"]} == {"a": (1, 1), "b": (3, 0)}
    # a never-crashed run of the commands logged before the crash gives the same result
    before = [x for x in lines if json.loads(x)["type"] in ("hello", "join", "choice")][:6]
    never = list(roshambo.replay([*before, compact({"at": start["deadline"], "type": "tick"})], config, seed=SEED))
    assert [compact(e) for e in never if e["type"] == "result"] == [compact(result)]
    assert {u["uid"]: u["totalScore"] for u in users} == {"a": 1, "b": 0}


def test_identity_errors_and_takeover_across_processes(redis_server: RedisServer, start_server: Any) -> None:
    """A connection held by one process for a uid of another shard: refusals come from
    the process that can tell (the edge for the envelope, the owner for the engine), and
    a hello on another process takes the session over."""
    p0 = start_server({"bot_fill_after_ms": 0}, *shard_args(redis_server, 2, 0))
    p1 = start_server({"bot_fill_after_ms": 0}, *shard_args(redis_server, 2, 1))
    (a,) = uids_of(0, 2, 1, "t")

    async def body() -> None:
        c = await Client("edge").connect(p1.url)
        await c.emit("join")
        assert (await c.wait("error"))["code"] == "unknown_player"
        mark = len(c.events)
        await c.emit("hello", {"user": {"uid": 7}})
        assert (await c.wait("error", since=mark))["code"] == "invalid_field"
        hi = await c.hello(a)
        assert hi["nearby"] == 1
        mark = len(c.events)
        await c.emit("hello", {"user": {"uid": a + "x", "uname": "X", "uavatar": ""}})
        assert (await c.wait("error", since=mark))["message"] == f'this connection is "{a}" already'
        mark = len(c.events)
        await c.emit("face", {"face": 9})  # refused by the owner's engine, answered through Redis
        assert (await c.wait("error", since=mark))["code"] == "invalid_face"
        await c.emit("join")
        room = await c.wait("room", since=mark)
        # the same uid on the owner's process: the session moves, the old connection is told and closed
        c2 = await Client("owner").connect(p0.url)
        await c2.hello(a)
        assert (await c.wait("error", lambda e: e["code"] == "replaced", since=mark))["code"] == "replaced"
        await asyncio.wait_for(c.disconnected.wait(), 5)
        assert room["roomId"]
        await c2.emit("leave")  # accepted: the seat came along with the session
        assert "error" not in [t for t, _ in await c2.quiet(0.3)]
        await c2.emit("leave")
        assert (await c2.wait("error"))["code"] == "not_in_room"
        await c2.close()

    run(body(), timeout=30)
    assert p0.stop() == 0 and p1.stop() == 0


def test_a_second_owner_of_a_shard_is_fenced(redis_server: RedisServer, start_server: Any) -> None:
    """Two processes started as the same shard: the one that writes a line number the
    other has written is refused by Redis and stops, without a snapshot."""
    first = start_server({"bot_fill_after_ms": 0}, *shard_args(redis_server, 1, 0))

    async def body() -> None:
        c = await Client("a").connect(first.url)
        await c.hello("a")  # line 1
        second = await asyncio.to_thread(start_server, {"bot_fill_after_ms": 0}, *shard_args(redis_server, 1, 0))
        assert await until_health(second, True)  # it restored line 1 and logged a's disconnect as line 2
        await c.emit("join")  # the first one's line 2: refused by Redis
        await asyncio.wait_for(c.disconnected.wait(), 10)
        await c.close()

    run(body(), timeout=30)
    assert first.proc.wait(10) == 0
    assert '"msg": "fenced"' in first.stderr()
    assert redis_server.snapshot_seq(0) == 0  # the fenced one wrote none


def test_a_process_that_does_not_fit_the_service_refuses_to_start(
    redis_server: RedisServer, start_server: Any, tmp_path: Any
) -> None:
    import subprocess
    import sys

    start_server({"bot_fill_after_ms": 0}, *shard_args(redis_server, 2, 0))
    cfg = tmp_path / "other.json"
    cfg.write_text(json.dumps({"bot_fill_after_ms": 0, "game_time_ms": 4000}))
    for args, why in (
        (["--shards", "3", "--shard", "0"], "holds a service of 2 shards, not --shards 3"),
        (["--shards", "2", "--shard", "1", "--config", str(cfg)], "another config or seed"),
        (["--shards", "2", "--shard", "2"], "--shard must be in 0..1"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "roshambo.server", "--port", "0", "--seed", str(SEED), "--redis", redis_server.url, *args],
            cwd=tmp_path, capture_output=True, text=True, timeout=30,
        )
        assert proc.returncode == 1 and why in proc.stderr, (args, proc.stderr)


def test_a_process_that_dies_for_good_frees_its_players(redis_server: RedisServer, start_server: Any) -> None:
    """A process holding a connection of another shard's player dies and stays down: the
    owner notices (its liveness key expires) and disconnects that player, who goes
    offline in their seat and resumes it from another process."""
    config = {"game_time_ms": 9000, "bot_fill_after_ms": 0, "reconnect_grace_ms": 10000}
    p0 = start_server(config, *shard_args(redis_server, 2, 0))
    p1 = start_server(config, *shard_args(redis_server, 2, 1))
    a, b = uids_of(0, 2, 2, "d")

    async def body() -> None:
        ca = await Client(a).connect(p1.url)  # held by process 1, owned by shard 0
        cb = await Client(b).connect(p0.url)
        await ca.hello(a)
        await cb.hello(b)
        await ca.emit("join")
        await cb.emit("join")
        await cb.wait("start")
        await ca.emit("choice", {"choice": 2})
        await cb.wait("movement", lambda m: m["uid"] == a)
        mark = len(cb.events)
        p1.kill()
        assert await cb.wait("presence", since=mark, timeout=12) == {"uid": a, "online": False}
        ca2 = await Client(a).connect(p0.url)
        await ca2.hello(a)
        assert (await ca2.wait("resume"))["choice"] == 2
        for cl in (ca2, cb):
            await cl.close()

    run(body(), timeout=40)
    assert p0.stop() == 0
    assert '"msg": "peer died", "peer": 1, "disconnected": 1' in p0.stderr()


def test_an_append_whose_answer_is_lost_is_settled_by_the_log(redis_server: RedisServer, start_server: Any) -> None:
    """Redis stalls (SIGSTOP) while a command's line is on its way: the shard cannot tell
    whether it was written, holds the command's events, and once Redis answers again
    reads the stream's last id to decide; the command is in the log exactly once and
    its events arrive, late."""
    import signal

    config = {"game_time_ms": 7000, "bot_fill_after_ms": 0}
    p0 = start_server(config, *shard_args(redis_server, 1, 0))

    async def body() -> dict[str, list[tuple[str, Any]]]:
        ca, cb = await seated_pair(p0.url)
        await cb.wait("start")
        assert redis_server.proc is not None
        redis_server.proc.send_signal(signal.SIGSTOP)
        try:
            mark = len(cb.events)
            await ca.emit("choice", {"choice": 2})
            assert await cb.quiet(2.5) == []  # held: not durable yet
        finally:
            redis_server.proc.send_signal(signal.SIGCONT)
        await cb.wait("movement", lambda m: m["uid"] == "a", since=mark, timeout=10)
        await cb.emit("choice", {"choice": 1})
        res = await ca.wait("result", timeout=10)
        assert {r["uid"]: r["choice"] for r in res["result"]} == {"a": 2, "b": 1}
        await cb.wait("result")
        return await close_all(ca, cb)

    seen = run(body(), timeout=40)
    lines = redis_server.log_lines(0)
    assert sum('"from":"a","type":"choice"' in x for x in lines) == 1
    seen_as_replayed(lines, config, seen)
    assert p0.stop() == 0
    assert '"msg": "redis unreachable"' in p0.stderr()


def test_a_shard_stops_even_while_redis_is_away(redis_server: RedisServer, start_server: Any) -> None:
    """SIGTERM while a command waits for a stalled Redis: the process still exits, in
    bounded time, without acknowledging that command and without a snapshot."""
    import signal
    import time

    p0 = start_server({"bot_fill_after_ms": 0}, *shard_args(redis_server, 1, 0))

    async def body() -> None:
        ca = await Client("a").connect(p0.url)
        await ca.hello("a")
        assert redis_server.proc is not None
        redis_server.proc.send_signal(signal.SIGSTOP)
        await ca.emit("join")  # its line cannot reach Redis
        assert await ca.quiet(0.5) == []

    try:
        run(body(), timeout=20)
        t0 = time.monotonic()
        assert p0.stop(timeout=30) == 0
        assert time.monotonic() - t0 < 20
    finally:
        assert redis_server.proc is not None
        redis_server.proc.send_signal(signal.SIGCONT)
    assert '"msg": "stopped without Redis' in p0.stderr()
    assert redis_server.snapshot_seq(0) == 0
