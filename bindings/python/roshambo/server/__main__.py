"""``roshambo-server``: run the game server (see docs/server.md)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import uvicorn

import roshambo

from . import scaleout
from .game import GameServer, Limits

EPILOG = """\
examples:
  roshambo-server                                   # http://127.0.0.1:9595/
  roshambo-server --config cfg.json --seed 7 --commands run.jsonl
  roshambo replay --config cfg.json --seed 7 run.jsonl   # the events the server sent
  roshambo-server --redis redis://127.0.0.1:6379/0 --shards 2 --shard 0 --port 9595
  roshambo-server --redis redis://127.0.0.1:6379/0 --shards 2 --shard 1 --port 9596

environment:
  ROSHAMBO_SECRET        the --secret (token mode) when the flag is not given
  ROSHAMBO_SOCKETIO_JS   the Socket.IO browser client file when --client-js is not given
"""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="roshambo-server",
        description="The roshambo game over Socket.IO, with a web page to play it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=9595, help="port (default 9595; 0 picks a free one)")
    p.add_argument("--path", default="/socket.io", help="Socket.IO path (default /socket.io)")
    p.add_argument("--config", metavar="FILE", help="engine config, a JSON object (docs/RULES.md §10)")
    p.add_argument("--seed", type=int, help="seed (overrides the config's)")
    p.add_argument("--commands", metavar="FILE", help="write the command log the engine received (JSON Lines)")
    p.add_argument("--secret", help="token mode: hello must carry hex HMAC-SHA256(secret, uid)")
    p.add_argument("--rate", type=float, default=Limits.rate, help="events a second per connection (default 20)")
    p.add_argument("--burst", type=int, default=Limits.burst, help="events at once per connection (default 40)")
    p.add_argument("--client-js", metavar="FILE", help="the Socket.IO browser client (socket.io.min.js)")
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    p.add_argument("--log-format", default="text", choices=["text", "json"],
                   help="the server's own log lines: text, or one JSON object a line")
    g = p.add_argument_group("scale-out (docs/server.md, Scale-out)")
    g.add_argument("--redis", metavar="URL", help="run as one shard of a service on this Redis (redis://HOST:PORT/DB)")
    g.add_argument("--shards", type=int, default=1, help="shards in the service (default 1)")
    g.add_argument("--shard", type=int, default=0, help="this process's shard, 0..shards-1 (default 0)")
    g.add_argument("--snapshot-every", type=int, default=scaleout.ShardOptions.snapshot_every, metavar="M",
                   help="snapshot the shard after M logged lines (default 1000)")
    g.add_argument("--snapshot-seconds", type=float, default=scaleout.ShardOptions.snapshot_seconds, metavar="S",
                   help="... or S seconds after the first line since the last one (default 30)")
    p.add_argument("--ws", default="auto", choices=["auto", "websockets", "websockets-sansio", "wsproto"],
                   help="uvicorn's WebSocket implementation (auto: websockets when installed)")
    p.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"],
                   help="event loop: uvloop when installed (auto, the default), or asyncio's own")
    return p.parse_args(argv)


def load_config(path: str | None) -> roshambo.Config:
    """The engine config of ``--config``; exits with a message when it is bad."""
    if path is None:
        return roshambo.Config()
    try:
        with open(path, "rb") as f:
            return roshambo.Config.from_json(f.read())
    except OSError as e:
        sys.exit(f"roshambo-server: cannot read --config {path}: {e.strerror}")
    except ValueError as e:
        sys.exit(f"roshambo-server: bad --config {path}: {e}")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``roshambo-server``."""
    args = parse_args(argv)
    config = load_config(args.config)
    if args.rate <= 0 or args.burst < 1:
        sys.exit("roshambo-server: --rate must be > 0 and --burst >= 1")
    secret = args.secret if args.secret is not None else os.environ.get("ROSHAMBO_SECRET")
    setup_logging(args.log_level, args.log_format)
    shard = None
    if args.redis is not None:
        shard = scaleout.ShardOptions(args.redis, args.shards, args.shard, args.snapshot_every, args.snapshot_seconds)
    elif args.shards != 1 or args.shard != 0:
        sys.exit("roshambo-server: --shards and --shard need --redis")
    try:
        game = GameServer(
            config,
            seed=args.seed,
            commands=args.commands,
            secret=secret,
            limits=Limits(rate=args.rate, burst=args.burst),
            path=args.path,
            client_js=args.client_js,
            shard=shard,
        )
    except ValueError as e:
        sys.exit(f"roshambo-server: {e}")
    if game.client_js is None or not game.client_js.is_file():
        print(
            "roshambo-server: no Socket.IO browser client (run `npm ci` in the repository, or "
            "give --client-js / ROSHAMBO_SOCKETIO_JS); the page will not connect",
            file=sys.stderr,
        )
    if args.commands is not None:
        try:
            open(args.commands, "a").close()
        except OSError as e:
            sys.exit(f"roshambo-server: cannot write --commands {args.commands}: {e.strerror}")
    try:
        sock = socket.create_server((args.host, args.port), backlog=2048)
    except OSError as e:
        sys.exit(f"roshambo-server: cannot listen on {args.host}:{args.port}: {e.strerror}")
    with asyncio.Runner(loop_factory=loop_factory(args.loop)) as runner:
        runner.run(serve(game, sock, args.log_level, args.ws, args.log_format))


