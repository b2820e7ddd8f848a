"""Many server processes as one game service, on Redis (docs/server.md, Scale-out).

Each process runs one engine, the shard ``shard`` of ``shards``, and accepts any
connection. A uid belongs to the shard :func:`shard_of` names; a command from a
connection whose uid belongs to another shard is published to that shard's inbox
channel, and the owner's events go back through python-socketio's
``AsyncRedisManager``. The owner appends every command to its Redis stream before the
engine sees it (:class:`ShardLog`), snapshots now and then, and on start restores the
latest snapshot and replays the stream after it.

Every Redis name is here, once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

import roshambo

log = logging.getLogger("roshambo.server.scaleout")

PREFIX = "roshambo:"
META = PREFIX + "meta"  # hash: shards, config, epoch:<K>
SIO_CHANNEL = PREFIX + "sio"  # python-socketio's AsyncRedisManager
CONTROL = PREFIX + "control"  # {"started": K}: a process (re)started


def sio_client_name(shard: int) -> str:
    """The Redis client name of a process's Socket.IO manager (seen in CLIENT LIST)."""
    return f"roshambo-sio-{shard}"


def log_key(shard: int) -> str:
    """The shard's command log: a stream, entry id ``<line number>-0``, field ``l``."""
    return f"{PREFIX}log:{shard}"


def snapshot_key(shard: int) -> str:
    """The shard's latest snapshot: a hash of ``seq`` (last line in it) and ``snapshot``."""
    return f"{PREFIX}snapshot:{shard}"


def alive_key(shard: int) -> str:
    """Set by process ``shard`` every second with a 3-second expiry: gone, it has died."""
    return f"{PREFIX}alive:{shard}"


ALIVE_EVERY_S = 1.0
ALIVE_TTL_MS = 3000


def inbox(shard: int) -> str:
    """The channel that carries commands forwarded to the shard's owner."""
    return f"{PREFIX}in:{shard}"


def shard_of(uid: str, shards: int) -> int:
    """The shard that owns ``uid``: the first 8 bytes of SHA-256(uid, UTF-8), big-endian,
    modulo ``shards``. Stable across processes, runs and languages (Python's own
    ``hash()`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(uid.encode()).digest()[:8], "big") % shards


#: Errors after which Redis is "not reachable" (as opposed to refusing a command).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class Unavailable(Exception):
    """Redis cannot be reached; the command was not logged and must be refused."""


class Fenced(Exception):
    """Another process has written this shard's log: two owners, so this one stops."""


@dataclass
class ShardOptions:
    """How a process joins the service (``roshambo-server --redis ...``)."""

    redis: str
    shards: int = 1
    shard: int = 0
    snapshot_every: int = 1000  # commands
    snapshot_seconds: float = 30.0

    def check(self) -> None:
        if self.shards < 1 or not 0 <= self.shard < self.shards:
            raise ValueError(f"--shard must be in 0..{self.shards - 1} (--shards {self.shards})")
        if self.snapshot_every < 1 or self.snapshot_seconds <= 0:
            raise ValueError("--snapshot-every must be >= 1 and --snapshot-seconds > 0")


def connect(url: str, socket_timeout: float | None = 2.0) -> aioredis.Redis:
    """A client that fails fast: the caller decides what an outage means (no retries
    inside redis-py, short timeouts)."""
    return aioredis.Redis.from_url(
        url,
        socket_timeout=socket_timeout,
        socket_connect_timeout=1.0,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )


