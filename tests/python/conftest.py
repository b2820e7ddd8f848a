"""Shared helpers for the tests of the installed `roshambo` package."""

from __future__ import annotations

import json
import pathlib
from typing import Any

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


def dumps(event: dict[str, Any]) -> str:
    """An event as the CLI writes it (compact, UTF-8 as is)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def hello(uid: str, name: str = "", avatar: str = "") -> dict[str, Any]:
    return {"from": uid, "type": "hello", "data": {"user": {"uid": uid, "uname": name, "uavatar": avatar}}}


def cmd(uid: str, type_: str, **data: Any) -> dict[str, Any]:
    return {"from": uid, "type": type_, "data": data}


def golden_stems() -> list[pathlib.Path]:
    stems = []
    for commands in sorted(DATA.glob("*.commands.jsonl")):
        stem = pathlib.Path(str(commands)[: -len(".commands.jsonl")])
        if pathlib.Path(str(stem) + ".events.jsonl").exists():
            stems.append(stem)
    return stems

