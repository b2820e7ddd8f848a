"""The published types work: mypy --strict passes on the example, which also runs."""

from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "python" / "quickstart.py"


def test_mypy_strict_passes_on_the_example(tmp_path: pathlib.Path) -> None:
    # Run from a scratch directory so mypy sees the installed package, not sources.
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(EXAMPLE)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_catches_a_misuse(tmp_path: pathlib.Path) -> None:
    """The stubs are strict enough to catch mistakes, not just Any everywhere."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import roshambo\n"
        "e = roshambo.Engine()\n"
        "e.handle('join', now='soon')\n"
        "x: str = e.digest()\n"
        "r = roshambo.simulate(players=10, as_frame=False)\n"
        "r.players.head()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(bad)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.count("error:") >= 4, proc.stdout


def test_the_example_runs(tmp_path: pathlib.Path) -> None:
    proc = subprocess.run([sys.executable, str(EXAMPLE)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "refused: not_in_room" in proc.stdout
    assert "results replayed: 1" in proc.stdout
    assert "bad config: capacity" in proc.stdout


def test_the_docs_quickstart_runs(tmp_path: pathlib.Path) -> None:
    """docs/python.md's quickstart is pasted into notebooks: it must run as written."""
    import re

    doc = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    m = re.search(r"## Quickstart.*?```python\n(.*?)```", doc, re.S)
    assert m, "no quickstart block in docs/python.md"
    script = tmp_path / "quickstart.py"
    script.write_text(m.group(1), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "['hi', 'hi', 'room', 'room', 'start', 'movement', 'movement', 'result']" in proc.stdout
    assert "5005 result ['u1']" in proc.stdout
