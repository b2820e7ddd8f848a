"""Load generator for roshambo-server (a benchmark, not a test).

``python -m roshambo.server.load --players 2000 --duration 30`` starts a server on a
free loopback port (or uses ``--url``), connects N players that play rounds without
pause (join, a choice at a random moment of the countdown, the result, join again),
and reports: latency from each room's deadline to its ``result`` arriving (p50, p99,
max), events lost, messages a second, and the server's CPU and memory per connection.

``--shards N`` starts a redis-server of its own on a free loopback port and N shard
processes on it (docs/server.md, Scale-out); players connect to the processes in turn
(``--route spread``: most commands are forwarded) or each to the process of its own
shard (``--route owner``: none are), which isolates the cost of forwarding.

Players are lean Socket.IO clients: asyncio protocols speaking WebSocket, Engine.IO
v4 and Socket.IO text packets by hand, so the generator spends little of the CPU it
shares with the server. They are spread over ``--workers`` processes. Everything
is bounded: a player count, a duration, and a deadline on every wait. Only loopback
addresses are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ipaddress
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any, cast



@dataclass
class Tally:
    """One worker's figures."""

    players: int = 0
    connected: int = 0
    failed_connects: int = 0
    rounds: int = 0  # results received in the measured window
    latencies: list[float] = field(default_factory=list)  # ms, deadline -> result received
    sent: int = 0
    received: int = 0
    lost: int = 0  # a start without its result, or a result of another room
    missing_moves: int = 0  # movements of the others that never came
    errors: dict[str, int] = field(default_factory=dict)
    loop_lag_ms: float = 0.0  # worst lateness of this worker's own event loop
    window_s: float = 0.0


def _loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        sys.exit(f"load: {url} is not a loopback address; this tool only loads a local server")


def host_offset(url: str) -> float:
    """host time - local monotonic ms, from GET /info (best of 5 by round trip)."""
    best: tuple[float, float] | None = None
    for _ in range(5):
        t0 = time.monotonic() * 1000
        with urllib.request.urlopen(url + "/info", timeout=5) as r:
            now = json.loads(r.read())["now"]
        t1 = time.monotonic() * 1000
        cand = (t1 - t0, now - (t0 + t1) / 2)
        if best is None or cand[0] < best[0]:
            best = cand
    assert best is not None
    return best[1]


