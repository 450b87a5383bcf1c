import os

import pytest
from hypothesis import HealthCheck, settings

from approvals.calendar import WorkCalendar
from tests import reference

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=300)
# HYPOTHESIS_PROFILE=thorough make test: a long hunt, for after changing the engine.
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=20_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))


@pytest.fixture(autouse=True)
def english():
    """Tests read messages in English (the msgids); tests of the Chinese default say so with
    translation.override("zh-hans"), and requests get the language the middleware chooses."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The cast's users are made with a fast hash: a test is not a password store."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def signing_pair(tmp_path_factory):
    """Documents are signed with a development pair made once for the session (a test
    signature), and stored under a session folder unless a test chooses its own."""
    from django.conf import settings as django_settings

    from approvals.documents import signing

    folder = tmp_path_factory.mktemp("signing")
    key, cert = folder / "key.pem", folder / "cert.pem"
    signing.generate_development_pair(key, cert, "安徽省通信管理局")
    names = ("DOCUMENT_SIGNING_KEY", "DOCUMENT_SIGNING_CERT", "PRIVATE_MEDIA_ROOT")
    saved = [getattr(django_settings, name) for name in names]
    saved_env = {name: os.environ.get(name) for name in names}
    for name, value in zip(names, (str(key), str(cert), tmp_path_factory.mktemp("private")), strict=True):
        setattr(django_settings, name, value)
        os.environ[name] = str(value)  # and for the processes a test starts (a django-q2 cluster, a drill)
    yield key, cert
    for name, value in zip(names, saved, strict=True):
        setattr(django_settings, name, value)
    for name, value in saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def quick_documents(request, monkeypatch):
    """The suite takes some 5,000 acts that issue a document; typesetting one (WeasyPrint, about
    0.15 s) and signing it (pyHanko, 0.03 s) would add a quarter of an hour. So a test that does
    not look at documents gets a stand-in for those two steps only: the face is still rendered
    from its template, numbered, stored, hashed and recorded in the audit chain. Tests of the
    documents themselves (marked ``documents``) get the real PDF, typeset and signed."""
    if request.node.get_closest_marker("documents"):
        yield
        return
    from approvals.documents import render, signing

    monkeypatch.setattr(render, "pdf", lambda markup: b"%PDF-1.7\n% stand-in (tests/conftest.py)\n" + markup.encode())
    monkeypatch.setattr(signing, "sign", lambda pdf, **kw: pdf)
    yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a rolled-back test leaves the audit chain's head
    where the next test finds it, so what one test's dashboard kept (keyed on that head) must
    not be what the next one reads."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def official() -> WorkCalendar:
    return WorkCalendar.official()


@pytest.fixture(scope="session")
def ref() -> reference.RefCalendar:
    return reference.official_2024_2026()


@pytest.fixture
def cast(db, settings, tmp_path):
    """The named cast (tests/cast.py), with uploads in a temporary folder and django-q2 running
    tasks in-process."""
    from django_q.conf import Conf

    from tests.cast import make_cast

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "uploads"
    original = Conf.SYNC
    Conf.SYNC = True
    yield make_cast()
    Conf.SYNC = original


@pytest.fixture
def now(monkeypatch):
    """Pin the time: ``now(datetime)`` or ``now(date)`` (noon in Shanghai). Everything that asks
    django.utils.timezone.now() (the workflow's today, audit times, auto_now fields) sees it."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    def pin(moment):
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(12, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return pin


@pytest.fixture
def committed_cast(transactional_db, settings, tmp_path):
    """The cast on committed data, for tests where other threads or processes must see it.
    Use with @pytest.mark.django_db(transaction=True, serialized_rollback=True), which brings
    back the migrations' rows (policies, the audit chain's head) after the flush."""
    from django_q.conf import Conf

    from tests.cast import make_cast

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "uploads"
    restore_reference_data()
    original = Conf.SYNC
    Conf.SYNC = True
    try:
        yield make_cast()
    finally:
        Conf.SYNC = original


def restore_reference_data() -> None:
    """The rows the migrations write (the policies, the audit chain's head), back after a
    transactional test's flush when serialized rollback did not bring them back (it does not
    when the live server shares SQLite's in-memory database)."""
    import importlib

    from django.apps import apps

    from approvals.models import AuditHead, Policy

    if not Policy.objects.exists():
        importlib.import_module("approvals.migrations.0002_seed_policies").seed(apps, None)
    if not AuditHead.objects.exists():
        importlib.import_module("approvals.migrations.0003_audit_head").create_head(apps, None)