class ShardLog:
    """The shard's durable command log and snapshots.

    ``append`` returns only once the line is in the stream, so the caller applies a
    command after it is durable, never before. Entry ids are line numbers: an append
    whose answer was lost is resolved by reading the last id back, and a second
    process writing the same shard is refused by Redis (ids must grow).
    """

    def __init__(self, r: aioredis.Redis, shard: int) -> None:
        self.r = r
        self.shard = shard
        self.key = log_key(shard)
        self.seq = 0  # the last line number in the stream
        self.snapshot_seq = 0
        self.snapshot_at = time.monotonic()
        self.down = False  # Redis unreachable: refuse commands at once
        self.lost = False  # Redis came back without our log: snapshot now
        self.events_ok = False  # our Socket.IO manager listens (see watch)

    async def restore(self, fresh: Callable[[], roshambo.Engine]) -> tuple[roshambo.Engine, int]:
        """The engine from the latest snapshot (or ``fresh()``) with every line after it
        replayed and verified; and how many lines were replayed."""
        snap: dict[Any, Any] = await self.r.hgetall(snapshot_key(self.shard))
        if snap:
            engine = roshambo.Engine.restore(snap["snapshot"])
            self.seq = self.snapshot_seq = int(snap["seq"])
        else:
            engine = fresh()
        replayed = 0
        start = f"{self.seq + 1}-0"
        while True:
            entries: list[Any] = await self.r.xrange(self.key, min=start, count=1000) or []
            for entry_id, fields in entries:
                replay_line(engine, fields["l"])
                self.seq = _line_number(entry_id)
                replayed += 1
            if len(entries) < 1000:
                break
            start = f"{self.seq + 1}-0"
        engine.verify()
        return engine, replayed

    async def append(self, line: str) -> None:
        """Write one log line; raises :class:`Unavailable` when it is surely not written
        (the caller refuses the command), :class:`Fenced` when another process owns the
        stream. Waits while the outcome is unknown (Redis went away mid-call)."""
        if self.down:
            raise Unavailable
        seq = self.seq + 1
        entry = f"{seq}-0"
        try:
            await self.r.xadd(self.key, {"l": line}, id=entry)
            self.seq = seq
            return
        except ResponseError as e:
            raise Fenced(f"shard {self.shard}: log entry {entry} refused ({e}): another process writes this shard")
        except UNREACHABLE as e:
            log.error("redis unreachable", extra={"fields": {"shard": self.shard, "error": str(e)}})
        self.down = True
        last = await self._last_id_when_back()
        self.down = False
        if last == seq:
            self.seq = seq
            return
        if last < self.seq:
            self.lost = True
            log.error("redis lost the log", extra={"fields": {"shard": self.shard, "had": self.seq, "has": last}})
        raise Unavailable

    async def _last_id_when_back(self) -> int:
        delay = 0.1
        while True:
            await asyncio.sleep(delay)
            try:
                got = await self.r.xrevrange(self.key, count=1)
            except UNREACHABLE:
                delay = min(1.0, delay * 2)
                continue
            log.warning("redis reachable again", extra={"fields": {"shard": self.shard}})
            return _line_number(got[0][0]) if got else 0

    async def watch(self, every: float = 0.5) -> None:
        """Ping Redis all the time, so that commands are refused at once while it is
        away instead of each waiting for a timeout; and see whether this process's
        Socket.IO manager is subscribed (after an outage it resubscribes on its own
        backoff, and events for the connections held here are lost until it has)."""
        while True:
            try:
                await self.r.ping()
                clients = await self.r.client_list(_type="pubsub")
                self.events_ok = any(c.get("name") == sio_client_name(self.shard) for c in clients)
                if self.down:
                    log.warning("redis reachable again", extra={"fields": {"shard": self.shard}})
                self.down = False
            except UNREACHABLE as e:
                if not self.down:
                    log.error("redis unreachable", extra={"fields": {"shard": self.shard, "error": str(e)}})
                self.down = True
            await asyncio.sleep(every)

    async def write_snapshot(self, engine: roshambo.Engine) -> bool:
        """Store the engine's snapshot as of line ``seq``; False when Redis is away."""
        seq, text = self.seq, engine.snapshot()
        try:
            await self.r.hset(snapshot_key(self.shard), mapping={"seq": seq, "snapshot": text})
        except UNREACHABLE:
            return False
        self.snapshot_seq, self.snapshot_at, self.lost = seq, time.monotonic(), False
        log.info("snapshot", extra={"fields": {"shard": self.shard, "seq": seq, "bytes": len(text)}})
        return True

    def snapshot_due(self, every: int, seconds: float) -> bool:
        since = self.seq - self.snapshot_seq
        return self.lost or since >= every or (since > 0 and time.monotonic() - self.snapshot_at >= seconds)


