"""The Pub/Sub push token check: forged tokens cost no call to Google's certificate endpoint.

Google's endpoint is played by a fake transport serving a certificate for a key the test signs with;
the clock is the test's, so "5 minutes later" is exact.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.support.settings import unit_settings
from tracker_integrations.providers.google.gmail.pubsub_push import (
    GoogleCertificates,
    InvalidPushToken,
    PushTokenVerifier,
)

AUDIENCE = "https://api.example/api/webhooks/gmail"
ACCOUNT = "gmail-push@tracker.iam.gserviceaccount.com"
SETTINGS = unit_settings(endpoint_google_certs="https://certs.test", gmail_push_service_account=ACCOUNT)
BURST = 200


@dataclass
class SigningKey:
    kid: str
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def certificate(self) -> str:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push-test")])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .sign(self.key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM).decode()

    def token(self, *, kid: str | None = None, **overrides: object) -> str:
        now = int(time.time())
        claims = {
            "iss": "https://accounts.google.com",
            "aud": AUDIENCE,
            "email": ACCOUNT,
            "email_verified": True,
            "iat": now,
            "exp": now + 3600,
        } | overrides
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": kid or self.kid})


class FakeGoogle:
    """Google's /oauth2/v1/certs: the published keys, each request counted."""

    def __init__(self, *keys: SigningKey) -> None:
        self.published = list(keys)
        self.requests = 0
        self.status = 200

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.status != 200:
            return httpx.Response(self.status, json={"error": "backendError"})
        body = {k.kid: k.certificate() for k in self.published}
        return httpx.Response(200, json=body, headers={"Cache-Control": "public, max-age=20000"})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _verifier(google: FakeGoogle, clock: Clock) -> PushTokenVerifier:
    certificates = GoogleCertificates(
        "https://certs.test/oauth2/v1/certs",
        client=httpx.Client(transport=httpx.MockTransport(google.handle)),
        clock=clock,
    )
    return PushTokenVerifier(SETTINGS, certificates=certificates)


def _refused(verifier: PushTokenVerifier, token: str) -> bool:
    try:
        verifier.verify(f"Bearer {token}")
    except InvalidPushToken:
        return True
    return False


def _forged_burst(verifier: PushTokenVerifier) -> int:
    """Forged tokens that claim everything right, each signed by its own key under a random key id."""
    attacker = SigningKey("attacker")
    return sum(_refused(verifier, attacker.token(kid=secrets.token_hex(20))) for _ in range(BURST))


def test_a_burst_of_forged_tokens_with_random_key_ids_costs_one_certificate_fetch() -> None:
    # GIVEN a container that has not fetched Google's certificates yet
    google, clock = FakeGoogle(SigningKey("google-1")), Clock()
    verifier = _verifier(google, clock)
    # WHEN a burst of forged tokens arrives, each naming a key id nobody published
    refused = _forged_burst(verifier)
    # THEN every one is refused, and Google was asked for its certificates once
    assert refused == BURST
    assert google.requests == 1


def test_forged_tokens_cost_nothing_while_the_certificates_are_fresh() -> None:
    # GIVEN certificates fetched for a genuine push
    genuine = SigningKey("google-1")
    google, clock = FakeGoogle(genuine), Clock()
    verifier = _verifier(google, clock)
    assert verifier.verify(f"Bearer {genuine.token()}").email == ACCOUNT
    assert google.requests == 1
    # WHEN a burst of forged tokens with random key ids arrives a minute later, and again 10 minutes later
    clock.now += 60
    first = _forged_burst(verifier)
    clock.now += 600
    second = _forged_burst(verifier)
    # THEN all are refused: the first burst fetched nothing, the second one fetch at most
    assert (first, second) == (BURST, BURST)
    assert google.requests == 2
    # AND genuine pushes are still accepted without fetching
    assert verifier.verify(f"Bearer {genuine.token()}").email == ACCOUNT
    assert google.requests == 2


def test_a_rotated_google_key_is_picked_up_within_five_minutes() -> None:
    # GIVEN certificates just fetched, then Google starting to sign with a newly published key
    old, new = SigningKey("google-1"), SigningKey("google-2")
    google, clock = FakeGoogle(old), Clock()
    verifier = _verifier(google, clock)
    assert not _refused(verifier, old.token())
    google.published.append(new)
    # WHEN a push signed with the new key arrives within 5 minutes of the last fetch
    clock.now += 120
    # THEN it is refused without a fetch (Pub/Sub redelivers it) ...
    assert _refused(verifier, new.token())
    assert google.requests == 1
    # ... and accepted once 5 minutes have passed, after one fetch
    clock.now += 180
    assert not _refused(verifier, new.token())
    assert google.requests == 2


def test_a_failed_fetch_counts_and_the_keys_already_known_keep_working() -> None:
    # GIVEN certificates fetched long ago, now past their max-age, and Google's endpoint failing
    genuine = SigningKey("google-1")
    google, clock = FakeGoogle(genuine), Clock()
    verifier = _verifier(google, clock)
    assert not _refused(verifier, genuine.token())
    clock.now += 30000
    google.status = 503
    # WHEN a genuine push arrives (a fetch is due and fails), then forged ones
    assert not _refused(verifier, genuine.token())
    after_failure = google.requests
    refused = _forged_burst(verifier)
    # THEN the genuine push was checked with the key already known, and the burst made no call
    assert refused == BURST
    assert google.requests == after_failure


@pytest.mark.parametrize(
    "case",
    ["not_a_jwt", "alg_none", "hs256", "no_kid", "wrong_audience", "wrong_issuer", "wrong_account", "expired"],
)
def test_tokens_that_fail_the_cheap_checks_never_reach_google(case: str) -> None:
    # GIVEN a container with no certificates yet
    google, clock = FakeGoogle(SigningKey("google-1")), Clock()
    verifier = _verifier(google, clock)
    attacker = SigningKey(secrets.token_hex(8))
    now = int(time.time())
    tokens = {
        "not_a_jwt": "abc.def",
        "alg_none": jwt.encode({"aud": AUDIENCE}, "", algorithm="none"),
        "hs256": jwt.encode({"aud": AUDIENCE}, "k" * 32, algorithm="HS256", headers={"kid": "x"}),
        "no_kid": jwt.encode({"aud": AUDIENCE}, attacker.key, algorithm="RS256"),
        "wrong_audience": attacker.token(aud="https://elsewhere.example/push"),
        "wrong_issuer": attacker.token(iss="https://evil.example"),
        "wrong_account": attacker.token(email="intruder@evil.iam.gserviceaccount.com"),
        "expired": attacker.token(iat=now - 7200, exp=now - 3600),
    }
    # WHEN the token arrives
    # THEN it is refused without a call to Google
    assert _refused(verifier, tokens[case])
    assert google.requests == 0
