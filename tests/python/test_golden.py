"""The CLI's golden logs give the same bytes through roshambo.replay and Engine.handle."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

import roshambo
from conftest import dumps, golden_stems

STEMS = golden_stems()


def test_there_are_golden_logs() -> None:
    assert STEMS, "tests/data has no *.commands.jsonl with *.events.jsonl"


def _config(stem: pathlib.Path) -> dict[str, Any] | None:
    path = pathlib.Path(str(stem) + ".config.json")
    return json.loads(path.read_text()) if path.exists() else None


def _expected(stem: pathlib.Path) -> bytes:
    return pathlib.Path(str(stem) + ".events.jsonl").read_bytes()


def _replayed(events: Any) -> bytes:
    return "".join(dumps(e) + "\n" for e in events).encode()


@pytest.mark.parametrize("stem", STEMS, ids=lambda s: s.name)
def test_replay_gives_the_golden_bytes(stem: pathlib.Path) -> None:
    commands = pathlib.Path(str(stem) + ".commands.jsonl")
    config = _config(stem)
    want = _expected(stem)
    # Every input form: an open binary file, text lines, one str, a path.
    with open(commands, "rb") as f:
        assert _replayed(roshambo.replay(f, config)) == want
    with open(commands, encoding="utf-8", newline="") as f:
        assert _replayed(roshambo.replay(f, config)) == want
    assert _replayed(roshambo.replay(commands.read_text(encoding="utf-8"), config)) == want
    assert _replayed(roshambo.replay(commands, config)) == want
    if config is not None:
        assert _replayed(roshambo.replay(commands, roshambo.Config.from_dict(config))) == want


def _decodable(line: str) -> tuple[dict[str, Any], int] | None:
    """A log line as (command dict without `at`, at), when it is one Engine.handle takes."""
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    at = obj.pop("at", None)
    if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at <= 2**62:
        return None
    return obj, at


@pytest.mark.parametrize("stem", STEMS, ids=lambda s: s.name)
def test_engine_handle_gives_the_same_bytes(stem: pathlib.Path) -> None:
    lines = pathlib.Path(str(stem) + ".commands.jsonl").read_text(encoding="utf-8").split("\n")
    lines = [line for line in lines if line.strip(" \t\r")]
    config = _config(stem)
    # A line over max_command_bytes is refused by the decoder before it is read (to
    # nobody, "line longer than ..."); a dict has no line, so it is not comparable.
    limit = roshambo.Config.from_dict(config or {}).max_command_bytes
    usable = [(line, _decodable(line)) for line in lines if len(line.encode()) <= limit]
    kept = [(line, d) for line, d in usable if d is not None]
    engine = roshambo.Engine(config)
    got = []
    for _, (command, at) in kept:
        got.extend(engine.handle(command, at))
        engine.verify()
    handled = _replayed(got)
    # The lines Engine.handle can take, replayed as a log, give the same bytes ...
    assert handled == _replayed(roshambo.replay([line for line, _ in kept], config))
    # ... and when that is every line, they are the golden bytes themselves.
    if len(kept) == len(lines):
        assert handled == _expected(stem)
    assert handled, "no events"
