"""roshambo.simulate: frames, zero-copy arrays, history, logs, errors, the GIL."""

from __future__ import annotations

import pathlib
import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

import roshambo


def test_frames_are_consistent() -> None:
    res = roshambo.simulate(players=300, rounds=20, mix="uniform=2,beat-last=1", capacity=3, seed=5, top=0)
    p = res.players
    assert isinstance(p, pd.DataFrame) and len(p) == 300
    assert list(p.columns) == [
        "uid", "strategy", "shard", "total", "wins", "losses", "draws",
        "rounds_played", "best_streak", "win_streak", "best_round",
    ]
    assert list(p["uid"][:3]) == ["p1", "p2", "p3"]
    assert isinstance(p["strategy"].dtype, pd.CategoricalDtype)
    assert set(p["strategy"].cat.categories) == {"uniform", "beat-last"}
    assert ((p["wins"] + p["losses"] + p["draws"]) == p["rounds_played"]).all()
    assert (p["best_streak"] >= p["win_streak"]).all() and (p["total"] >= 0).all()
    assert int(p["rounds_played"].sum()) == res.run["player_rounds"] == 300 * 20
    # The leaderboard is every player (top=0), best first.
    board = res.leaderboard
    assert list(board["rank"]) == list(range(1, 301))
    assert list(board["total"]) == sorted(p["total"], reverse=True)
    s = res.summary
    assert list(s.index) == ["uniform", "beat-last"]
    assert int(s["players"].sum()) == 300 and s.loc["uniform", "players"] == 200
    assert s.loc["uniform", "mean_total"] == pytest.approx(p[p["strategy"] == "uniform"]["total"].mean())
    assert res.history is None
    run = res.run
    assert run["options"]["players"] == 300 and run["options"]["config"]["capacity"] == 3
    assert run["options"]["config"]["seed"] == 5 and run["options"]["mix"].startswith("uniform")
    assert run["elapsed_s"] > 0 and run["player_rounds_per_s"] > 0
    assert len(run["shards"]) == 1 and run["shards"][0]["players"] == 300


def test_same_options_same_results() -> None:
    a = roshambo.simulate(players=200, rounds=10, pairing="random", mix={"uniform": 1, "frequency": 1}, seed=9)
    b = roshambo.simulate(players=200, rounds=10, pairing="random", mix={"uniform": 1, "frequency": 1}, seed=9)
    pd.testing.assert_frame_equal(a.players, b.players)
    assert a.run["shards"][0]["digest"] == b.run["shards"][0]["digest"]
    c = roshambo.simulate(players=200, rounds=10, pairing="random", mix={"uniform": 1, "frequency": 1}, seed=10)
    assert not a.players["total"].equals(c.players["total"])


def test_config_and_keywords_and_seed_combine() -> None:
    cfg = roshambo.Config(capacity=4, seed=1)
    res = roshambo.simulate(players=40, rounds=2, config=cfg, game_time_ms=500, seed=3)
    assert res.run["options"]["config"]["capacity"] == 4
    assert res.run["options"]["config"]["game_time_ms"] == 500
    assert res.run["options"]["config"]["seed"] == 3
    res = roshambo.simulate(players=40, rounds=2, config={"capacity": 5}, requeue=False)
    assert res.run["options"]["config"]["capacity"] == 5


def test_arrays_view_the_simulator_memory() -> None:
    arr = roshambo.simulate(players=1000, rounds=5, shards=2, as_frame=False, history=True, top=3)
    assert isinstance(arr, roshambo.SimulationArrays)
    total = arr.players["total"]
    assert isinstance(total, np.ndarray) and total.dtype == np.int64 and total.shape == (1000,)
    # No copy: numpy does not own the data; one shared owner keeps every column alive.
    for name, col in arr.players.items():
        if name != "uid":
            assert not col.flags.owndata and col.base is not None, name
    assert arr.players["wins"].base is arr.players["total"].base
    assert arr.players["uid"][0] == "p1" and arr.players["uid"][999] == "p1000"
    assert arr.strategies == ["uniform"]
    assert arr.leaderboard.shape == (3,) and arr.leaderboard.dtype == np.uint32
    best = arr.leaderboard[0]
    assert total[best] == total.max()
    assert arr.history is not None
    assert len(arr.history["round"]) == arr.run["player_rounds"] == 5000
    assert len(arr.run["shards"]) == 2
    assert sum(s["players"] for s in arr.run["shards"]) == 1000
    # The arrays outlive everything else of the result.
    del arr
    assert int(total.sum()) >= 0


