"""The game server: one roshambo engine behind Socket.IO.

Everything that touches the engine runs in one asyncio task (``_run``): Socket.IO
handlers only check the envelope of a message (rate, shape) and queue it, so the
engine sees commands in one order, with one clock, and the command log is exactly
that order. See docs/server.md for the protocol and the reasons behind each choice.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import json
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import socketio
from socketio import packet as sio_packet

import roshambo

from . import scaleout

log = logging.getLogger("roshambo.server")

_EVENT = str(sio_packet.EVENT)  # "2": the wire prefix of an event to the default namespace

#: Commands a client may send; ``disconnect`` comes only from a closed connection.
CLIENT_COMMANDS = frozenset({"hello", "join", "choice", "face", "leave"})

STATIC_DIR = Path(__file__).resolve().parent / "static"
CLIENT_JS_REL = Path("node_modules/socket.io-client/dist/socket.io.min.js")
CLIENT_JS_URL = "/socket.io.min.js"


def token_for(secret: str, uid: str) -> str:
    """The ``hello`` token of ``uid`` in token mode: hex HMAC-SHA256(secret, uid)."""
    return hmac.new(secret.encode(), uid.encode(), hashlib.sha256).hexdigest()


def find_client_js(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """Where the Socket.IO browser client is: ``explicit``, else $ROSHAMBO_SOCKETIO_JS,
    else ``node_modules/socket.io-client/dist/socket.io.min.js`` in the current
    directory or a parent of it (a checkout after ``npm ci``). None if not found."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("ROSHAMBO_SOCKETIO_JS")
    if env:
        return Path(env)
    for base in (Path.cwd(), *Path.cwd().parents):
        if (base / CLIENT_JS_REL).is_file():
            return base / CLIENT_JS_REL
    return None


@dataclass
class Limits:
    """Per-connection input limits (a token bucket of events)."""

    rate: float = 20.0  # events per second, sustained
    burst: int = 40  # events at once
    # Connections that keep sending while refused are closed after this many drops.
    close_after_drops: int = 200


@dataclass(eq=False)
class Conn:
    """One Socket.IO connection."""

    sid: str
    eio_sid: str
    tokens: float
    refilled: float
    uid: str | None = None  # set by an accepted hello; never changes afterwards
    closed: bool = False  # replaced or gone: queued commands are dropped
    drops: int = 0
    warned: bool = False
    # Scale-out. At the owner of the uid: the shard of the process that holds this
    # connection when another one does (None: held here). At that process: the uid of
    # the connection's first hello, whose owner (``route``, None: this process)
    # receives all its commands.
    edge: int | None = None
    claimed: str | None = None
    route: int | None = None


@dataclass
class Counters:
    """What the server did, for tests and the load report."""

    commands: int = 0  # given to the engine
    ticks: int = 0
    events: int = 0  # engine events
    sent: int = 0  # Socket.IO messages sent (one per event and recipient)
    forwarded: int = 0  # commands published to the shard that owns their uid
    refused: collections.Counter[str] = field(default_factory=collections.Counter)


def _quiet_engineio_logger(counters: Counters) -> logging.Logger:
    """Engine.IO's logger, without a traceback per undecodable packet: a client can
    send as many as it likes, so they are counted (``refused["undecodable"]``) and
    logged at debug level only."""
    logger = logging.Logger("roshambo.server.engineio")  # one per server: its own counters
    logger.parent = log
    # Engine.IO logs every packet at info level: only our debug level shows them.
    logger.setLevel(logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.WARNING)

    def keep(record: logging.LogRecord) -> bool:
        if record.exc_info:  # Engine.IO logs what a bad packet raised, with its traceback
            counters.refused["undecodable"] += 1
            if not logger.isEnabledFor(logging.DEBUG):
                return False
            record.msg = f"{record.getMessage()}: {record.exc_info[1]!r}"
            record.args, record.exc_info = (), None
        return True

    logger.addFilter(keep)
    return logger


class Clock:
    """Host time: whole milliseconds of a monotonic clock, ``now`` at creation."""

    def __init__(self, now: int = 0) -> None:
        self.origin = time.monotonic() - now / 1000
        self.last = now

    def now(self) -> int:
        """The current host time; never goes backwards."""
        t = int((time.monotonic() - self.origin) * 1000)
        if t < self.last:
            t = self.last
        self.last = t
        return t

    def loop_time_of(self, ms: int) -> float:
        """``time.monotonic()`` (asyncio's loop clock) at host time ``ms``."""
        return self.origin + ms / 1000


