"""Benchmarks of the Python binding; prints the figures recorded in docs/PERFORMANCE.md.

    python examples/python/bench.py [--cli build/cli/roshambo] [--players 100000] [--rounds 20]

1. Engine.handle cost per call from Python, per kind of command (best of 5 runs of
   200 000 calls each), next to a trivial binding call for the bare call overhead.
2. simulate() against the CLI's `roshambo simulate` for the same tournament: CPU time
   of the whole call (the frames included) against the CLI process's CPU time (CPU,
   not wall time, because the machine is shared; both are printed), runs interleaved.
"""

from __future__ import annotations

import argparse
import copy
import gc
import itertools
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import roshambo

ROOT = pathlib.Path(__file__).resolve().parents[2]


def hello(uid: str) -> dict[str, Any]:
    return {"from": uid, "type": "hello", "data": {"user": {"uid": uid, "uname": uid.upper(), "uavatar": ""}}}


def per_call(fn: Callable[[], object], n: int = 200_000, repeat: int = 5) -> float:
    """Best CPU time per call in microseconds (the loop's own cost subtracted). CPU time
    of this thread, not wall time: on a shared machine wall time mostly measures the
    neighbours."""
    def best_of(f: Callable[[], object]) -> float:
        best = float("inf")
        for _ in range(repeat):
            t = time.thread_time()
            for _ in range(n):
                f()
            best = min(best, time.thread_time() - t)
        return best

    return (best_of(fn) - best_of(lambda: None)) / n * 1e6


def bench_handle() -> None:
    engine = roshambo.Engine({"game_time_ms": 86_400_000, "bot_fill_after_ms": 0})
    for uid in ("a", "b"):
        engine.handle(hello(uid), 1)
        engine.handle({"from": uid, "type": "join", "data": {}}, 1)
    big = roshambo.Engine({"capacity": 1000, "game_time_ms": 86_400_000, "bot_fill_after_ms": 0})
    for i in range(1000):
        big.handle(hello(f"u{i}"), 1)
        big.handle({"from": f"u{i}", "type": "join", "data": {}}, 1)
    lobby = roshambo.Engine({"bot_fill_after_ms": 0})
    lobby.handle(hello("c"), 1)

    choice = {"from": "a", "type": "choice", "data": {"choice": 2}}
    a = engine.find_player("a")
    face = {"from": "a", "type": "face", "data": {"face": 3}}
    unknown = {"from": "ghost", "type": "join", "data": {}}
    bad_field = {"from": "a", "type": "choice", "data": {"choice": "2"}}
    rehello = hello("a")
    join, leave = {"from": "c", "type": "join", "data": {}}, {"from": "c", "type": "leave", "data": {}}
    big_choice = {"from": "u0", "type": "choice", "data": {"choice": 1}}

    def join_leave() -> None:
        lobby.handle(join, 1)
        lobby.handle(leave, 1)

    clock = itertools.count(1000)
    kept: list[object] = [None]
    later = copy.copy(engine)  # its clock moves on; `engine` stays at 1

    def advancing() -> None:  # a new `at` int in every event
        later.handle(choice, next(clock))

    def keeping() -> None:  # the previous result still held during the call: nothing to refill
        kept[0] = engine.handle(choice, 1)

    def dropping() -> None:
        kept[0] = None
        keeping()

    rows = [
        ("next_deadline() (bare binding call, for reference)", lambda: engine.next_deadline()),
        ("tick(now), nothing due", lambda: engine.tick(1)),
        ("handle choice -> 1 movement event (2-seat room)", lambda: engine.handle(choice, 1)),
        ("  the same, now advancing (next(itertools.count()) included)", advancing),
        ("  the same, each result kept until the next call (built new)", keeping),
        ("  the same, each result dropped just before the next call", dropping),
        ("handle_as(a, 'choice', now, value=2) -> the same event (by handle, no dict)",
         lambda: engine.handle_as(a, "choice", 1, value=2)),
        ("handle face -> 1 movement event", lambda: engine.handle(face, 1)),
        ("handle hello (known player) -> hi", lambda: engine.handle(rehello, 1)),
        ("handle from unknown player -> error event", lambda: engine.handle(unknown, 1)),
        ("handle bad field (refused in the binding) -> error", lambda: engine.handle(bad_field, 1)),
        ("handle join + leave (2 calls, room + leave events)", join_leave),
        ("handle choice in a 1000-seat room -> movement to 999", lambda: big.handle(big_choice, 1)),
    ]
    print("Engine.handle from Python (CPU us per call, best of 5 x 200k calls, loop cost subtracted)")
    for name, fn in rows:
        n = 20_000 if "1000-seat" in name else 200_000
        print(f"  {per_call(fn, n):8.3f}  {name}")


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench_simulate(cli: str | None, players: int, rounds: int, shards: int) -> None:
    print(f"\nsimulate vs CLI: {players} players x {rounds} rounds, shards={shards}, default config")
    if cli is None:
        print("  CLI not found: pass --cli build/cli/roshambo")
    cmd = [str(cli), "simulate", "--players", str(players), "--rounds", str(rounds), "--shards", str(shards),
           "--seed", "1", "--quiet", "--format", "json"]
    py_cpu, py_wall, cxx, cli_cpu, cli_wall = [], [], [], [], []
    same = True
    # Interleaved, so both see the same neighbours on a shared machine.
    for _ in range(3):
        gc.collect()
        c, w = time.process_time(), time.perf_counter()
        res = roshambo.simulate(players=players, rounds=rounds, shards=shards, seed=1)
        py_cpu.append(time.process_time() - c)
        py_wall.append(time.perf_counter() - w)
        cxx.append(res.run["elapsed_s"])
        if cli is not None:
            c, w = cpu_children(), time.perf_counter()
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            cli_cpu.append(cpu_children() - c)
            cli_wall.append(time.perf_counter() - w)
            digest = res.run["shards"][0]["digest"]
            same = same and (f"{digest:016x}" in out or str(digest) in out)
        del res
    med = statistics.median
    print(f"  python simulate() (frames included): cpu {med(py_cpu):.3f} s, wall {med(py_wall):.3f} s "
          f"(C++ run inside: wall {med(cxx):.3f} s)  median of 3")
    if cli is not None:
        print(f"  CLI {os.path.relpath(cli)}: cpu {med(cli_cpu):.3f} s, wall {med(cli_wall):.3f} s  median of 3")
        print(f"  ratio python/CLI: cpu {med(py_cpu) / med(cli_cpu):.2f}x, wall {med(py_wall) / med(cli_wall):.2f}x"
              f"  (same final digest in the CLI's output: {same})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", help="path of the roshambo CLI (default: build/cli/roshambo, then PATH)")
    ap.add_argument("--players", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--skip-handle", action="store_true")
    a = ap.parse_args()
    cli = a.cli
    if cli is None:
        local = ROOT / "build" / "cli" / "roshambo"
        cli = str(local) if local.exists() else shutil.which("roshambo")
    print(f"roshambo {roshambo.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    if not a.skip_handle:
        bench_handle()
    bench_simulate(cli, a.players, a.rounds, a.shards)


if __name__ == "__main__":
    main()
