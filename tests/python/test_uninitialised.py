"""Objects made by `Cls.__new__(Cls)`, whose __init__ never ran, hold no C++ value:
every use of one raises TypeError instead of reading raw memory. Each use runs in its
own interpreter, so a crash fails its test instead of ending the run."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import pytest

import roshambo

# Snippets run after `import copy, pickle, roshambo` with `new(cls)` making an
# uninitialised instance; each must raise the TypeError that names its class.
CASES = {
    # Engine.handle: every shape the METH_FASTCALL entry serves, and the others.
    "Engine.handle": ("Engine", "new(roshambo.Engine).handle({'type': 'tick'}, 0)"),
    "Engine.handle strict=True": ("Engine", "new(roshambo.Engine).handle({'type': 'tick'}, 0, strict=True)"),
    "Engine.handle strict=False": ("Engine", "new(roshambo.Engine).handle({'type': 'tick'}, 0, strict=False)"),
    "Engine.handle keywords": ("Engine", "new(roshambo.Engine).handle(command={'type': 'tick'}, now=0)"),
    "Engine.handle unbound": ("Engine", "roshambo.Engine.handle(new(roshambo.Engine), {'type': 'tick'}, 0)"),
    # Engine.handle_as: likewise.
    "Engine.handle_as": ("Engine", "new(roshambo.Engine).handle_as(0, 'choice', 0, 1)"),
    "Engine.handle_as value=": ("Engine", "new(roshambo.Engine).handle_as(0, 'choice', 0, value=1)"),
    "Engine.handle_as strict=True": ("Engine", "new(roshambo.Engine).handle_as(0, 'choice', 0, strict=True)"),
    "Engine.handle_as keywords": ("Engine", "new(roshambo.Engine).handle_as(player=0, type='choice', now=0)"),
    "Engine.handle_as unbound": ("Engine", "roshambo.Engine.handle_as(new(roshambo.Engine), 0, 'choice', 0)"),
    "Engine subclass handle_as": ("Sub", "class Sub(roshambo.Engine): pass\nnew(Sub).handle_as(0, 'join', 0)"),
    "Engine.tick": ("Engine", "new(roshambo.Engine).tick(0)"),
    "Engine.now": ("Engine", "new(roshambo.Engine).now"),
    "Engine.config": ("Engine", "new(roshambo.Engine).config"),
    "Engine.stats": ("Engine", "new(roshambo.Engine).stats()"),
    "Engine.snapshot": ("Engine", "new(roshambo.Engine).snapshot()"),
    "Engine.player": ("Engine", "new(roshambo.Engine).player('a')"),
    "Engine.find_player": ("Engine", "new(roshambo.Engine).find_player('a')"),
    "Engine repr": ("Engine", "repr(new(roshambo.Engine))"),
    "Engine copy": ("Engine", "copy.copy(new(roshambo.Engine))"),
    "Engine deepcopy": ("Engine", "copy.deepcopy(new(roshambo.Engine))"),
    "Engine pickle": ("Engine", "pickle.dumps(new(roshambo.Engine))"),
    "Engine subclass": ("Sub", "class Sub(roshambo.Engine): pass\nnew(Sub).handle({'type': 'tick'}, 0)"),
    "Replayer of an Engine": ("Engine", "roshambo._core.Replayer(new(roshambo.Engine), 1)"),
    "Replayer.feed": ("Replayer", "new(roshambo._core.Replayer).feed('{}')"),
    "Replayer.lines": ("Replayer", "new(roshambo._core.Replayer).lines"),
    "Config repr": ("Config", "repr(new(roshambo.Config))"),
    "Config field": ("Config", "new(roshambo.Config).seed"),
    "Config ==": ("Config", "roshambo.Config() == new(roshambo.Config)"),
    "Config hash": ("Config", "hash(new(roshambo.Config))"),
    "Config copy": ("Config", "copy.copy(new(roshambo.Config))"),
    "Config pickle": ("Config", "pickle.dumps(new(roshambo.Config))"),
    "Config into Engine": ("Config", "roshambo.Engine(new(roshambo.Config))"),
    "Config into simulate": ("Config", "roshambo.simulate(config=new(roshambo.Config), players=2, rounds=1)"),
    "Player repr": ("Player", "repr(new(roshambo.Player))"),
    "Player field": ("Player", "new(roshambo.Player).uid"),
    "Player ==": ("Player", "new(roshambo.Player) == 1"),
    "Room field": ("Room", "new(roshambo.Room).members"),
    "Room repr": ("Room", "repr(new(roshambo.Room))"),
    "Stats field": ("Stats", "new(roshambo.Stats).players"),
    "Stats repr": ("Stats", "repr(new(roshambo.Stats))"),
}

RUNNER = """
import copy, pickle, sys
import roshambo
def new(cls):
    return cls.__new__(cls)
try:
    exec(sys.argv[1])
except TypeError as e:
    print("TypeError:", e)
else:
    print("no error")
"""


@pytest.mark.parametrize("name", list(CASES))
def test_use_of_an_uninitialised_object_raises(name: str) -> None:
    cls, code = CASES[name]
    proc = subprocess.run([sys.executable, "-c", RUNNER, code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"interpreter died ({proc.returncode}): {proc.stderr[-2000:]}"
    out = proc.stdout.strip()
    assert out.startswith("TypeError: "), out
    assert f".{cls} object is uninitialised" in out and f".{cls}.__init__() was not called" in out, out


def test_unpickling_still_initialises_an_object_made_by_new() -> None:
    # pickle makes the object with __new__, then __setstate__ constructs it: still allowed.
    engine = roshambo.Engine()
    engine.handle({"type": "tick"}, 5)
    restored = pickle.loads(pickle.dumps(engine))
    assert restored.now == 5
    assert restored.handle({"type": "tick"}, 6) == []
    assert copy.copy(restored).now == 6
