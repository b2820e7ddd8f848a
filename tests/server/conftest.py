"""Fixtures of tests/server (the helpers are in serverkit.py)."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from serverkit import RedisServer, Server


@pytest.fixture
def start_server(tmp_path: pathlib.Path) -> Iterator[Callable[..., Server]]:
    """``start_server(config, *args, env={})`` -> a running :class:`Server`."""
    servers: list[Server] = []

    def start(config: dict[str, Any] | None = None, *args: str, env: dict[str, str] | None = None) -> Server:
        workdir = tmp_path / f"server{len(servers)}"
        workdir.mkdir()
        s = Server(workdir, config, list(args), env or {})
        servers.append(s)
        return s

    yield start
    for s in servers:
        try:
            s.stop()
        finally:
            if s.proc.poll() is None:
                s.proc.kill()


@pytest.fixture
def redis_server(tmp_path: pathlib.Path) -> Iterator[RedisServer]:
    """A real redis-server of the test's own (stopped afterwards)."""
    r = RedisServer(tmp_path / "redis")
    try:
        yield r
    finally:
        r.stop()
