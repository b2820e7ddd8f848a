"""End-to-end tests of `roshambo simulate`."""

import csv
import io
import json

import pytest

SMALL = ["--players", "60", "--rounds", "5"]


def simulate_json(run, *args):
    p = run("simulate", "--format", "json", *args)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""  # no progress bar on a pipe
    return json.loads(p.stdout)


def without_timing(doc):
    doc = dict(doc)
    doc["run"] = {k: v for k, v in doc["run"].items() if k not in ("seconds", "player_rounds_per_s")}
    return doc


# ------------------------------------------------------------------ formats


def test_json_format_is_documented_shape(run):
    doc = simulate_json(run, *SMALL, "--mix", "uniform=0.6,beat-last=0.3,rock=0.1", "--top", "0")
    assert doc["format"] == "roshambo.simulate/1"
    assert set(doc) >= {"version", "config", "seed", "players", "rounds", "pairing", "shards", "top",
                        "mix", "leaderboard", "strategies", "shard_results", "run"}
    assert doc["players"] == 60 and doc["rounds"] == 5
    assert len(doc["leaderboard"]) == 60  # --top 0 lists every player
    assert [row["rank"] for row in doc["leaderboard"]] == list(range(1, 61))
    assert {s["strategy"] for s in doc["strategies"]} == {"uniform", "beat-last", "rock"}
    assert [m["players"] for m in doc["mix"]] == [36, 18, 6]
    run_ = doc["run"]
    assert run_["player_rounds"] == 300
    assert run_["player_rounds_per_s"] > 0 and run_["seconds"] > 0
    totals = [row["total"] for row in doc["leaderboard"]]
    assert totals == sorted(totals, reverse=True)
    for row in doc["leaderboard"]:
        assert row["wins"] + row["losses"] + row["draws"] == row["rounds"] == 5
    # The full engine config is there, seed included.
    assert doc["config"]["capacity"] == 2 and doc["config"]["seed"] == doc["seed"] == 0


def test_json_text_is_one_indented_document(run):
    # The leaderboard's rows are written as text beside a JSON library's dump of the
    # rest: the whole must read as one document indented two spaces a level, the rows
    # exactly as an independent serializer writes them (negative totals, several
    # strategies and shards among them).
    p = run("simulate", "--format", "json", "--players", "41", "--rounds", "6", "--shards", "3",
            "--mix", "uniform=0.5,rock=0.25,biased:3,1,1=0.25", "--loss-penalty", "--top", "0")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert any(row["total"] < 0 for row in doc["leaderboard"])
    assert {row["shard"] for row in doc["leaderboard"]} == {0, 1, 2}
    rows = json.dumps(doc["leaderboard"], indent=2).replace("\n", "\n  ")
    assert '\n  "leaderboard": ' + rows + ",\n" in p.stdout
    assert p.stdout.startswith("{\n") and p.stdout.endswith("\n}\n")
    # One player: one row, the array closed as the library closes one.
    p = run("simulate", "--format", "json", "--players", "1", "--rounds", "1", "--top", "0")
    one = json.loads(p.stdout)["leaderboard"]
    assert len(one) == 1 and '"leaderboard": ' + json.dumps(one, indent=2).replace("\n", "\n  ") in p.stdout


def test_csv_format_parses(run):
    p = run("simulate", *SMALL, "--format", "csv", "--top", "0", "--mix", "biased:1,2,3=1,uniform=1")
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert len(rows) == 60
    assert list(rows[0]) == ["rank", "uid", "strategy", "total", "wins", "losses", "draws", "rounds",
                             "best_streak", "win_streak", "best_round", "shard"]
    assert {r["strategy"] for r in rows} == {"biased:1,2,3", "uniform"}  # commas quoted
    assert [int(r["rank"]) for r in rows] == list(range(1, 61))


