"""roshambo.simulate: batch tournaments in C++, results as pandas frames or numpy arrays."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

from . import _core
from ._core import Config

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

#: Player columns, in frame order (``uid`` and ``strategy`` first).
PLAYER_COLUMNS = (
    "uid",
    "strategy",
    "shard",
    "total",
    "wins",
    "losses",
    "draws",
    "rounds_played",
    "best_streak",
    "win_streak",
    "best_round",
)


@dataclass(frozen=True)
class SimulationResult:
    """A tournament as pandas frames (``simulate(..., as_frame=True)``).

    ``players``: one row per player, indexed by player number (uid ``p<i+1>``), columns
    uid, strategy (categorical), shard, total, wins, losses, draws (rounds with a
    positive, negative, zero base score), rounds_played, best_streak, win_streak (at the
    end), best_round (highest round score).
    ``leaderboard``: the top players by total (then wins, then player number) with a
    1-based ``rank`` column. ``summary``: one row per strategy of the mix.
    ``history``: one row per settled human seat per round (``history=True``): round,
    player, uid, strategy, room, choice, wins, losses, round_score, total_score,
    win_streak; else None.
    ``run``: run figures: player_rounds, rooms_settled, errors, elapsed_s,
    player_rounds_per_s, the options as run, and per-shard figures (seed, digest, ...).
    """

    players: pd.DataFrame
    leaderboard: pd.DataFrame
    summary: pd.DataFrame
    history: pd.DataFrame | None
    run: dict[str, Any]


@dataclass(frozen=True)
class SimulationArrays:
    """A tournament as numpy arrays (``simulate(..., as_frame=False)``).

    ``players`` maps each column of :data:`PLAYER_COLUMNS` to a 1-D array viewing the
    simulator's own memory (no copy; ``strategy`` holds indices into ``strategies``).
    ``leaderboard`` holds player indices by rank; ``history`` maps round, player, room,
    choice, wins, losses, round_score, total_score, win_streak to arrays, or is None.
    """

    players: dict[str, npt.NDArray[Any]]
    strategies: list[str]
    leaderboard: npt.NDArray[np.uint32]
    summary: list[dict[str, Any]]
    history: dict[str, npt.NDArray[Any]] | None
    run: dict[str, Any]


def strategies() -> list[tuple[str, str]]:
    """Every player strategy a ``mix`` may name, as (name, one-line summary)."""
    return list(_core.strategies())


def _mix_text(mix: str | Mapping[str, float]) -> str:
    if isinstance(mix, str):
        return mix
    if isinstance(mix, Mapping):
        parts = []
        for name, weight in mix.items():
            if not isinstance(name, str):
                raise TypeError(f"mix keys must be strategy names (str), got {type(name).__name__}")
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise TypeError(f"mix weight of {name!r} must be a number, got {type(weight).__name__}")
            parts.append(f"{name}={float(weight)!r}")
        return ",".join(parts)
    raise TypeError(f"mix must be a str like 'uniform=0.5,rock=0.5' or a dict, got {type(mix).__name__}")


def _int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0 or value > 0xFFFFFFFF:
        raise _core.ConfigError(f"{name}: must be in 0..4294967295, got {value}")
    return value


def _path(name: str, value: str | os.PathLike[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    raise TypeError(f"{name} must be a path (str or os.PathLike) or None, got {type(value).__name__}")


@overload
def simulate(
    players: int = ...,
    rounds: int = ...,
    *,
    mix: str | Mapping[str, float] = ...,
    pairing: str = ...,
    shards: int = ...,
    top: int = ...,
    seed: int | None = ...,
    config: Config | Mapping[str, Any] | None = ...,
    history: bool = ...,
    as_frame: Literal[True] = ...,
    commands: str | os.PathLike[str] | None = ...,
    events: str | os.PathLike[str] | None = ...,
    progress: Callable[[int, int, int], object] | None = ...,
    **config_fields: Any,
) -> SimulationResult: ...
@overload
def simulate(
    players: int = ...,
    rounds: int = ...,
    *,
    mix: str | Mapping[str, float] = ...,
    pairing: str = ...,
    shards: int = ...,
    top: int = ...,
    seed: int | None = ...,
    config: Config | Mapping[str, Any] | None = ...,
    history: bool = ...,
    as_frame: Literal[False],
    commands: str | os.PathLike[str] | None = ...,
    events: str | os.PathLike[str] | None = ...,
    progress: Callable[[int, int, int], object] | None = ...,
    **config_fields: Any,
) -> SimulationArrays: ...
def simulate(
    players: int = 1000,
    rounds: int = 50,
    *,
    mix: str | Mapping[str, float] = "uniform",
    pairing: str = "arrival",
    shards: int = 1,
    top: int = 10,
    seed: int | None = None,
    config: Config | Mapping[str, Any] | None = None,
    history: bool = False,
    as_frame: bool = True,
    commands: str | os.PathLike[str] | None = None,
    events: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, int], object] | None = None,
    **config_fields: Any,
) -> SimulationResult | SimulationArrays:
    """Run a tournament in C++ (the GIL is released) and return its results.

    The parameters are those of ``roshambo simulate``: ``players`` and ``rounds``;
    ``mix`` of strategies (``"uniform=0.6,beat-last=0.4"`` or ``{"uniform": 0.6,
    "beat-last": 0.4}``; see :func:`strategies`); ``pairing`` (``arrival``, ``random``
    or ``swiss``); ``shards`` (independent engines on as many threads); ``top``
    (leaderboard length, 0 = everyone); the engine config as ``config`` and/or as
    keyword arguments (``capacity=4, game_time_ms=3000, ...``), with ``seed``
    overriding the config's seed. ``history=True`` also returns one row per player per
    round. ``commands`` / ``events`` are paths to write the run's command and event
    logs to (shards = 1); ``roshambo replay`` of that command log reproduces the event
    log.
    ``progress(rounds_done, rounds_total, player_rounds)`` is called after every
    round of every shard; if it raises, it is not called again and the exception is
    raised when the run ends.

    Invalid options raise :class:`ConfigError` naming the option, before anything runs.
    """
    if config is None:
        cfg = Config(**config_fields)
    elif isinstance(config, Config):
        cfg = config.replace(**config_fields) if config_fields else config
    elif isinstance(config, Mapping):
        cfg = Config.from_dict({**config, **config_fields})
    else:
        raise TypeError(f"config must be a roshambo.Config, a dict or None, got {type(config).__name__}")
    if seed is not None:
        cfg = cfg.replace(seed=seed)
    if not isinstance(pairing, str):
        raise TypeError(f"pairing must be a str, got {type(pairing).__name__}")
    if not isinstance(history, bool) or not isinstance(as_frame, bool):
        raise TypeError("history and as_frame must be bool")
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable or None")
    raw = _core.simulate(
        cfg,
        _int("players", players),
        _int("rounds", rounds),
        _mix_text(mix),
        pairing,
        _int("shards", shards),
        _int("top", top),
        history,
        _path("commands", commands),
        _path("events", events),
        progress,
    )
    elapsed = raw["elapsed_s"]
    run = {
        "player_rounds": raw["player_rounds"],
        "rooms_settled": raw["rooms_settled"],
        "errors": raw["errors"],
        "elapsed_s": elapsed,
        "player_rounds_per_s": raw["player_rounds"] / elapsed if elapsed > 0 else float("inf"),
        "options": raw["options"],
        "shards": raw["shards"],
    }
    if not as_frame:
        return SimulationArrays(
            players=raw["players"],
            strategies=raw["strategies"],
            leaderboard=raw["leaderboard"],
            summary=raw["summary"],
            history=raw["history"],
            run=run,
        )

    import pandas as pd

    cols = raw["players"]
    frame_cols: dict[str, Any] = dict(cols)
    frame_cols["strategy"] = pd.Categorical.from_codes(cols["strategy"], categories=raw["strategies"])
    frame_cols["uid"] = cols["uid"].astype(object)
    players_df = pd.DataFrame(frame_cols, columns=list(PLAYER_COLUMNS))
    players_df.index.name = "player"
    board = players_df.iloc[raw["leaderboard"]].copy()
    board.insert(0, "rank", range(1, len(board) + 1))
    summary_df = pd.DataFrame(raw["summary"]).set_index("strategy") if raw["summary"] else pd.DataFrame()
    history_df = None
    if raw["history"] is not None:
        h = dict(raw["history"])
        history_df = pd.DataFrame(h)
        history_df.insert(2, "uid", players_df["uid"].to_numpy()[h["player"]])
        history_df.insert(
            3, "strategy", pd.Categorical.from_codes(cols["strategy"][h["player"]], categories=raw["strategies"])
        )
    return SimulationResult(
        players=players_df, leaderboard=board, summary=summary_df, history=history_df, run=run
    )
