"""Every config field is declared once, in the C++ table: each row reaches the Config
keyword arguments and attributes, JSON, validation, the `.pyi` stub, the CLI's flags and
`roshambo rules`. These tests walk the table, so a new row is checked with no new test."""

from __future__ import annotations

import ast
import json
import os
import pathlib
import shutil
import subprocess
from typing import Any

import pytest

import roshambo
from roshambo import _core

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIELDS = _core.config_fields()
PYTYPE = {"int": "int", "bool": "bool", "word": "str", "text": "str"}


def _bad_values(f: dict[str, Any]) -> list[Any]:
    if f["type"] == "int":
        bad: list[Any] = [f["max"] + 1, "1", 1.5, True]
        if f["min"] > 0:
            bad.append(f["min"] - 1)
        return bad
    if f["type"] == "bool":
        return [1, "true", None]
    if f["type"] == "word":
        return ["no-such-" + f["words"][0], 3]
    return [7]


def _stub_config() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    stub = ROOT / "bindings" / "python" / "roshambo" / "_core.pyi"
    tree = ast.parse(stub.read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Config")
    params: list[tuple[str, str]] = []
    props: list[tuple[str, str]] = []
    for node in cls.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        if node.name == "__init__":
            params = [(a.arg, ast.unparse(a.annotation)) for a in node.args.kwonlyargs if a.annotation]
        elif any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list):
            props.append((node.name, ast.unparse(node.returns) if node.returns else ""))
    return params, props


def test_the_table_lists_every_field_of_the_json_in_order() -> None:
    assert [f["name"] for f in FIELDS] == list(json.loads(roshambo.Config().to_json()))
    assert len(FIELDS) >= 17


def test_the_stub_agrees_with_the_table() -> None:
    params, props = _stub_config()
    want = [(f["name"], PYTYPE[f["type"]]) for f in FIELDS]
    assert params == want, "Config.__init__ in _core.pyi differs from the config table"
    assert props == want, "Config properties in _core.pyi differ from the config table"


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f["name"])
def test_each_field_reaches_config_json_and_validation(field: dict[str, Any]) -> None:
    name = field["name"]
    default = roshambo.Config()
    assert getattr(default, name) == field["default"]
    assert default.to_dict()[name] == field["default"]
    # A legal value other than the default goes in as a keyword and comes back out.
    if field["type"] == "int":
        value: Any = field["max"] if field["default"] != field["max"] else field["min"]
    elif field["type"] == "bool":
        value = not field["default"]
    elif field["type"] == "word":
        value = field["words"][-1] if field["default"] != field["words"][-1] else field["words"][0]
    else:
        value = "rock"
    c = roshambo.Config(**{name: value})
    assert getattr(c, name) == value
    assert json.loads(c.to_json())[name] == value
    assert roshambo.Config.from_json(c.to_json()) == c
    assert roshambo.Engine(c).config == c
    for bad in _bad_values(field):
        with pytest.raises(roshambo.ConfigError) as err:
            roshambo.Config(**{name: bad})
        assert err.value.field == name, bad  # type: ignore[attr-defined]


def _cli() -> str | None:
    cli = os.environ.get("ROSHAMBO_CLI") or str(ROOT / "build" / "cli" / "roshambo")
    return cli if shutil.which(cli) else None


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f["name"])
def test_each_field_is_a_cli_flag_and_in_rules(field: dict[str, Any]) -> None:
    cli = _cli()
    if cli is None:
        pytest.skip("no built roshambo CLI (scripts/test.sh builds it and sets ROSHAMBO_CLI)")
    rules = json.loads(subprocess.run([cli, "rules"], capture_output=True, text=True, check=True).stdout)
    row = next(r for r in rules["config_fields"] if r["name"] == field["name"])
    assert row["default"] == field["default"] == rules["defaults"][field["name"]]
    flag = "--" + field["name"].replace("_", "-")
    assert row["flag"] == flag
    # The flag sets the field: simulate's JSON shows the config it ran with.
    if field["type"] == "bool":
        args = [flag]
        want: Any = True
    elif field["type"] == "int":
        want = max(field["min"], min(field["max"], 5 if field["name"] != "max_command_bytes" else 4096))
        if field["name"] in ("max_players",):
            want = 0
        args = [flag, str(want)]
    elif field["type"] == "word":
        want = field["words"][-1]
        args = [flag, want]
    else:
        want = "paper"
        args = [flag, want]
    proc = subprocess.run([cli, "simulate", "--quiet", "--players", "4", "--rounds", "1", "--format", "json", *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["config"][field["name"]] == want
    # replay takes the same flags.
    proc = subprocess.run([cli, "replay", *args], input="", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    # A bad value names the flag.
    bad = {"bool": None, "word": "no-such-word", "text": "no-such-strategy"}.get(field["type"])
    if field["type"] == "int":
        bad = str(field["max"] + 1)
    if bad is not None:
        for sub in (["simulate", "--quiet", "--players", "4", "--rounds", "1"], ["replay"]):
            proc = subprocess.run([cli, *sub, flag, bad], input="", capture_output=True, text=True, timeout=60)
            assert proc.returncode == 2 and proc.stderr.startswith(f"roshambo: {flag}: "), proc.stderr
