"""End-to-end tests of `roshambo replay` against hostile files and streams: read and
write errors, the line limit, out-of-range flags, and memory under a time jump."""

import json
import os
import pathlib
import select
import signal
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASIC = ROOT / "tests" / "data" / "basic.commands.jsonl"


def events(text):
    return [json.loads(line) for line in text.splitlines()]


# ------------------------------------------------------------------ read errors


@pytest.mark.parametrize("how", ["path", "stdin"])
def test_a_directory_as_the_log_is_an_error(roshambo_bin, tmp_path, how):
    # It used to spin at 100 % CPU (path) or exit 0 silently (stdin).
    if how == "path":
        p = subprocess.run([roshambo_bin, "replay", str(tmp_path)], capture_output=True, text=True,
                           timeout=20)
    else:
        fd = os.open(tmp_path, os.O_RDONLY)
        try:
            p = subprocess.run([roshambo_bin, "replay"], stdin=fd, capture_output=True, text=True,
                               timeout=20)
        finally:
            os.close(fd)
    assert p.returncode == 2
    assert p.stdout == ""
    assert p.stderr.count("\n") == 1
    assert "cannot read command log" in p.stderr and "Is a directory" in p.stderr


def test_any_read_error_ends_the_run_with_exit_2(run):
    # /proc/self/mem cannot be read at offset 0 (EIO): an error that no retry clears.
    p = run("replay", "/proc/self/mem")
    assert p.returncode == 2
    assert "cannot read command log '/proc/self/mem'" in p.stderr


def test_a_missing_log_is_an_error(run, tmp_path):
    p = run("replay", tmp_path / "nope.jsonl")
    assert p.returncode == 2 and p.stdout == ""
    assert "cannot open command log" in p.stderr and "No such file" in p.stderr


def test_a_directory_as_the_config_is_an_error(run, tmp_path):
    p = run("replay", "--config", tmp_path, BASIC)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.strip() == f"roshambo: cannot read config file '{tmp_path}': Is a directory"


def test_an_endless_config_is_refused_by_size(run):
    p = run("replay", "--config", "/dev/zero", BASIC)
    assert p.returncode == 2 and "larger than 1 MiB" in p.stderr


# ------------------------------------------------------------------ write errors


def test_stdout_write_failure_is_an_error(roshambo_bin):
    with open("/dev/full", "w") as full:
        p = subprocess.run([roshambo_bin, "replay", str(BASIC)], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=60)
    assert p.returncode == 1
    assert "cannot write to stdout" in p.stderr


# ------------------------------------------------------------------ the line limit


@pytest.mark.parametrize("after", ["\r", "\r\r", " \r", "\t"])
def test_a_cr_cannot_bring_an_oversized_line_under_the_limit(run, after):
    # A valid hello of exactly 65536 bytes, then `after`, 1 MB of text and the newline:
    # the line is 1 MB long and must be refused by length, however it ends.
    head = '{"at":1,"from":"a","type":"hello","data":{"user":{"uid":"a"}}}'
    line = head[:-1] + " " * (65536 - len(head)) + "}"
    assert len(line) == 65536 and json.loads(line)["type"] == "hello"
    p = run("replay", input=line + after + "z" * 1_000_000 + "\n" + line + "\r\n")
    assert p.returncode == 0, p.stderr
    got = events(p.stdout)
    assert [e["type"] for e in got] == ["error", "hi"]  # the CRLF line at the limit is fine
    assert got[0]["data"]["code"] == "capacity_exceeded"


def test_an_oversized_blank_line_is_refused_not_skipped(run):
    # A reader keeps only a prefix of a long line, so it cannot know the rest was blank.
    p = run("replay", input=" " * 70_000 + "x\n" + " " * 70_000 + "\n")
    assert [e["data"]["code"] for e in events(p.stdout)] == ["capacity_exceeded"] * 2


# ------------------------------------------------------------------ flags


@pytest.mark.parametrize("flag, value, what", [
    ("--seed", "-1", "must not be negative"),
    ("--seed", "-18446744073709551615", "must not be negative"),
    ("--seed", str(2**64), "out of range"),
    ("--seed", str(2**65), "out of range"),
    ("--seed", "1.5", "not an integer"),
    ("--digest-every", "-1", "must not be negative"),
    ("--digest-every", str(2**64), "out of range"),
])
def test_out_of_range_flags_are_refused(run, flag, value, what):
    p = run("replay", flag, value, BASIC)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.strip() == f"roshambo: {flag}: {what} ('{value[:40]}')"


def test_the_largest_seed_is_accepted(run, tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"seed": 2**64 - 1}))
    by_flag = run("replay", "--seed", str(2**64 - 1), "--digest-every", "4", BASIC)
    by_config = run("replay", "--config", cfg, "--digest-every", "4", BASIC)
    default = run("replay", "--digest-every", "4", BASIC)
    assert by_flag.returncode == by_config.returncode == 0
    assert by_flag.stdout == by_config.stdout != default.stdout

# ------------------------------------------------------------------ time jumps


def peak_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def test_a_time_jump_under_requeue_streams_in_bounded_memory(roshambo_bin, tmp_path):
    # One player, bots after 1 ms, 1 ms games, requeue: a jump to 2^62 is ~2^61 rounds,
    # endless in practice. The events must flow out as they come, in bounded memory
    # (a tick used to keep all its events: 0.8 GB after 2 s, nothing written).
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"game_time_ms": 1, "bot_fill_after_ms": 1, "requeue": True}))
    log = tmp_path / "jump.jsonl"
    log.write_text('{"at":0,"from":"u1","type":"hello","data":{"user":{"uid":"u1"}}}\n'
                   '{"at":0,"from":"u1","type":"join","data":{}}\n'
                   '{"at":4611686018427387904,"type":"tick"}\n')
    proc = subprocess.Popen([roshambo_bin, "replay", "--config", str(cfg), str(log)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    limit_kb = 64 * 1024
    try:
        got = 0
        head = b""
        deadline = time.monotonic() + 3.0
        # Read for 3 s (or 256 MiB); stop at once if the peak passes the limit, so a
        # regression costs this machine neither minutes nor gigabytes.
        while time.monotonic() < deadline and got < (256 << 20):
            peak = peak_kb(proc.pid)
            if peak >= limit_kb:
                break
            ready, _, _ = select.select([proc.stdout], [], [], 0.1)
            if not ready:
                continue
            chunk = proc.stdout.read1(1 << 20)
            if not chunk:
                break
            if len(head) < 4096:
                head += chunk[:4096]
            got += len(chunk)
        peak = peak_kb(proc.pid)
        assert proc.poll() is None  # still playing: the jump is endless in practice
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
        proc.stdout.close()
        proc.stderr.close()
    assert got > (1 << 20), "the tick's events did not reach stdout while it ran"
    first = [json.loads(line) for line in head.split(b"\n")[:3]]
    assert [e["type"] for e in first] == ["hi", "room", "room"]
    assert 0 < peak < limit_kb, f"peak RSS {peak} kB"
