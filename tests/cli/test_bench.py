"""End-to-end tests of `roshambo bench`."""

import json

import pytest


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


def test_bench_compares_shards_with_one_shard(run):
    # Listed out of order: the table's order is kept.
    p = run("bench", "--scale", "0.01", "--repeat", "2", "--format", "json", "--only", "cap2-shards2,cap2")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    one, two = doc["workloads"]
    assert (one["workload"], two["workload"]) == ("cap2", "cap2-shards2")
    assert one["vs_one_shard"] is None
    assert two["vs_one_shard"] == pytest.approx(two["player_rounds_per_s"] / one["player_rounds_per_s"])
    # Without its one-shard run, a sharded workload has nothing to compare with.
    p = run("bench", "--scale", "0.01", "--repeat", "1", "--format", "json", "--only", "cap2-shards2")
    assert p.returncode == 0, p.stderr
    (only,) = json.loads(p.stdout)["workloads"]
    assert only["vs_one_shard"] is None
    p = run("bench", "--scale", "0.01", "--repeat", "1", "--only", "cap2,cap2-shards2")
    assert p.returncode == 0, p.stderr
    header, cap2, shards2 = p.stdout.splitlines()
    assert header.split()[-3:] == ["x", "1", "shard"]
    assert cap2.split()[-1] == "-" and float(shards2.split()[-1]) > 0


@pytest.mark.parametrize("only", ["cap3", "cap2,cap3", "cap2 ,cap1000", "CAP2"])
def test_bench_refuses_unknown_workloads(run, only):
    p = run("bench", "--only", only)
    assert p.returncode == 2
    assert "--only: unknown workload" in p.stderr and p.stdout == ""
