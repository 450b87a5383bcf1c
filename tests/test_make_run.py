"""`make run` as a newcomer runs it: a short start-up that ends with a summary of where to go and
who to sign in as, links built from HOST/PORT, the demo's emails kept out of the console, and
Ctrl-C stopping the server and the worker (issue 16, item 5). On a scratch SQLite database with
a small demo (DEMO_APPLICATIONS), so that it takes seconds, not the default 300 cases' minute."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_prints_a_short_summary_with_its_own_address_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    inherited = ("DATABASE_URL", "REDIS_URL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "SITE_URL")
    env = {k: v for k, v in os.environ.items() if k not in inherited and not k.startswith(("EMAIL_", "PYTEST"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path}/run.sqlite3",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "DEMO_APPLICATIONS": "6",
        "PORT": str(port),
        "DEBUG": "1",
    }
    out_path = tmp_path / "out.txt"
    with out_path.open("w") as out:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C is a SIGINT to the group
        )
        try:
            deadline = time.monotonic() + 240
            while out_path.read_text().count("=" * 72) < 2:
                assert make.poll() is None, out_path.read_text()
                assert time.monotonic() < deadline, out_path.read_text()
                time.sleep(0.5)
            text = out_path.read_text()
            base = f"http://127.0.0.1:{port}"
            with urllib.request.urlopen(base + "/accounts/login/", timeout=10) as page:
                assert page.status == 200
            with urllib.request.urlopen(base + "/track/", timeout=10) as page:  # the throttle's table exists
                assert page.status == 200
        finally:
            os.killpg(make.pid, signal.SIGINT)
            try:
                # The worker finishes the task it is running first (a batch of the demo's
                # documents, 20 typeset and signed): on a loaded machine that takes a while.
                make.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                raise
    summary = text[text.index("=" * 72) :]
    assert f"{base}/accounts/login/" in summary and "demo-pass-2026" in summary
    assert "8000" not in text  # every address from PORT
    assert str(tmp_path / "mail") in summary  # where the emails are
    assert "Content-Type:" not in text and "Subject:" not in text  # no email on the console
    assert list((tmp_path / "mail").glob("*.log"))  # they were written there
    assert len(text.splitlines()) < 80, text
    # Ctrl-C stopped both: nothing listens on the port any more.
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