#: uvicorn's loggers as JSON lines too (``--log-format json``).
JSON_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "roshambo.server.scaleout.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def setup_logging(level: str, fmt: str) -> None:
    """The server's own log (``roshambo.server.*``) on stderr, as text or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(scaleout.JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("roshambo-server: %(levelname)s %(name)s: %(message)s %(fields)s",
                                               defaults={"fields": ""}))
    logger = logging.getLogger("roshambo.server")
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop (about a third less CPU a message) when asked or installed."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            sys.exit("roshambo-server: --loop uvloop: uvloop is not installed (pip install uvloop)")
        return None
    return uvloop.new_event_loop


async def serve(
    game: GameServer, sock: socket.socket, log_level: str = "warning", ws: str = "auto", log_format: str = "text"
) -> None:
    """Serve ``game`` on a listening socket until SIGINT or SIGTERM."""
    config = uvicorn.Config(
        game.app,
        log_level=log_level,
        log_config=uvicorn.config.LOGGING_CONFIG if log_format == "text" else JSON_LOGGING,
        lifespan="on",
        ws=ws,
        ws_max_size=game.config.max_command_bytes + 1024,  # Engine.IO checks the exact limit
        timeout_graceful_shutdown=5,
        ws_ping_interval=None,  # Engine.IO pings every connection already
        ws_ping_timeout=None,
    )
    if game.shard is not None:  # restore the shard before accepting anyone
        try:
            await game.start()
        except (ValueError, scaleout.Unavailable, OSError) as e:
            sys.exit(f"roshambo-server: shard {game.shard.shard}: {e}")
    await _Server(config, game).serve(sockets=[sock])


class _Server(uvicorn.Server):
    """uvicorn's server with a ready line, and a shutdown that closes the game's
    Socket.IO connections first (a long poll would otherwise hold it up)."""

    def __init__(self, config: uvicorn.Config, game: GameServer) -> None:
        super().__init__(config)
        self.game = game

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if sockets and self.started:
            host, port = sockets[0].getsockname()[:2]
            print(f"roshambo-server: listening on http://{host}:{port}/ (Socket.IO at {self.game.path})", flush=True)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The default re-raises the signal after the shutdown; a clean exit is 0.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _on_signal(self) -> None:
        if self.should_exit:
            self.force_exit = True  # a second signal: stop waiting
            return
        self.should_exit = True
        asyncio.get_running_loop().create_task(self.game.close_connections())


if __name__ == "__main__":
    main()
