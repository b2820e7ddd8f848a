"""End-to-end tests of `roshambo` as a whole: what every subcommand answers alike."""

import pytest


@pytest.mark.parametrize("sub", ["simulate", "rules", "bench", "replay", None])
def test_version_and_help(run, sub):
    args = [sub] if sub else []
    p = run(*args, "--version")
    assert p.returncode == 0 and p.stdout.startswith("roshambo ")
    p = run(*args, "--help")
    assert p.returncode == 0 and "Example" in p.stdout
