"""Throttles: attempts counted on a shared cache, atomically, before the work they guard.

A throttle is a counter per key (an address, a tracking number) and per fixed window of time,
on the ``throttle`` cache (config/settings.py: Redis when ``REDIS_URL`` is set, else the
database, which every process on every host shares). ``spend`` adds one to each key's counter
and says whether every counter is still within the limit; only then may the caller do the work.
The increment comes first and is atomic (``cache.add`` then ``cache.incr``: Redis's INCR, or
``DatabaseCache.incr`` below under a row lock), so 40 concurrent attempts against a limit of 10
get the numbers 1 to 40 and exactly 10 of them go through, whichever process serves them.
A caller that counts only failures gives the attempt back when it succeeded (``refund``).

Why not django-ratelimit: it counts the same way but has no refund (the public lookup counts
wrong codes, not lookups, so an office behind one address is not locked out by its own
successful lookups), and Django's database cache's ``incr`` is a read then a write, not atomic,
which is what a laptop without Redis would run it on.
"""

from __future__ import annotations

import base64
import contextlib
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction

ALIAS = "throttle"


@dataclass(frozen=True)
class Spent:
    """One attempt counted: ``refused_by`` names the first key over its limit (None: allowed);
    ``retry_after`` is the number of seconds until the window ends (the 429's Retry-After);
    ``counted`` the cache keys incremented (for ``refund``)."""

    refused_by: str | None
    retry_after: int
    counted: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.refused_by is None


def _window(window: int, now: float) -> tuple[int, int]:
    """The current window's number and the whole seconds left in it (at least 1)."""
    number = int(now // window)
    return number, max(int((number + 1) * window - now + 0.999), 1)


def _keyed(keys: Sequence[str], number: int) -> tuple[str, ...]:
    return tuple(f"throttle:{key}:{number}" for key in keys)


def spend(keys: Sequence[str], limit: int, window: int) -> Spent:
    """Count one attempt against each of ``keys`` (in this order; none after the first key that
    is over ``limit``), in the current window of ``window`` seconds."""
    cache = caches[ALIAS]
    number, left = _window(window, time.time())
    counted: list[str] = []
    for key, cache_key in zip(keys, _keyed(keys, number), strict=True):
        cache.add(cache_key, 0, window + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: the window has just turned
            cache.add(cache_key, 0, window + 1)
            count = cache.incr(cache_key)
        counted.append(cache_key)
        if count > limit:
            return Spent(key, left, tuple(counted))
    return Spent(None, left, tuple(counted))


def refund(spent: Spent) -> None:
    """Give back an attempt ``spend`` counted (it turned out not to be one that counts)."""
    cache = caches[ALIAS]
    for key in spent.counted:
        with contextlib.suppress(ValueError):  # the window has passed meanwhile: nothing to give back
            cache.decr(key)


def exhausted(keys: Sequence[str], limit: int, window: int) -> Spent | None:
    """Without counting: a refusal if any of ``keys`` has already reached ``limit`` in this
    window (a page shown before anything is tried), else None."""
    number, left = _window(window, time.time())
    counts = caches[ALIAS].get_many(_keyed(keys, number))
    for key, cache_key in zip(keys, _keyed(keys, number), strict=True):
        if counts.get(cache_key, 0) >= limit:
            return Spent(key, left)
    return None


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache with an atomic ``incr``: the row is locked (SELECT ... FOR UPDATE
    on PostgreSQL; on SQLite the settings' IMMEDIATE transactions take the write lock at BEGIN)
    while the value is read and written back, and its expiry is kept. Django's own ``incr`` reads,
    then writes, so two processes counting at once both write the same number."""

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE {quote('cache_key')} = %s{lock}", [cache_key])
            value = self.get(key, version=version)  # None when absent or expired
            if value is None:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            stored = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s", [stored, cache_key]
            )
        return value
