"""Small shared types for models at every boundary."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def utcnow() -> datetime:
    return datetime.now(UTC)


_last_id = [0, 0]  # (millisecond, random part) of the last id made in this process
_id_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """A time-ordered, unguessable id (48-bit millisecond time + 80 random bits, Crockford base32).

    Time order lets lists come back in creation order straight from a DynamoDB range query; ids
    made within the same millisecond in one process count up from the random part (monotonic).
    """
    with _id_lock:
        millis = int(time.time() * 1000)
        if millis <= _last_id[0]:
            millis, randomness = _last_id[0], _last_id[1] + 1
        else:
            randomness = secrets.randbits(80)
        _last_id[0], _last_id[1] = millis, randomness
    value = (millis << 80) | (randomness & ((1 << 80) - 1))
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(chars)).lower()}"


def _strip(value: str) -> str:
    return value.strip()


ShortText = Annotated[str, AfterValidator(_strip), Field(max_length=200)]
LongText = Annotated[str, AfterValidator(_strip), Field(max_length=5000)]
