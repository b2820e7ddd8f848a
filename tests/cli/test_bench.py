"""End-to-end tests of `roshambo bench`."""

import json


def test_bench_prints_figures(run):
    p = run("bench", "--scale", "0.01", "--repeat", "1", "--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    names = [w["workload"] for w in doc["workloads"]]
    assert names == ["default", "cap2", "cap1000", "cap2-shards2"]
    for w in doc["workloads"]:
        assert w["player_rounds"] > 0 and w["player_rounds_per_s"] > 0
    p = run("bench", "--repeat", "0")
    assert p.returncode == 2 and "--repeat" in p.stderr