def test_history_frame_matches_the_players() -> None:
    res = roshambo.simulate(players=50, rounds=8, mix="uniform,rock", history=True, seed=2)
    h = res.history
    assert h is not None and len(h) == 50 * 8
    assert list(h.columns) == [
        "round", "player", "uid", "strategy", "room", "choice", "wins", "losses", "round_score", "total_score",
        "win_streak",
    ]
    assert (h["strategy"].to_numpy() == res.players["strategy"].to_numpy()[h["player"]]).all()
    last = h.groupby("player")["total_score"].last()
    assert (last.sort_index().to_numpy() == res.players["total"].to_numpy()).all()
    assert (h.groupby("player")["round_score"].sum().to_numpy() == res.players["total"].to_numpy()).all()
    rock_players = res.players.index[res.players["strategy"] == "rock"]
    assert set(h[h["player"].isin(rock_players)]["choice"]) == {2}
    assert set(h["round"]) == set(range(8))


def test_command_log_replays_to_the_event_log(tmp_path: pathlib.Path) -> None:
    commands, events = tmp_path / "run.commands.jsonl", tmp_path / "run.events.jsonl"
    cfg = roshambo.Config(capacity=3, bot_fill_after_ms=400, seed=77)
    res = roshambo.simulate(players=30, rounds=4, config=cfg, commands=commands, events=str(events))
    assert res.run["player_rounds"] == 120
    from conftest import dumps

    replayed = "".join(dumps(e) + "\n" for e in roshambo.replay(commands, cfg))
    assert replayed == events.read_text(encoding="utf-8")
    assert replayed.count('"type":"result"') == res.run["rooms_settled"]


def test_progress_is_reported_and_its_errors_raised() -> None:
    seen: list[tuple[int, int, int]] = []
    roshambo.simulate(players=20, rounds=6, progress=lambda d, t, p: seen.append((d, t, p)))
    assert seen and seen[-1][0] == seen[-1][1] == 6 and seen[-1][2] == 120
    assert [s[0] for s in seen] == sorted(s[0] for s in seen)

    calls = []

    def boom(done: int, total: int, pr: int) -> None:
        calls.append(done)
        raise KeyError("stop")

    with pytest.raises(KeyError, match="stop"):
        roshambo.simulate(players=20, rounds=6, progress=boom)
    assert calls == [1]  # not called again after it failed


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"players": 0}, "players"),
        ({"rounds": 0}, "rounds"),
        ({"players": 2, "shards": 3}, "shards"),
        ({"shards": 0}, "shards"),
        ({"mix": "uniform=-1"}, "mix"),
        ({"mix": "telepathy"}, "mix"),
        ({"mix": {"uniform": 0}}, "mix"),
        ({"pairing": "alphabetical"}, "pairing"),
        ({"capacity": 1}, "capacity"),
        ({"players": -1}, "players"),
        ({"rounds": 2**40}, "rounds"),
        ({"shards": 2, "commands": "x.jsonl"}, "command_log"),
    ],
    ids=repr,
)
def test_bad_options_raise_config_error_before_running(kwargs: dict[str, Any], field: str, tmp_path: pathlib.Path) -> None:
    if "commands" in kwargs:
        kwargs = {**kwargs, "commands": tmp_path / "x.jsonl"}
    with pytest.raises(roshambo.ConfigError) as info:
        roshambo.simulate(**{"players": 10, "rounds": 2, **kwargs})
    assert field in str(info.value)
    assert not (tmp_path / "x.jsonl").exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"players": "10"},
        {"rounds": 2.0},
        {"shards": True},
        {"mix": 3},
        {"mix": {"uniform": "1"}},
        {"mix": {1: 1.0}},
        {"pairing": None},
        {"history": 1},
        {"as_frame": "no"},
        {"config": [("capacity", 2)]},
        {"commands": 5},
        {"progress": 5},
        {"capacity": object()},
    ],
    ids=repr,
)
def test_wrong_types_are_type_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        roshambo.simulate(**{"players": 10, "rounds": 2, **kwargs})


