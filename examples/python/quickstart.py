"""A tour of the roshambo Python API: drive an engine, replay a log, run a tournament.

Run with `python examples/python/quickstart.py` after `pip install .`; type-checked with
`mypy --strict` by the test suite, so it doubles as a check of the published stubs.
"""

from __future__ import annotations

import json
from typing import Any

import roshambo


def hello(uid: str, name: str) -> dict[str, Any]:
    return {"from": uid, "type": "hello", "data": {"user": {"uid": uid, "uname": name, "uavatar": ""}}}


def play_a_room() -> list[str]:
    """Two players, one room: returns the event log lines."""
    engine = roshambo.Engine(roshambo.Config(capacity=2, game_time_ms=3000), seed=7)
    events: list[dict[str, Any]] = []
    events += engine.handle(hello("u1", "Ann"), now=1000)
    events += engine.handle(hello("u2", "Bob"), now=1001)
    for uid, now in (("u1", 1005), ("u2", 1006)):
        events += engine.handle({"from": uid, "type": "join", "data": {}}, now)
    events += engine.handle({"from": "u1", "type": "choice", "data": {"choice": 2}}, 2000)
    events += engine.handle({"from": "u2", "type": "choice", "data": {"choice": 1}}, 2100)
    deadline = engine.next_deadline()
    assert deadline is not None
    events += engine.tick(deadline)
    engine.verify()

    for player in engine.players():
        print(f"{player.uid}: total {player.total_score}, streak {player.win_streak}")
    try:
        engine.handle({"from": "u1", "type": "leave", "data": {}}, deadline, strict=True)
    except roshambo.CommandError as err:
        print(f"refused: {err.code} ({err.message})")

    restored = roshambo.Engine.restore(engine.snapshot())
    assert restored.digest() == engine.digest()
    return [json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in events]


def replay_a_log(lines: list[str]) -> int:
    """Replay a command log; returns how many results it produced."""
    results = 0
    for event in roshambo.replay(lines, {"capacity": 2}, seed=7):
        if event["type"] == "result":
            results += 1
    return results


def tournament() -> None:
    res = roshambo.simulate(
        players=500,
        rounds=20,
        mix={"uniform": 0.5, "beat-last": 0.5},
        pairing="swiss",
        seed=1,
        history=True,
    )
    print(res.summary[["players", "mean_total", "win_rate"]])
    print(res.leaderboard[["rank", "uid", "strategy", "total"]].head(3))
    per_round = res.history.groupby("round")["round_score"].mean() if res.history is not None else None
    print(f"{res.run['player_rounds']} player-rounds in {res.run['elapsed_s']:.3f} s")
    if per_round is not None:
        print(f"mean round score, last round: {per_round.iloc[-1]:.2f}")

    arrays = roshambo.simulate(players=500, rounds=20, as_frame=False)
    totals = arrays.players["total"]
    print(f"best total {int(totals.max())} of {len(totals)} players ({arrays.strategies})")


def main() -> None:
    print("roshambo", roshambo.__version__)
    lines = play_a_room()
    print("\n".join(lines))
    log = [
        json.dumps({"at": 1000, **hello("u1", "Ann")}),
        json.dumps({"at": 1001, **hello("u2", "Bob")}),
        '{"at": 1005, "from": "u1", "type": "join", "data": {}}',
        '{"at": 1006, "from": "u2", "type": "join", "data": {}}',
        '{"at": 9000, "type": "tick"}',
    ]
    print("results replayed:", replay_a_log(log))
    try:
        roshambo.Engine({"capacity": 1})
    except roshambo.ConfigError as err:
        print(f"bad config: {err.field}: {err}")
    tournament()


if __name__ == "__main__":
    main()