class Player(asyncio.Protocol):
    """One Socket.IO client that plays continuously until the window ends.

    WebSocket (RFC 6455) by hand on an asyncio protocol, Engine.IO v4 and Socket.IO v5
    text packets by hand: a general client library costs several times the server's
    own CPU a message, and the generator shares the machine with the server.
    """

    def __init__(self, uid: str, host: str, t: Tally, offset: float, window: tuple[float, float], rng: random.Random):
        self.uid = uid
        self.host = host
        self.t = t
        self.offset = offset
        self.window = window
        self.rng = rng
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.room: str | None = None
        self.deadline = 0
        self.expect_moves = 0
        self.moves = 0
        self.done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    # --- WebSocket ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Typed by what it does: uvloop's transport is no asyncio.Transport subclass.
        self.transport = cast(asyncio.Transport, transport)
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self._finish(failed=True)
                return
            del buf[: end + 4]
            self.upgraded = True
        while len(buf) >= 2:
            n = buf[1] & 0x7F
            at = 2
            if n == 126:
                if len(buf) < 4:
                    return
                n, at = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, at = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < at + n:
                return
            opcode = buf[0] & 0x0F
            payload = bytes(buf[at : at + n])
            del buf[: at + n]
            if opcode == 1:
                self._packet(payload.decode())
            elif opcode == 8:
                self._finish()
                return
            elif opcode == 9:
                self._frame(0xA, payload)

    def _frame(self, opcode: int, payload: bytes) -> None:
        # A client frame is masked; an all-zero key leaves the payload as it is.
        n = len(payload)
        head = bytes([0x80 | opcode, 0x80 | n]) if n < 126 else bytes([0x80 | opcode, 0xFE]) + n.to_bytes(2, "big")
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(head + b"\0\0\0\0" + payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish()

    def _finish(self, failed: bool = False) -> None:
        if self.room is not None:
            self.t.lost += 1  # a round in flight never got its result
            self.room = None
        if not self.done.done():
            self.done.set_result(failed)
        if self.transport is not None:
            self.transport.close()

    # --- Engine.IO / Socket.IO ---------------------------------------------------
    def send(self, event: str, data: Any) -> None:
        self.t.sent += 1
        self._frame(1, ("42" + json.dumps([event, data], separators=(",", ":"))).encode())

    def _packet(self, text: str) -> None:
        if text == "2":
            self._frame(1, b"3")  # Engine.IO pong
        elif text.startswith("42"):
            self._event(time.monotonic(), *json.loads(text[2:]))
        elif text.startswith("40"):
            self.t.connected += 1
            self.send("hello", {"user": {"uid": self.uid, "uname": self.uid, "uavatar": ""}})
        elif text.startswith("0"):
            self._frame(1, b"40")  # open -> connect to the default namespace

    def _event(self, arrived: float, event: str, payload: Any) -> None:
        self.t.received += 1
        if event == "hi":
            self.send("join", {})
        elif event == "start":
            self.room = payload["roomId"]
            self.deadline = payload["deadline"]
            self.expect_moves = len(payload["roomUsers"]) - 1
            self.moves = 0
            delay = self.rng.uniform(0.05, 0.8) * payload["gameTime"]
            asyncio.get_running_loop().call_later(delay, self._choose, self.room)
        elif event == "movement":
            self.moves += 1
        elif event == "result":
            if payload["roomId"] != self.room:
                self.t.lost += 1
            self.t.missing_moves += max(0, self.expect_moves - self.moves)
            self.room = None
            if self.window[0] <= arrived < self.window[1]:
                self.t.rounds += 1
                # the deadline is host time; offset maps this clock onto it
                self.t.latencies.append(arrived * 1000 + self.offset - self.deadline)
            if arrived < self.window[1]:
                self.send("join", {})
            else:
                self._finish()
        elif event == "error":
            code = payload.get("code", "?")
            self.t.errors[code] = self.t.errors.get(code, 0) + 1

    def _choose(self, room: str) -> None:
        if self.room == room:
            self.send("choice", {"choice": self.rng.randint(1, 3)})


async def _lag_probe(t: Tally, until: float) -> None:
    while time.monotonic() < until:
        t0 = time.monotonic()
        await asyncio.sleep(0.01)
        t.loop_lag_ms = max(t.loop_lag_ms, (time.monotonic() - t0 - 0.01) * 1000)


async def worker(
    urls: list[str], prefix: str, players: int, ramp_s: float, warm_s: float, duration_s: float, seed: int,
    route: str = "spread",
) -> Tally:
    """Connect ``players`` over ``ramp_s`` seconds, play for ``duration_s`` after a
    ``warm_s`` warm-up, and return the figures of the measured window. ``urls`` are
    the processes of shards 0, 1, ...; a player connects to ``urls[i % n]``
    (``route="spread"``) or to its own shard's (``"owner"``)."""
    from .scaleout import shard_of

    t = Tally(players=players, window_s=duration_s)
    offsets = [host_offset(u) for u in urls]  # each shard has its own host clock
    loop = asyncio.get_running_loop()
    start = time.monotonic()
    window = (start + ramp_s + warm_s, start + ramp_s + warm_s + duration_s)
    addrs = []
    for u in urls:
        parts = urllib.parse.urlsplit(u)
        addrs.append((parts.hostname or "127.0.0.1", parts.port or 80))
    rng = random.Random(seed)
    probe = loop.create_task(_lag_probe(t, window[1]))
    everyone: list[Player] = []

    async def connect(p: Player, host: str, port: int) -> None:
        try:
            await asyncio.wait_for(loop.create_connection(lambda: p, host, port), 20)
            everyone.append(p)
        except (OSError, asyncio.TimeoutError):
            t.failed_connects += 1

    # Connections start on the ramp's schedule whatever the server's accept pace.
    connecting = []
    for i in range(players):
        uid = f"{prefix}{i}"
        owner = shard_of(uid, len(urls))
        host, port = addrs[owner if route == "owner" else i % len(urls)]
        p = Player(uid, f"{host}:{port}", t, offsets[owner], window, random.Random(rng.random()))
        connecting.append(loop.create_task(connect(p, host, port)))
        target = start + ramp_s * (i + 1) / players
        if (pause := target - time.monotonic()) > 0:
            await asyncio.sleep(pause)
    await asyncio.gather(*connecting)
    # Each player stops at its first result past the window (a round in flight may
    # finish); nobody waits longer than this bound.
    left = window[1] + 15 - time.monotonic()
    done, _ = await asyncio.wait([p.done for p in everyone], timeout=max(1.0, left))
    for p in everyone:
        p._finish()
    t.failed_connects += sum(1 for f in done if f.result())
    probe.cancel()
    return t


# ------------------------------------------------------------------ orchestration

#: Where the server's time goes, by the first matching frame from the leaf up.
PROFILE_PARTS = [
    ("engine (roshambo._core)", ("engine.handle", "engine.tick", "_core")),
    ("JSON", ("json/", "json.dumps", "json.loads")),
    ("Socket.IO packets (python-socketio)", ("socketio/",)),
    ("Engine.IO (python-engineio)", ("engineio/",)),
    ("WebSocket protocol (websockets)", ("websockets/",)),
    ("HTTP/ASGI server (uvicorn)", ("uvicorn/",)),
    ("roshambo.server", ("roshambo/server/",)),
    ("asyncio event loop", ("asyncio/",)),
]


def summarise_profile(path: str, top: int = 12) -> dict[str, Any]:
    """Shares of a py-spy raw (collapsed) profile: by part (the innermost frame that
    belongs to a known part) and the functions with the most self time."""
    parts: dict[str, int] = {}
    leaves: dict[str, int] = {}
    total = 0
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            count = int(n)
            total += count
            frames = stack.split(";")
            leaves[frames[-1]] = leaves.get(frames[-1], 0) + count
            part = "other"
            for frame in reversed(frames):
                hit = next((name for name, keys in PROFILE_PARTS if any(k in frame for k in keys)), None)
                if hit:
                    part = hit
                    break
            parts[part] = parts.get(part, 0) + count
    def pct(c: int) -> float:
        return round(100 * c / max(1, total), 1)

    return {
        "samples": total,
        "parts_pct": {k: pct(v) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])},
        "top_self_pct": {k: pct(v) for k, v in sorted(leaves.items(), key=lambda kv: -kv[1])[:top]},
    }



