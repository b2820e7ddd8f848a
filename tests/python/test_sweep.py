"""roshambo.sweep on a real Dask LocalCluster (2 worker processes on 127.0.0.1)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import dask
import pandas as pd
import psutil
import pytest
from distributed import Client, LocalCluster, default_client

import roshambo
from roshambo import _sweep

GRID: dict[str, Any] = {
    "scoring": ["article", "reference"],
    # Runs of very different lengths finish out of grid order on 2 workers.
    "rounds": [60, 3],
    "capacity": [2, 5],
    "mix": "uniform=0.5,beat-last=0.3,rock=0.2",
    "loss_penalty": True,
}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster, Client(cluster) as c:
        c.wait_for_workers(2, timeout=60)
        yield c


def _transitions(client: Any) -> int:
    return int(client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter))


def _settled_transitions(client: Any) -> int:
    """The scheduler's transition count once the previous test's tasks are forgotten:
    their release is asynchronous and would otherwise count against this test."""
    deadline = time.monotonic() + 10
    last = -1
    while time.monotonic() < deadline:
        tasks, count = client.run_on_scheduler(
            lambda dask_scheduler: (len(dask_scheduler.tasks), dask_scheduler.transition_counter))
        if tasks == 0 and count == last:
            return int(count)
        last = count
        time.sleep(0.1)
    raise AssertionError("the scheduler did not settle within 10 s")


def test_one_row_per_run_and_strategy_in_grid_order(client: Any) -> None:
    res = roshambo.sweep(GRID, seeds=[5, 6], players=40, client=client, progress=False)
    runs = res.runs
    assert len(runs) == 2 * 2 * 2 * 2
    assert list(runs.columns[:8]) == ["run", "scoring", "rounds", "capacity", "mix", "loss_penalty", "players", "seed"]
    assert runs["run"].tolist() == list(range(16))
    # itertools.product order, last key fastest, then seeds.
    assert runs[["scoring", "rounds", "capacity", "seed"]].head(4).values.tolist() == [
        ["article", 60, 2, 5], ["article", 60, 2, 6], ["article", 60, 5, 5], ["article", 60, 5, 6],
    ]
    assert runs["error"].isna().all() and res.failures.empty
    assert (runs["mix"] == GRID["mix"]).all() and runs["loss_penalty"].all()
    assert len(res.summary) == 16 * 3
    assert res.summary.groupby("run")["strategy"].apply(list).map(tuple).unique().tolist() == [
        ("uniform", "beat-last", "rock")
    ]
    assert res.players is None
    assert len(res.timings) == 16 and (res.timings["elapsed_s"] > 0).all()
    assert res.workers == 2 and res.wall_s > 0


def test_each_run_is_exactly_simulate(client: Any) -> None:
    res = roshambo.sweep(GRID, seeds=[5, 6], players=40, per_player=True, client=client, progress=False)
    assert res.players is not None
    row = res.runs.iloc[13]
    direct = roshambo.simulate(
        players=40, rounds=int(row["rounds"]), mix=GRID["mix"], seed=int(row["seed"]),
        scoring=row["scoring"], capacity=int(row["capacity"]), loss_penalty=True, top=0,
    )
    mine = res.summary[res.summary["run"] == 13].set_index("strategy")
    expected = direct.summary.rename(columns={"players": "strategy_players"})
    pd.testing.assert_frame_equal(mine[expected.columns], expected, check_names=False, check_dtype=False)
    assert row["player_rounds"] == direct.run["player_rounds"]
    assert row["digest"] == f"{direct.run['shards'][0]['digest']:016x}"
    people = res.players[res.players["run"] == 13].reset_index(drop=True)
    assert people["player"].tolist() == list(range(40))
    for col in ("uid", "total", "wins", "losses", "best_streak"):
        assert people[col].tolist() == direct.players[col].tolist(), col
    assert people["strategy"].tolist() == direct.players["strategy"].astype(str).tolist()


def test_same_frames_on_one_and_two_workers(client: Any) -> None:
    two = roshambo.sweep(GRID, seeds=3, players=30, per_player=True, client=client, progress=False)
    # Both workers took runs, so completion order was not grid order.
    assert two.timings["worker"].nunique() == 2
    one = roshambo.sweep(GRID, seeds=3, players=30, per_player=True, workers=1, progress=False)
    assert one.workers == 1 and one.timings["worker"].nunique() == 1
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(one.runs, two.runs)
    assert one.players is not None and two.players is not None
    pd.testing.assert_frame_equal(one.players, two.players)


def test_a_failed_run_is_reported_and_the_others_kept(client: Any) -> None:
    grid = {"max_uid_bytes": [64, 2, 3], "capacity": [2, 3]}  # "p100" needs 4 bytes
    with pytest.warns(UserWarning, match="4 of 6 runs failed"):
        res = roshambo.sweep(grid, seeds=1, players=100, rounds=4, client=client, progress=False)
    failed = res.failures
    assert failed[["max_uid_bytes", "capacity"]].values.tolist() == [[2, 2], [2, 3], [3, 2], [3, 3]]
    assert failed["error"].str.startswith("ConfigError: max_uid_bytes").all()
    assert failed["player_rounds"].isna().all()
    ok = res.runs[res.runs["error"].isna()]
    assert ok["max_uid_bytes"].tolist() == [64, 64] and (ok["player_rounds"] == 400).all()
    assert sorted(res.summary["run"].unique()) == [0, 1]


@pytest.mark.parametrize(
    ("grid", "kwargs", "error", "field", "match"),
    [
        ({"capacty": [2]}, {}, roshambo.ConfigError, "capacty", "unknown field"),
        ({"capacity": ["4"]}, {}, roshambo.ConfigError, "capacity", "must be an integer"),
        ({"capacity": [2, 1]}, {}, roshambo.ConfigError, "capacity", "must be in 2..1024"),
        ({"scoring": ["article", "streaky"]}, {}, roshambo.ConfigError, "scoring", "article"),
        ({"loss_penalty": [0, 1]}, {}, roshambo.ConfigError, "loss_penalty", "true or false"),
        ({"mix": ["uniform", "bogus"]}, {}, roshambo.ConfigError, "mix", "unknown strategy"),
        ({"mix": [{"uniform": "half"}]}, {}, TypeError, None, "mix"),
        ({"pairing": ["swiss", "elo"]}, {}, roshambo.ConfigError, "pairing", "elo"),
        ({"pairing": [3]}, {}, TypeError, None, "pairing"),
        ({"rounds": [10, 0]}, {}, roshambo.ConfigError, "rounds", "at least 1"),
        ({"players": [1.5]}, {}, TypeError, None, "players"),
        ({"streak_cap": []}, {}, roshambo.ConfigError, "streak_cap", "no values"),
        ({"seed": [1, 2]}, {}, roshambo.ConfigError, "seed", "seeds="),
        ({"capacity": {2, 3}}, {}, TypeError, None, "capacity"),
        ({"rounds": [5]}, {"rounds": 5}, roshambo.ConfigError, "rounds", "both"),
        ({}, {"seeds": [-1]}, roshambo.ConfigError, "seed", "must be in 0.."),
        ({}, {"seeds": ["a"]}, TypeError, None, "seeds"),
    ],
)
def test_a_bad_grid_is_refused_before_anything_runs(
    client: Any, grid: dict[str, Any], kwargs: dict[str, Any], error: type[Exception], field: str | None, match: str
) -> None:
    before = _settled_transitions(client)
    with pytest.raises(error, match=match) as info:
        roshambo.sweep(grid, client=client, progress=False, **kwargs)
    if field is not None:
        assert getattr(info.value, "field") == field
        assert field in str(info.value)
    assert _transitions(client) == before  # no task reached the scheduler


def test_a_scheduler_address_runs_there_and_leaves_the_cluster_up(client: Any) -> None:
    address = client.scheduler.address
    res = roshambo.sweep({"capacity": [2, 3]}, seeds=2, players=20, rounds=5, client=address, progress=False)
    assert len(res.runs) == 4 and res.runs["error"].isna().all()
    assert len(client.scheduler_info()["workers"]) == 2  # still running


def test_progress_bar_in_a_terminal(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    roshambo.sweep({"capacity": [2, 3, 4]}, seeds=1, players=20, rounds=5, client=client, progress=True)
    err = capsys.readouterr().err
    assert "sweep" in err and "3/3" in err


def test_numpy_values_are_plain_values(client: Any) -> None:
    import numpy as np

    res = roshambo.sweep({"streak_cap": np.arange(0, 3)}, seeds=1, players=20, rounds=5, client=client, progress=False)
    assert res.runs["streak_cap"].tolist() == [0, 1, 2] and res.failures.empty


@pytest.mark.parametrize(("user_timeout", "waited"), [(None, "2.00 s"), ("3s", "3.00 s")])
def test_a_sweep_whose_cluster_loses_every_worker_fails_its_runs(
    monkeypatch: pytest.MonkeyPatch, recwarn: pytest.WarningsRecorder, user_timeout: str | None, waited: str
) -> None:
    """The runs of the cluster sweep starts fail once no worker has taken them for the
    no-workers timeout (sweep's own when the user's Dask config leaves it unset, else
    theirs), where Dask's default (none) would have them wait forever."""
    monkeypatch.setattr(_sweep, "_OWN_NO_WORKERS_TIMEOUT", "2s")  # 60 s in use: too long here
    me = psutil.Process()
    others = {p.pid for p in me.children(recursive=True)}  # the module's cluster, if up
    try:
        prior = default_client()
    except ValueError:
        prior = None
    out: dict[str, Any] = {}
    done, stop = threading.Event(), threading.Event()
    killed: list[int] = []

    def run() -> None:
        try:
            with dask.config.set({"distributed.scheduler.no-workers-timeout": user_timeout}):
                out["result"] = roshambo.sweep(
                    {"capacity": [2, 3]}, seeds=2, players=100_000, rounds=150, workers=1, progress=False
                )
        except BaseException as e:  # reported by the assertions below
            out["error"] = e
        finally:
            done.set()

    def lose_every_worker() -> None:
        # Once a run is on the sweep's worker, kill that worker process and every one its
        # nanny starts in its place (LocalCluster's nannies live in this process, so they
        # cannot be killed): the cluster has lost its only worker while runs are left.
        while not (done.is_set() or stop.is_set()):
            try:
                c = default_client()
                if c is not prior and any(c.processing().values()):
                    out["client"] = c
                    break
            except Exception:  # no client yet, or it is starting
                pass
            time.sleep(0.05)
        time.sleep(0.3)  # well into the first run (about 1.3 s)
        while not (done.is_set() or stop.is_set()):
            for p in me.children(recursive=True):
                try:
                    if p.pid not in others and any("spawn_main" in a for a in p.cmdline()):
                        p.kill()
                        killed.append(p.pid)
                except psutil.Error:  # already gone
                    pass
            time.sleep(0.05)

    sweeper = threading.Thread(target=run, daemon=True)
    killer = threading.Thread(target=lose_every_worker, daemon=True)
    start = time.monotonic()
    try:
        sweeper.start()
        killer.start()
        sweeper.join(30)
        assert not sweeper.is_alive(), "sweep still waiting 30 s after its cluster lost every worker"
    finally:
        stop.set()
        killer.join(10)
        if sweeper.is_alive() and "client" in out:  # a hang: end it (the nanny may have given up)
            out["client"].close()
            sweeper.join(30)
    assert "error" not in out, out["error"]
    assert killed, "no worker was killed"
    failed = out["result"].failures
    assert not failed.empty
    # Dask's own words name the wait and the lost workers: clear as they are.
    text = rf"NoWorkerError: Attempted to run task '\S+'"
    text += rf" but timed out after {waited} waiting without any running workers\."
    assert failed["error"].str.fullmatch(text).all(), failed["error"].tolist()
    assert any("of 4 runs failed; see result.failures" in str(w.message) for w in recwarn.list)
    assert time.monotonic() - start < 30


def test_import_roshambo_does_not_import_dask() -> None:
    code = "import sys, roshambo; print(sorted(m for m in ('dask', 'distributed', 'tqdm') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
