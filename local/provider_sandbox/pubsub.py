"""Cloud Pub/Sub as Gmail push uses it: topics, push subscriptions, and authenticated push requests.

Publishing to a topic POSTs, for every push subscription of that topic, the body Pub/Sub push sends:

    {"message": {"attributes": {}, "data": base64(payload), "messageId": "…", "message_id": "…",
                 "publishTime": "2026-03-02T09:00:00.123Z", "publish_time": "…"},
     "subscription": "projects/{project}/subscriptions/{name}"}

with `Authorization: Bearer <JWT>` when the subscription has a service account (the default). The JWT is
an RS256 OpenID Connect token as Google signs them: header `kid`; claims `iss` https://accounts.google.com,
`aud` (the subscription's audience, by default the endpoint URL), `azp` and `sub` (the service account's
numeric id), `email`, `email_verified`, `iat` and `exp` (one hour), stamped with the sandbox clock. It
verifies against www.googleapis.com/oauth2/v1/certs (`{kid: PEM certificate}`, what google-auth's
`verify_oauth2_token` fetches) and /oauth2/v3/certs (JWKS): the same key signs the sandbox's id_tokens.

Deliveries go through the context's `PushSender` (a background thread; `flush()` waits for them).
"""

import base64
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.google import ISSUER, WWW_HOST, _key_id, _signing_key, google_api_error_style
from provider_sandbox.identity import stable_digits
from provider_sandbox.push import PushDelivery, PushSender, install_push_controls
from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, SandboxContext

TOPIC_NAME = re.compile(r"^projects/(?P<project>[^/\s]+)/topics/(?P<topic>[^/\s]+)$")
SUBSCRIPTION_NAME = re.compile(r"^projects/(?P<project>[^/\s]+)/subscriptions/(?P<name>[^/\s]+)$")
# The account push requests are signed as, unless the subscription names another (None: no token).
PUSH_SERVICE_ACCOUNT = "gmail-push@tracker-local.iam.gserviceaccount.com"
# Gmail publishes as this account; the topic must grant it the Publisher role.
GMAIL_PUBLISHER = "gmail-api-push@system.gserviceaccount.com"
PUSH_TOKEN_SECONDS = 3600
PUSH_USER_AGENT = "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)"


class PubSubError(ValueError):
    """A bad topic or subscription name, or an unknown topic."""


def rfc3339_ms(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def service_account_id(email: str) -> str:
    """Google service accounts have a 21-digit numeric unique id (the JWT's `sub` and `azp`)."""
    return stable_digits(email, "service-account", 21)


@cache
def _certificate_pem() -> str:
    """A self-signed X.509 certificate for the sandbox's Google signing key, as /oauth2/v1/certs serves."""
    key = _signing_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "federated-signon.system.gserviceaccount.com")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def certificates() -> dict[str, JsonValue]:
    return {_key_id(): _certificate_pem()}


def push_token(audience: str, service_account: str, now: datetime) -> str:
    issued = int(now.timestamp())
    account_id = service_account_id(service_account)
    claims: dict[str, Any] = {
        "aud": audience,
        "azp": account_id,
        "email": service_account,
        "email_verified": True,
        "exp": issued + PUSH_TOKEN_SECONDS,
        "iat": issued,
        "iss": ISSUER,
        "sub": account_id,
    }
    return jwt.encode(claims, _signing_key(), algorithm="RS256", headers={"kid": _key_id()})


@dataclass
class Topic:
    name: str
    # Whether gmail-api-push@system.gserviceaccount.com may publish (users.watch checks it).
    gmail_can_publish: bool = True


@dataclass(frozen=True)
class PushSubscription:
    name: str
    topic: str
    endpoint: str
    # The JWT's aud claim; None: the endpoint URL, as Pub/Sub defaults it.
    audience: str | None = None
    # None sends no Authorization header (an unauthenticated push subscription).
    service_account_email: str | None = PUSH_SERVICE_ACCOUNT

    @property
    def token_audience(self) -> str:
        return self.audience or self.endpoint


@dataclass(frozen=True)
class PublishedMessage:
    topic: str
    message_id: str
    data: bytes
    attributes: Mapping[str, str]
    publish_time: datetime
    # The subscriptions it was pushed to.
    subscriptions: tuple[str, ...]