def test_table_format(run):
    p = run("simulate", *SMALL)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "Leaderboard (top 10 of 60 players)"
    assert lines[1].split() == ["rank", "uid", "strategy", "total", "wins", "best", "streak"]
    assert len([l for l in lines[2:12] if l.strip()]) == 10
    assert "Strategies" in lines
    assert "player-rounds/s" in lines[-1]


def test_defaults_run_a_sensible_tournament(run):
    doc = simulate_json(run)
    assert doc["players"] == 1000 and doc["rounds"] == 50
    assert doc["run"]["player_rounds"] == 50000
    assert len(doc["leaderboard"]) == 10


# ------------------------------------------------------------------ determinism


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_same_seed_same_output(run, fmt):
    args = ["simulate", *SMALL, "--seed", "11", "--format", fmt, "--mix", "uniform,cycle,frequency"]
    a, b = run(*args), run(*args)
    assert a.returncode == b.returncode == 0
    if fmt == "json":
        assert without_timing(json.loads(a.stdout)) == without_timing(json.loads(b.stdout))
    elif fmt == "table":
        assert a.stdout.splitlines()[:-1] == b.stdout.splitlines()[:-1]  # last line: timing
    else:
        assert a.stdout == b.stdout
    c = run(*[x if x != "11" else "12" for x in args])
    assert c.stdout != a.stdout


def test_shards_are_deterministic(run):
    args = ["--players", "400", "--rounds", "4", "--shards", "3", "--seed", "3", "--top", "0"]
    a, b = simulate_json(run, *args), simulate_json(run, *args)
    assert without_timing(a) == without_timing(b)
    assert len(a["shard_results"]) == 3
    assert sum(s["players"] for s in a["shard_results"]) == 400
    assert a["shard_results"][0]["seed"] == 3
    assert a["run"]["player_rounds"] == 1600


@pytest.mark.parametrize("extra", [
    [],
    ["--capacity", "5", "--bot-fill-after-ms", "0", "--pairing", "swiss"],
    ["--capacity", "3", "--requeue", "--pairing", "random", "--scoring", "reference"],
    ["--mix", "uniform,beat-last,frequency,copy-winner,cycle,none,biased:1,2,3", "--loss-penalty",
     "--streak-cap", "2", "--fill-policy", "newest", "--bot-strategy", "paper"],
])
def test_command_log_replays_to_same_results(run, tmp_path, extra):
    cmds, events = tmp_path / "run.commands.jsonl", tmp_path / "run.events.jsonl"
    doc = simulate_json(run, *SMALL, "--seed", "42", "--top", "0", "--commands", cmds, "--events", events,
                        *extra)
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps(doc["config"]))
    p = run("replay", "--config", cfg, "--seed", doc["seed"], cmds)
    assert p.returncode == 0, p.stderr
    assert p.stdout == events.read_text()  # the same events, byte for byte
    # ... and so the same totals: the last result row of each player.
    last = {}
    for line in p.stdout.splitlines():
        ev = json.loads(line)
        assert ev["type"] != "error"
        if ev["type"] == "result":
            for row in ev["data"]["result"]:
                last[row["uid"]] = row["totalScore"]
    for row in doc["leaderboard"]:
        assert last.get(row["uid"], 0) == row["total"]
    assert not list(tmp_path.glob("*.tmp.*"))  # temp files renamed away


# ------------------------------------------------------------------ strategies and pairings


def by_strategy(doc):
    out = {}
    for row in doc["leaderboard"]:
        out.setdefault(row["strategy"], []).append(row)
    return out


def test_constant_strategy_always_plays_its_choice(run, tmp_path):
    events = tmp_path / "e.jsonl"
    run("simulate", "--players", "10", "--rounds", "4", "--mix", "paper", "--events", events,
        "--bot-fill-after-ms", "0", check=True)
    choices = set()
    for line in events.read_text().splitlines():
        ev = json.loads(line)
        if ev["type"] == "result":
            choices |= {row["choice"] for row in ev["data"]["result"]}
    assert choices == {3}  # paper


