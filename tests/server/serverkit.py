"""Helpers of tests/server: real roshambo-server processes on free loopback ports, and
real Socket.IO clients.

Each server is the installed package's ``python -m roshambo.server --port 0``,
started in a scratch directory (so the source tree is never imported), and stopped
with SIGTERM; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

import socketio

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: Fast rounds for tests: 600 ms countdown, no bots unless a test asks for them.
FAST = {"game_time_ms": 600, "bot_fill_after_ms": 0}


def run(coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
    """Run one async test body, bounded in time."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


class Server:
    """One roshambo-server process."""

    def __init__(self, workdir: pathlib.Path, config: dict[str, Any] | None, args: list[str], env: dict[str, str]):
        self.workdir = workdir
        self.config_path = workdir / "config.json"
        self.config_path.write_text(json.dumps(config or {}))
        self.stderr_path = workdir / "server.stderr"
        cmd = [sys.executable, "-m", "roshambo.server", "--port", "0", "--config", str(self.config_path), *args]
        self.proc = subprocess.Popen(
            cmd,
            cwd=workdir,
            stdout=subprocess.PIPE,
            stderr=open(self.stderr_path, "wb"),
            env={**os.environ, **env},
        )
        self.url = self._ready_url(timeout=20)
        self.returncode: int | None = None

    def _ready_url(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
                if b"\n" in buf:
                    line = buf.split(b"\n", 1)[0].decode()
                    assert "listening on " in line, line
                    return line.split("listening on ", 1)[1].split()[0].rstrip("/")
            if self.proc.poll() is not None:
                break
        self.proc.kill()
        raise AssertionError(f"server did not start: {buf!r} {self.stderr()}")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: a crash, nothing flushed, no goodbye."""
        self.proc.kill()
        self.returncode = self.proc.wait(10)

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, then wait; the exit code (a kill after `timeout` fails the test)."""
        if self.returncode is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.returncode = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not stop within %ss after SIGTERM" % timeout)
        return self.returncode


class Client:
    """A python-socketio client that records every event it receives, in order."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()
        self.disconnected = asyncio.Event()

        @self.sio.on("*")
        async def _any(event: str, *data: Any) -> None:
            self.events.append((event, data[0] if len(data) == 1 else list(data)))
            self._changed.set()

        @self.sio.event
        async def disconnect(*_: Any) -> None:
            self.disconnected.set()
            self._changed.set()

    async def connect(self, url: str, transport: str = "websocket") -> Client:
        await self.sio.connect(url, transports=[transport], wait_timeout=5)
        return self

    async def emit(self, event: str, *data: Any) -> None:
        await self.sio.emit(event, data[0] if len(data) == 1 else (tuple(data) if data else None))

    async def hello(self, uid: str, name: str | None = None, avatar: str = "", **extra: Any) -> Any:
        mark = len(self.events)
        await self.sio.emit("hello", {"user": {"uid": uid, "uname": name or uid, "uavatar": avatar}, **extra})
        return await self.wait("hi", since=mark)

    async def wait(
        self, kind: str, pred: Callable[[Any], bool] = lambda d: True, *, since: int = 0, timeout: float = 5.0
    ) -> Any:
        """The data of the first ``kind`` event at index >= ``since`` that matches."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for t, d in self.events[since:]:
                if t == kind and pred(d):
                    return d
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"{self.name}: no {kind!r} event; got {self.events[since:]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def quiet(self, seconds: float = 0.3) -> list[tuple[str, Any]]:
        """What arrives in the next ``seconds`` (for asserting that nothing does)."""
        mark = len(self.events)
        await asyncio.sleep(seconds)
        return self.events[mark:]

    def types(self, since: int = 0) -> list[str]:
        return [t for t, _ in self.events[since:]]

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RedisServer:
    """Debian's redis-server on a free loopback port with its own directory, no RDB
    snapshots, and an append-only file synced on every write, so a restart on the
    same port and directory comes back with everything it acknowledged (the load
    generator's ``redis_argv``)."""

    def __init__(self, workdir: pathlib.Path) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self, timeout: float = 10) -> None:
        from roshambo.server.load import redis_argv

        argv = redis_argv(self.port, str(self.workdir), appendfsync="always")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert self.proc.poll() is None, (self.workdir / "redis.log").read_text()
            time.sleep(0.05)
        raise AssertionError("redis-server did not answer PING")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def snapshot_seq(self, shard: int) -> int:
        """The last log line the shard's latest snapshot includes (0: none)."""
        import redis

        from roshambo.server.scaleout import snapshot_key

        r = redis.Redis.from_url(self.url, decode_responses=True, socket_timeout=5)
        try:
            return int(r.hget(snapshot_key(shard), "seq") or 0)
        finally:
            r.close()

    def log_lines(self, shard: int) -> list[str]:
        """The shard's command log, as the server wrote it (docs/server.md, Scale-out)."""
        import redis

        from roshambo.server.scaleout import log_key

        r = redis.Redis.from_url(self.url, decode_responses=True, socket_timeout=5)
        try:
            lines: list[str] = []
            for _, fields in r.xrange(log_key(shard)):
                lines.append(fields["l"])
            return lines
        finally:
            r.close()


def cli_binary() -> pathlib.Path | None:
    """The roshambo CLI: $ROSHAMBO_CLI (must exist when set) or build/cli/roshambo."""
    env = os.environ.get("ROSHAMBO_CLI")
    if env:
        assert pathlib.Path(env).is_file(), f"ROSHAMBO_CLI={env} does not exist"
        return pathlib.Path(env)
    p = ROOT / "build" / "cli" / "roshambo"
    return p if p.is_file() else None
