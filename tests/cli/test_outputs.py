"""`roshambo simulate --commands/--events` on every kind of path: regular files are
replaced atomically, anything else (stdout, devices, FIFOs, symlinks to them) is written
in place, and one file is never both logs."""

import json
import os
import stat
import subprocess
import threading

import pytest

RUN = ["simulate", "--quiet", "--players", "4", "--rounds", "1", "--format", "csv"]


@pytest.fixture
def reference(run, tmp_path_factory):
    """The command and event logs of RUN, written to plain new files."""
    d = tmp_path_factory.mktemp("ref")
    p = run(*RUN, "--commands", d / "c", "--events", d / "e")
    assert p.returncode == 0, p.stderr
    return (d / "c").read_text(), (d / "e").read_text()


@pytest.fixture
def null_device(tmp_path):
    """A character device that discards writes: our own node when we may create one
    (never the system's /dev/null, which a regression would replace), else /dev/null
    (which a user who cannot create nodes cannot replace either)."""
    if os.geteuid() == 0:
        node = tmp_path / "null"
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        return node
    return "/dev/null"


def kind(path):
    return stat.S_IFMT(os.lstat(path).st_mode)


def test_a_device_is_written_in_place(run, tmp_path, null_device):
    link = tmp_path / "link"
    link.symlink_to(null_device)
    for flag, path in (("--commands", null_device), ("--events", link)):
        p = run(*RUN, flag, path)
        assert p.returncode == 0, p.stderr
    assert kind(null_device) == stat.S_IFCHR  # not replaced by a regular file
    assert kind(link) == stat.S_IFLNK and os.readlink(link) == str(null_device)
    assert sorted(os.listdir(tmp_path)) == sorted(["link"] + (["null"] if os.geteuid() == 0 else []))


def test_a_fifo_is_written_in_place(run, tmp_path, reference):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    got = []
    # A daemon: if the FIFO were replaced, its reader would wait forever.
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    p = run(*RUN, "--commands", fifo)
    reader.join(timeout=10)
    assert p.returncode == 0, p.stderr
    assert got == [reference[0]]  # the reader got the whole log
    assert kind(fifo) == stat.S_IFIFO
    assert os.listdir(tmp_path) == ["f"]


@pytest.mark.parametrize("existing", [False, True])
def test_a_symlink_to_a_regular_file_replaces_its_target(run, tmp_path, reference, existing):
    target, link = tmp_path / "t", tmp_path / "l"
    if existing:
        target.write_text("old\n")
    link.symlink_to("t")  # relative, resolved beside the link
    p = run(*RUN, "--events", link)
    assert p.returncode == 0, p.stderr
    assert kind(link) == stat.S_IFLNK and os.readlink(link) == "t"
    assert target.read_text() == reference[1]
    assert sorted(os.listdir(tmp_path)) == ["l", "t"]


def test_dash_is_stdout_and_the_report_goes_to_stderr(run, tmp_path, reference):
    p = run(*RUN, "--commands", "-", cwd=tmp_path)  # in a scratch dir: nothing named "-" appears
    assert p.returncode == 0, p.stderr
    assert p.stdout == reference[0]  # a clean JSON Lines stream
    assert p.stderr.startswith("rank,uid,strategy")
    p = run(*RUN, "--events", "-", cwd=tmp_path)
    assert p.stdout == reference[1]
    assert os.listdir(tmp_path) == []


def test_dev_stdout_onto_a_regular_file_writes_that_file(roshambo_bin, tmp_path, reference):
    # /dev/stdout is a symlink to /proc/self/fd/1; our own copy of it, so that a
    # regression replaces nothing of the system's.
    out, dev_stdout = tmp_path / "out", tmp_path / "stdout"
    dev_stdout.symlink_to("/proc/self/fd/1")
    with open(out, "w") as f:
        ino = os.fstat(f.fileno()).st_ino
        p = subprocess.run([roshambo_bin, *RUN, "--commands", dev_stdout], stdout=f,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert os.stat(out).st_ino == ino  # written through stdout, not renamed over
    assert out.read_text() == reference[0]
    assert sorted(os.listdir(tmp_path)) == ["out", "stdout"]
    assert kind(dev_stdout) == stat.S_IFLNK


def test_regular_files_are_still_replaced_atomically(run, tmp_path, reference):
    out = tmp_path / "c"
    out.write_text("old\n")
    ino = os.stat(out).st_ino
    p = run(*RUN, "--commands", out)
    assert p.returncode == 0, p.stderr
    assert out.read_text() == reference[0]
    assert os.stat(out).st_ino != ino  # a new file renamed over the old one
    assert os.listdir(tmp_path) == ["c"]


@pytest.mark.parametrize("second", ["x", "./x", "l", "-"])
def test_one_file_for_both_logs_is_refused(run, tmp_path, second):
    x = tmp_path / "x"
    (tmp_path / "l").symlink_to("x")
    first = "-" if second == "-" else str(x)
    if second == "-":
        args = ["--commands", "-", "--events", "-"]
    else:
        args = ["--commands", first, "--events", f"{tmp_path}/{second}"]
    for existing in (False, True):
        if existing and second != "-":
            x.write_text("keep\n")
        p = run(*RUN, *args, cwd=tmp_path)
        assert p.returncode == 2, p.stderr
        assert p.stdout == ""
        assert p.stderr.count("\n") == 1 and "same file as --commands" in p.stderr
        assert sorted(os.listdir(tmp_path)) == (["l", "x"] if existing and second != "-" else ["l"])
        if existing and second != "-":
            assert x.read_text() == "keep\n"


def test_a_log_on_stdout_pipes_into_replay(roshambo_bin, run, tmp_path, reference):
    sim = subprocess.run([roshambo_bin, *RUN, "--commands", "-"], capture_output=True, timeout=60,
                         cwd=tmp_path)
    assert sim.returncode == 0
    p = run("replay", input=sim.stdout.decode())
    assert p.returncode == 0 and p.stdout == reference[1]
    assert all(json.loads(l)["type"] != "error" for l in p.stdout.splitlines())
