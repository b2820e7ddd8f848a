"""Fixtures for the end-to-end tests of the `roshambo` command-line tool."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def roshambo_bin() -> str:
    """The CLI under test: $ROSHAMBO_BIN, else build/cli/roshambo in the repo."""
    path = os.environ.get("ROSHAMBO_BIN", str(ROOT / "build" / "cli" / "roshambo"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"roshambo binary not found at {path} (build first or set ROSHAMBO_BIN)")
    return path


@pytest.fixture
def run(roshambo_bin):
    """Run `roshambo ARGS...`; returns the CompletedProcess (text mode)."""

    def _run(*args, **kwargs):
        return subprocess.run(
            [roshambo_bin, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
            **kwargs,
        )

    return _run
