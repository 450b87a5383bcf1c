"""The README's commands work as written in a clone: no DEBUG in the caller's environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def clean_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return env


def deadline_examples() -> list[tuple[str, str]]:
    """Each indented `manage.py deadline` line of the README and the line it shows after it."""
    lines = README.splitlines()
    found = []
    for number, line in enumerate(lines):
        if re.match(r"^    .*manage\.py deadline ", line) and "--json" not in line:
            found.append((line.strip(), lines[number + 1].strip()))
    return found


def test_the_readme_has_deadline_examples() -> None:
    assert len(deadline_examples()) >= 2


def test_the_readme_deadline_examples_run_as_written_and_print_the_deadline(tmp_path: Path) -> None:
    # A database migrated as `make run` leaves it (the limits are policy rows).
    env = clean_environment() | {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    migrate = [sys.executable, "manage.py", "migrate", "--no-input"]
    subprocess.run(migrate, cwd=ROOT, env=env | {"DEBUG": "1"}, check=True, capture_output=True, timeout=300)
    for command, expected in deadline_examples():
        shell = command.replace(".venv/bin/python", sys.executable, 1)
        result = subprocess.run(shell, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout.strip().splitlines()[0] == expected, (command, result.stdout)


def test_a_missing_secret_key_is_one_line_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "deadline", "website_filing", "2026-02-12"],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "ImproperlyConfigured: SECRET_KEY is not set. Set it (any long random string) or, "
        "on a development machine, DEBUG=1."
    ]


def test_the_docs_do_not_link_to_files_a_clone_lacks() -> None:
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path