def test_unwritable_log_path_is_an_os_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(OSError):
        roshambo.simulate(players=4, rounds=1, commands=tmp_path / "missing-dir" / "x.jsonl")


def test_strategies_are_listed() -> None:
    names = [name for name, _ in roshambo.strategies()]
    assert "uniform" in names and "beat-last" in names
    assert all(summary for _, summary in roshambo.strategies())


def test_the_gil_is_released_while_simulating() -> None:
    """A Python thread keeps running while simulate() is in C++."""
    stop = threading.Event()
    ticks: list[float] = []

    def spin() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())

    t = threading.Thread(target=spin)
    t.start()
    try:
        while not ticks:
            time.sleep(0.001)
        t0 = time.perf_counter()
        # Large enough to stay well over the span checked below on a fast machine
        # (20 000 players took 0.05 s once the engine got faster).
        roshambo.simulate(players=100_000, rounds=20, as_frame=False)
        t1 = time.perf_counter()
    finally:
        stop.set()
        t.join()
    span = t1 - t0
    assert span > 0.05, "run too short to observe"
    inside = [x for x in ticks if t0 + 0.1 * span <= x <= t1 - 0.1 * span]
    # With the GIL held for the whole call the spinner could not run in this window
    # at all; released, it spins freely (tens of thousands of iterations).
    assert len(inside) > 1000, (len(inside), span)


def _cli() -> str | None:
    """The CLI to compare with: $ROSHAMBO_CLI (set by scripts/test.d/30-python.sh, so CI
    always runs this test), else build/cli/roshambo when it is built and current."""
    import os
    import subprocess

    if os.environ.get("ROSHAMBO_CLI"):
        return os.environ["ROSHAMBO_CLI"]
    path = pathlib.Path(__file__).resolve().parents[2] / "build" / "cli" / "roshambo"
    if not path.exists():
        return None
    helptext = subprocess.run([str(path), "simulate", "--help"], capture_output=True, text=True).stdout
    current = "--players" in helptext and "--shards" in helptext
    return str(path) if current else None


@pytest.mark.skipif(_cli() is None, reason="no current CLI (run scripts/build.sh, or set ROSHAMBO_CLI)")
def test_same_results_as_the_cli() -> None:
    """simulate() takes the CLI's parameters and gives the CLI's results."""
    import json
    import subprocess

    cli = _cli()
    assert cli is not None
    args = ["--players", "90", "--rounds", "7", "--mix", "uniform=2,beat-last,rock", "--pairing", "swiss",
            "--capacity", "3", "--bot-fill-after-ms", "250", "--scoring", "reference", "--seed", "12",
            "--top", "0", "--shards", "2"]
    proc = subprocess.run([cli, "simulate", *args, "--format", "json", "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, f"{cli} simulate failed (a stale build?): {proc.stderr}"
    out = json.loads(proc.stdout)
    res = roshambo.simulate(players=90, rounds=7, mix="uniform=2,beat-last,rock", pairing="swiss", capacity=3,
                            bot_fill_after_ms=250, scoring="reference", seed=12, top=0, shards=2)
    board = res.leaderboard
    assert [row["uid"] for row in out["leaderboard"]] == list(board["uid"])
    assert [row["total"] for row in out["leaderboard"]] == list(board["total"])
    assert [row["best_streak"] for row in out["leaderboard"]] == list(board["best_streak"])
    assert [s["digest"] for s in out["shard_results"]] == [f"{s['digest']:016x}" for s in res.run["shards"]]
    assert [s["mean_total"] for s in out["strategies"]] == pytest.approx(list(res.summary["mean_total"]))
