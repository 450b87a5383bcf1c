"""gunicorn's settings: `gunicorn -c config/gunicorn.conf.py` (the app is named here; docs/DEPLOY.md).

Read from the environment like config/settings.py; a value that is not a whole number stops the
start with a message naming the variable.

    WEB_CONCURRENCY      worker processes (default 2 x cores + 1)
    GUNICORN_BIND        address to listen on (default 0.0.0.0:8000)
    GUNICORN_TIMEOUT     seconds a request may take before its worker is restarted (default 60)
    FORWARDED_ALLOW_IPS  the proxies whose X-Forwarded-Proto is believed (gunicorn's own variable;
                         default 127.0.0.1,::1): behind a TLS proxy, request.is_secure() reads it
    PROXY_PROTOCOL       1: the load balancer sends the PROXY protocol, so REMOTE_ADDR is the
                         client's address (login lockouts and the public lookup's throttle count it)
    PROXY_ALLOW_IPS      the load balancers allowed to send it (default 127.0.0.1,::1)
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise SystemExit(f"{name}={raw!r} must be at least 1")
    return value


wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the pages are short database requests; 2 x cores + 1 is gunicorn's own advice.
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
timeout = _int("GUNICORN_TIMEOUT", 60)  # the yearly XLSX report is the slowest page, well under this
graceful_timeout = 30  # a deploy's restart lets running requests finish
keepalive = 5
# Recycle each worker after a while, so that a slow leak never grows; the jitter keeps the
# workers from restarting all at once.
max_requests = 2000
max_requests_jitter = 200
# Uploads are at most UPLOAD_MAX_MB; this only bounds the request line and the headers.
limit_request_line = 8190

if os.environ.get("PROXY_PROTOCOL", "0").strip().lower() in {"1", "true", "yes", "on"}:
    proxy_protocol = "auto"
    proxy_allow_ips = os.environ.get("PROXY_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 25's control socket ($HOME/.gunicorn/gunicorn.ctl) is not used here, and two servers run
# by one user would fight over it.
control_socket_disable = True

# To stdout and stderr: the service manager (systemd's journal) keeps them.
accesslog = "-"
errorlog = "-"
# The combined log format, then the response time in microseconds and the worker's pid.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus %(p)s'
