"""The command log (--commands) replays to exactly the events the clients received:
the server adds no rules of its own."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import roshambo
from serverkit import Client, cli_binary, run

CONFIG = {"game_time_ms": 800, "bot_fill_after_ms": 300, "reconnect_grace_ms": 400}
SEED = 11


def compact(x: Any) -> str:
    return json.dumps(x, separators=(",", ":"), ensure_ascii=False)


def test_the_command_log_replays_to_the_events_the_clients_saw(start_server: Any) -> None:
    srv = start_server(CONFIG, "--seed", str(SEED), "--commands", "log.jsonl")
    log_path = srv.workdir / "log.jsonl"

    async def body() -> tuple[dict[str, list[tuple[str, Any]]], list[str]]:
        ca = await Client("a").connect(srv.url)
        cb = await Client("b").connect(srv.url)
        cc = await Client("c").connect(srv.url)
        await ca.hello("a", "Ann", "🦊")
        await cb.hello("b", "Bøb", "b.png")
        await ca.emit("join")
        await ca.wait("room")
        await cb.emit("join")
        await ca.wait("start")
        await ca.emit("choice", {"choice": 1})
        await ca.emit("choice", {"choice": 3})
        await cb.emit("choice", {"choice": 2})
        await cb.emit("face", {"face": 2})
        await ca.emit("face", {"face": 9})  # refused by the engine: an error event
        await cc.hello("c", "Cy")
        await cc.emit("join")  # alone: a bot fills the room
        await cc.wait("start")
        await cc.emit("choice", {"choice": 5})  # refused
        await cc.emit("choice", {"choice": 3})
        await ca.wait("result")
        await cc.wait("result")
        # a second round: a and c, and a leaves while it plays; b drops in no room
        await ca.emit("join")
        await cc.emit("join")
        await ca.wait("start", lambda d: [u["uid"] for u in d["roomUsers"]] == ["a", "c"])
        await ca.emit("leave")
        await cb.close()
        await cc.wait("result", lambda d: [r["uid"] for r in d["result"]] == ["c"])
        # a drops in a room and the grace runs out: timers with nobody sending anything
        mark = len(cc.events)
        await ca.emit("join")
        await cc.emit("join")
        await cc.wait("start", since=mark)
        await ca.close()
        await cc.wait("leave", since=mark)
        await cc.wait("result", since=mark, timeout=5)
        await cc.quiet(0.5)
        seen = {c.name: list(c.events) for c in (ca, cb, cc)}
        lines = log_path.read_text().splitlines()  # flushed after every batch
        await cc.close()
        return seen, lines

    seen, lines = run(body(), timeout=40)
    assert srv.stop() == 0
    assert log_path.read_text().splitlines()[: len(lines)] == lines  # the shutdown only appended
    assert any(json.loads(x)["type"] == "tick" for x in lines)

    events = list(roshambo.replay(lines, CONFIG, seed=SEED))
    assert all(e["type"] != "error" or e["to"] for e in events)
    for uid, got in seen.items():
        want = [(e["type"], compact(e["data"])) for e in events if uid in e["to"]]
        assert [(t, compact(d)) for t, d in got] == want, uid
    assert sum(len(v) for v in seen.values()) > 30  # a real game went by

    cli = cli_binary()
    if cli is not None:  # always in CI (scripts/test.d/70-server.sh sets ROSHAMBO_CLI)
        (srv.workdir / "part.jsonl").write_text("\n".join(lines) + "\n")
        out = subprocess.run(
            [str(cli), "replay", "--config", str(srv.config_path), "--seed", str(SEED), str(srv.workdir / "part.jsonl")],
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout.decode()
        cli_lines = out.splitlines()
        assert cli_lines == [compact(e) for e in events]
        # byte for byte: the data each client received is the data part of the CLI's line
        for uid, got in seen.items():
            want_data = [x[x.index('"data":') + 7 : -1] for x in cli_lines if uid in json.loads(x)["to"]]
            assert [compact(d) for _, d in got] == want_data, uid
