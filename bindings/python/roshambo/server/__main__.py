"""``roshambo-server``: run the game server (see docs/server.md)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Sequence

import uvicorn

import roshambo

from .game import GameServer, Limits

EPILOG = """\
examples:
  roshambo-server                                   # http://127.0.0.1:9595/
  roshambo-server --config cfg.json --seed 7 --commands run.jsonl
  roshambo replay --config cfg.json --seed 7 run.jsonl   # the events the server sent

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
    try:
        game = GameServer(
            config,
            seed=args.seed,
            commands=args.commands,
            secret=secret,
            limits=Limits(rate=args.rate, burst=args.burst),
            path=args.path,
            client_js=args.client_js,
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
        runner.run(serve(game, sock, args.log_level, args.ws))


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


async def serve(game: GameServer, sock: socket.socket, log_level: str = "warning", ws: str = "auto") -> None:
    """Serve ``game`` on a listening socket until SIGINT or SIGTERM."""
    config = uvicorn.Config(
        game.app,
        log_level=log_level,
        lifespan="on",
        ws=ws,
        ws_max_size=game.config.max_command_bytes + 1024,  # Engine.IO checks the exact limit
        timeout_graceful_shutdown=5,
        ws_ping_interval=None,  # Engine.IO pings every connection already
        ws_ping_timeout=None,
    )
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
