"""What ``make loadtest`` drives (``benchmarks/loadtest.py`` starts it and passes the environment).

The sign-ins are shared: one per role for the whole run, not one per simulated client (a password
hash costs a few hundred milliseconds of a core, and 16 clients x 3 roles used up a short run).
``benchmarks/loadtest.py`` signs in as the officer, the manager and the enterprise user through the
login form before it starts locust and passes the session cookies in ``LOADTEST_COOKIES`` (JSON:
role -> cookies); run on its own, this file signs in once per locust process when the test starts.
Every client then requests the officer worklist, the manager dashboard, the enterprise list and
the API's application list (with the officer's token), each a named request, with
``LOADTEST_WAIT`` seconds of think time between them ("0.5,1.5" by default; "0" for none).
"""

from __future__ import annotations

import json
import os
import re

import requests
from locust import HttpUser, between, constant, events, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "load-pass-2026")
LOGINS = dict(
    zip(
        ("officer", "manager", "enterprise"),
        os.environ.get("LOADTEST_LOGINS", "officer001,manager-licensing,enterprise0000").split(","),
        strict=True,
    )
)
TOKEN = os.environ.get("LOADTEST_TOKEN", "")
COOKIES: dict[str, dict[str, str]] = json.loads(os.environ.get("LOADTEST_COOKIES") or "{}")


def sign_in(host: str, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in through the login form; return the session's cookies (raises if it fails)."""
    with requests.Session() as session:
        page = session.get(f"{host}/accounts/login/", timeout=120)
        match = CSRF.search(page.text)
        response = session.post(
            f"{host}/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": match[1] if match else ""},
            headers={"Referer": f"{host}/accounts/login/"},
            allow_redirects=False,
            timeout=120,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{username} could not sign in: HTTP {response.status_code}")
        return session.cookies.get_dict()


def _wait():
    low, _, high = os.environ.get("LOADTEST_WAIT", "0.5,1.5").partition(",")
    return between(float(low), float(high)) if high else constant(float(low))


@events.test_start.add_listener
def _sign_in_once(environment, **kwargs) -> None:
    """Without cookies from the driver, sign in once per role in this process."""
    for role, username in LOGINS.items():
        if role not in COOKIES:
            COOKIES[role] = sign_in(environment.host, username)


class Client(HttpUser):
    wait_time = _wait()

    def _get(self, role: str, path: str) -> None:
        # The shared cookies are sent with each request; the client's own jar stays empty, so the
        # sessions of the three roles do not mix.
        self.client.get(path, name=path, cookies=COOKIES[role])
        self.client.cookies.clear()

    @task
    def worklist(self) -> None:
        self._get("officer", "/worklist/")

    @task
    def dashboard(self) -> None:
        self._get("manager", "/dashboard/")

    @task
    def portal(self) -> None:
        self._get("enterprise", "/portal/")

    @task
    def api(self) -> None:
        self.client.get("/api/applications/", name="/api/applications/", headers={"Authorization": f"Token {TOKEN}"})


if os.environ.get("LOADTEST_WRITE_EVERY"):

    class Writer(HttpUser):
        """One client that changes the data every LOADTEST_WRITE_EVERY seconds, through the API as
        the officer: it starts a special procedure on LOADTEST_WRITE_CASE, or ends the one
        running. Each action moves the audit chain's head, so every page kept in the cache
        (approvals.kept) is counted and rendered afresh at its next view: what the readers'
        figures then show is the cost of a data set that changes while they read."""

        fixed_count = 1
        wait_time = constant(float(os.environ["LOADTEST_WRITE_EVERY"]))

        @task
        def pause_or_resume(self) -> None:
            case = os.environ["LOADTEST_WRITE_CASE"]
            headers = {"Authorization": f"Token {TOKEN}"}
            state = self.client.get(f"/api/applications/{case}/", headers=headers, name="write: read the case").json()
            if state["state"] == "paused":
                self.client.post(
                    f"/api/applications/{case}/end-special-procedure/",
                    json={"note": "load test"},
                    headers=headers,
                    name="write: end a special procedure",
                )
            else:
                day = _today()
                basis = "《行政许可法》第四十五条"
                body = {"kind": "appraisal", "basis": basis, "notice_date": day, "expected_end": day}
                self.client.post(
                    f"/api/applications/{case}/start-special-procedure/",
                    json=body,
                    headers=headers,
                    name="write: start a special procedure",
                )


def _today() -> str:
    """Today in Shanghai, as the server counts it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
