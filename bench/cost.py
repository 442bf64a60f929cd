"""Monthly AWS cost of 1,000 pro Google Sheets connections, from the AWS calls each event really makes.

What is measured (the real code paths in the local stack, AWS in moto, Google in the sandbox): the
AWS calls of each event in a connection's life — a Drive notification, a batch from the Tracker
table's stream, a sync with changes (cold container), a sync that finds nothing, a token refresh,
a channel renewal — and the fan-out per tick. What is assumed, and printed: how often each event
happens for a busy pro user (the activity model below), how long AWS takes per call (for Lambda
duration), log volume, and AWS's public on-demand prices (us-east-1). Fixed costs that do not grow
with connections (the KMS key, custom metrics) are printed beside the total, not inside it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench.local import in_local_stack
from bench.results import Figure
from bench.sheets_sync import AwsCallCounter
from local_stack.server import LocalStack
from provider_sandbox.push import PushSender
from provider_sandbox.testing import approve
from tracker_integrations import wiring
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.campaign_inputs import CampaignCreate, PitchCreate, PitchUpdate
from tracker_integrations.models.common import new_id, utcnow

CONNECTIONS = 1_000
PITCHES = 200
USER = "cost-bench"
GOAL_DOLLARS = 5.0

# AWS on-demand prices, us-east-1 (USD), as published in 2026.
LAMBDA_PER_REQUEST = 0.20 / 1e6
LAMBDA_PER_GB_SECOND_ARM = 0.0000133334
DYNAMODB_PER_WRITE_UNIT = 0.625 / 1e6
DYNAMODB_PER_READ_UNIT = 0.125 / 1e6
SQS_PER_REQUEST = 0.40 / 1e6
KMS_PER_REQUEST = 0.03 / 1e4
HTTP_API_PER_REQUEST = 1.00 / 1e6
LOGS_PER_GB = 0.50
KMS_KEY_PER_MONTH = 1.00
CUSTOM_METRIC_PER_MONTH = 0.30

TICKS = 30 * 24 * 4  # pro: every 15 minutes
RECONCILE_SYNCS = 30 * 2  # a full sync every 12 h even when nothing reports a change
RENEWALS = 45  # a day-long Drive channel, renewed by a sync when less than 8 h is left


@dataclass(frozen=True)
class Activity:
    """One pro connection's month: a plugger working 22 days, with editing sessions in the sheet and in
    Tracker. A session spans ~1.5 ticks (so ~1.5 syncs) and sends ~5 Drive notifications or stream
    batches. A sync that carried Tracker changes to the sheet is reported back by Drive (its own write)
    and costs one more sync that finds nothing. Access tokens live an hour, so most syncs refresh."""

    name: str
    sessions_per_day: int  # on each side

    @property
    def sessions(self) -> int:
        return 22 * self.sessions_per_day

    @property
    def change_syncs(self) -> int:
        return round(2 * self.sessions * 1.5)

    @property
    def echo_syncs(self) -> int:
        return round(self.sessions * 1.5)

    @property
    def full_syncs(self) -> int:
        return self.change_syncs + self.echo_syncs + RECONCILE_SYNCS

    @property
    def refreshes(self) -> int:
        return round(0.7 * self.full_syncs)

    @property
    def notifications(self) -> int:
        return self.sessions * 5 + self.echo_syncs

    @property
    def stream_batches(self) -> int:
        return self.sessions * 5


TYPICAL = Activity("typical: 1 session a working day in the sheet and 1 in Tracker", 1)
BUSY = Activity("busy: 3 sessions a working day on each side", 3)

# Lambda duration model: AWS answers in ~8 ms, Google in ~150 ms, plus the function's own work.
AWS_CALL_SECONDS = 0.008
GOOGLE_CALL_SECONDS = 0.150
OVERHEAD_SECONDS = 0.030
WORKER_GB = 0.5  # SyncWorkerFunction MemorySize
SMALL_GB = 0.5
LOG_BYTES = {"sync": 1500, "small": 700}  # our JSON lines + Lambda's START/END/REPORT + metrics
ESM_IDLE_POLLS = 5 * 3 * 60 * 24 * 30  # SQS event source: ~5 pollers long-polling 20 s, always on (fixed)
CUSTOM_METRICS = 20


class PutSizes:
    """Write units of each PutItem (1 per KB of item, rounded up): connections and sync state are not 1 KB."""

    def __init__(self) -> None:
        self.units = 0
        wiring.dynamodb().meta.events.register("before-parameter-build.dynamodb.PutItem", self._measure)

    def _measure(self, params: dict[str, Any], **_: Any) -> None:
        size = sum(len(name.encode()) + _value_size(value) for name, value in params.get("Item", {}).items())
        self.units += max(1, math.ceil(size / 1024))


def _value_size(value: dict[str, Any]) -> int:
    """DynamoDB's item-size rules: strings by UTF-8 bytes, binary by bytes, numbers ~1 byte per 2 digits,
    maps and lists 3 bytes plus their members."""
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(str(raw).encode())
    if kind == "B":
        return len(raw) if isinstance(raw, bytes) else len(str(raw))
    if kind == "N":
        return math.ceil(len(str(raw)) / 2) + 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in raw.items())
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in raw)
    return 1  # BOOL, NULL


@dataclass
class Event:
    """What one occurrence of an event costs in AWS calls (and Google calls, for its duration)."""

    aws: Counter[str]
    google: int
    put_units: int  # write units of its PutItems, by item size
    index_moves: int = 0  # index entries the event moves (a delete and a put in the index: two write units each)

    def dynamo_reads(self) -> int:
        return sum(v for k, v in self.aws.items() if k in {"dynamodb:GetItem", "dynamodb:Query"})

    def dynamo_writes(self) -> int:
        small = {"dynamodb:UpdateItem", "dynamodb:DeleteItem"}
        transactions = 2 * self.aws["dynamodb:TransactWriteItems"]
        return self.put_units + sum(v for k, v in self.aws.items() if k in small) + transactions + 2 * self.index_moves

    def kms(self) -> int:
        return sum(v for k, v in self.aws.items() if k.startswith("kms:"))

    def sqs(self) -> int:
        return sum(v for k, v in self.aws.items() if k.startswith("sqs:"))

    def seconds(self) -> float:
        return sum(self.aws.values()) * AWS_CALL_SECONDS + self.google * GOOGLE_CALL_SECONDS + OVERHEAD_SECONDS


def run() -> list[Figure]:
    return in_local_stack(_measure)


def _pro_user_with_a_synced_sheet(base: str) -> tuple[str, str]:
    """A pro user with Google Sheets connected, a Tracker-made spreadsheet and a campaign of PITCHES pitches;
    returns the campaign and its first pitch."""
    with httpx.Client(base_url=base, timeout=60) as http:
        token = http.get("/local/token", params={"user": USER, "plan": "pro"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        url = http.post("/api/integrations/google-sheets/connect", headers=headers).json()["authorization_url"]
        http.get(approve(url, login="cost@example.com", client=http))
        http.post("/api/integrations/google-sheets/spreadsheets", headers=headers, json={})
    campaigns = wiring.campaigns_service()
    campaign = campaigns.create_campaign(USER, CampaignCreate(title="Autumn radio push"))
    pitches = [
        campaigns.create_pitch(USER, campaign.campaign_id, PitchCreate(email=f"dj{n}@radio.example"))
        for n in range(PITCHES)
    ]
    return campaign.campaign_id, pitches[0].pitch_id


def _measure(base: str, stack: LocalStack) -> list[Figure]:
    sandbox = stack.sandbox
    campaign_id, first_pitch_id = _pro_user_with_a_synced_sheet(base)
    campaigns = wiring.campaigns_service()
    stack.streams.pump()
    push = PushSender.of(sandbox.context)
    runner = wiring.sync_runner()

    def tick() -> None:
        job = SyncJob(
            job_id=new_id("job"), user_id=USER, provider="google-sheets", reason="schedule", requested_at=utcnow()
        )
        runner.run(job)

    tick()  # first sync: every row written, the Drive channel opened
    push.flush()
    aws = AwsCallCounter()
    sizes = PutSizes()

    def measure(action: Callable[[], object], *, index_moves: int = 0) -> Event:
        google_before = len(sandbox.requests)
        aws.reset()
        sizes.units = 0
        action()
        google = len(sandbox.requests) - google_before
        return Event(aws=Counter(aws.calls), google=google, put_units=sizes.units, index_moves=index_moves)

    channel = wiring.channel_store().current(USER, "google-sheets")
    assert channel is not None, "the first sync opens a Drive channel"

    def edit_sheet() -> None:
        sandbox.sheets.set_cells(channel.watched_file_id, "K2", [["call back"]])
        push.flush()

    notification = measure(edit_sheet)
    current = campaigns.get_pitch(USER, campaign_id, first_pitch_id)
    campaigns.update_pitch(USER, campaign_id, first_pitch_id, PitchUpdate(version=current.version, outlet="6 Music"))
    stream = measure(stack.streams.pump)
    wiring.token_cipher().forget_keys()  # the next tick lands on a container that never saw this connection
    change_sync = measure(tick, index_moves=1)
    push.flush()  # Drive reports the sync's own write
    wiring.token_cipher().forget_keys()
    quiet_sync = measure(tick, index_moves=1)
    connection = wiring.integrations_store().get_connection(USER, "google-sheets")
    assert connection is not None
    refresh = measure(lambda: wiring.token_service().current_tokens(connection, force_refresh=True), index_moves=1)
    due = {pair for page in wiring.integrations_store().scheduled("every_15_minutes", utcnow()) for pair in page}
    queued_when_quiet = int((USER, "google-sheets") in due)

    events = Events(change_sync, quiet_sync, notification, stream, refresh)
    typical, busy = monthly_dollars(events, TYPICAL), monthly_dollars(events, BUSY)
    for name, event in events.named().items():
        print(f"  {name}: {dict(sorted(event.aws.items()))}, Google calls {event.google}, {event.dynamo_writes()} WRU")
    for activity, dollars in ((TYPICAL, typical), (BUSY, busy)):
        print(
            f"  {activity.name}: {activity.change_syncs} syncs with changes, {activity.echo_syncs} echo and "
            f"{RECONCILE_SYNCS} reconciliation syncs, {activity.notifications} Drive notifications, "
            f"{activity.stream_batches} stream batches, {activity.refreshes} token refreshes; "
            f"{TICKS - activity.full_syncs} of {TICKS} ticks queue nothing"
        )
        print("    " + ", ".join(f"{name} ${value:.2f}" for name, value in dollars.items()))
        print(f"    total ${sum(dollars.values()):.2f} for {CONNECTIONS:,} connections")
    fixed = KMS_KEY_PER_MONTH + CUSTOM_METRICS * CUSTOM_METRIC_PER_MONTH + ESM_IDLE_POLLS * SQS_PER_REQUEST
    print(f"  fixed, whatever the number of connections: ${fixed:.2f} (KMS key, custom metrics, idle SQS polling)")
    total = sum(typical.values())
    return [
        Figure(
            name="KMS calls, first sync of a connection in a container",
            value=change_sync.kms(),
            unit="calls",
            goal="<= 1",
            met=change_sync.kms() <= 1,
        ),
        Figure(name="KMS calls, token refresh", value=refresh.kms(), unit="calls", goal="= 0", met=refresh.kms() == 0),
        Figure(
            name="jobs queued for a connection by a tick with nothing changed",
            value=queued_when_quiet,
            unit="jobs",
            goal="= 0",
            met=queued_when_quiet == 0,
        ),
        Figure(
            name=f"AWS cost per month, {CONNECTIONS:,} pro connections (typical use)",
            value=total,
            unit="USD",
            goal=f"< {GOAL_DOLLARS:.0f} USD",
            met=total < GOAL_DOLLARS,
        ),
    ]


@dataclass(frozen=True)
class Events:
    change_sync: Event
    quiet_sync: Event
    notification: Event
    stream: Event
    refresh: Event

    def named(self) -> dict[str, Event]:
        return {
            "sync with changes (cold container)": self.change_sync,
            "sync that finds nothing": self.quiet_sync,
            "Drive notification": self.notification,
            "stream batch": self.stream,
            "token refresh": self.refresh,
        }


def monthly_dollars(events: Events, activity: Activity) -> dict[str, float]:
    """What `CONNECTIONS` connections living `activity` cost a month, by AWS service."""
    a, e, n = activity, events, CONNECTIONS
    quiet_syncs = a.echo_syncs + RECONCILE_SYNCS
    occurrences = [
        (e.change_sync, a.change_syncs),
        (e.quiet_sync, quiet_syncs),
        (e.notification, a.notifications),
        (e.stream, a.stream_batches),
        (e.refresh, a.refreshes),
    ]
    reads = sum(event.dynamo_reads() * times for event, times in occurrences)
    writes = sum(event.dynamo_writes() * times for event, times in occurrences) + RENEWALS * 2
    kms = sum(event.kms() * times for event, times in occurrences)
    worker_seconds = (
        e.change_sync.seconds() * a.change_syncs
        + e.quiet_sync.seconds() * quiet_syncs
        + RENEWALS * 2 * GOOGLE_CALL_SECONDS
    )
    small_seconds = e.notification.seconds() * a.notifications + e.stream.seconds() * a.stream_batches
    jobs = a.full_syncs  # only due connections are queued
    invocations = jobs + a.notifications + a.stream_batches
    sqs = jobs / 10 + jobs * 2 + e.stream.sqs() * a.stream_batches + e.notification.sqs() * a.notifications
    log_bytes = jobs * LOG_BYTES["sync"] + (a.notifications + a.stream_batches) * LOG_BYTES["small"]
    fanout_reads = TICKS * math.ceil(n / 1000)  # one index page per tick for the whole tier
    return {
        "Lambda requests": (invocations * n + TICKS) * LAMBDA_PER_REQUEST,
        "Lambda duration": (worker_seconds * WORKER_GB + small_seconds * SMALL_GB) * n * LAMBDA_PER_GB_SECOND_ARM,
        "DynamoDB reads": (reads * n + fanout_reads) * DYNAMODB_PER_READ_UNIT,
        "DynamoDB writes": writes * n * DYNAMODB_PER_WRITE_UNIT,
        "SQS": sqs * n * SQS_PER_REQUEST,
        "KMS": kms * n * KMS_PER_REQUEST,
        "HTTP API": a.notifications * n * HTTP_API_PER_REQUEST,
        "Logs": log_bytes * n / 1e9 * LOGS_PER_GB,
    }