def _proc_stat(pid: int) -> tuple[float, int]:
    """(CPU seconds used, RSS bytes) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    with open(f"/proc/{pid}/status") as f:
        rss = int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) * 1024  # type: ignore[union-attr]
    return cpu, rss


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def redis_argv(port: int, workdir: str, appendfsync: str = "everysec") -> list[str]:
    """A redis-server of one's own: loopback only, a free port, its own directory, no
    RDB snapshots, an append-only file (fsync ``always``: a restart keeps every
    acknowledged write; ``everysec``: Redis's default, a second at risk)."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise FileNotFoundError("redis-server is not installed (scripts/setup.sh installs it)")
    return [exe, "--bind", "127.0.0.1", "--port", str(port), "--dir", workdir, "--save", "",
            "--appendonly", "yes", "--appendfsync", appendfsync, "--protected-mode", "yes",
            "--daemonize", "no", "--logfile", os.path.join(workdir, "redis.log")]


def start_redis(d: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start a redis-server in directory ``d`` (see :func:`redis_argv`) and wait until
    it answers."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(redis_argv(port, d), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("load: redis-server did not start")


def start_server(config: dict[str, Any], extra: list[str]) -> tuple[subprocess.Popen[bytes], str, str]:
    d = tempfile.mkdtemp(prefix="roshambo-load-")
    cfg = os.path.join(d, "config.json")
    with open(cfg, "w") as f:
        json.dump(config, f)
    proc = subprocess.Popen(
        [sys.executable, "-m", "roshambo.server", "--port", "0", "--config", cfg, "--log-level", "error", *extra],
        stdout=subprocess.PIPE,
        stderr=open(os.path.join(d, "server.stderr"), "wb"),
        cwd=d,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    m = re.search(r"listening on (http://\S+?)/? ", line)
    if not m:
        proc.kill()
        sys.exit(f"load: the server did not start: {line!r}")
    return proc, m.group(1), d


async def _run_workers(args: argparse.Namespace, url: str, server_pids: list[int], redis_pid: int | None) -> dict[str, Any]:
    per = [args.players // args.workers + (1 if i < args.players % args.workers else 0) for i in range(args.workers)]
    procs = []
    for i, n in enumerate(per):
        procs.append(
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "roshambo.server.load", "--worker", "--url", url, "--players", str(n),
                "--prefix", f"w{i}-", "--ramp", str(args.ramp), "--warmup", str(args.warmup), "--route", args.route,
                "--duration", str(args.duration), "--seed", str(args.seed * 100 + i),
                stdout=asyncio.subprocess.PIPE,
            )
        )
    # Read each worker's report as it comes: a full pipe would block the worker.
    reading = [asyncio.get_running_loop().create_task(p.stdout.read()) for p in procs]  # type: ignore[union-attr]
    samples: list[tuple[float, float, int]] = []
    redis_cpu: list[tuple[float, float]] = []
    client_cpu: list[tuple[float, float]] = []
    t0 = time.monotonic()
    window = (t0 + args.ramp + args.warmup, t0 + args.ramp + args.warmup + args.duration)
    profiler = None
    while any(p.returncode is None for p in procs):
        now = time.monotonic()
        try:
            client_cpu.append((now, sum(_proc_stat(p.pid)[0] for p in procs)))
        except (OSError, AttributeError):
            pass  # a worker has just ended
        if redis_pid is not None:
            redis_cpu.append((now, _proc_stat(redis_pid)[0]))
        if server_pids:
            stats = [_proc_stat(pid) for pid in server_pids]
            samples.append((now, sum(c for c, _ in stats), sum(r for _, r in stats)))
            if args.profile and profiler is None and now >= window[0]:
                profiler = subprocess.Popen(
                    [args.py_spy, "record", "--pid", str(server_pids[0]), "--duration", str(int(args.duration * 0.8)),
                     "--rate", "100", "--format", "raw", "--output", args.profile, "--nonblocking"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
        await asyncio.sleep(1.0)
        for p in procs:
            if p.returncode is None:
                try:
                    await asyncio.wait_for(p.wait(), 0.001)
                except asyncio.TimeoutError:
                    pass
    outs = [json.loads((await r).decode()) for r in reading]
    if profiler is not None:
        profiler.wait(timeout=60)
    lat = [x for o in outs for x in o["latencies"]]
    errors: dict[str, int] = {}
    for o in outs:
        for k, v in o["errors"].items():
            errors[k] = errors.get(k, 0) + v
    report: dict[str, Any] = {
        "players": args.players,
        "connected": sum(o["connected"] for o in outs),
        "failed_connects": sum(o["failed_connects"] for o in outs),
        "rounds_measured": sum(o["rounds"] for o in outs),
        "lost": sum(o["lost"] for o in outs),
        "missing_moves": sum(o["missing_moves"] for o in outs),
        "errors": errors,
        "latency_ms": {"p50": _pct(lat, 0.5), "p90": _pct(lat, 0.9), "p99": _pct(lat, 0.99), "max": max(lat, default=float("nan"))},
        "client_loop_lag_ms": max(o["loop_lag_ms"] for o in outs),
        "msgs_per_s": {
            "to_server": sum(o["sent"] for o in outs) / (args.ramp + args.warmup + args.duration),
            "from_server": sum(o["received"] for o in outs) / (args.ramp + args.warmup + args.duration),
        },
        "loadavg": os.getloadavg(),
        "config": args.config_dict,
        "shards": args.shards,
        "route": args.route,
    }
    if profiler is not None and os.path.exists(args.profile):
        report["profile"] = summarise_profile(args.profile)
    cin = [c for c in client_cpu if window[0] <= c[0] <= window[1]]
    if len(cin) >= 2:
        report["clients_cpu_pct"] = 100 * (cin[-1][1] - cin[0][1]) / (cin[-1][0] - cin[0][0])
    rin = [c for c in redis_cpu if window[0] <= c[0] <= window[1]]
    if len(rin) >= 2:
        report["redis_cpu_pct"] = 100 * (rin[-1][1] - rin[0][1]) / (rin[-1][0] - rin[0][0])
    inside = [s for s in samples if window[0] <= s[0] <= window[1]]
    if len(inside) >= 2:
        (ta, ca, _), (tb, cb, _) = inside[0], inside[-1]
        report["server_cpu_pct"] = 100 * (cb - ca) / (tb - ta)
        report["server_rss_mb"] = max(s[2] for s in inside) / 2**20
        report["server_rss_baseline_mb"] = samples[0][2] / 2**20
        report["server_kb_per_connection"] = (max(s[2] for s in inside) - samples[0][2]) / 1024 / max(1, report["connected"])
    return report


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python -m roshambo.server.load``."""
    p = argparse.ArgumentParser(prog="python -m roshambo.server.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="a running server (loopback only); default: start one")
    p.add_argument("--players", type=int, default=1000)
    p.add_argument("--workers", type=int, default=1, help="client processes (default 1)")
    p.add_argument("--ramp", type=float, default=10.0, help="seconds to connect everyone")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of play before measuring")
    p.add_argument("--duration", type=float, default=20.0, help="seconds measured")
    p.add_argument("--config", default="{}", help="engine config for the started server (JSON)")
    p.add_argument("--server-arg", action="append", default=[], help="extra roshambo-server argument")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--shards", type=int, default=0,
                   help="0: one process without Redis (default); N: a redis-server and N shard processes")
    p.add_argument("--route", default="spread", choices=["spread", "owner"],
                   help="with shards: connect player i to process i %% N (spread) or to its own shard's (owner)")
    p.add_argument("--profile", metavar="FILE", help="py-spy raw profile of the server over the window")
    p.add_argument("--json", action="store_true", help="print the report as JSON only")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--prefix", default="w0-", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if not (1 <= args.players <= 50_000) or not (1 <= args.workers <= 8):
        sys.exit("load: --players must be 1..50000 and --workers 1..8")
    if not (0 < args.duration <= 600 and 0 <= args.ramp <= 300 and 0 <= args.warmup <= 120):
        sys.exit("load: --duration 0..600 s, --ramp 0..300 s, --warmup 0..120 s")
    if not 0 <= args.shards <= 8:
        sys.exit("load: --shards must be 0..8")

    if args.worker:
        try:
            import uvloop  # the clients' own loop lag would blur the server's latency

            factory: Any = uvloop.new_event_loop
        except ImportError:
            factory = None
        with asyncio.Runner(loop_factory=factory) as runner:
            t = runner.run(worker(args.url.split(","), args.prefix, args.players, args.ramp, args.warmup,
                                  args.duration, args.seed, args.route))
        print(json.dumps(asdict(t)))
        return

    args.config_dict = json.loads(args.config)
    args.py_spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    if args.profile and not os.path.exists(args.py_spy):
        sys.exit("load: --profile needs py-spy (pip install py-spy)")
    procs: list[subprocess.Popen[bytes]] = []  # stopped in reverse: the shards before their Redis
    redis_pid, redis_dir = None, None
    try:
        if args.url:
            for u in args.url.split(","):
                _loopback(u)
            url = ",".join(u.rstrip("/") for u in args.url.split(","))
        elif args.shards:
            redis_dir = tempfile.mkdtemp(prefix="roshambo-load-redis-")
            redis, redis_url = start_redis(redis_dir)
            procs.append(redis)
            redis_pid = redis.pid
            urls = []
            for k in range(args.shards):
                extra = ["--redis", redis_url, "--shards", str(args.shards), "--shard", str(k), *args.server_arg]
                proc, u, _ = start_server(args.config_dict, extra)
                procs.append(proc)
                urls.append(u)
            url = ",".join(urls)
        else:
            proc, url, _ = start_server(args.config_dict, args.server_arg)
            procs.append(proc)
        server_pids = [p.pid for p in procs if p.pid != redis_pid]
        report = asyncio.run(_run_workers(args, url, server_pids, redis_pid))
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if redis_dir is not None:
            shutil.rmtree(redis_dir, ignore_errors=True)  # its AOF: the logs of a benchmark
    if args.json:
        print(json.dumps(report))
        return
    lat = report["latency_ms"]
    print(f"players {report['connected']}/{report['players']} connected, {report['rounds_measured']} rounds measured, "
          f"results lost {report['lost']}, movements missing {report['missing_moves']}, errors {report['errors'] or 0}")
    print(f"deadline->result ms: p50 {lat['p50']:.1f}  p90 {lat['p90']:.1f}  p99 {lat['p99']:.1f}  max {lat['max']:.1f}"
          f"  (client loop lag max {report['client_loop_lag_ms']:.1f})")
    m = report["msgs_per_s"]
    print(f"messages/s: {m['to_server']:.0f} to the server, {m['from_server']:.0f} from it")
    if "server_cpu_pct" in report:
        print(f"server: CPU {report['server_cpu_pct']:.0f}%  RSS {report['server_rss_mb']:.0f} MB "
              f"(baseline {report['server_rss_baseline_mb']:.0f} MB, {report['server_kb_per_connection']:.1f} kB/connection)")
    if "redis_cpu_pct" in report:
        print(f"redis-server: CPU {report['redis_cpu_pct']:.0f}%  ({args.shards} shard processes, route {args.route})")
    if "clients_cpu_pct" in report:
        print(f"load generator: CPU {report['clients_cpu_pct']:.0f}% over {args.workers} process(es)")
    print(f"load average {report['loadavg'][0]:.2f} {report['loadavg'][1]:.2f} {report['loadavg'][2]:.2f}")
    if report.get("profile"):
        prof = report["profile"]
        print(f"server profile ({prof['samples']} samples), by part:")
        for k, v in prof["parts_pct"].items():
            print(f"  {v:5.1f}%  {k}")
        print("  most self time:")
        for k, v in prof["top_self_pct"].items():
            print(f"  {v:5.1f}%  {k}")


if __name__ == "__main__":
    main()
