"""The short codes people read off paper and type back: a case's query code (the receipt, the
public lookup) and a document's verification code. One alphabet for both, without the letters
and digits read for each other (0/O, 1/I/L)."""

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def readable_code(length: int = 8) -> str:
    """A random code of ``length`` characters from ALPHABET (secrets: not guessable)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
