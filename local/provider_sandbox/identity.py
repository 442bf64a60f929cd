"""Stable fake identities derived from the login, so ids survive sandbox restarts and match across runs."""

import hashlib
import re
import string

_ALPHANUMERIC = string.ascii_letters + string.digits


def _digest(login: str, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{salt}:{login.strip().lower()}".encode()).digest())


def stable_digits(login: str, salt: str, length: int) -> str:
    """A decimal id of exactly `length` digits, not starting with 0."""
    span = 9 * 10 ** (length - 1)
    return str(10 ** (length - 1) + _digest(login, salt) % span)


def stable_alphanumeric(login: str, salt: str, length: int) -> str:
    value = _digest(login, salt)
    chars = []
    for _ in range(length):
        value, index = divmod(value, len(_ALPHANUMERIC))
        chars.append(_ALPHANUMERIC[index])
    return "".join(chars)


def display_name(login: str) -> str:
    """'dan.smith@example.com' -> 'Dan Smith'."""
    local = login.split("@", 1)[0]
    words = [word.capitalize() for word in re.split(r"[._+\-]+", local) if word]
    return " ".join(words) or login
