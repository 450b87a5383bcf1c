"""What the commands share: an argument read by its parser, or the command's error in its words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.management.base import CommandError

T = TypeVar("T")


def parsed(parse: Callable[[str], T], raw: str, message: str) -> T:
    """``parse(raw)``; a CommandError saying ``message`` if it raises ValueError."""
    try:
        return parse(raw)
    except ValueError:
        raise CommandError(message) from None
