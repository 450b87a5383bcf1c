"""Time issuing a document: typeset (WeasyPrint), sign (pyHanko), store and record.

    make bench-documents    # or: DEBUG=1 python -m benchmarks.documents [--count N] [--kind correction]

In a scratch SQLite file under var/bench/ (or DATABASE_URL), makes N received licence
applications through the workflow, then issues N documents of one kind with
approvals.documents.issue.issue, each in its own transaction as the workflow does, with the
development signing pair (an ECDSA P-256 key; a deployment's RSA key signs more slowly). Prints
the median and p95 of the whole issue and of each part. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--kind", default="correction", choices=["correction", "acceptance", "non_acceptance"])
    args = parser.parse_args(argv)

    scratch = ROOT / "var" / "bench" / "documents.sqlite3"
    if not os.environ.get("DATABASE_URL"):
        scratch.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    folder = Path(tempfile.mkdtemp(prefix="shixian-bench-documents-"))
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private")
    os.environ["DOCUMENT_SIGNING_KEY"] = str(folder / "key.pem")
    os.environ["DOCUMENT_SIGNING_CERT"] = str(folder / "cert.pem")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    import logging

    logging.getLogger("django-q").setLevel(logging.WARNING)  # one line per queued notification task otherwise
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from approvals import workflow
    from approvals.documents import issue, render, signing
    from approvals.models import Procedure, User, private_storage
    from benchmarks import bulk

    bulk.empty_database()  # a scratch database only: emptied first
    signing.generate_development_pair(
        Path(settings.DOCUMENT_SIGNING_KEY), Path(settings.DOCUMENT_SIGNING_CERT), settings.ADMINISTRATION_NAME
    )
    bulk.people(organisations=20, officers=6)
    applicants = list(User.objects.filter(organisation__isnull=False, role="enterprise")[:20])
    day = workflow.today()
    apps = []
    for i in range(args.count):
        who = applicants[i % len(applicants)]
        app = workflow.create_application(who, Procedure.TELECOM_LICENCE, "第二类增值电信业务 信息服务业务")
        workflow.add_material(app.pk, who, SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"))
        apps.append(workflow.submit(app.pk, who, on=day))
    action = {"correction": "request_correction", "acceptance": "accept", "non_acceptance": "refuse_to_accept"}
    note = "营业执照副本\n公司章程\n网络与信息安全保障措施\n最近经会计师事务所审计的企业财务会计报告"

    parts: dict[str, list[float]] = defaultdict(list)

    def timed(name, function):
        def wrapper(*a, **kw):
            started = time.perf_counter()
            try:
                return function(*a, **kw)
            finally:
                parts[name].append(time.perf_counter() - started)

        return wrapper

    render.pdf = timed("typeset (WeasyPrint)", render.pdf)
    signing.sign = timed("sign (pyHanko)", signing.sign)
    private_storage.save = timed("store", private_storage.save)
    render.pdf("<p>预热 warm-up</p>")
    parts.clear()  # the fonts' first load is not an issue's cost
    totals = []
    for app in apps:
        act = render.Act(action[args.kind], day, note, {"reply_by": day.isoformat()}, app.officer_id)
        started = time.perf_counter()
        with transaction.atomic():
            issue.issue(app, act)
        totals.append(time.perf_counter() - started)

    print(f"{args.count} {args.kind} documents (render + sign + store, one transaction each):")
    rows = [("whole issue", totals), *parts.items()]
    for name, values in rows:
        print(
            f"  {name:<22} median {statistics.median(values) * 1000:7.1f} ms   "
            f"p95 {_p95(values) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms"
        )
    sizes = [p.stat().st_size for p in (folder / "private" / "documents").rglob("*.pdf")]
    print(f"  file size              median {statistics.median(sizes) / 1024:7.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