class GameServer:
    """A roshambo engine served over Socket.IO (see docs/server.md).

    ``app`` is the ASGI application (Socket.IO at ``path``, the page at ``/``);
    ``start()`` / ``stop()`` run and end the engine task (the ASGI lifespan calls
    them, so ``uvicorn.run(server.app)`` works).
    """

    def __init__(
        self,
        config: roshambo.Config | Mapping[str, Any] | None = None,
        *,
        seed: int | None = None,
        commands: str | os.PathLike[str] | None = None,
        secret: str | None = None,
        limits: Limits | None = None,
        path: str = "/socket.io",
        client_js: str | os.PathLike[str] | None = None,
        shard: scaleout.ShardOptions | None = None,
    ) -> None:
        self.engine = roshambo.Engine(config, seed=seed)
        self.config = self.engine.config
        self.secret = secret or None
        self.limits = limits or Limits()
        self.clock = Clock()
        self.counters = Counters()
        self.client_js = find_client_js(client_js)
        self._commands_path = commands
        self._log: IO[str] | None = None
        self._conns: dict[str, Conn] = {}
        self._by_uid: dict[str, Conn] = {}
        self._pending: collections.deque[tuple[Conn, str, Any]] = collections.deque()
        self._wake = asyncio.Event()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Scale-out (None when the process is the whole service).
        self.shard = shard
        if shard is not None:
            shard.check()
        self._redis: Any = None
        self._slog: scaleout.ShardLog | None = None
        self._remote: dict[str, Conn] = {}  # connections held by other processes, by sid
        self._background: list[asyncio.Task[None]] = []
        self._fenced = False

        # A packet larger than a command may be is refused by Socket.IO itself (the
        # connection is closed); the exact limit, on the logged line, is checked below.
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            engineio_logger=_quiet_engineio_logger(self.counters),
            max_http_buffer_size=self.config.max_command_bytes,
            async_handlers=False,  # handlers only queue: keep each connection's order
            namespaces=["/"],
            # Events of an owner reach connections held by other processes through Redis.
            client_manager=None
            if shard is None
            else socketio.AsyncRedisManager(
                shard.redis,
                channel=scaleout.SIO_CHANNEL,
                redis_options={"socket_connect_timeout": 1.0, "client_name": scaleout.sio_client_name(shard.shard)},
            ),
        )
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("*", self._on_event)
        self.path = "/" + path.strip("/")
        self.app = socketio.ASGIApp(
            self.sio,
            other_asgi_app=self._http,
            socketio_path=self.path.lstrip("/"),
            on_startup=self.start,
            on_shutdown=self.stop,
        )

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open the command log and start the engine task; with a shard, first restore
        it from Redis (raises ValueError, scaleout.Unavailable or roshambo.SnapshotError
        with a message when it cannot)."""
        if self._task is not None:
            return
        if self._commands_path is not None:
            self._log = open(self._commands_path, "w", encoding="utf-8")
        if self.shard is not None:
            await self._join()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="roshambo-engine")
        if self.shard is not None:
            await self._redis.publish(scaleout.CONTROL, json.dumps({"started": self.shard.shard}))

    async def _join(self) -> None:
        """Restore the shard (latest snapshot, then the log after it, verified), put
        the clock where it would have been, take every player's session as lost (the
        connections died with the previous process), and listen for forwarded
        commands, all before the first command is accepted."""
        assert self.shard is not None
        opts = self.shard
        loop = asyncio.get_running_loop()
        self._redis = scaleout.connect(opts.redis)
        await scaleout.wait_for_redis(self._redis, timeout=30)
        epoch = await scaleout.join_service(self._redis, opts, self.config)
        self._slog = scaleout.ShardLog(self._redis, opts.shard)
        config = self.config
        engine, replayed = await self._slog.restore(lambda: roshambo.Engine(config))
        if engine.config != self.config:
            raise ValueError(
                f"shard {opts.shard} in Redis was run with another config or seed: {engine.config.to_json()}"
            )
        self.engine = engine
        self.clock = Clock(max(engine.now, int(time.time() * 1000) - epoch))
        log.info(
            "restored",
            extra={"fields": {"shard": opts.shard, "snapshot_seq": self._slog.snapshot_seq,
                              "replayed": replayed, "seq": self._slog.seq, "now": self.clock.now()}},
        )
        for p in engine.players():
            if p.online and not p.bot:
                await self._engine(None, p.uid, "disconnect", {})
        ready = asyncio.Event()
        channels = [scaleout.inbox(opts.shard), scaleout.CONTROL]
        self._background = [
            loop.create_task(scaleout.listen(opts.redis, channels, self._on_cluster_message, ready)),
            loop.create_task(self._slog.watch()),
            loop.create_task(self._snapshot_clock()),
            loop.create_task(self._liveness()),
        ]
        await asyncio.wait_for(ready.wait(), 10)

    async def close_connections(self) -> None:
        """Disconnect every client (each becomes a ``disconnect`` for the engine)."""
        for sid in list(self._conns):
            await self.sio.disconnect(sid)

    async def stop(self) -> None:
        """Close every connection, let the engine take what is queued, flush the log."""
        if self._task is None or self._stopping:
            return
        await self.close_connections()
        self._stopping = True
        self._wake.set()
        try:
            # A shard's task may be waiting for Redis to take a line: not for ever.
            await asyncio.wait_for(asyncio.shield(self._task), None if self._slog is None else 10)
        except asyncio.TimeoutError:
            self._task.cancel()
            self._fenced = True  # no snapshot either: Redis is not there to take it
            log.error("stopped without Redis: the command waiting for it was never acknowledged")
        if self._timer is not None:
            self._timer.cancel()
        if self._log is not None:
            self._log.close()
            self._log = None
        for t in self._background:
            t.cancel()
        if self._slog is not None and not self._fenced:
            ok = await self._slog.write_snapshot(self.engine)
            log.info("stopped", extra={"fields": {"shard": self._slog.shard, "seq": self._slog.seq, "snapshot": ok}})
        if self._redis is not None:
            await self._redis.aclose()

    # ----------------------------------------------------------- Socket.IO side

    async def _on_connect(self, sid: str, environ: Any = None, auth: Any = None) -> None:
        if (conn := self._conns.get(sid)) is not None:  # a client's own event named "connect"
            if self._admit(conn):
                await self._refuse(conn, "unknown_command", 'unknown event "connect"')
            return
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
        self._conns[sid] = Conn(sid, eio_sid, float(self.limits.burst), time.monotonic())

    async def _on_disconnect(self, sid: str, reason: Any = None) -> None:
        if self.sio.manager.is_connected(sid, "/"):
            # Still connected: a client's own event named "disconnect", not a drop.
            if (conn := self._conns.get(sid)) is not None and self._admit(conn):
                await self._refuse(conn, "unknown_command", 'unknown event "disconnect"')
            return
        conn = self._conns.pop(sid, None)
        if conn is None:
            return
        owner = conn.route
        if owner is None:
            self._submit(conn, "disconnect", {})
        elif not await self._forward(conn, owner, "disconnect", {}):
            # The owner keeps the session until the uid's next hello (docs/server.md).
            log.warning("disconnect not forwarded", extra={"fields": {"sid": sid, "owner": owner}})

    async def _on_event(self, event: str, sid: str, *args: Any) -> None:
        conn = self._conns.get(sid)
        if conn is None or conn.closed:
            return
        if not self._admit(conn):
            return
        if event not in CLIENT_COMMANDS:
            await self._refuse(conn, "unknown_command", f'unknown event "{event[:64]}"')
            return
        if not args:
            data: Any = {}  # the original client sends join and leave without a payload
        elif len(args) == 1 and isinstance(args[0], dict):
            data = args[0]
        else:
            await self._refuse(conn, "malformed", f"{event}: the payload must be one JSON object")
            return
        if self.shard is not None:
            await self._route(conn, event, data)
        else:
            self._submit(conn, event, data)

    # ------------------------------------------------------------- scale-out

    def _claim(self, conn: Conn, uid: str) -> None:
        assert self.shard is not None
        conn.claimed = uid
        owner = scaleout.shard_of(uid, self.shard.shards)
        conn.route = None if owner == self.shard.shard else owner

    async def _route(self, conn: Conn, kind: str, data: dict[str, Any]) -> None:
        """A connection speaks for the uid of its first hello: its commands go to the
        shard that owns that uid, here or over Redis."""
        if kind == "hello":
            uid = await self._hello_uid(conn, data, conn.claimed)
            if uid is None:
                return
            if conn.claimed is None:
                self._claim(conn, uid)
        elif conn.claimed is None:
            await self._refuse(conn, "unknown_player", f"{kind}: say hello first")
            return
        owner = conn.route
        if owner is None:
            assert self._slog is not None
            if self._slog.down:
                await self._refuse(conn, "unavailable", f"{kind}: the game's log (Redis) is not reachable: try again")
            else:
                self._submit(conn, kind, data)
        elif not await self._forward(conn, owner, kind, data):
            await self._refuse(
                conn, "unavailable", f"{kind}: shard {owner} is not reachable (restarting, or Redis is down): try again"
            )

    async def _forward(self, conn: Conn, owner: int, kind: str, data: dict[str, Any]) -> bool:
        assert self.shard is not None
        msg = {"edge": self.shard.shard, "sid": conn.sid, "type": kind, "data": data}
        try:
            ok = await scaleout.forward(self._redis, owner, msg)
        except (TypeError, ValueError):  # binary attachments: not JSON; the owner refuses NaN
            await self._refuse(conn, "malformed", f"{kind}: the payload is not plain JSON")
            return True
        if ok:
            self.counters.forwarded += 1
        return ok

    async def _on_cluster_message(self, channel: str, msg: Any) -> None:
        """A command forwarded to this shard, or another process's (re)start."""
        assert self.shard is not None and self._slog is not None
        if not isinstance(msg, dict):
            return
        if channel == scaleout.CONTROL:
            started = msg.get("started")
            if isinstance(started, int) and started != self.shard.shard:
                await self._peer_started(started)
            return
        sid, kind, data, edge = msg.get("sid"), msg.get("type"), msg.get("data"), msg.get("edge")
        if not isinstance(sid, str) or not isinstance(kind, str) or not isinstance(data, dict):
            return
        if kind == "disconnect":
            if (conn := self._remote.pop(sid, None)) is not None:
                self._submit(conn, "disconnect", {})
            return
        conn = self._remote.get(sid)
        if conn is None:
            conn = self._remote[sid] = Conn(sid, "", 0.0, 0.0, edge=edge if isinstance(edge, int) else -1)
        if self._slog.down:
            await self._refuse(conn, "unavailable", f"{kind}: the game's log (Redis) is not reachable: try again")
            return
        self._submit(conn, kind, data)

    async def _liveness(self) -> None:
        """Say that this process is alive, and notice processes that died holding
        connections of this shard's players: their sessions are disconnected here, as
        the connections were (a restart of theirs says so at once; this covers one
        that does not come back). Only once Redis has answered for longer than the
        expiry, so that keys which expired during an outage do not count as deaths."""
        assert self.shard is not None
        me = scaleout.alive_key(self.shard.shard)
        up_since: float | None = None
        while True:
            try:
                await self._redis.set(me, os.getpid(), px=scaleout.ALIVE_TTL_MS)
                up_since = up_since or time.monotonic()
                edges = sorted({c.edge for c in self._remote.values() if c.edge is not None})
                if edges and time.monotonic() - up_since > 2 * scaleout.ALIVE_TTL_MS / 1000:
                    alive = await self._redis.mget([scaleout.alive_key(e) for e in edges])
                    for edge, there in zip(edges, alive):
                        if there is None:
                            n = self._drop_sessions_of(edge)
                            log.warning("peer died", extra={"fields": {"peer": edge, "disconnected": n}})
            except scaleout.UNREACHABLE:
                up_since = None
            await asyncio.sleep(scaleout.ALIVE_EVERY_S)

    def _drop_sessions_of(self, edge: int) -> int:
        """Disconnect the players whose connections process ``edge`` held."""
        gone = [c for c in self._remote.values() if c.edge == edge]
        for conn in gone:
            del self._remote[conn.sid]
            self._submit(conn, "disconnect", {})
        return len(gone)

    async def _peer_started(self, shard: int) -> None:
        """Process ``shard`` (re)started: the sessions it held and owned are gone. Its
        players' connections here are told so and closed (their clients connect again
        and say hello, which resumes their seat within the grace), and players
        connected through it are disconnected here, as their connections were."""
        held = [c for c in self._conns.values() if c.route == shard]
        for conn in held:
            await self._close(conn, "unavailable", f"shard {shard} restarted: connect again and say hello to resume")
        n = self._drop_sessions_of(shard)
        log.info("peer started", extra={"fields": {"peer": shard, "closed": len(held), "disconnected": n}})

    def _admit(self, conn: Conn) -> bool:
        """The per-connection token bucket; a flood is dropped, then the socket closed."""
        now = time.monotonic()
        lim = self.limits
        conn.tokens = min(float(lim.burst), conn.tokens + (now - conn.refilled) * lim.rate)
        conn.refilled = now
        if conn.tokens >= 1.0:
            conn.tokens -= 1.0
            conn.warned = False
            return True
        conn.drops += 1
        self.counters.refused["rate_limited"] += 1
        if conn.drops > lim.close_after_drops:
            conn.closed = True
            asyncio.get_running_loop().create_task(
                self._close(conn, "rate_limited", "too many events: connection closed")
            )
        elif not conn.warned:
            conn.warned = True  # one error per burst of drops, not one per message
            asyncio.get_running_loop().create_task(
                self._send_error(conn, "rate_limited", f"more than {lim.rate:g} events a second: dropped")
            )
        return False

    async def _refuse(self, conn: Conn | None, code: str, message: str) -> None:
        self.counters.refused[code] += 1
        if conn is not None:
            await self._send_error(conn, code, message)

    async def _send_error(self, conn: Conn, code: str, message: str) -> None:
        await self._send(conn, "error", {"code": code, "message": message})

    async def _send(self, conn: Conn, kind: str, data: Any) -> None:
        """One event to one connection: straight to its socket when it is held here,
        else through the Redis manager to the process that holds it."""
        if conn.edge is None:
            if conn.eio_sid in self.sio.eio.sockets:  # gone: nothing to tell
                await self.sio.eio.send(conn.eio_sid, _EVENT + json.dumps([kind, data], separators=(",", ":")))
        else:
            await self.sio.emit(kind, data, to=conn.sid)

    async def _close(self, conn: Conn, code: str, message: str) -> None:
        await self._send_error(conn, code, message)
        await self.sio.disconnect(conn.sid)

    # -------------------------------------------------------------- engine task

    def _submit(self, conn: Conn, kind: str, data: Any) -> None:
        self._pending.append((conn, kind, data))
        self._wake.set()

    async def _run(self) -> None:
        """The one task that owns the engine: commands in arrival order, and a tick
        exactly when ``next_deadline()`` is due (a timer re-armed after every batch,
        so a command that moves the deadline moves the wake-up too)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while self._pending:
                    conn, kind, data = self._pending.popleft()
                    await self._command(conn, kind, data)
                due = self.engine.next_deadline()
                if due is not None and due <= self.clock.now():
                    await self._tick()
                if self._slog is not None and self._slog.snapshot_due(*self._snapshot_policy()):
                    await self._slog.write_snapshot(self.engine)
            except scaleout.Fenced as e:
                self._fence(e)
                return
            except Exception:  # a bug here must not take every game down with it
                log.exception("engine task")
                if self._pending:
                    self._wake.set()  # the rest of the batch still goes in
            if self._log is not None:
                self._log.flush()
            if self._stopping and not self._pending:
                return
            self._arm(self.engine.next_deadline())

    def _snapshot_policy(self) -> tuple[int, float]:
        assert self.shard is not None
        return self.shard.snapshot_every, self.shard.snapshot_seconds

    async def _snapshot_clock(self) -> None:
        """Wake the engine task now and then, so a snapshot due by time is written
        even when no command comes."""
        assert self._slog is not None
        while True:
            await asyncio.sleep(min(1.0, self._snapshot_policy()[1]))
            if self._slog.snapshot_due(*self._snapshot_policy()):
                self._wake.set()

    def _fence(self, e: scaleout.Fenced) -> None:
        """Another process writes this shard's log: stop before two engines diverge
        (and never snapshot over the other's state)."""
        self._fenced = True
        log.critical("fenced", extra={"fields": {"error": str(e)}})
        os.kill(os.getpid(), signal.SIGTERM)

    def _arm(self, due: int | None) -> None:
        if due == self._timer_due:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_due = due
        if due is not None:
            # Half a millisecond late, so the whole-ms clock has surely reached `due`.
            self._timer = asyncio.get_running_loop().call_at(
                self.clock.loop_time_of(due) + 0.0005, self._on_timer
            )

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_due = None
        self._wake.set()

    async def _tick(self) -> None:
        now = self.clock.now()
        line = json.dumps({"at": now, "type": "tick"}, separators=(",", ":"))
        if self._slog is not None:
            try:
                await self._slog.append(line)
            except scaleout.Unavailable:
                return  # timers wait for the log; they fire at their due time anyway
        self._write_line(line)
        self.counters.ticks += 1
        await self._deliver(self.engine.tick(now), None)

    async def _command(self, conn: Conn, kind: str, data: Any) -> None:
        if kind == "disconnect":
            if conn.uid is None or self._by_uid.get(conn.uid) is not conn:
                return  # never said hello, or replaced: the engine knows nothing of it
            del self._by_uid[conn.uid]
            await self._engine(conn, conn.uid, "disconnect", {})
            return
        if conn.closed:
            return
        if kind == "hello":
            await self._hello(conn, data)
            return
        if conn.uid is None:
            await self._refuse(conn, "unknown_player", f"{kind}: say hello first")
            return
        await self._engine(conn, conn.uid, kind, data)

    async def _hello_uid(self, conn: Conn, data: dict[str, Any], current: str | None) -> str | None:
        """The uid a hello names, or None once it is refused: it must be a string, and
        the connection's ``current`` uid when it has one."""
        user = data.get("user")
        uid = user.get("uid") if isinstance(user, dict) else None
        if not isinstance(uid, str):
            await self._refuse(conn, "invalid_field", "data.user.uid: a string is required")
            return None
        if current is not None and current != uid:
            await self._refuse(conn, "invalid_field", f'this connection is "{current}" already')
            return None
        return uid

    async def _hello(self, conn: Conn, data: dict[str, Any]) -> None:
        uid = await self._hello_uid(conn, data, conn.uid)
        if uid is None:
            return
        if self.secret is not None:
            token = data.get("token")
            if not isinstance(token, str) or not hmac.compare_digest(token, token_for(self.secret, uid)):
                await self._refuse(conn, "unauthorized", "hello: bad or missing token")
                return
        if "token" in data:  # a credential: never in the engine, never in the log
            data = {k: v for k, v in data.items() if k != "token"}
        old = self._by_uid.get(uid)
        events = await self._engine(conn, uid, "hello", data, bind=True)
        if events is None or old is None or old is conn:
            return
        # Takeover: the session goes on with the new connection; the old one is told
        # and closed (its own disconnect is then ignored: it no longer speaks for uid).
        old.closed = True
        old.uid = None
        self.counters.refused["replaced"] += 1
        await self._close(old, "replaced", f'"{uid}" said hello on another connection')

    async def _engine(
        self, conn: Conn | None, uid: str, kind: str, data: dict[str, Any], *, bind: bool = False
    ) -> list[dict[str, Any]] | None:
        """Log the command, give it to the engine, deliver the events. Returns the
        events, or None when the command was refused (by the server or the engine).
        With a shard, the line is in Redis before the engine sees the command."""
        now = self.clock.now()
        cmd = {"at": now, "from": uid, "type": kind, "data": data}
        try:
            line = json.dumps(cmd, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            await self._refuse(conn, "malformed", f"{kind}: the payload is not plain JSON")
            return None
        # The limit is on the logged line, as `roshambo replay` applies it, so the log
        # replays to the same events (the engine's own check, on less text, agrees).
        if len(line.encode()) > self.config.max_command_bytes:
            await self._refuse(conn, "capacity_exceeded", f"{kind}: longer than max_command_bytes")
            return None
        if self._slog is not None:
            try:
                await self._slog.append(line)
            except scaleout.Unavailable:
                await self._refuse(conn, "unavailable", f"{kind}: the game's log (Redis) is not reachable: try again")
                return None
        self._write_line(line)
        self.counters.commands += 1
        events = self.engine.handle({"from": uid, "type": kind, "data": data}, now)
        refused = bool(events) and events[-1]["type"] == "error"
        if bind and not refused and conn is not None:
            conn.uid = uid
            self._by_uid[uid] = conn
        await self._deliver(events, conn)
        return None if refused else events

    def _write_line(self, line: str) -> None:
        if self._log is not None:
            self._log.write(line)
            self._log.write("\n")

    async def _deliver(self, events: list[dict[str, Any]], sender: Conn | None) -> None:
        """Each event to the connections of the uids in its ``to``, named by its type.
        An ``error`` goes to the connection that sent the command, whoever is online
        under that uid (a refused hello must not reach the session it tried to take).
        Connections held by other processes get theirs through the Redis manager."""
        self.counters.events += len(events)
        for e in events:
            if e["type"] == "error" and sender is not None:
                conns = [sender]
            else:
                conns = [c for uid in e["to"] if (c := self._by_uid.get(uid)) is not None]
            targets = [c.eio_sid for c in conns if c.edge is None]
            remote = [c.sid for c in conns if c.edge is not None]
            if remote:
                self.counters.sent += len(remote)
                await self.sio.emit(e["type"], e["data"], to=remote)
            if not targets:
                continue
            # A Socket.IO EVENT packet of the default namespace, encoded once and queued
            # on each Engine.IO socket directly. sio.emit would start a task per
            # recipient and scan the payload for binary data: together the largest cost
            # of a busy server, and engine events are plain JSON.
            pkt = _EVENT + json.dumps([e["type"], e["data"]], separators=(",", ":"))
            self.counters.sent += len(targets)
            for eio_sid in targets:
                await self.sio.eio.send(eio_sid, pkt)

    def health(self) -> dict[str, Any]:
        """What ``GET /health`` answers: this process's shard, its engine's load, and
        its log (``lag``: lines after the latest snapshot, what a restart replays);
        ``ok`` is false while the shard's Redis is away (then HTTP 503)."""
        st = self.engine.stats()
        out: dict[str, Any] = {
            "ok": True,
            "shard": 0 if self.shard is None else self.shard.shard,
            "shards": 1 if self.shard is None else self.shard.shards,
            "pid": os.getpid(),
            "now": self.clock.now(),
            "players": st.players,
            "online": st.online,
            "rooms": st.rooms,
            "nextDeadline": self.engine.next_deadline(),
            "connections": len(self._conns),
            "remoteSessions": len(self._remote),
            "queued": len(self._pending),
            "commands": self.counters.commands,
            "forwarded": self.counters.forwarded,
        }
        if self._slog is not None:
            s = self._slog
            out["ok"] = not s.down and s.events_ok and not self._fenced
            out["redis"] = "down" if s.down else "ok"
            out["events"] = "ok" if s.events_ok else "down"  # the Socket.IO manager's subscription
            out["log"] = {"seq": s.seq, "snapshotSeq": s.snapshot_seq, "lag": s.seq - s.snapshot_seq}
        return out

    # --------------------------------------------------------------- plain HTTP

    async def _http(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any) -> None:
        """The page, the Socket.IO browser client, and ``/info``: host time (a client
        needs it to count down to a ``deadline``), the Socket.IO path, and the config
        fields a page shows (never the seed: it would tell the bots' choices)."""
        if scope["type"] != "http":
            return
        path = scope["path"]
        if scope["method"] not in ("GET", "HEAD"):
            await _respond(send, 405, b"method not allowed\n", "text/plain")
            return
        if path == "/info":
            c = self.config
            info = {
                "now": self.clock.now(),
                "path": self.path,
                "capacity": c.capacity,
                "gameTimeMs": c.game_time_ms,
                "botFillAfterMs": c.bot_fill_after_ms,
                "reconnectGraceMs": c.reconnect_grace_ms,
            }
            body = json.dumps(info).encode()
            await _respond(send, 200, body, "application/json")
            return
        if path == "/health":
            health = self.health()
            status = 200 if health["ok"] else 503
            await _respond(send, status, json.dumps(health).encode(), "application/json")
            return
        files = {"/": "index.html", "/index.html": "index.html", "/app.js": "app.js", "/style.css": "style.css"}
        target: Path | None = None
        if path in files:
            target = STATIC_DIR / files[path]
        elif path == CLIENT_JS_URL:
            target = self.client_js
        if target is None or not target.is_file():
            await _respond(send, 404, b"not found\n", "text/plain")
            return
        kind = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}[target.suffix]
        body = target.read_bytes()
        await _respond(send, 200, body if scope["method"] == "GET" else b"", kind, len(body))


async def _respond(send: Any, status: int, body: bytes, kind: str, length: int | None = None) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", f"{kind}; charset=utf-8".encode()),
                (b"content-length", str(len(body) if length is None else length).encode()),
                (b"cache-control", b"no-cache"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
