"""roshambo: the rules of a multiplayer rock-paper-scissors lobby game.

The engine is the C++ library (``roshambo::core``) behind a thin Python layer:

>>> import roshambo
>>> engine = roshambo.Engine({"capacity": 2}, seed=7)
>>> engine.handle({"from": "u1", "type": "hello",
...                "data": {"user": {"uid": "u1", "uname": "Ann", "uavatar": ""}}}, now=1000)
[{'at': 1000, 'to': ['u1'], 'type': 'hi', 'data': {'message': 'welcome', 'nearby': 1}}]

Events are plain dicts with the keys and key order of the event log (docs/RULES.md §9), so
``json.dumps(event, separators=(",", ":"), ensure_ascii=False)`` is the line the CLI
prints, byte for byte. See docs/python.md for a notebook quickstart.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import _core
from ._core import (
    CommandError,
    Config,
    ConfigError,
    Engine,
    InvariantError,
    Player,
    Room,
    SnapshotError,
    Stats,
    __version__,
)
from ._simulate import SimulationArrays, SimulationResult, simulate, strategies
from ._sweep import SweepResult, sweep

__all__ = [
    "CommandError",
    "Config",
    "ConfigError",
    "Engine",
    "Event",
    "InvariantError",
    "Player",
    "Room",
    "SimulationArrays",
    "SimulationResult",
    "SnapshotError",
    "Stats",
    "SweepResult",
    "__version__",
    "replay",
    "simulate",
    "strategies",
    "sweep",
]

#: An event: ``{"at": int, "to": [uid, ...], "type": str, "data": {...}}`` (docs/RULES.md §3, §9).
Event = dict[str, Any]


def replay(
    lines: Iterable[str | bytes] | str | bytes | os.PathLike[str],
    config: Config | Mapping[str, Any] | None = None,
    seed: int | None = None,
    *,
    digest_every: int = 0,
) -> Iterator[Event]:
    """Replay a command log (docs/RULES.md §9) and yield its events, as ``roshambo replay`` does.

    ``lines`` is an iterable of command-log lines (an open file, a list of str or
    bytes), one whole log as a str or bytes, or a path to a log file. A bad line
    yields an ``error`` event and the replay goes on. ``seed`` overrides the config's
    seed, like the CLI's ``--seed``. With ``digest_every=N`` a ``digest`` line follows
    every N command lines, as with ``--digest-every``.

    The config and arguments are checked at once (ConfigError, TypeError); the lines
    are read as the events are consumed.
    """
    if isinstance(digest_every, bool) or not isinstance(digest_every, int) or digest_every < 0:
        raise TypeError("digest_every must be a non-negative int")
    replayer = _core.Replayer(Engine(config, seed=seed), digest_every)
    if isinstance(lines, os.PathLike):
        return _replay_file(replayer, lines)
    if isinstance(lines, str):
        return _replay_lines(replayer, lines.split("\n"))  # not splitlines(): U+2028 may sit in a JSON string
    if isinstance(lines, bytes):
        return _replay_lines(replayer, lines.split(b"\n"))
    return _replay_lines(replayer, lines)


def _replay_file(replayer: _core.Replayer, path: os.PathLike[str]) -> Iterator[Event]:
    with open(path, "rb") as f:
        for line in f:
            yield from replayer.feed(line)


def _replay_lines(replayer: _core.Replayer, lines: Iterable[str | bytes]) -> Iterator[Event]:
    for line in lines:
        yield from replayer.feed(line)
