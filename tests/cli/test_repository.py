"""The repository stands alone: the rules the code cites are in docs/RULES.md, and no
file points at a copy outside the repository, which a user who clones it would not have."""

import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "RULES.md"


def text_files():
    """(relative path, text) of every tracked text file (every file outside build and
    hidden trees when this is not a git checkout)."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True,
                             check=True, timeout=60).stdout
        paths = [ROOT / p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*")
                 if not any(part.startswith(("build", ".")) or part in ("node_modules", "__pycache__")
                            for part in p.relative_to(ROOT).parts)]
    for path in paths:
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        data = path.read_bytes()
        if b"\0" in data:  # binary (images)
            continue
        yield path.relative_to(ROOT).as_posix(), data.decode("utf-8", errors="replace")


def test_no_file_refers_outside_the_repository():
    outside = "../" + "shared/"  # spelled so that this file does not match itself
    offenders = [name for name, text in text_files() if outside in text]
    assert offenders == [], f"these files refer to {outside}: {offenders}"


def rules_sections():
    return [int(n) for n in re.findall(r"^## (\d+)\. ", RULES.read_text(encoding="utf-8"), re.M)]


def test_rules_keep_their_section_numbers():
    assert rules_sections() == list(range(1, 12))


def test_every_cited_section_exists():
    sections = set(rules_sections())
    cited = {}
    for name, text in text_files():
        for n in re.findall(r"§ ?(\d+)", text):
            cited.setdefault(int(n), name)
    missing = {n: name for n, name in cited.items() if n not in sections}
    assert cited, "no section citations found: is the file walk broken?"
    assert missing == {}, f"cited sections that docs/RULES.md does not have (first citing file): {missing}"