def test_none_never_scores(run):
    doc = simulate_json(run, *SMALL, "--mix", "none=1,uniform=1", "--top", "0", "--capacity", "4")
    nones = by_strategy(doc)["none"]
    assert len(nones) == 30
    assert all(r["total"] == 0 and r["wins"] == 0 for r in nones)
    summary = {s["strategy"]: s for s in doc["strategies"]}
    assert summary["none"]["win_rate"] == 0 and summary["none"]["mean_total"] == 0


def test_beat_last_beats_a_constant_opponent_from_round_2(run, tmp_path):
    events = tmp_path / "e.jsonl"
    doc = simulate_json(run, "--players", "2", "--rounds", "8", "--mix", "rock=1,beat-last=1",
                        "--bot-fill-after-ms", "0", "--top", "0", "--events", events)
    smart = by_strategy(doc)["beat-last"][0]
    assert smart["wins"] >= 7
    results = [json.loads(l) for l in events.read_text().splitlines()]
    results = [e["data"]["result"] for e in results if e["type"] == "result"]
    assert len(results) == 8
    for rows in results[1:]:
        mine = next(r for r in rows if r["uid"] == smart["uid"])
        assert mine["choice"] == 3 and mine["wins"] == 1  # paper beats rock


def test_swiss_groups_by_score(run, tmp_path):
    events = tmp_path / "e.jsonl"
    run("simulate", "--players", "32", "--rounds", "5", "--pairing", "swiss", "--bot-fill-after-ms", "0",
        "--events", events, check=True)
    totals = {}
    rounds = []
    for line in events.read_text().splitlines():
        ev = json.loads(line)
        if ev["type"] == "start":
            rounds.append([(u["uid"], u["totalScore"]) for u in ev["data"]["roomUsers"]])
    # Every room of the later rounds pairs neighbours in the ranking by score.
    for k in range(1, 5):
        rooms = rounds[16 * k:16 * (k + 1)]
        scores = sorted((s for room in rooms for _, s in room), reverse=True)
        for i, room in enumerate(rooms):
            assert sorted((s for _, s in room), reverse=True) == scores[2 * i:2 * i + 2]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("args, flag", [
    (["--bogus"], "--bogus"),
    (["--players", "0"], "--players"),
    (["--players", "abc"], "--players"),
    (["--players", "-3"], "--players"),
    (["--rounds", "0"], "--rounds"),
    (["--mix", "dunno"], "--mix"),
    (["--mix", "rock=-1"], "--mix"),
    (["--mix", "rock=0,paper=0"], "--mix"),
    (["--mix", "biased:1,2"], "--mix"),
    (["--mix", "biased:-1,2,3"], "--mix"),
    (["--capacity", "1"], "--capacity"),
    (["--capacity", "5000"], "--capacity"),
    (["--game-time-ms", "0"], "--game-time-ms"),
    (["--bot-strategy", "dunno"], "--bot-strategy"),
    (["--shards", "0"], "--shards"),
    (["--shards", "1000"], "--shards"),
    (["--pairing", "dunno"], "--pairing"),
    (["--scoring", "dunno"], "--scoring"),
    (["--fill-policy", "dunno"], "--fill-policy"),
    (["--format", "xml"], "--format"),
    (["--seed", "x"], "--seed"),
    (["--config", "/nonexistent/config.json"], "--config"),
])
def test_bad_input_names_the_flag(run, args, flag):
    p = run("simulate", *args)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert flag in lines[0]


def test_mix_weights_that_overflow_are_not_said_to_sum_to_0(run):
    p = run("simulate", "--mix", "uniform=1e308,rock=1e308")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("roshambo: --mix: weights too large: their sum overflows")
    assert "sum to 0" not in p.stderr


