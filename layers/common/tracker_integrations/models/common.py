"""Small shared types for models at every boundary."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """A time-ordered, unguessable id (48-bit millisecond time + 80 random bits, Crockford base32).

    Time order lets lists come back in creation order straight from a DynamoDB range query.
    """
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(chars)).lower()}"


def _strip(value: str) -> str:
    return value.strip()


Text = Annotated[str, AfterValidator(_strip)]
ShortText = Annotated[str, AfterValidator(_strip), Field(max_length=200)]
LongText = Annotated[str, AfterValidator(_strip), Field(max_length=5000)]


class Model(BaseModel):
    """Base for domain models: unknown fields are rejected so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=10000)