@dataclass
class PubSub:
    """The sandbox's topics and push subscriptions (one per sandbox: `PubSub.of(ctx)`)."""

    ctx: SandboxContext
    _topics: dict[str, Topic] = field(default_factory=dict)
    _subscriptions: dict[str, PushSubscription] = field(default_factory=dict)
    _published: list[PublishedMessage] = field(default_factory=list)
    _next_message_id: int = field(default_factory=lambda: 10**15 + secrets.randbelow(10**15))

    @classmethod
    def of(cls, ctx: SandboxContext) -> "PubSub":
        return ctx.component(cls, lambda: cls(ctx))

    def create_topic(self, name: str, *, gmail_can_publish: bool = True) -> Topic:
        """Create (or update) `projects/{project}/topics/{topic}`."""
        if TOPIC_NAME.fullmatch(name) is None:
            raise PubSubError(f"topic name must look like projects/{{project}}/topics/{{topic}}: {name!r}")
        with self.ctx.lock:
            topic = self._topics.setdefault(name, Topic(name))
            topic.gmail_can_publish = gmail_can_publish
            return topic

    def topic(self, name: str) -> Topic | None:
        with self.ctx.lock:
            return self._topics.get(name)

    @property
    def topics(self) -> list[Topic]:
        with self.ctx.lock:
            return list(self._topics.values())

    def create_push_subscription(
        self,
        topic: str,
        endpoint: str,
        *,
        name: str | None = None,
        audience: str | None = None,
        service_account_email: str | None = PUSH_SERVICE_ACCOUNT,
    ) -> PushSubscription:
        """Push every message published to `topic` to `endpoint` (the topic must exist)."""
        match = TOPIC_NAME.fullmatch(topic)
        if match is None:
            raise PubSubError(f"topic name must look like projects/{{project}}/topics/{{topic}}: {topic!r}")
        with self.ctx.lock:
            if topic not in self._topics:
                raise PubSubError(f"Resource not found (resource={match.group('topic')}).")
            if name is None:
                name = f"projects/{match.group('project')}/subscriptions/{match.group('topic')}-push"
                if name in self._subscriptions:
                    name = f"{name}-{len(self._subscriptions) + 1}"
            elif SUBSCRIPTION_NAME.fullmatch(name) is None:
                raise PubSubError(f"subscription name must look like projects/{{p}}/subscriptions/{{s}}: {name!r}")
            subscription = PushSubscription(name, topic, endpoint, audience, service_account_email)
            self._subscriptions[name] = subscription
            return subscription

    def delete_subscription(self, name: str) -> bool:
        with self.ctx.lock:
            return self._subscriptions.pop(name, None) is not None

    @property
    def subscriptions(self) -> list[PushSubscription]:
        with self.ctx.lock:
            return list(self._subscriptions.values())

    @property
    def published(self) -> list[PublishedMessage]:
        with self.ctx.lock:
            return list(self._published)

    def publish(self, topic: str, data: bytes, attributes: Mapping[str, str] | None = None) -> str:
        """Publish one message; returns its message id. Pushes run on the push sender's thread."""
        with self.ctx.lock:
            message_id = str(self._next_message_id)
            self._next_message_id += 1 + secrets.randbelow(50)
            now = self.ctx.clock()
            targets = [s for s in self._subscriptions.values() if s.topic == topic]
            self._published.append(
                PublishedMessage(topic, message_id, data, dict(attributes or {}), now, tuple(s.name for s in targets))
            )
        sender = PushSender.of(self.ctx)
        for subscription in targets:
            body = self._envelope(subscription, message_id, data, attributes or {}, now)
            sender.send(subscription.endpoint, self._headers(subscription, now), body, kind="pubsub")
        return message_id

    @staticmethod
    def _envelope(
        subscription: PushSubscription, message_id: str, data: bytes, attributes: Mapping[str, str], now: datetime
    ) -> bytes:
        published = rfc3339_ms(now)
        body = {
            "message": {
                "attributes": dict(attributes),
                "data": base64.b64encode(data).decode("ascii"),
                "messageId": message_id,
                "message_id": message_id,
                "publishTime": published,
                "publish_time": published,
            },
            "subscription": subscription.name,
        }
        return json.dumps(body).encode()

    @staticmethod
    def _headers(subscription: PushSubscription, now: datetime) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": PUSH_USER_AGENT}
        if subscription.service_account_email is not None:
            token = push_token(subscription.token_audience, subscription.service_account_email, now)
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def deliveries(self) -> list[PushDelivery]:
        """Push requests sent to Pub/Sub push subscriptions so far, with the app's answers."""
        names = {s.name for s in self.subscriptions}
        return [d for d in PushSender.of(self.ctx).deliveries if _subscription_of(d) in names]

    def flush(self, timeout: float = 10.0) -> list[PushDelivery]:
        """Wait until every queued push has been attempted; returns the Pub/Sub deliveries so far."""
        PushSender.of(self.ctx).flush(timeout)
        return self.deliveries()


def _subscription_of(delivery: PushDelivery) -> str | None:
    try:
        body = json.loads(delivery.body)
    except ValueError:
        return None
    name = body.get("subscription") if isinstance(body, dict) else None
    return name if isinstance(name, str) else None


class PubSubApi:
    """Serves Google's X.509 signing certificates, with which apps verify push (and id_token) JWTs."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        PubSub.of(ctx)

    def install(self, router: Router) -> None:
        router.add(WWW_HOST, "/oauth2/v1/certs", ["GET"], self.certs, google_api_error_style)
        install_push_controls(router, PushSender.of(self.ctx))

    def certs(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response(certificates(), headers={"Cache-Control": "public, max-age=3600"})
