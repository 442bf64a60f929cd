"""Gmail reply tracking end to end: the mailbox -> Pub/Sub push -> the webhook -> the queue -> the worker
-> the pitch, against the local stack and the provider sandbox's Gmail.

The user's side (sending the pitch, mail arriving) is played through the sandbox's Gmail controls, as
the mail system and the user would; Tracker's side through the public API.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local_stack.server import GMAIL_TOPIC, RunningStack
from provider_sandbox import Fault, ProviderSandbox
from provider_sandbox.mail import delivery_status_report
from provider_sandbox.pubsub import PUSH_SERVICE_ACCOUNT, push_token
from tests.support.api import LocalUser, card, connect, put_settings
from tests.support.schedule import is_due
from tracker_integrations import wiring
from tracker_integrations.models.gmail import GmailWatch

GMAIL_HOST = "gmail.googleapis.com"
SUBJECT = "New single: The Lanterns - Northern Lights"
ANNIE = "annie@radio.example"


def mail(
    sender: str,
    to: str,
    subject: str,
    body: str,
    *,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain="mail.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes(), str(message["Message-ID"])


@dataclass
class GmailUser:
    """A pro user with Gmail connected and checked once, one campaign and a pitch e-mailed to Annie."""

    user: LocalUser
    login: str
    campaign: dict[str, Any]
    pitch: dict[str, Any]
    pitch_message_id: str
    http: httpx.Client
    stack: RunningStack

    @property
    def sandbox(self) -> ProviderSandbox:
        return self.stack.stack.sandbox

    def deliver(self, raw: bytes) -> str:
        """Mail arrives in the user's mailbox; its push reaches the webhook; the worker runs the job."""
        message_id = self.sandbox.gmail.deliver(self.login, raw)
        self.sandbox.gmail.flush_push()
        self.stack.stack.run_queued_jobs()
        return message_id

    def reply(self, body: str, *, sender: str = ANNIE, subject: str = f"Re: {SUBJECT}", **kwargs: Any) -> str:
        raw, _ = mail(sender, self.login, subject, body, in_reply_to=self.pitch_message_id, **kwargs)
        return self.deliver(raw)

    def get_pitch(self, pitch_id: str | None = None) -> dict[str, Any]:
        path = f"/api/campaigns/{self.campaign['campaign_id']}/pitches/{pitch_id or self.pitch['pitch_id']}"
        response = self.http.get(path, headers=self.user.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def sync(self) -> dict[str, Any]:
        queued = self.http.post("/api/integrations/gmail/sync", headers=self.user.headers)
        assert queued.status_code == 202, queued.text
        self.stack.stack.run_queued_jobs()
        return self.logs()[0]

    def logs(self) -> list[dict[str, Any]]:
        response = self.http.get("/api/integrations/gmail/logs", headers=self.user.headers)
        return list(response.json()["logs"])

    def notifications(self, kind: str | None = None) -> list[dict[str, Any]]:
        feed = self.http.get("/api/notifications", headers=self.user.headers).json()["notifications"]
        return [n for n in feed if kind is None or n["kind"] == kind]

    def gmail_calls(self, path: str | None = None, *, answered: bool = False) -> int:
        """Requests to Gmail (ending in `path`); `answered`: only those Gmail carried out, not a 429 retried later."""
        return len(
            [
                r
                for r in self.sandbox.find_requests(host=GMAIL_HOST)
                if (path is None or r.path.endswith(path)) and (not answered or r.status < 400)
            ]
        )

    def push_deliveries(self) -> list[Any]:
        return [d for d in self.sandbox.gmail.push_deliveries() if json.loads(d.body).get("subscription")]


@pytest.fixture
def gmail_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> GmailUser:
    user = new_user("pro")
    login = f"{user.name}@example.com"
    assert connect(http, user, "gmail", login=login).connected
    campaign = http.post(
        "/api/campaigns", headers=user.headers, json={"title": "Autumn radio push", "artist": "The Lanterns"}
    ).json()
    pitch = http.post(
        f"/api/campaigns/{campaign['campaign_id']}/pitches",
        headers=user.headers,
        json={"email": ANNIE, "contact_name": "Annie Mac", "status": "sent", "subject": SUBJECT},
    ).json()
    # The user e-mails the pitch from Gmail, then Tracker checks the mailbox for the first time.
    raw, pitch_message_id = mail(login, f"Annie Mac <{ANNIE}>", SUBJECT, "Hi Annie, here is the new single.")
    stack.stack.sandbox.gmail.send_as_user(login, raw)
    gmail = GmailUser(user, login, campaign, pitch, pitch_message_id, http, stack)
    log = gmail.sync()
    assert log["outcome"] == "success", log
    return gmail


# -- replies, bounces, out-of-office -----------------------------------------------------------------


def test_a_reply_arrives_by_push_and_the_pitch_shows_it(gmail_user: GmailUser) -> None:
    # GIVEN a pitch whose e-mail Tracker found in the user's sent mail
    assert gmail_user.get_pitch()["sent_thread"] is not None
    # WHEN Annie replies and Gmail pushes the change
    message_id = gmail_user.reply("Thanks! Love it, we will add it to the playlist this week.\n\n> Hi Annie")
    # THEN the push was accepted and the pitch moved on, with the reply shown
    assert any(d.status == 204 for d in gmail_user.push_deliveries())
    pitch = gmail_user.get_pitch()
    assert pitch["status"] in {"replied", "interested"}
    reply = pitch["reply"]
    assert reply["gmail_message_id"] == message_id
    assert reply["preview"].startswith("Thanks! Love it")
    assert len(reply["preview"]) <= 200
    assert reply["open_in_gmail_url"] == f"https://mail.google.com/mail/u/{gmail_user.login.lower()}/#all/{message_id}"
    assert reply["category"] in {"replied", "interested"}
    assert 0 < reply["confidence"] <= 1
    assert reply["received_at"]
    # AND the feed says so
    assert len(gmail_user.notifications("reply_received")) == 1


def test_replies_to_pitches_sent_before_connecting_are_backfilled(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a pitch sent and answered before Gmail was connected
    user = new_user("pro")
    login = f"{user.name}@example.com"
    gmail = stack.stack.sandbox.gmail
    campaign = http.post("/api/campaigns", headers=user.headers, json={"title": "Winter playlist push"}).json()
    pitch = http.post(
        f"/api/campaigns/{campaign['campaign_id']}/pitches",
        headers=user.headers,
        json={"email": "bob@blog.example", "status": "sent"},
    ).json()
    raw, sent_id = mail(login, "bob@blog.example", "Winter playlist push", "Hi Bob")
    gmail.send_as_user(login, raw)
    reply, _ = mail("Bob <BOB@blog.example>", login, "RE: Fwd:  winter PLAYLIST push", "Sounds good, thanks.")
    gmail.deliver(login, reply)
    # WHEN Gmail is connected and checked the first time
    assert connect(http, user, "gmail", login=login).connected
    assert http.post("/api/integrations/gmail/sync", headers=user.headers).status_code == 202
    stack.stack.run_queued_jobs()
    # THEN the old reply is on the pitch (matched by the campaign's subject, prefixes and case aside)
    current = http.get(
        f"/api/campaigns/{campaign['campaign_id']}/pitches/{pitch['pitch_id']}", headers=user.headers
    ).json()
    assert current["status"] == "replied"
    assert current["reply"]["preview"].startswith("Sounds good")
    assert current["sent_thread"] is not None
    # AND a watch is registered on the configured topic
    assert [w.topic for w in gmail.watches(login)] == [GMAIL_TOPIC]
    _ = sent_id


def test_a_hard_bounce_marks_the_pitch_bounced(gmail_user: GmailUser) -> None:
    gmail_user.deliver(
        delivery_status_report(
            gmail_user.login,
            ANNIE,
            status="5.1.1",
            action="failed",
            diagnostic="550 5.1.1 The email account that you tried to reach does not exist.",
        )
    )
    pitch = gmail_user.get_pitch()
    assert pitch["status"] == "bounced"
    assert (pitch["reply"]["category"], pitch["reply"]["bounce_type"]) == ("bounce", "hard")
    assert len(gmail_user.notifications("bounced")) == 1


def test_a_soft_bounce_flags_the_pitch_and_keeps_its_status(gmail_user: GmailUser) -> None:
    gmail_user.deliver(
        delivery_status_report(
            gmail_user.login,
            ANNIE,
            status="4.2.2",
            action="delayed",
            diagnostic="452 4.2.2 The email account that you tried to reach is over quota. Please try again later.",
        )
    )
    pitch = gmail_user.get_pitch()
    assert pitch["status"] == "sent"
    assert pitch["soft_bounce"] is True
    assert pitch["reply"]["bounce_type"] == "soft"


def test_an_out_of_office_keeps_the_pitch_sent_and_sets_a_follow_up(gmail_user: GmailUser) -> None:
    back = (datetime.now(UTC) + timedelta(days=10)).date()
    gmail_user.reply(
        f"Thank you for your email. I am out of the office until {back.day} {back.strftime('%B %Y')} "
        "with no access to email.",
        subject=f"Automatic reply: {SUBJECT}",
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )
    pitch = gmail_user.get_pitch()
    assert pitch["status"] == "sent"
    assert pitch["reply"]["category"] == "auto_reply"
    assert pitch["reply"]["return_date"] == back.isoformat()
    assert pitch["follow_up_on"] == (back + timedelta(days=1)).isoformat()
    assert len(gmail_user.notifications("out_of_office")) == 1


def test_own_sent_messages_and_unknown_senders_change_nothing(gmail_user: GmailUser) -> None:
    before = gmail_user.get_pitch()
    # The user follows up in the thread, and a stranger writes with another subject
    raw, _ = mail(
        gmail_user.login, ANNIE, f"Re: {SUBJECT}", "Just checking in!", in_reply_to=gmail_user.pitch_message_id
    )
    gmail_user.sandbox.gmail.send_as_user(gmail_user.login, raw)
    stranger, _ = mail("someone@else.example", gmail_user.login, "Want to buy followers?", "Cheap plays!")
    gmail_user.deliver(stranger)
    gmail_user.sync()
    after = gmail_user.get_pitch()
    assert (after["status"], after["reply"], after["version"]) == (before["status"], None, before["version"])
    assert gmail_user.notifications("reply_received") == []


# -- cost, cursors and duplicates --------------------------------------------------------------------


def test_a_check_with_no_new_mail_costs_one_history_call(gmail_user: GmailUser) -> None:
    before = gmail_user.gmail_calls()
    log = gmail_user.sync()
    assert gmail_user.gmail_calls() - before == 1
    assert gmail_user.gmail_calls("/history") >= 1
    assert (log["outcome"], log["provider_calls"]) == ("success", 1)


def test_an_expired_history_triggers_a_bounded_resync_and_no_stuck_state(gmail_user: GmailUser) -> None:
    # GIVEN a reply that arrives while the push is lost, and Gmail then forgetting the old history
    raw, _ = mail(
        ANNIE, gmail_user.login, f"Re: {SUBJECT}", "Yes please, send the WAV.", in_reply_to=gmail_user.pitch_message_id
    )
    gmail_user.sandbox.gmail.deliver(gmail_user.login, raw)
    gmail_user.sandbox.gmail.flush_push()
    gmail_user.stack.stack.purge_queues()  # the push's job is lost
    gmail_user.sandbox.gmail.expire_history(gmail_user.login)
    # WHEN the next check runs
    log = gmail_user.sync()
    # THEN it resynced recent mail with a bounded query and found the reply
    assert log["outcome"] == "success", log
    listed = [r for r in gmail_user.sandbox.find_requests(host=GMAIL_HOST) if r.path.endswith("/messages")]
    assert listed
    assert "newer_than" in str(listed[-1].query)
    assert gmail_user.get_pitch()["reply"]["preview"].startswith("Yes please")
    assert card(gmail_user.http, gmail_user.user, "gmail")["status"] == "connected"
    # AND the check after that is incremental again: one call
    before = gmail_user.gmail_calls()
    gmail_user.sync()
    assert gmail_user.gmail_calls() - before == 1


def test_duplicate_pushes_and_repeated_runs_handle_a_message_once(gmail_user: GmailUser) -> None:
    # GIVEN a reply whose push Pub/Sub delivers three times
    gmail_user.sandbox.gmail.deliver(
        gmail_user.login,
        mail(ANNIE, gmail_user.login, f"Re: {SUBJECT}", "Got it, thanks.", in_reply_to=gmail_user.pitch_message_id)[0],
    )
    deliveries = gmail_user.sandbox.gmail.flush_push()
    push = deliveries[-1]
    for _ in range(2):
        again = gmail_user.http.post("/api/webhooks/gmail", headers=dict(push.headers), content=push.body)
        assert again.status_code in {200, 204}
    # WHEN the worker runs everything queued, and the user asks for a check too
    gmail_user.stack.stack.run_queued_jobs()
    gmail_user.sync()
    # THEN the reply was recorded once, told once
    assert len(gmail_user.notifications("reply_received")) == 1
    assert gmail_user.get_pitch()["version"] == gmail_user.pitch["version"] + 2  # thread found, then the reply
    # AND a push for history already synced queues nothing
    late = gmail_user.http.post("/api/webhooks/gmail", headers=dict(push.headers), content=push.body)
    assert (late.status_code, late.json()["status"]) == (200, "up_to_date")


# -- the webhook's door --------------------------------------------------------------------------------


def _envelope(address: str, history_id: int) -> bytes:
    data = base64.b64encode(json.dumps({"emailAddress": address, "historyId": str(history_id)}).encode()).decode()
    return json.dumps(
        {"message": {"data": data, "messageId": "1", "publishTime": "2026-01-01T00:00:00Z"}, "subscription": "s"}
    ).encode()


def _forged(audience: str, *, kids: list[str] | None = None) -> list[str]:
    """Tokens claiming everything a real push claims, signed by a key Google never published: under the
    sandbox's key id, or under each of `kids`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": "https://accounts.google.com",
        "aud": audience,
        "email": PUSH_SERVICE_ACCOUNT,
        "email_verified": True,
        "iat": now,
        "exp": now + 600,
    }
    sandbox_kid = jwt.get_unverified_header(push_token(audience, PUSH_SERVICE_ACCOUNT, datetime.now(UTC)))["kid"]
    return [jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid}) for kid in kids or [sandbox_kid]]


@pytest.mark.parametrize("case", ["forged", "expired", "wrong_audience", "wrong_account", "missing"])
def test_a_push_without_a_valid_google_token_is_refused_and_queues_nothing(gmail_user: GmailUser, case: str) -> None:
    audience = f"{gmail_user.stack.base_url}/api/webhooks/gmail"
    now = datetime.now(UTC)
    tokens = {
        "forged": _forged(audience)[0],
        "expired": push_token(audience, PUSH_SERVICE_ACCOUNT, now - timedelta(hours=2)),
        "wrong_audience": push_token("https://elsewhere.example/push", PUSH_SERVICE_ACCOUNT, now),
        "wrong_account": push_token(audience, "intruder@evil-project.iam.gserviceaccount.com", now),
    }
    headers = {"Authorization": f"Bearer {tokens[case]}"} if case in tokens else {}
    before = gmail_user.stack.stack.queued_messages("SyncJobsQueue")
    response = gmail_user.http.post("/api/webhooks/gmail", headers=headers, content=_envelope(gmail_user.login, 10**12))
    assert response.status_code == 401
    assert gmail_user.stack.stack.messages_queued_since("SyncJobsQueue", before) == []


def test_a_push_for_an_unknown_mailbox_is_acknowledged_and_dropped(gmail_user: GmailUser) -> None:
    audience = f"{gmail_user.stack.base_url}/api/webhooks/gmail"
    token = push_token(audience, PUSH_SERVICE_ACCOUNT, datetime.now(UTC))
    before = gmail_user.stack.stack.queued_messages("SyncJobsQueue")
    response = gmail_user.http.post(
        "/api/webhooks/gmail",
        headers={"Authorization": f"Bearer {token}"},
        content=_envelope(f"nobody-{uuid.uuid4().hex[:8]}@example.com", 5),
    )
    assert (response.status_code, response.json()["status"]) == (200, "unknown_mailbox")
    assert gmail_user.stack.stack.messages_queued_since("SyncJobsQueue", before) == []


def test_a_malformed_push_body_is_refused_with_the_problem_named(gmail_user: GmailUser) -> None:
    audience = f"{gmail_user.stack.base_url}/api/webhooks/gmail"
    token = push_token(audience, PUSH_SERVICE_ACCOUNT, datetime.now(UTC))
    response = gmail_user.http.post(
        "/api/webhooks/gmail",
        headers={"Authorization": f"Bearer {token}"},
        content=json.dumps({"message": {"data": base64.b64encode(b'{"historyId": "12"}').decode()}}),
    )
    assert response.status_code == 400
    assert "emailAddress" in response.json()["error"]["message"]


# -- the user's word, and failures as data -------------------------------------------------------------


def test_a_category_override_survives_later_syncs(gmail_user: GmailUser) -> None:
    gmail_user.reply("Thanks for sending this over.")
    pitch = gmail_user.get_pitch()
    path = f"/api/campaigns/{gmail_user.campaign['campaign_id']}/pitches/{pitch['pitch_id']}/reply-category"
    # a stale version is refused
    stale = gmail_user.http.put(path, headers=gmail_user.user.headers, json={"version": 1, "category": "interested"})
    assert stale.status_code == 409
    changed = gmail_user.http.put(
        path, headers=gmail_user.user.headers, json={"version": pitch["version"], "category": "interested"}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["reply"]["category_source"]) == ("interested", "user")
    # WHEN another reply arrives and more syncs run
    gmail_user.reply("Also, could you send the radio edit?")
    gmail_user.sync()
    # THEN the user's category stands
    after = gmail_user.get_pitch()
    assert (after["status"], after["reply"]["category"], after["reply"]["category_source"]) == (
        "interested",
        "interested",
        "user",
    )
    bad = gmail_user.http.put(
        path, headers=gmail_user.user.headers, json={"version": after["version"], "category": "maybe"}
    )
    assert bad.status_code == 400
    assert "category" in bad.json()["error"]["message"]


def test_a_short_rate_limit_is_waited_out_and_the_check_succeeds(gmail_user: GmailUser) -> None:
    gmail_user.sandbox.inject_fault(Fault(host=GMAIL_HOST, method="GET", status=429, retry_after=1, times=1))
    log = gmail_user.sync()
    assert log["outcome"] == "success"


def test_a_long_rate_limit_requeues_the_job_with_the_providers_delay(gmail_user: GmailUser) -> None:
    gmail_user.sandbox.inject_fault(Fault(host=GMAIL_HOST, method="GET", status=429, retry_after=120, times=1))
    before = gmail_user.stack.stack.queued_messages("SyncJobsQueue")
    assert gmail_user.http.post("/api/integrations/gmail/sync", headers=gmail_user.user.headers).status_code == 202
    gmail_user.stack.stack.run_queued_jobs()
    waiting = gmail_user.stack.stack.messages_queued_since("SyncJobsQueue", before)
    assert [(message.body["user_id"], message.delayed) for message in waiting] == [(gmail_user.user.name, True)]
    assert gmail_user.logs()[0]["outcome"] == "failed"
    assert gmail_user.logs()[0]["errors"][0]["code"] == "rate_limited"
    assert "tries again automatically" in card(gmail_user.http, gmail_user.user, "gmail")["last_error"]["action"]
    gmail_user.stack.stack.purge_queues()


def test_revoked_access_marks_the_card_needs_reauth_and_keeps_settings(gmail_user: GmailUser) -> None:
    gmail_user.sandbox.revoke_user_grants(provider="google", login=gmail_user.login)
    gmail_user.sandbox.expire_access_tokens(provider="google")
    log = gmail_user.sync()
    assert log["outcome"] == "failed"
    shown = card(gmail_user.http, gmail_user.user, "gmail")
    assert shown["status"] == "needs_reauth"
    assert "Reconnect Gmail" in shown["last_error"]["action"]
    detail = gmail_user.http.get("/api/integrations/gmail", headers=gmail_user.user.headers).json()
    assert detail["settings"]["sync_frequency"] == "every_15_minutes"
    assert gmail_user.notifications("needs_reconnect")


def test_a_watch_near_its_expiry_is_renewed_by_the_daily_keep_alive(gmail_user: GmailUser) -> None:
    # GIVEN a watch that lapses tomorrow
    soon = datetime.now(UTC) + timedelta(days=1)
    wiring.gmail_store().save_watch(gmail_user.user.name, GmailWatch(topic=GMAIL_TOPIC, expires_at=soon))
    before = gmail_user.gmail_calls("/watch")
    # WHEN the daily keep-alive runs
    result = gmail_user.stack.stack.run_schedule("Daily")
    # THEN the watch is registered again, for a week
    assert gmail_user.gmail_calls("/watch") == before + 1
    assert result["renewed"] >= 1
    watch = wiring.gmail_store().watch(gmail_user.user.name)
    assert watch is not None
    assert watch.expires_at > datetime.now(UTC) + timedelta(days=6)


def test_gmail_is_polled_behind_push_every_two_hours_and_every_tick_without_a_watch(gmail_user: GmailUser) -> None:
    # GIVEN a checked mailbox whose watch is live
    from tracker_integrations.models.common import utcnow

    def due(at: datetime) -> bool:
        return is_due(gmail_user.user.name, "gmail", at=at)

    # THEN the pro tier leaves it to push for now, and polls it within two hours as a backstop
    assert not due(utcnow())
    assert due(utcnow() + timedelta(hours=2, minutes=1))
    # WHEN the watch has lapsed (push no longer arrives) and Gmail refuses to register a new one
    gmail_user.sandbox.gmail.expire_watches(gmail_user.login)
    wiring.gmail_store().save_watch(
        gmail_user.user.name, GmailWatch(topic=GMAIL_TOPIC, expires_at=utcnow() - timedelta(minutes=1))
    )
    refused = {"error": {"code": 403, "message": "Forbidden", "status": "PERMISSION_DENIED"}}
    gmail_user.sandbox.inject_fault(Fault(host=GMAIL_HOST, path="/gmail/v1/users/me/watch", status=403, body=refused))
    gmail_user.sync()
    # THEN it is polled at every tick until a watch is live again
    assert due(utcnow())


def test_a_free_users_mailbox_is_checked_only_when_they_ask(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a free user (manual sync only) with Gmail connected, checked once, and a pitch e-mailed to Annie
    user = new_user("free")
    login = f"{user.name}@example.com"
    assert connect(http, user, "gmail", login=login).connected
    gmail = _pitching(http, user, login, stack, ANNIE, SUBJECT)
    campaign, pitch, sent_id = gmail.campaign, gmail.pitch, gmail.pitch_message_id
    stack.stack.run_queued_jobs()
    path = f"/api/campaigns/{campaign['campaign_id']}/pitches/{pitch['pitch_id']}"
    # THEN Gmail is not asked to push anything: the free plan syncs when asked
    assert stack.stack.sandbox.gmail.watches(login) == []
    # WHEN Annie replies
    reply, _ = mail(ANNIE, login, f"Re: {SUBJECT}", "Count me in!", in_reply_to=sent_id)
    stack.stack.sandbox.gmail.deliver(login, reply)
    stack.stack.sandbox.gmail.flush_push()
    stack.stack.run_queued_jobs()
    # THEN nothing runs by itself
    assert http.get(path, headers=user.headers).json()["status"] == "sent"
    # AND Sync now brings the reply in
    assert http.post("/api/integrations/gmail/sync", headers=user.headers).status_code == 202
    stack.stack.run_queued_jobs()
    assert http.get(path, headers=user.headers).json()["status"] in {"replied", "interested"}


def test_a_paused_connections_pushes_are_acknowledged_and_queue_nothing(gmail_user: GmailUser) -> None:
    # GIVEN a watched mailbox whose user paused the integration
    paused = put_settings(gmail_user.http, gmail_user.user, "gmail", {"paused": True})
    assert paused.status_code == 200, paused.text
    before = gmail_user.stack.stack.queued_messages("SyncJobsQueue")
    # WHEN Annie replies and Gmail pushes the change
    raw, _ = mail(ANNIE, gmail_user.login, f"Re: {SUBJECT}", "Yes please!", in_reply_to=gmail_user.pitch_message_id)
    gmail_user.sandbox.gmail.deliver(gmail_user.login, raw)
    pushes = [d for d in gmail_user.sandbox.gmail.flush_push() if d.url.endswith("/api/webhooks/gmail")]
    # THEN the push is acknowledged (so Pub/Sub does not redeliver it) and nothing is queued
    assert pushes
    assert pushes[-1].status == 200
    assert gmail_user.stack.stack.messages_queued_since("SyncJobsQueue", before) == []
    assert gmail_user.get_pitch()["status"] == "sent"


def test_a_category_override_with_bad_data_is_refused_naming_the_field(gmail_user: GmailUser) -> None:
    # GIVEN a pitch with a reply, and its current version
    gmail_user.reply("Thanks for sending this over.")
    pitch = gmail_user.get_pitch()
    path = f"/api/campaigns/{gmail_user.campaign['campaign_id']}/pitches/{pitch['pitch_id']}/reply-category"
    headers = gmail_user.user.headers
    # WHEN the body names an unknown category, lacks the version, or is not JSON
    unknown = gmail_user.http.put(path, headers=headers, json={"version": pitch["version"], "category": "maybe"})
    no_version = gmail_user.http.put(path, headers=headers, json={"category": "interested"})
    not_json = gmail_user.http.put(path, headers={**headers, "Content-Type": "application/json"}, content=b"{")
    # THEN each is a 400 that says which field is wrong, and the pitch is unchanged
    assert unknown.status_code == 400
    assert "category" in unknown.json()["error"]["message"]
    assert no_version.status_code == 400
    assert "version" in no_version.json()["error"]["message"]
    assert not_json.status_code == 400
    assert "JSON" in not_json.json()["error"]["message"]
    assert gmail_user.get_pitch() == pitch


def test_a_correction_teaches_the_category_of_similar_replies_from_the_same_station(gmail_user: GmailUser) -> None:
    # GIVEN a second contact at Annie's station, pitched the same single
    ben = gmail_user.http.post(
        f"/api/campaigns/{gmail_user.campaign['campaign_id']}/pitches",
        headers=gmail_user.user.headers,
        json={"email": "ben@radio.example", "contact_name": "Ben", "status": "sent", "subject": SUBJECT},
    ).json()
    # AND Annie's stock answer, which the classifier reads as a plain reply, corrected by the user
    station_wording = "Thanks, this goes to the Tuesday music meeting and we will let you know."
    gmail_user.reply(station_wording)
    pitch = gmail_user.get_pitch()
    assert pitch["reply"]["category"] == "replied"
    path = f"/api/campaigns/{gmail_user.campaign['campaign_id']}/pitches/{pitch['pitch_id']}/reply-category"
    corrected = gmail_user.http.put(
        path, headers=gmail_user.user.headers, json={"version": pitch["version"], "category": "interested"}
    )
    assert corrected.status_code == 200, corrected.text
    # WHEN Ben, at the same station, answers in nearly the same words
    # (a new message of his own, not in Annie's thread)
    raw, _ = mail(
        "ben@radio.example",
        gmail_user.login,
        f"Re: {SUBJECT}",
        "Thanks, this goes to the Tuesday music meeting and we'll let you know.",
    )
    gmail_user.deliver(raw)
    # THEN his pitch takes the category the user taught, not the classifier's plain "replied"
    after = gmail_user.get_pitch(ben["pitch_id"])
    assert (after["status"], after["reply"]["category"], after["reply"]["category_source"]) == (
        "interested",
        "interested",
        "classifier",
    )


# -- pushes Pub/Sub delivers twice, and forged tokens ---------------------------------------------------


def test_a_redelivered_push_queues_nothing_the_second_time(gmail_user: GmailUser) -> None:
    # GIVEN a reply whose push reached the webhook and queued a check
    raw, _ = mail(ANNIE, gmail_user.login, f"Re: {SUBJECT}", "Lovely, thanks!", in_reply_to=gmail_user.pitch_message_id)
    gmail_user.sandbox.gmail.deliver(gmail_user.login, raw)
    push = [d for d in gmail_user.sandbox.gmail.flush_push() if d.url.endswith("/api/webhooks/gmail")][-1]
    assert push.status == 204
    before = gmail_user.stack.stack.queued_messages("SyncJobsQueue")
    # WHEN Pub/Sub delivers the same message again (it delivers at least once), before the check has run
    again = gmail_user.http.post("/api/webhooks/gmail", headers=dict(push.headers), content=push.body)
    # THEN it is acknowledged as a redelivery and nothing more is queued
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert gmail_user.stack.stack.messages_queued_since("SyncJobsQueue", before) == []
    # AND the reply is recorded once
    gmail_user.stack.stack.run_queued_jobs()
    assert gmail_user.get_pitch()["status"] in {"replied", "interested"}
    assert len(gmail_user.notifications("reply_received")) == 1


def test_a_burst_of_forged_push_tokens_costs_at_most_one_call_to_google(gmail_user: GmailUser) -> None:
    # GIVEN an attacker who posts to the webhook with tokens naming random key ids
    audience = f"{gmail_user.stack.base_url}/api/webhooks/gmail"
    body = _envelope(gmail_user.login, 10**12)
    queued = gmail_user.stack.stack.queued_messages("SyncJobsQueue")

    def certificate_fetches() -> int:
        return len(gmail_user.sandbox.find_requests(host="www.googleapis.com", path="/oauth2/v1/certs"))

    def burst() -> list[int]:
        return [
            gmail_user.http.post(
                "/api/webhooks/gmail", headers={"Authorization": f"Bearer {token}"}, content=body
            ).status_code
            for token in _forged(audience, kids=[uuid.uuid4().hex for _ in range(40)])
        ]

    # WHEN two bursts arrive one after the other
    start = certificate_fetches()
    first = burst()
    after_first = certificate_fetches()
    second = burst()
    # THEN every token is refused and nothing is queued
    assert set(first) == set(second) == {401}
    assert gmail_user.stack.stack.messages_queued_since("SyncJobsQueue", queued) == []
    # AND Google's certificates were fetched at most once (none if they were fetched in the last 5 minutes)
    assert after_first - start <= 1
    assert certificate_fetches() == after_first
    # AND a genuine push is still accepted
    token = push_token(audience, PUSH_SERVICE_ACCOUNT, datetime.now(UTC))
    genuine = gmail_user.http.post("/api/webhooks/gmail", headers={"Authorization": f"Bearer {token}"}, content=body)
    assert genuine.status_code in {200, 204}
    gmail_user.stack.stack.purge_queues()


# -- one mailbox, two Tracker users --------------------------------------------------------------------

BOB = "bob@blog.example"
BOB_SUBJECT = "Premiere: Night Swim - Undertow"


@dataclass
class SharedMailbox:
    """Two pro users who connected the same Gmail mailbox, each with a pitch e-mailed from it."""

    annie_pitch: GmailUser  # user A: a pitch to Annie
    bob_pitch: GmailUser  # user B, connected second: a pitch to Bob

    def reply(self, to: GmailUser, sender: str, subject: str, body: str) -> None:
        raw, _ = mail(sender, to.login, subject, body, in_reply_to=to.pitch_message_id)
        to.deliver(raw)


def _pitching(
    http: httpx.Client, user: LocalUser, login: str, stack: RunningStack, contact: str, subject: str
) -> GmailUser:
    campaign = http.post("/api/campaigns", headers=user.headers, json={"title": subject}).json()
    pitch = http.post(
        f"/api/campaigns/{campaign['campaign_id']}/pitches",
        headers=user.headers,
        json={"email": contact, "status": "sent", "subject": subject},
    ).json()
    raw, pitch_message_id = mail(login, contact, subject, "Hello, here is the new single.")
    stack.stack.sandbox.gmail.send_as_user(login, raw)
    return GmailUser(user, login, campaign, pitch, pitch_message_id, http, stack)


@pytest.fixture
def shared_mailbox(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> SharedMailbox:
    first, second = new_user("pro"), new_user("pro")
    login = f"{first.name}@example.com"
    a = _pitching(http, first, login, stack, ANNIE, SUBJECT)
    b = _pitching(http, second, login, stack, BOB, BOB_SUBJECT)
    for gmail in (a, b):
        assert connect(http, gmail.user, "gmail", login=login).connected
        stack.stack.run_queued_jobs()
        assert gmail.sync()["outcome"] == "success"
    assert a.get_pitch()["sent_thread"] is not None
    assert b.get_pitch()["sent_thread"] is not None
    return SharedMailbox(a, b)


def test_two_users_on_one_mailbox_each_get_their_replies_by_push(shared_mailbox: SharedMailbox) -> None:
    a, b = shared_mailbox.annie_pitch, shared_mailbox.bob_pitch
    # WHEN Annie answers A's pitch and Bob answers B's, each pushed by Gmail
    shared_mailbox.reply(a, ANNIE, f"Re: {SUBJECT}", "Added to Friday's show!")
    shared_mailbox.reply(b, BOB, f"Re: {BOB_SUBJECT}", "Happy to premiere it.")
    # THEN both pitches show their reply
    assert a.get_pitch()["reply"]["preview"].startswith("Added to Friday")
    assert b.get_pitch()["reply"]["preview"].startswith("Happy to premiere")


def test_one_user_disconnecting_a_shared_mailbox_leaves_the_other_connected(
    shared_mailbox: SharedMailbox, http: httpx.Client
) -> None:
    a, b = shared_mailbox.annie_pitch, shared_mailbox.bob_pitch
    # GIVEN both users' replies tracked
    shared_mailbox.reply(b, BOB, f"Re: {BOB_SUBJECT}", "Happy to premiere it.")
    live_grants = a.sandbox.live_refresh_tokens("google")
    # WHEN A disconnects Gmail
    left = http.delete("/api/integrations/gmail/disconnect", headers=a.user.headers)
    assert left.status_code == 200
    # THEN A's grant is not revoked at Google while B reads the same mailbox (revoking may end the
    # account's consent for Tracker, B's included)
    assert left.json()["revoked_at_provider"] is False
    assert a.sandbox.live_refresh_tokens("google") == live_grants
    # AND Gmail still watches the mailbox, and B's next reply arrives by push
    assert [w.topic for w in a.sandbox.gmail.watches(a.login)] == [GMAIL_TOPIC]
    shared_mailbox.reply(b, BOB, f"Re: {BOB_SUBJECT}", "Also, could you send the radio edit?")
    assert b.get_pitch()["reply"]["preview"].startswith("Also, could you send")
    assert card(http, b.user, "gmail")["status"] == "connected"
    # AND when B disconnects too, nobody uses the mailbox any more and the watch is stopped
    assert http.delete("/api/integrations/gmail/disconnect", headers=b.user.headers).status_code == 200
    assert a.sandbox.gmail.watches(a.login) == []


def test_one_renewal_call_keeps_a_shared_mailboxs_watch_for_both_users(shared_mailbox: SharedMailbox) -> None:
    a, b = shared_mailbox.annie_pitch, shared_mailbox.bob_pitch
    store = wiring.gmail_store()
    # GIVEN earlier watches renewed, then both users' records of the mailbox's one watch lapsing tomorrow
    a.stack.stack.run_schedule("Daily")
    soon = datetime.now(UTC) + timedelta(days=1)
    for gmail in (a, b):
        store.save_watch(gmail.user.name, GmailWatch(topic=GMAIL_TOPIC, expires_at=soon))
    before = a.gmail_calls("/watch", answered=True)
    # WHEN the daily keep-alive runs
    a.stack.stack.run_schedule("Daily")
    # THEN Gmail carries out one watch (a call refused by Gmail's per-user quota and retried is the same one),
    # and both users' watches run for another week
    assert a.gmail_calls("/watch", answered=True) == before + 1
    for gmail in (a, b):
        watch = store.watch(gmail.user.name)
        assert watch is not None
        assert watch.expires_at > datetime.now(UTC) + timedelta(days=6)


def test_the_replies_detected_are_listed_newest_first_and_a_correction_shows_in_the_list(
    gmail_user: GmailUser,
) -> None:
    # GIVEN a reply to the pitch, detected
    message_id = gmail_user.reply("Thanks! Love it, we will add it to the playlist this week.")
    headers = gmail_user.user.headers
    # WHEN the Activity screen lists the replies detected
    (listed,) = gmail_user.http.get("/api/replies", headers=headers).json()["replies"]
    # THEN the reply is there with what the screen shows and what a correction must name
    assert (listed["campaign_title"], listed["contact_name"]) == ("Autumn radio push", "Annie Mac")
    assert listed["reply"]["gmail_message_id"] == message_id
    assert listed["reply"]["open_in_gmail_url"].endswith(message_id)
    assert listed["reply"]["preview"].startswith("Thanks! Love it")
    # AND the user's correction, made through the reply-category route with the version listed, is what it says next
    corrected = gmail_user.http.put(
        f"/api/campaigns/{listed['campaign_id']}/pitches/{listed['pitch_id']}/reply-category",
        headers=headers,
        json={"version": listed["pitch_version"], "category": "not_interested"},
    )
    assert corrected.status_code == 200, corrected.text
    again = gmail_user.http.get("/api/replies", headers=headers, params={"category": "not_interested"}).json()
    assert [(r["reply"]["category"], r["reply"]["category_source"]) for r in again["replies"]] == [
        ("not_interested", "user")
    ]
    assert gmail_user.http.get("/api/replies", headers=headers, params={"category": "bounce"}).json() == {"replies": []}
