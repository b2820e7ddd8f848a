"""roshambo.sweep: many tournaments (a grid of parameters x seeds) on a Dask cluster."""

from __future__ import annotations

import itertools
import os
import time
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _core
from ._core import Config
from ._simulate import _mix_text

if TYPE_CHECKING:
    import pandas as pd
    from distributed import Client

#: Simulate options a grid may sweep besides the config fields.
SIM_OPTIONS = ("mix", "pairing", "players", "rounds")
#: Per-strategy columns of :attr:`SweepResult.summary`, after the grid columns.
SUMMARY_COLUMNS = (
    "strategy_players",
    "mean_total",
    "median_total",
    "p90_total",
    "win_rate",
    "mean_round_score",
    "best_streak",
    "rounds_played",
)
#: Per-player columns of :attr:`SweepResult.players`, after the grid columns.
PLAYER_COLUMNS = (
    "player",
    "uid",
    "strategy",
    "total",
    "wins",
    "losses",
    "draws",
    "rounds_played",
    "best_streak",
    "win_streak",
    "best_round",
)
_RUN_COLUMNS = ("player_rounds", "rooms_settled", "errors", "digest", "error")
_DEFAULTS = {"mix": "uniform", "pairing": "arrival", "players": 1000, "rounds": 50}
# How long a run of the cluster sweep starts itself may wait for a worker (every worker
# lost) before it fails, unless the user's Dask config sets the timeout.
_NO_WORKERS_TIMEOUT = "distributed.scheduler.no-workers-timeout"
_OWN_NO_WORKERS_TIMEOUT = "60s"


@dataclass(frozen=True)
class SweepResult:
    """The runs of a sweep as tidy pandas frames, in grid order x seed order.

    Every frame starts with ``run`` (the run's number: grid combinations in the order
    of ``itertools.product`` over the grid's values, last key fastest, then seeds),
    one column per grid key, ``players`` and ``rounds`` (the run's size, when the grid
    does not sweep them) and ``seed``.

    ``summary``: one row per run x strategy of its mix (in mix order):
    strategy_players (how many players it had), mean / median / p90 total, win_rate,
    mean_round_score, best_streak, rounds_played (as ``simulate().summary``).
    ``players``: one row per run x player (``per_player=True``), else None: player
    (number), uid, strategy, total, wins, losses, draws, rounds_played, best_streak,
    win_streak, best_round.
    ``runs``: one row per run, failed ones included: player_rounds,
    rooms_settled, errors (error events), digest (of the run's engine, hex), and
    ``error``: missing (NA), or the exception of a run that failed
    (``"ConfigError: ..."``); the other columns are NA for a failed run.
    These three frames depend only on the grid, seeds and sizes: never on the number
    of workers or on the order in which runs finish.

    ``timings``: one row per run: ``elapsed_s`` (the simulator's own time) and
    ``worker`` (address). ``wall_s``: the whole sweep's wall time; ``workers``: how many
    workers the cluster had. These are measurements and vary between calls.
    """

    summary: pd.DataFrame
    players: pd.DataFrame | None
    runs: pd.DataFrame
    timings: pd.DataFrame
    wall_s: float
    workers: int

    @property
    def failures(self) -> pd.DataFrame:
        """The rows of :attr:`runs` whose run failed, with their parameters and error."""
        return self.runs[self.runs["error"].notna()]

    @property
    def overhead_per_run_s(self) -> float:
        """Wall time the cluster spent per run beyond the simulations themselves.

        ``(wall_s * workers - sum(elapsed_s)) / runs``: scheduling, transfer,
        serialisation and idle workers, averaged over the runs.
        """
        n = len(self.runs)
        busy = float(self.timings["elapsed_s"].sum())
        return (self.wall_s * self.workers - busy) / n if n else 0.0


def _values(key: str, value: object) -> list[Any]:
    # A list, tuple, range, array... is the values to sweep; a str, a dict (a mix) or a
    # scalar is one fixed value. Sets are refused: their order would change the frames.
    if isinstance(value, (set, frozenset)):
        raise TypeError(f"grid[{key!r}]: a set has no order; use a list")
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        values = [value]
    else:
        values = list(value)
    if not values:
        raise _error(key, f"grid[{key!r}]: no values to sweep")
    # numpy scalars (np.arange, np.linspace) become the plain values the config takes.
    return [v.item() if type(v).__module__ == "numpy" and hasattr(v, "item") else v for v in values]


