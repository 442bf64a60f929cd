"""The Gmail push webhook's cost: AWS calls per push, and calls to Google caused by forged tokens.

Measured on the real code path in the local stack (AWS in moto, Google in the sandbox): two pro users
who connected the same mailbox, a reply arriving (Gmail's push reaches the webhook), Pub/Sub
delivering that push again, and a burst of forged tokens naming random key ids on a container that
has not fetched Google's certificates yet.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from bench.results import Figure
from bench.sheets_sync import AwsCallCounter
from local_stack.server import LocalStack, serve_local_stack
from provider_sandbox.pubsub import PUSH_SERVICE_ACCOUNT
from provider_sandbox.testing import approve
from tracker_integrations.observability import logger
from tracker_integrations.providers.google.gmail.pubsub_push import forget_certificates

MAILBOX = "shared-inbox@example.com"
FORGED = 500
WEBHOOK = "/api/webhooks/gmail"


def run() -> list[Figure]:
    logger.setLevel(logging.ERROR)  # every forged token logs a refusal
    with tempfile.TemporaryDirectory() as state_dir:
        running = serve_local_stack("127.0.0.1", 0, state_dir=Path(state_dir), quiet=True)
        try:
            with httpx.Client(base_url=running.base_url, timeout=60) as http:
                return _measure(http, running.base_url, running.stack)
        finally:
            running.stop()


def _connect_two_users(http: httpx.Client, stack: LocalStack) -> None:
    for name in ("push-bench-a", "push-bench-b"):
        token = http.get("/local/token", params={"user": name, "plan": "pro"}).json()["token"]
        url = http.post("/api/integrations/gmail/connect", headers={"Authorization": f"Bearer {token}"}).json()
        http.get(approve(url["authorization_url"], login=MAILBOX, client=http))
        stack.run_queued_jobs()  # the first check: backfill, and the mailbox's watch


def _measure(http: httpx.Client, base: str, stack: LocalStack) -> list[Figure]:
    _connect_two_users(http, stack)
    counter = AwsCallCounter()
    # A reply arrives: Gmail publishes, Pub/Sub pushes to the webhook.
    stack.sandbox.gmail.deliver(MAILBOX, b"From: dj@radio.example\r\nSubject: Re: single\r\n\r\nLove it\r\n")
    push = [d for d in stack.sandbox.gmail.flush_push() if d.url.endswith(WEBHOOK)][-1]
    first = counter.calls.copy()
    counter.reset()
    # Pub/Sub delivers the same message again.
    again = http.post(WEBHOOK, headers=dict(push.headers), content=push.body)
    redelivered = counter.calls.copy()
    stack.purge_queues()
    forged_fetches = _forged_burst(http, base, stack, push.body)

    def reads(calls: dict[str, int]) -> int:
        return calls.get("dynamodb:GetItem", 0) + calls.get("dynamodb:Query", 0)

    def writes(calls: dict[str, int]) -> int:
        return sum(v for k, v in calls.items() if k in {"dynamodb:PutItem", "dynamodb:DeleteItem"})

    return [
        Figure(
            name="gmail push: jobs queued for a mailbox with 2 connections",
            value=first.get("sqs:SendMessage", 0),
            unit="jobs",
            goal="= 2",
            met=push.status == 204 and first.get("sqs:SendMessage", 0) == 2,
        ),
        Figure(
            name="gmail push: DynamoDB reads per push, 2 connections",
            value=reads(first),
            unit="reads",
            goal="<= 5",
            met=reads(first) <= 5,
        ),
        Figure(
            name="gmail push: DynamoDB writes per push that queues",
            value=writes(first),
            unit="writes",
            goal="<= 1",
            met=writes(first) <= 1,
        ),
        Figure(
            name="gmail push: jobs queued by a redelivered push",
            value=redelivered.get("sqs:SendMessage", 0),
            unit="jobs",
            goal="= 0",
            met=again.status_code == 200 and redelivered.get("sqs:SendMessage", 0) == 0,
        ),
        Figure(
            name=f"gmail push: certificate fetches for {FORGED} forged tokens (cold)",
            value=forged_fetches,
            unit="calls",
            goal="<= 1",
            met=forged_fetches <= 1,
        ),
    ]


def _forged_burst(http: httpx.Client, base: str, stack: LocalStack, body: bytes) -> int:
    """Forged tokens claiming what a real push claims, each under a random key id; Google's certificate
    requests they caused, starting from a container that holds no certificates."""
    forget_certificates()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": "https://accounts.google.com",
        "aud": f"{base}{WEBHOOK}",
        "email": PUSH_SERVICE_ACCOUNT,
        "email_verified": True,
        "iat": now,
        "exp": now + 600,
    }
    before = len(stack.sandbox.find_requests(host="www.googleapis.com", path="/oauth2/v1/certs"))
    for _ in range(FORGED):
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": uuid.uuid4().hex})
        refused = http.post(WEBHOOK, headers={"Authorization": f"Bearer {token}"}, content=body)
        if refused.status_code != 401:
            raise AssertionError(f"a forged push was answered {refused.status_code}")
    return len(stack.sandbox.find_requests(host="www.googleapis.com", path="/oauth2/v1/certs")) - before
