"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V):
registration authority, entity type, the 6-digit administrative division, the 9-character
organisation code, and a check character over the first seventeen (weights 3^i mod 31).
"""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The check character for the first seventeen characters (which must be in the alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return "length"
    if any(c not in _VALUE for c in code):
        return "alphabet"
    if not code[2:8].isdigit():
        return "division"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(rng: random.Random, *, division: str = "340100") -> str:
    """A valid code for a company (9 = market regulator, 1 = enterprise) in ``division``, for demo
    and test data."""
    organisation = "".join(rng.choice(ALPHABET[:10] + ALPHABET[10:20]) for _ in range(9))
    first17 = "91" + division + organisation
    return first17 + check_character(first17)