def test_bad_config_file_field(run, tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text('{"capacity": 1}')
    p = run("simulate", "--config", cfg)
    assert p.returncode == 2 and "capacity" in p.stderr and p.stdout == ""
    cfg.write_text('{"capacity": 4, "seed": 9}')
    doc = simulate_json(run, "--config", cfg, *SMALL)
    assert doc["config"]["capacity"] == 4 and doc["seed"] == 9
    doc = simulate_json(run, "--config", cfg, *SMALL, "--capacity", "3")  # flags override
    assert doc["config"]["capacity"] == 3 and doc["seed"] == 9


def test_unwritable_output_leaves_no_files(run, tmp_path):
    good = tmp_path / "events.jsonl"
    p = run("simulate", *SMALL, "--events", good, "--commands", tmp_path / "missing" / "c.jsonl")
    assert p.returncode == 2 and "--commands" in p.stderr and len(p.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # not even the events file
    p = run("simulate", *SMALL, "--events", tmp_path)
    assert p.returncode == 2 and "--events" in p.stderr
    p = run("simulate", *SMALL, "--shards", "2", "--commands", good)
    assert p.returncode == 2 and "--commands" in p.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_replaced_only_on_success(run, tmp_path):
    out = tmp_path / "c.jsonl"
    out.write_text("keep me\n")
    p = run("simulate", "--players", "0", "--commands", out)
    assert p.returncode == 2
    assert out.read_text() == "keep me\n"
    run("simulate", *SMALL, "--commands", out, check=True)
    assert out.read_text().startswith('{"at":0,"from":"p1","type":"hello"')


# ------------------------------------------------------------------ help


def test_help_lists_every_config_flag(run):
    text = run("simulate", "--help").stdout
    for flag in ["--players", "--rounds", "--mix", "--pairing", "--seed", "--shards", "--top", "--format",
                 "--commands", "--events", "--quiet", "--config", "--capacity", "--game-time-ms",
                 "--bot-fill-after-ms", "--bot-strategy", "--scoring", "--loss-penalty", "--streak-cap",
                 "--requeue", "--fill-policy", "--max-players", "--max-rooms"]:
        assert flag in text, flag


# ------------------------------------------------------------------ progress bar


def run_with_tty_stderr(roshambo_bin, args, env):
    """Run with stderr on a pseudo-terminal (stdout on a pipe); returns (rc, stdout, tty text)."""
    import os
    import pty
    import subprocess

    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([roshambo_bin, *args], stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        out = p.stdout.read()
        rc = p.wait(timeout=120)
    finally:
        os.close(master)
    return rc, out.decode(), b"".join(chunks).decode(errors="replace")


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(roshambo_bin):
    import os

    env = dict(os.environ, ROSHAMBO_PROGRESS_DELAY_MS="0")
    args = ["simulate", "--players", "20000", "--rounds", "10", "--format", "csv", "--top", "1"]
    rc, out, tty = run_with_tty_stderr(roshambo_bin, args, env)
    assert rc == 0
    assert "rounds" in tty and "player-rounds/s" in tty and "ETA" in tty
    assert "ETA" not in out and out.startswith("rank,")
    rc, out, tty = run_with_tty_stderr(roshambo_bin, [*args, "--quiet"], env)
    assert rc == 0 and "ETA" not in tty
    # Without the override, a short run stays silent even on a terminal.
    rc, out, tty = run_with_tty_stderr(roshambo_bin, ["simulate", "--players", "100", "--rounds", "3"],
                                       dict(os.environ))
    assert rc == 0 and "ETA" not in tty


def test_stdout_write_failure_is_an_error(roshambo_bin):
    import subprocess

    with open("/dev/full", "w") as full:
        args = ["simulate", "--players", "10", "--rounds", "1"]
        p = subprocess.run([roshambo_bin, *args], stdout=full, stderr=subprocess.PIPE, text=True)
        assert p.returncode == 1 and "stdout" in p.stderr