def _error(field: str, message: str) -> _core.ConfigError:
    e = _core.ConfigError(message)
    e.field = field
    return e


def _check_value(key: str, value: Any, fields: frozenset[str], label: str) -> Any:
    """``value`` as runs will get it, or a ConfigError / TypeError naming ``key``."""
    if key in ("players", "rounds"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{label}: must be an int, got {type(value).__name__}")
        if value < 1:
            raise _error(key, f"{label}: must be at least 1, got {value}")
        return value
    try:
        if key in fields:
            Config(**{key: value})
            return value
        if key == "mix":
            value = _mix_text(value)
            # A one-player, one-round run parses the mix exactly as the sweep's runs will.
            _core.simulate(Config(), 1, 1, value, "arrival", 1, 0, False, None, None, None)
            return value
        if not isinstance(value, str):
            raise TypeError(f"must be a str, got {type(value).__name__}")
        _core.simulate(Config(), 1, 1, "uniform", value, 1, 0, False, None, None, None)
        return value
    except _core.ConfigError as e:
        raise _error(key, f"{label} = {value!r}: {e}") from None
    except TypeError as e:
        raise TypeError(f"{label} = {value!r}: {e}") from None


def _seeds(seeds: Iterable[int] | int) -> list[int]:
    if isinstance(seeds, bool):
        raise TypeError("seeds must be an int count or an iterable of int seeds")
    out = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    if not out:
        raise _error("seed", "seeds: no seeds to run")
    for s in out:
        if isinstance(s, bool) or not isinstance(s, int):
            raise TypeError(f"seeds must be ints, got {type(s).__name__}")
        try:
            Config(seed=s)
        except _core.ConfigError as e:
            raise _error("seed", f"seeds: {s!r}: {e}") from None
    return out


def _plan(
    grid: Mapping[str, Any], seeds: Iterable[int] | int, players: int | None, rounds: int | None
) -> tuple[list[str], list[dict[str, Any]], list[int]]:
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a dict of field -> values, got {type(grid).__name__}")
    fields = frozenset(Config().to_dict()) - {"seed"}
    keys: list[str] = []
    axes: list[list[Any]] = []
    for key, value in grid.items():
        if not isinstance(key, str):
            raise TypeError(f"grid keys must be field names (str), got {type(key).__name__}")
        if key == "seed":
            raise _error("seed", "grid['seed']: pass seeds=... instead (every combination runs every seed)")
        if key not in fields and key not in SIM_OPTIONS:
            known = ", ".join(sorted(fields | set(SIM_OPTIONS)))
            raise _error(key, f"grid[{key!r}]: unknown field (known: {known})")
        keys.append(key)
        axes.append([_check_value(key, v, fields, f"grid[{key!r}]") for v in _values(key, value)])
    fixed = {"players": players, "rounds": rounds}
    for key, value in fixed.items():
        if value is None:
            continue
        if key in grid:
            raise _error(key, f"{key}: given both in the grid and as {key}=")
        _check_value(key, value, fields, key)
    combos = [dict(zip(keys, combo)) for combo in itertools.product(*axes)]
    return keys, combos, _seeds(seeds)


def _run_one(params: Mapping[str, Any], seed: int, per_player: bool) -> dict[str, Any]:
    """One tournament on a worker: plain data back, or the error that stopped it."""
    import numpy as np

    opts: dict[str, Any] = {**_DEFAULTS, **{k: v for k, v in params.items() if k in _DEFAULTS}}
    cfg_fields = {k: v for k, v in params.items() if k not in _DEFAULTS}
    try:
        cfg = Config(**cfg_fields, seed=seed)
        start = time.perf_counter()
        raw = _core.simulate(
            cfg, opts["players"], opts["rounds"], opts["mix"], opts["pairing"], 1, 0, False, None, None, None
        )
        elapsed = time.perf_counter() - start
    except Exception as e:  # a bad combination: reported with its run, never lost
        return {"error": f"{type(e).__name__}: {e}", "elapsed_s": 0.0, "worker": _worker_address()}
    out: dict[str, Any] = {
        "error": None,
        "elapsed_s": elapsed,
        "worker": _worker_address(),
        "player_rounds": raw["player_rounds"],
        "rooms_settled": raw["rooms_settled"],
        "errors": raw["errors"],
        "digest": f"{raw['shards'][0]['digest']:016x}",
        "summary": [[row["strategy"], row["players"], *(row[c] for c in SUMMARY_COLUMNS[1:])] for row in raw["summary"]],
    }
    if per_player:
        cols = raw["players"]
        names = np.asarray(raw["strategies"], dtype=object)
        out["players"] = {c: np.asarray(cols[c]) for c in PLAYER_COLUMNS if c not in ("player", "strategy", "uid")}
        out["players"]["uid"] = np.asarray(cols["uid"], dtype=object)
        out["players"]["strategy"] = names[cols["strategy"]]
    return out


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # not on a Dask worker
        return ""


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def sweep(
    grid: Mapping[str, Any],
    *,
    seeds: Iterable[int] | int = range(4),
    players: int | None = None,
    rounds: int | None = None,
    per_player: bool = False,
    client: Client | str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> SweepResult:
    """Run one :func:`roshambo.simulate` per grid combination x seed on a Dask cluster.

    ``grid`` maps config fields (``scoring``, ``loss_penalty``, ``streak_cap``,
    ``capacity``, ``requeue``, ...) and the simulate options ``mix``, ``pairing``,
    ``players`` and ``rounds`` to a list (tuple, range, array) of values; a single
    value (a str, a number, a mix as a dict) is the same for every run and still gets
    its column. ``seeds`` is an iterable
    of seeds or a count (``4`` = seeds 0..3). ``players`` and ``rounds`` set the size of
    every run when the grid does not sweep them (defaults 1000 and 50, as
    ``simulate``).

    The grid is checked before anything runs: an unknown key, a value of the wrong
    type or out of range raises :class:`ConfigError` (``.field`` names the key) or
    ``TypeError`` naming it. A run that fails anyway (a bad combination, such as
    ``max_uid_bytes`` too
    small for ``players``) is reported in ``result.runs`` / ``result.failures`` with
    its parameters and the others go on (a warning says how many failed).

    Where runs go: ``client=None`` starts a ``LocalCluster`` of ``workers`` processes
    (default: one per core, one thread each, on 127.0.0.1, no dashboard) and closes it
    at the end; ``client`` as a ``distributed.Client`` or a scheduler address
    (``"tcp://..."``) runs on that cluster and leaves it running. A run its own cluster
    cannot place on any worker for 60 s (every worker lost) fails instead of waiting;
    set ``distributed.scheduler.no-workers-timeout`` to change it (``client=`` runs
    follow that cluster's own setting). Scripts that let
    ``sweep`` start a cluster need the usual ``if __name__ == "__main__":`` guard
    (worker processes are spawned). ``progress=True`` shows a progress bar (tqdm: a
    widget in a notebook, text in a terminal).

    The result (:class:`SweepResult`) is sorted by grid order x seed, so the same
    arguments give the same frames whatever the cluster. Needs ``dask.distributed``
    (``pip install roshambo[analysis]``).
    """
    if not isinstance(per_player, bool) or not isinstance(progress, bool):
        raise TypeError("per_player and progress must be bool")
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise TypeError("workers must be a positive int or None")
        if client is not None:
            raise ValueError("workers= sizes the cluster sweep starts; it cannot resize client=")
    keys, combos, seed_list = _plan(grid, seeds, players, rounds)
    fixed = {k: v for k, v in (("players", players), ("rounds", rounds)) if v is not None}
    jobs = [({**fixed, **combo}, s) for combo in combos for s in seed_list]

    try:
        import distributed
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("roshambo.sweep needs dask.distributed: pip install 'roshambo[analysis]'") from e
    dd: Any = distributed  # partly untyped: keep its calls out of mypy --strict

    cluster: Any = None
    cl: Any = client
    own_client = False
    if client is None:
        import dask

        # Dask's default (null) lets a task no worker can take wait forever: once every
        # worker of our cluster is lost, as_completed would never return. Our cluster's
        # scheduler reads the setting when it is built; a value the user set is theirs.
        timeout: dict[str, Any] = {}
        if dask.config.get(_NO_WORKERS_TIMEOUT, None) is None:
            timeout = {_NO_WORKERS_TIMEOUT: _OWN_NO_WORKERS_TIMEOUT}
        with dask.config.set(timeout):
            cluster = dd.LocalCluster(
                n_workers=workers or _default_workers(),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # The scheduler's HTTP endpoints on a free loopback port: never a clash on :8787.
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )
        cl = dd.Client(cluster)
        own_client = True
    elif isinstance(client, str):
        cl = dd.Client(client)
        own_client = True
    elif not isinstance(client, dd.Client):
        raise TypeError(f"client must be a distributed.Client, a scheduler address or None, got {type(client).__name__}")

    results: list[dict[str, Any] | None] = [None] * len(jobs)
    try:
        n_workers = max(1, len(cl.scheduler_info(n_workers=-1)["workers"]))
        start = time.perf_counter()
        token = uuid.uuid4().hex[:12]
        # One map: one graph update for the whole sweep, not one message per run.
        futures = cl.map(
            _run_one,
            [params for params, _ in jobs],
            [s for _, s in jobs],
            [per_player] * len(jobs),
            key=[f"roshambo-run-{token}-{i}" for i in range(len(jobs))],
            pure=False,
        )
        index = {f.key: i for i, f in enumerate(futures)}
        bar = _progress_bar(len(jobs), progress)
        try:
            # with_results: the results arrive with the completions, not by one call each.
            for fut, res in dd.as_completed(futures, with_results=True, raise_errors=False):
                i = index[fut.key]
                if fut.status == "error":  # the worker died (KilledWorker) or the task could not run
                    exc = res[1] if isinstance(res, tuple) and len(res) == 3 else res
                    results[i] = {"error": f"{type(exc).__name__}: {exc}", "elapsed_s": 0.0, "worker": ""}
                else:
                    results[i] = res
                fut.release()
                if bar is not None:
                    bar.update(1)
        except BaseException:
            cl.cancel(futures)
            raise
        finally:
            if bar is not None:
                bar.close()
        wall = time.perf_counter() - start
    finally:
        if own_client:
            cl.close()
        if cluster is not None:
            cluster.close()

    done = [r if r is not None else {"error": "lost", "elapsed_s": 0.0, "worker": ""} for r in results]
    result = _frames(keys, jobs, done, per_player, wall, n_workers)
    failed = len(result.failures)
    if failed:
        warnings.warn(f"roshambo.sweep: {failed} of {len(jobs)} runs failed; see result.failures", stacklevel=2)
    return result


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import auto

    bar: Any = auto.tqdm
    return bar(total=total, unit="run", desc="sweep")


def _frames(
    keys: Sequence[str],
    jobs: Sequence[tuple[dict[str, Any], int]],
    results: Sequence[dict[str, Any]],
    per_player: bool,
    wall: float,
    n_workers: int,
) -> SweepResult:
    import numpy as np
    import pandas as pd

    size = [k for k in ("players", "rounds") if k not in keys]
    head_cols = ["run", *keys, *size, "seed"]

    def head(i: int) -> dict[str, Any]:
        params, s = jobs[i]
        params = {**_DEFAULTS, **params}
        return {"run": i, **{k: params[k] for k in (*keys, *size)}, "seed": s}

    summary_rows: list[dict[str, Any]] = []
    run_rows: list[dict[str, Any]] = []
    player_parts: list[pd.DataFrame] = []
    for i, r in enumerate(results):
        row = {**head(i), **{c: r.get(c) for c in _RUN_COLUMNS}}
        run_rows.append(row)
        if r["error"] is not None:
            continue
        for strategy, *values in r["summary"]:
            summary_rows.append({**head(i), "strategy": strategy, **dict(zip(SUMMARY_COLUMNS, values))})
        if per_player:
            cols = r["players"]
            n = len(cols["total"])
            part = pd.DataFrame({c: [v] * n for c, v in head(i).items()})
            part["player"] = np.arange(n, dtype=np.uint32)
            for c in PLAYER_COLUMNS[1:]:
                part[c] = cols[c]
            player_parts.append(part)

    summary = pd.DataFrame(summary_rows, columns=[*head_cols, "strategy", *SUMMARY_COLUMNS])
    runs = pd.DataFrame(run_rows, columns=[*head_cols, *_RUN_COLUMNS])
    runs = runs.astype({"player_rounds": "Int64", "rooms_settled": "Int64", "errors": "Int64"})
    players_df: pd.DataFrame | None = None
    if per_player:
        if player_parts:
            players_df = pd.concat(player_parts, ignore_index=True)
        else:
            players_df = pd.DataFrame(columns=[*head_cols, *PLAYER_COLUMNS])
    timings = pd.DataFrame(
        {"run": range(len(results)), "elapsed_s": [r["elapsed_s"] for r in results], "worker": [r["worker"] for r in results]}
    )
    return SweepResult(
        summary=summary, players=players_df, runs=runs, timings=timings, wall_s=wall, workers=n_workers
    )
