"""The one Logger, Tracer and Metrics of the application.

Handlers and services import these; nobody else instantiates Powertools objects. Log records pass
through a redacting filter so that OAuth tokens, codes, secrets and e-mail addresses never reach
CloudWatch even when someone logs a dict carelessly. Keys a handler appends (a sync's `job_id`)
last one invocation: a warm container, or the local stack running every function in one process,
never stamps them on the next invocation's lines.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar, overload

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics

from tracker_integrations import cold_start

if TYPE_CHECKING:
    from aws_lambda_powertools.tracing import Tracer

SERVICE = "tracker-integrations"

_SECRET_KEYS = re.compile(
    r"(token|secret|code_verifier|authorization|password|^code$|cookie|ciphertext|data_key)",
    re.IGNORECASE,
)
# Shapes of credentials that may hide inside free text: Google access and refresh tokens, bearer
# headers, JWTs, and e-mail addresses (personal data).
_SECRET_TEXT = re.compile(
    r"(ya29\.[\w\-.]+|1//[\w\-.]+|Bearer\s+[\w\-.~+/=]+|OAuth\s+[\w\-.~+/=]+"
    r"|eyJ[\w-]+\.[\w-]+\.[\w-]+|[\w.+-]+@[\w-]+\.[\w.-]+)"
)
REDACTED = "[redacted]"
_STANDARD_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__)


def redact(value: Any) -> Any:
    """A copy of `value` with secrets and personal data masked (dicts, lists and strings)."""
    if isinstance(value, dict):
        return {k: (REDACTED if _SECRET_KEYS.search(str(k)) else redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _SECRET_TEXT.sub(REDACTED, value)
    return value


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str | dict | list):
            record.msg = redact(record.msg)
        if record.args:
            record.args = tuple(redact(a) for a in record.args) if isinstance(record.args, tuple) else record.args
        for key, value in list(record.__dict__.items()):
            if key in _STANDARD_RECORD_FIELDS:
                continue
            record.__dict__[key] = REDACTED if _SECRET_KEYS.search(key) else redact(value)
        return True


_HandlerT = TypeVar("_HandlerT", bound=Callable[..., Any])


class _InvocationScopedLogger(Logger):
    """Powertools' Logger whose `inject_lambda_context` starts each invocation from the default keys
    (`clear_state`) and drops the invocation's keys when it ends, whatever the handler appended."""

    @overload
    def inject_lambda_context(
        self,
        lambda_handler: _HandlerT,
        log_event: bool | None = None,
        correlation_id_path: str | None = None,
        clear_state: bool | None = True,
        flush_buffer_on_uncaught_error: bool = False,
    ) -> _HandlerT: ...

    @overload
    def inject_lambda_context(
        self,
        lambda_handler: None = None,
        log_event: bool | None = None,
        correlation_id_path: str | None = None,
        clear_state: bool | None = True,
        flush_buffer_on_uncaught_error: bool = False,
    ) -> Callable[[_HandlerT], _HandlerT]: ...

    def inject_lambda_context(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        log_event: bool | None = None,
        correlation_id_path: str | None = None,
        clear_state: bool | None = True,
        flush_buffer_on_uncaught_error: bool = False,
    ) -> Any:
        options: dict[str, Any] = {
            "log_event": log_event,
            "correlation_id_path": correlation_id_path,
            "clear_state": clear_state,
            "flush_buffer_on_uncaught_error": flush_buffer_on_uncaught_error,
        }
        if lambda_handler is None:  # used as @logger.inject_lambda_context(...)
            return functools.partial(self.inject_lambda_context, **options)
        injected = super().inject_lambda_context(lambda_handler, **options)

        @functools.wraps(lambda_handler)
        def scoped(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return injected(event, context, *args, **kwargs)
            finally:
                self.clear_state()
                cold_start.resume()  # the first invocation is over (a no-op on the others)

        return scoped


logger = _InvocationScopedLogger(service=SERVICE)
logger.addFilter(_RedactingFilter())
metrics = Metrics(namespace="TrackerIntegrations", service=SERVICE)


@lru_cache(maxsize=1)
def tracer() -> Tracer:
    """The X-Ray tracer, built on first use: the SDK costs ~100 ms of cold start, too much for the
    user-facing API functions (Lambda still traces them at the platform level: `Tracing: Active`).
    Background workers, where a cold start is invisible, decorate with it."""
    from aws_lambda_powertools.tracing import Tracer

    return Tracer(service=SERVICE)
