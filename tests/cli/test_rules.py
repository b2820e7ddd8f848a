"""End-to-end tests of `roshambo rules`."""

import json
import subprocess


def test_rules_prints_defaults_presets_strategies(run):
    p = run("rules")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["defaults"]["capacity"] == 2 and doc["defaults"]["game_time_ms"] == 3000
    assert {p["name"] for p in doc["presets"]} == {"article", "reference"}
    names = {s["name"] for s in doc["strategies"]}
    assert names == {"uniform", "rock", "paper", "scissors", "biased:R,P,S", "cycle", "beat-last",
                     "frequency", "copy-winner", "none"}
    assert all(s["description"] for s in doc["strategies"])
    assert {p["name"] for p in doc["pairings"]} == {"arrival", "random", "swiss"}
    assert doc["simulate_defaults"]["players"] == 1000


def test_stdout_write_failure_is_an_error(roshambo_bin):
    with open("/dev/full", "w") as full:
        p = subprocess.run([roshambo_bin, "rules"], stdout=full, stderr=subprocess.PIPE, text=True)
        assert p.returncode == 1 and "stdout" in p.stderr