def _line_number(entry_id: Any) -> int:
    return int(str(entry_id).split("-")[0])


def replay_line(engine: roshambo.Engine, line: str) -> None:
    """Apply one line this server logged (docs/RULES.md §9) as the live engine did."""
    cmd = json.loads(line)
    at = cmd.pop("at")
    if cmd["type"] == "tick":
        engine.tick(at)
    else:
        engine.handle(cmd, at)


async def join_service(r: aioredis.Redis, opts: ShardOptions, config: roshambo.Config) -> int:
    """Check that the service has this many shards (a different count would move uids
    between shards) and this config and seed (each shard's log replays only with its
    own), and return the shard's epoch: the wall-clock ms of its first start.
    Host time is wall-clock ms since the epoch, so a countdown keeps running while its
    shard is down and a restart resumes the clock where it would have been."""
    await r.hsetnx(META, "shards", opts.shards)
    shards = int(await r.hget(META, "shards") or 0)
    if shards != opts.shards:
        raise ValueError(f"this Redis holds a service of {shards} shards, not --shards {opts.shards}")
    await r.hsetnx(META, "config", config.to_json())
    theirs = str(await r.hget(META, "config"))
    if theirs != config.to_json():
        raise ValueError(f"this Redis holds a service with another config or seed: {theirs}")
    await r.hsetnx(META, f"epoch:{opts.shard}", int(time.time() * 1000))
    return int(await r.hget(META, f"epoch:{opts.shard}") or 0)


async def wait_for_redis(r: aioredis.Redis, timeout: float) -> None:
    """Ping until Redis answers (a process may start before its Redis)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await r.ping()
            return
        except UNREACHABLE as e:
            if time.monotonic() >= deadline:
                raise Unavailable(f"redis not reachable after {timeout:g} s: {e}") from e
            await asyncio.sleep(0.2)


async def forward(r: aioredis.Redis, owner: int, message: dict[str, Any]) -> bool:
    """Publish a command to its owner's inbox; False when no owner listens or Redis
    is away (the edge refuses the command: it is not applied anywhere)."""
    try:
        return bool(await r.publish(inbox(owner), json.dumps(message, separators=(",", ":"))))
    except UNREACHABLE:
        return False


async def listen(
    url: str, channels: list[str], on_message: Callable[[str, Any], Awaitable[None]], ready: asyncio.Event
) -> None:
    """Subscribe to ``channels`` and hand each JSON message on, resubscribing after an
    outage (its own connection: a subscribed connection can do nothing else).
    ``ready`` is set each time the subscription is live."""
    delay = 0.1
    while True:
        r = connect(url, socket_timeout=None)  # an idle channel is not an outage
        pubsub = r.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(*channels)
            ready.set()
            delay = 0.1
            async for msg in _messages(pubsub):
                try:
                    data = json.loads(msg["data"])
                except ValueError:
                    continue
                await on_message(msg["channel"], data)
        except (RedisError, OSError) as e:
            ready.clear()
            log.error("redis subscription lost", extra={"fields": {"error": str(e), "retry_s": delay}})
            await asyncio.sleep(delay)
            delay = min(1.0, delay * 2)
        finally:
            try:
                await pubsub.aclose()  # type: ignore[no-untyped-call]
                await r.aclose()
            except (RedisError, OSError):
                pass


async def _messages(pubsub: Any) -> AsyncIterator[dict[str, Any]]:
    while True:
        msg = await pubsub.get_message(timeout=None)
        if msg is not None and msg.get("type") == "message":
            yield msg


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the record's
    ``fields`` (``log.info("snapshot", extra={"fields": {...}})``)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)
