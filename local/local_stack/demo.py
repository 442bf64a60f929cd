"""`make demo`: the product plan's demo script, end to end against a fresh local stack.

Tracker's side is played through the real HTTP API with httpx, as the Tracker UI would call it (a bearer
token from /local/token, OAuth consent on the sandbox's consent page). The people around Dan are played
through the provider sandbox's controls: Dan's own Google Sheet and Gmail, his VA editing the sheet, and
his contacts' mail servers answering. Nothing presses "Sync now" on Google Sheets: an agency user's
changes travel by themselves (the Tracker table's stream, Drive and Gmail push), and each step that waits
on one prints how many seconds it took to arrive.

Every step prints a numbered line saying what was done and what was seen. An unmet expectation stops the
script with a line naming the step, and `main` exits non-zero.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from local_stack.demo_airtable import AirtableDemo, AirtableStepFailed, Seen
from local_stack.server import LOCAL_CLIENTS, RunningStack, serve_local_stack
from provider_sandbox.mail import delivery_status_report
from provider_sandbox.testing import approve
from tracker_integrations.observability import logger as app_logger

Output = Callable[[str], None]

# How long a step waits for a change to arrive before the demo fails. Real time here is a few seconds
# (the sync collapses a burst of edits into one run, three seconds after the first), so this is generous.
WAIT_LIMIT_SECONDS = 20.0
_POLL_SECONDS = 0.1

ARTIST = "The Lanterns"
PITCH_SUBJECT = "New single: The Lanterns - Northern Lights"
# Dan's spreadsheet as he keeps it today: his own column names, no Campaign column, statuses typed in any
# case, a blank row, a formula in his Notes, and a column of his that Tracker leaves alone.
EXISTING_SHEET_TITLE = "Radio promo 2025"
EXISTING_SHEET_TAB = "Pitches"
EXISTING_SHEET_HEADERS = ["Contact", "Station", "Email", "Email subject", "Status", "Notes", "Chased?"]
LAUREN_NOTES_FORMULA = '=HYPERLINK("https://radiox.example/lauren","Lauren\'s show page")'
# What the import names the campaign by default: after the spreadsheet and its tab.
CAMPAIGN_TITLE = f"{EXISTING_SHEET_TITLE} — {EXISTING_SHEET_TAB}"


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    outlet: str

    @property
    def label(self) -> str:
        return f"{self.name} — {self.outlet}"


ANNIE = Contact("Annie Mac", "annie@radio1.example", "Radio 1")  # replies by e-mail
LAUREN = Contact("Lauren Price", "lauren@radiox.example", "Radio X")  # replies by phone: the VA notes it in the sheet
TOM = Contact("Tom Reid", "tom@amazingradio.example", "Amazing Radio")  # out of the office
MIA = Contact("Mia Chen", "mia@sohoradio.example", "Soho Radio")  # left the station: her address bounces
CONTACTS = (ANNIE, LAUREN, TOM, MIA)


@dataclass(frozen=True)
class StepResult:
    number: int
    title: str
    passed: bool
    observed: str
    # For steps that wait on a change travelling by itself: seconds from the change to seeing it.
    seconds: float | None = None


class StepFailed(Exception):
    """An expectation of the demo was not met; the message says what was seen instead."""


@dataclass(frozen=True)
class Observed:
    text: str
    seconds: float | None = None
    details: tuple[str, ...] = ()  # printed indented under the step's line


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the Sheets UI numbers rows: the header is row 1
    cells: dict[str, Any]

    def describe(self) -> str:
        return f"'{self.cells.get('Contact')} — {self.cells.get('Station')} — {self.cells.get('Status')}'"


# -- the e-mails --------------------------------------------------------------------------------------


def _message(
    sender: str, to: str, subject: str, body: str, *, domain: str, in_reply_to: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=domain)
    if in_reply_to:
        # Threading: Gmail (and Tracker's matching) join a reply to the message it names here.
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message


def pitch_email(login: str, contact: Contact) -> EmailMessage:
    body = (
        f"Hi {contact.name.split()[0]},\n\nHere is {ARTIST}' new single, Northern Lights, out on Friday. "
        "I think it would sit beautifully on your show.\n\nBest,\nDan"
    )
    return _message(f"Dan <{login}>", f"{contact.name} <{contact.email}>", PITCH_SUBJECT, body, domain="mail.gmail.com")


def reply_email(login: str, contact: Contact, pitch_message_id: str, body: str) -> EmailMessage:
    quoted = "\n".join(f"> {line}" for line in "Hi,\n\nHere is the new single.".splitlines())
    return _message(
        f"{contact.name} <{contact.email}>",
        login,
        f"Re: {PITCH_SUBJECT}",
        f"{body}\n\nOn Monday, Dan <{login}> wrote:\n{quoted}\n",
        domain=contact.email.split("@")[1],
        in_reply_to=pitch_message_id,
    )


def out_of_office_email(login: str, contact: Contact, pitch_message_id: str, back_on: date) -> EmailMessage:
    message = _message(
        f"{contact.name} <{contact.email}>",
        login,
        f"Automatic reply: {PITCH_SUBJECT}",
        f"Thank you for your email. I am out of the office until {back_on.day} {back_on.strftime('%B %Y')} "
        "with no access to email.",
        domain=contact.email.split("@")[1],
        in_reply_to=pitch_message_id,
    )
    message["Auto-Submitted"] = "auto-replied"
    message["X-Autoreply"] = "yes"
    return message


def bounce_email(login: str, recipient: str) -> bytes:
    """Gmail's mailer daemon reporting a dead address."""
    diagnostic = "550 5.1.1 The email account that you tried to reach does not exist."
    return delivery_status_report(login, recipient, status="5.1.1", action="failed", diagnostic=diagnostic)


# -- the script ---------------------------------------------------------------------------------------


class DemoScript:
    """The demo's steps against one running local stack, as one local user (on the agency plan)."""

    def __init__(self, running: RunningStack, http: httpx.Client, *, user: str, out: Output, wait_limit: float) -> None:
        self._running = running
        self._sandbox = running.stack.sandbox
        self._http = http
        self._out = out
        self._wait_limit = wait_limit
        self.user = user
        self.login = f"{user}@example.com"  # the Google account Dan signs in with on the consent pages
        self._headers: dict[str, str] = {}
        self._spreadsheet_id = ""
        self._campaign_id = ""
        self._pitch_ids: dict[Contact, str] = {}
        self._pitch_message_ids: dict[Contact, str] = {}  # the Message-ID of each pitch e-mail Dan sent
        self._changed_at = 0.0  # when the change a waiting step looks for was made (monotonic clock)
        self._reply_landed_at = 0.0
        self._airtable = AirtableDemo(
            running,
            self._api,
            self._connect,
            self._wait_for,
            self._mark_changed,
            self.login,
        )

    def steps(self) -> list[tuple[str, Callable[[], Observed]]]:
        return [
            ("Sign in to Tracker", self.sign_in),
            ("Today's chaos", self.show_existing_chaos),
            ("Connect Google Sheets", self.connect_google_sheets),
            ("Choose the sheet", self.choose_existing_sheet),
            ("The first sync proposes an import", self.see_import_proposed),
            ("Preview the import", self.preview_import),
            ("Import", self.import_sheet),
            ("Import again", self.import_again),
            ("Rows linked in the sheet", self.see_rows_in_sheet),
            ("Sync log", self.show_sync_log),
            ("VA marks a pitch replied in the sheet", self.mark_replied_in_sheet),
            ("Tracker knows", self.see_tracker_know),
            ("Connect Gmail", self.connect_gmail),
            ("Annie Mac replies", self.annie_replies),
            ("Reply on the pitch", self.show_reply_details),
            ("A pitch bounces", self.pitch_bounces),
            ("An out-of-office", self.out_of_office_arrives),
            ("The sheet follows", self.see_sheet_follow_gmail),
            ("Connect Airtable", self._airtable_step(AirtableDemo.connect)),
            ("Pick base and table", self._airtable_step(AirtableDemo.pick_base_and_table)),
            ("Import the Airtable records", self._airtable_step(AirtableDemo.import_records)),
            ("An edit in Airtable", self._airtable_step(AirtableDemo.edit_in_airtable)),
            ("Tracker follows Airtable", self._airtable_step(AirtableDemo.see_tracker_follow)),
            ("An edit in Tracker", self._airtable_step(AirtableDemo.edit_in_tracker)),
            ("Airtable follows Tracker", self._airtable_step(AirtableDemo.see_airtable_follow)),
            ("Notification feed", self.show_notifications),
            ("Integration cards", self.show_cards),
        ]

    def run(self) -> list[StepResult]:
        results: list[StepResult] = []
        for number, (title, action) in enumerate(self.steps(), start=1):
            try:
                observed = action()
            except Exception as exc:  # any failure, expected or not, is reported against its step
                reason = str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {exc}"
                results.append(StepResult(number, title, passed=False, observed=reason))
                self._out(f"{number:>2}. {title}: ✗ {reason}")
                break
            results.append(StepResult(number, title, passed=True, observed=observed.text, seconds=observed.seconds))
            self._out(f"{number:>2}. {title}: {observed.text} ✓")
            for detail in observed.details:
                self._out(f"      {detail}")
        return results

    # -- 1-2: before Tracker -------------------------------------------------------------------------

    def sign_in(self) -> Observed:
        response = self._http.get("/local/token", params={"user": self.user, "plan": "agency"})
        _expect_status(response, 200)
        self._headers = {"Authorization": f"Bearer {response.json()['token']}"}
        cards = self._cards()
        connected = [c["name"] for c in cards.values() if c["status"] != "not_connected"]
        if connected:
            raise StepFailed(f"a new user should have nothing connected, but {', '.join(connected)} is")
        listed = ", ".join(c["name"] for c in cards.values())
        return Observed(f"signed in as {self.user} on the agency plan (real-time sync); cards: {listed}: not connected")

    def show_existing_chaos(self) -> Observed:
        statuses = {ANNIE: "sent", LAUREN: "SENT", TOM: "Sent", MIA: "sent "}  # typed as it came
        rows: list[list[str]] = [EXISTING_SHEET_HEADERS]
        for contact in CONTACTS:
            # Dan e-mailed each pitch from his Gmail, then noted it in his sheet.
            email = pitch_email(self.login, contact)
            self._sandbox.gmail.send_as_user(self.login, email.as_bytes())
            self._pitch_message_ids[contact] = str(email["Message-ID"])
            notes = LAUREN_NOTES_FORMULA if contact is LAUREN else ""
            rows.append([contact.name, contact.outlet, contact.email, PITCH_SUBJECT, statuses[contact], notes, "no"])
            if contact is LAUREN:
                rows.append([])  # a blank row he left between contacts
        self._spreadsheet_id = self._sandbox.sheets.create_user_spreadsheet(
            self.login, EXISTING_SHEET_TITLE, rows=rows, tab=EXISTING_SHEET_TAB
        )
        return Observed(
            f"Dan keeps campaigns in Gmail, in his own Google Sheet '{EXISTING_SHEET_TITLE}' and in his head",
            details=(
                f"columns: {', '.join(EXISTING_SHEET_HEADERS)} (no Campaign column)",
                f"{len(CONTACTS)} contacts, statuses typed {', '.join(repr(s) for s in statuses.values())}, "
                f"a blank row, a formula in Lauren's Notes: {LAUREN_NOTES_FORMULA}",
            ),
        )

    # -- 3-7: Google Sheets ----------------------------------------------------------------------------

    def connect_google_sheets(self) -> Observed:
        landed = self._connect("google-sheets")
        card = self._cards()["google-sheets"]
        if card["status"] != "connected":
            raise StepFailed(f"the card says {card['status']} after connecting")
        return Observed(
            f"one click, Allow on Google's consent page as {self.login}, back on {landed}; "
            f"card: {card['status']} ({card['connected_account']})"
        )

    def choose_existing_sheet(self) -> Observed:
        # Google Picker runs in Dan's browser: picking the file shares just that one with Tracker (drive.file).
        self._sandbox.sheets.pick(self.login, self._spreadsheet_id, LOCAL_CLIENTS["google"][0])
        # The settings screen sends back the settings' version it showed, so it never overwrites a newer change.
        version = self._api("GET", "/api/integrations/google-sheets")["version"]
        detail = self._api(
            "PUT",
            "/api/integrations/google-sheets/settings",
            json={"version": version, "spreadsheet_id": self._spreadsheet_id},
        )
        settings = detail["settings"]
        columns = settings["sheet"]["mapping"]["columns"]
        if settings.get("sync_frequency") != "real_time":
            raise StepFailed(f"an agency connection should sync in real time, not {settings.get('sync_frequency')}")
        mapped = {c["header"] for c in columns}
        if not {"Contact", "Station", "Email", "Status", "Notes"} <= mapped:
            raise StepFailed(f"columns were not matched by name: {sorted(mapped)}")
        headers = [str(h) for h in self._grid()[0]]
        id_header = settings["sheet"]["mapping"].get("id_header", "Tracker ID")
        if id_header not in headers:
            raise StepFailed(f"Tracker's id column was not added to the sheet: {headers}")
        unmapped = [h for h in EXISTING_SHEET_HEADERS if h not in mapped]
        matched = ", ".join(f"{c['header']} → {c['field']}" for c in columns)
        return Observed(
            f"picked '{EXISTING_SHEET_TITLE}' in Google's picker; {len(columns)} columns matched by name, "
            f"'{id_header}' column added, sync in real time",
            details=(f"matched: {matched}", f"left alone (Dan's own): {', '.join(unmapped) or 'none'}"),
        )

    def see_import_proposed(self) -> Observed:
        # Choosing the sheet is a change the real-time sync picks up by itself; its rows name no campaign.
        self._changed_at = time.monotonic()

        def proposed() -> dict[str, Any] | None:
            card = self._cards()["google-sheets"]
            error = card.get("last_error") or {}
            return card if error.get("code") == "import_proposed" else None

        card, took = self._wait_for("the first sync to propose importing Dan's rows", proposed)
        if self._api("GET", "/api/campaigns")["campaigns"]:
            raise StepFailed("the first sync created campaigns before Dan chose where his rows go")
        return Observed(
            f"card: {card['status']}, '{card['last_error']['message']}' ({took:.1f} s after choosing the sheet)",
            details=(f"next step: {card['last_error']['action']}",),
        )

    def preview_import(self) -> Observed:
        preview = self._api("POST", "/api/integrations/google-sheets/import", json={"dry_run": True, "campaign": {}})
        if (preview["created"], preview["skipped"]) != (len(CONTACTS), 1):
            raise StepFailed(f"the preview should create {len(CONTACTS)} pitches and skip the blank row: {preview}")
        if self._api("GET", "/api/campaigns")["campaigns"]:
            raise StepFailed("the preview changed Tracker")
        (campaign,) = preview["campaigns"]
        lines = tuple(f"row {r['row']}: {r['action']}: {r['contact'] or '-'} ({r['reason']})" for r in preview["rows"])
        return Observed(
            f"{preview['created']} to create, {preview['updated']} to update, {preview['skipped']} to skip, "
            f"into a new campaign '{campaign['title']}'; nothing changed yet",
            details=lines,
        )

    def import_sheet(self) -> Observed:
        result = self._api("POST", "/api/integrations/google-sheets/import", json={"campaign": {}})
        campaigns = self._api("GET", "/api/campaigns")["campaigns"]
        if [c["title"] for c in campaigns] != [CAMPAIGN_TITLE]:
            raise StepFailed(f"expected one campaign '{CAMPAIGN_TITLE}', got {[c['title'] for c in campaigns]}")
        self._campaign_id = campaigns[0]["campaign_id"]
        pitches = self._api("GET", f"/api/campaigns/{self._campaign_id}/pitches")["pitches"]
        by_email = {p["email"]: p for p in pitches}
        if len(pitches) != len(CONTACTS) or any(by_email[c.email]["status"] != "sent" for c in CONTACTS):
            raise StepFailed(f"expected one sent pitch per contact, got {[(p['email'], p['status']) for p in pitches]}")
        self._pitch_ids = {c: by_email[c.email]["pitch_id"] for c in CONTACTS}
        self._changed_at = time.monotonic()
        return Observed(
            f"campaign '{CAMPAIGN_TITLE}' with {len(pitches)} pitches, one per contact, all 'sent' "
            f"whatever their case in the sheet ({result['created']} created, {result['skipped']} skipped)"
        )

    def import_again(self) -> Observed:
        again = self._api("POST", "/api/integrations/google-sheets/import", json={"campaign": {}})
        pitches = self._api("GET", f"/api/campaigns/{self._campaign_id}/pitches")["pitches"]
        if again["created"] or len(pitches) != len(CONTACTS):
            raise StepFailed(f"a second import created {again['created']} pitches; Tracker has {len(pitches)}")
        return Observed(f"nothing created: {again['skipped']} rows skipped, e.g. '{again['rows'][0]['reason']}'")

    def see_rows_in_sheet(self) -> Observed:
        def all_rows() -> dict[Contact, SheetRow] | None:
            rows = {contact: self._sheet_row(contact) for contact in CONTACTS}
            return None if any(row is None for row in rows.values()) else {c: r for c, r in rows.items() if r}

        rows, took = self._wait_for("Dan's rows to carry their Tracker IDs", all_rows)
        formulas = self._sandbox.sheets.formula_cells(self._spreadsheet_id, EXISTING_SHEET_TAB)
        notes = _column_letter(EXISTING_SHEET_HEADERS.index("Notes"))
        if formulas != {f"{notes}{rows[LAUREN].number}": LAUREN_NOTES_FORMULA}:
            raise StepFailed(f"Dan's formula did not survive: {formulas}")
        return Observed(
            f"each of Dan's {len(rows)} rows carries its Tracker ID ({took:.1f} s after the import), in place; "
            "his formula and his own column untouched",
            seconds=took,
        )

    def show_sync_log(self) -> Observed:
        logs = self._api("GET", "/api/integrations/google-sheets/logs")["logs"]
        run = next((log for log in logs if log["records_created"] >= len(CONTACTS)), None)
        if run is None:
            raise StepFailed(f"no run imported the {len(CONTACTS)} rows: {logs}")
        if run["outcome"] != "success":
            raise StepFailed(f"the run that wrote the rows ended {run['outcome']}: {run['errors']}")
        return Observed(_describe_run(run))

    def mark_replied_in_sheet(self) -> Observed:
        row = self._sheet_row(LAUREN)
        if row is None:
            raise StepFailed("Lauren Price's row is not in the sheet")
        status_column = _column_letter([str(h) for h in self._grid()[0]].index("Status"))
        # The VA types in the sheet; Google then tells Tracker through the Drive channel the sync opened.
        self._sandbox.sheets.set_cells(
            self._spreadsheet_id, f"'{EXISTING_SHEET_TAB}'!{status_column}{row.number}", [["Replied"]]
        )
        self._changed_at = time.monotonic()
        return Observed(
            f"row {row.number} ({LAUREN.label}) Status: {row.cells.get('Status')} → Replied, typed in Google Sheets"
        )

    def see_tracker_know(self) -> Observed:
        def replied() -> dict[str, Any] | None:
            pitch = self._pitch(LAUREN)
            return pitch if pitch["status"] == "replied" else None

        pitch, took = self._wait_for("Tracker to show Lauren Price's pitch as replied", replied)
        logs = self._api("GET", "/api/integrations/google-sheets/logs")["logs"]
        run = next((log for log in logs if log["records_updated"] >= 1), None)
        if run is None:
            raise StepFailed(f"no sync run logged the update from the sheet: {logs}")
        return Observed(
            f"{LAUREN.label} is '{pitch['status']}' in Tracker, {took:.1f} s after the edit "
            "(Drive's push notification, no Sync now)",
            seconds=took,
            details=(f"sync log: {_describe_run(run)}",),
        )

    # -- 10-15: Gmail ----------------------------------------------------------------------------------

    def connect_gmail(self) -> Observed:
        landed = self._connect("gmail")
        # Connecting does not check the mailbox by itself; the first check (also what registers Gmail's push)
        # comes with the next scheduled tick or Sync now, which the demo presses rather than wait minutes.
        self._api("POST", "/api/integrations/gmail/sync", expect=202)
        self._changed_at = time.monotonic()

        def threads_found() -> list[dict[str, Any]] | None:
            pitches = [self._pitch(contact) for contact in CONTACTS]
            return pitches if all(p["sent_thread"] for p in pitches) else None

        _, took = self._wait_for("the first Gmail check to find the pitch e-mails", threads_found)
        watches = self._sandbox.gmail.watches(self.login)
        if not watches:
            raise StepFailed("the first check did not ask Gmail to push new mail (no users.watch)")
        card = self._cards()["gmail"]
        if card["status"] != "connected":
            raise StepFailed(f"the Gmail card says {card['status']}: {card.get('last_error')}")
        return Observed(
            f"Allow as {self.login}, back on {landed}; first check (Sync now) found the {len(CONTACTS)} pitch "
            f"e-mails in Sent in {took:.1f} s and Gmail now pushes new mail (watch on {watches[0].topic})"
        )

    def annie_replies(self) -> Observed:
        reply = reply_email(
            self.login,
            ANNIE,
            self._pitch_message_ids[ANNIE],
            "Hi Dan,\n\nLove this one! We'll add Northern Lights to the playlist next week. "
            "Could you send over the radio edit?\n\nAnnie",
        )
        self._sandbox.gmail.deliver(self.login, reply.as_bytes())
        self._changed_at = self._reply_landed_at = time.monotonic()
        pitch, took = self._wait_for("Annie Mac's reply to reach her pitch", self._pitch_with_reply(ANNIE))
        category = pitch["reply"]["category"]
        if pitch["status"] not in {"replied", "interested"} or category not in {"replied", "interested"}:
            raise StepFailed(f"expected a reply, got status {pitch['status']} and category {category}")
        return Observed(
            f"{ANNIE.label}: sent → {pitch['status']} (reply category {category}, confidence "
            f"{pitch['reply']['confidence']:.2f}), {took:.1f} s after it landed in Gmail (push, no Sync now)",
            seconds=took,
        )

    def show_reply_details(self) -> Observed:
        reply = self._pitch(ANNIE)["reply"]
        link = reply["open_in_gmail_url"]
        if not link.startswith("https://mail.google.com/") or reply["gmail_message_id"] not in link:
            raise StepFailed(f"the Open in Gmail link does not point at the reply: {link}")
        preview = " ".join(reply["preview"].split())
        if "Love this one" not in preview or ">" in preview:
            raise StepFailed(f"the preview should be Annie's words without the quoted pitch: {preview!r}")
        return Observed(f"received {reply['received_at']}", details=(f"preview: '{preview}'", f"Open in Gmail: {link}"))

    def pitch_bounces(self) -> Observed:
        self._sandbox.gmail.deliver(self.login, bounce_email(self.login, MIA.email))
        self._changed_at = time.monotonic()
        pitch, took = self._wait_for("the bounce to reach Mia Chen's pitch", self._pitch_with_reply(MIA))
        if pitch["status"] != "bounced" or pitch["reply"]["bounce_type"] != "hard":
            raise StepFailed(f"expected a hard bounce, got status {pitch['status']} and reply {pitch['reply']}")
        return Observed(
            f"{MIA.label}: sent → bounced (hard: the address no longer exists), {took:.1f} s after the "
            "mailer daemon's report arrived",
            seconds=took,
        )

    def out_of_office_arrives(self) -> Observed:
        back_on = date.today() + timedelta(days=10)
        email = out_of_office_email(self.login, TOM, self._pitch_message_ids[TOM], back_on)
        self._sandbox.gmail.deliver(self.login, email.as_bytes())
        self._changed_at = time.monotonic()
        pitch, took = self._wait_for("the out-of-office to reach Tom Reid's pitch", self._pitch_with_reply(TOM))
        if pitch["status"] != "sent" or pitch["reply"]["category"] != "auto_reply" or not pitch["follow_up_on"]:
            raise StepFailed(
                f"expected the pitch to stay sent with a follow-up date, got status {pitch['status']}, "
                f"category {pitch['reply']['category']}, follow-up {pitch['follow_up_on']}"
            )
        return Observed(
            f"{TOM.label} stays sent: out of office until {pitch['reply']['return_date']}, follow up on "
            f"{pitch['follow_up_on']}, {took:.1f} s after the automatic reply arrived",
            seconds=took,
        )

    def see_sheet_follow_gmail(self) -> Observed:
        expected = {contact: _status_label(self._pitch(contact)["status"]) for contact in (ANNIE, MIA)}

        def rows_updated() -> list[SheetRow] | None:
            rows = [self._sheet_row(contact) for contact in expected]
            matches = all(row and row.cells.get("Status") == expected[c] for c, row in zip(expected, rows, strict=True))
            return [row for row in rows if row] if matches else None

        # Gmail's updates are Tracker changes like any other, so they reach the sheet by the table's stream.
        self._changed_at = self._reply_landed_at
        rows, took = self._wait_for("the sheet to show what Gmail found", rows_updated)
        shown = ", ".join(f"{row.describe()} (row {row.number})" for row in rows)
        return Observed(f"the VA sees {shown}, {took:.1f} s after Annie's reply landed in Gmail", seconds=took)

    # -- 16-17: what the UI shows ----------------------------------------------------------------------

    def show_notifications(self) -> Observed:
        feed = self._api("GET", "/api/notifications")["notifications"]
        wanted = {"reply_received": ANNIE, "bounced": MIA, "out_of_office": TOM}
        found: list[str] = []
        for kind, contact in wanted.items():
            notice = next((n for n in feed if n["kind"] == kind and n["pitch_id"] == self._pitch_ids[contact]), None)
            if notice is None:
                raise StepFailed(f"no {kind} notification for {contact.name}; the feed has {[n['kind'] for n in feed]}")
            found.append(f"{kind}: '{notice['message']}'")
        return Observed(f"{len(feed)} in the feed, one per e-mail Gmail matched", details=tuple(found))

    def show_cards(self) -> Observed:
        cards = self._cards()
        shown = []
        for provider in ("google-sheets", "gmail", "airtable"):
            card = cards[provider]
            if card["status"] != "connected" or card.get("last_error"):
                raise StepFailed(f"the {card['name']} card says {card['status']}: {card.get('last_error')}")
            if not card.get("last_sync_at"):
                raise StepFailed(f"the {card['name']} card shows no sync")
            shown.append(
                f"{card['name']}: {card['status']} as {card['connected_account']}, "
                f"last sync {_ago(card['last_sync_at'])}, {card['records_synced']} records synced, no errors"
            )
        others = ", ".join(c["name"] for p, c in cards.items() if p not in {"google-sheets", "gmail", "airtable"})
        return Observed(f"Google Sheets, Gmail and Airtable connected; {others} still to connect", details=tuple(shown))

    # -- Airtable (local_stack/demo_airtable.py) -------------------------------------------------------

    def _airtable_step(self, step: Callable[[AirtableDemo], Seen]) -> Callable[[], Observed]:
        def run() -> Observed:
            try:
                seen = step(self._airtable)
            except AirtableStepFailed as exc:
                raise StepFailed(str(exc)) from exc
            return Observed(seen.text, seen.seconds, seen.details)

        return run

    def _mark_changed(self) -> None:
        self._changed_at = time.monotonic()

    # -- helpers -------------------------------------------------------------------------------------

    def _api(self, method: str, path: str, *, expect: int = 200, json: object = None) -> Any:
        response = self._http.request(method, path, headers=self._headers, json=json)
        _expect_status(response, expect)
        return response.json() if response.content else None

    def _cards(self) -> dict[str, dict[str, Any]]:
        return {card["provider"]: card for card in self._api("GET", "/api/integrations")["integrations"]}

    def _connect(self, provider: str) -> str:
        """Connect as the UI does: ask for the consent URL, click Allow there, follow the redirect to Tracker."""
        authorization_url = self._api("POST", f"/api/integrations/{provider}/connect")["authorization_url"]
        callback_url = approve(authorization_url, login=self.login, client=self._http)
        response = self._http.get(callback_url)
        _expect_status(response, 302)
        landing = urlsplit(response.headers["Location"])
        query = {k: v[0] for k, v in parse_qs(landing.query).items()}
        if query.get("status") != "connected":
            raise StepFailed(f"connecting {provider} landed on {landing.geturl()}: {query.get('message')}")
        return landing.path

    def _pitch(self, contact: Contact) -> dict[str, Any]:
        pitch: dict[str, Any] = self._api(
            "GET", f"/api/campaigns/{self._campaign_id}/pitches/{self._pitch_ids[contact]}"
        )
        return pitch

    def _pitch_with_reply(self, contact: Contact) -> Callable[[], dict[str, Any] | None]:
        def probe() -> dict[str, Any] | None:
            pitch = self._pitch(contact)
            return pitch if pitch["reply"] else None

        return probe

    def _grid(self) -> list[list[Any]]:
        return [list(row) for row in self._sandbox.sheets.read_grid(self._spreadsheet_id, EXISTING_SHEET_TAB)]

    def _sheet_row(self, contact: Contact) -> SheetRow | None:
        """The contact's row, found by Tracker's id column as the sync finds it (never by position)."""
        grid = self._grid()
        header = [str(h) for h in grid[0]]
        for number, raw in enumerate(grid[1:], start=2):
            cells = {name: raw[i] if i < len(raw) else None for i, name in enumerate(header)}
            if cells.get("Tracker ID") == self._pitch_ids[contact]:
                return SheetRow(number, cells)
        return None

    def _wait_for[T](self, what: str, probe: Callable[[], T | None]) -> tuple[T, float]:
        """Play Lambda's pollers (the SQS queues and the table's stream) until `probe` sees the change;
        returns what it saw and the seconds since the change was made."""
        while True:
            self._running.stack.run_queued_jobs()
            seen = probe()
            took = time.monotonic() - self._changed_at
            if seen is not None:
                return seen, took
            if took > self._wait_limit:
                raise StepFailed(f"waited {self._wait_limit:.0f} s for {what}, in vain")
            time.sleep(_POLL_SECONDS)


def _expect_status(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        request = response.request
        body = " ".join(response.text.split())[:300]  # an error page's markup, on one line
        raise StepFailed(f"{request.method} {request.url.path} answered {response.status_code}, not {status}: {body}")


def _describe_run(run: dict[str, Any]) -> str:
    direction = {"to_provider": "Tracker → sheet", "from_provider": "sheet → Tracker", "both": "both ways"}
    return (
        f"{direction.get(run['direction'], run['direction'])}, {run['outcome']}: {run['records_read']} rows read, "
        f"{run['records_created']} created, {run['records_updated']} updated, {run['conflicts']} conflicts, "
        f"{run['provider_calls']} Google call{'' if run['provider_calls'] == 1 else 's'}, {run['duration_ms']} ms"
    )


def _status_label(status: str) -> str:
    return status.replace("_", " ").capitalize()  # as the sync writes Tracker's statuses into a sheet


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _ago(timestamp: str) -> str:
    seconds = (datetime.now(UTC) - datetime.fromisoformat(timestamp)).total_seconds()
    return f"{max(seconds, 0):.0f} s ago"


def run_demo(
    running: RunningStack, *, user: str = "dan", out: Output = print, wait_limit: float = WAIT_LIMIT_SECONDS
) -> list[StepResult]:
    """Run every step against `running` as the local user `user` (agency plan), printing each with `out`.
    Stops at the first step that fails; its result has passed=False and says why."""
    with httpx.Client(base_url=running.base_url, follow_redirects=False, timeout=30) as http:
        return DemoScript(running, http, user=user, out=out, wait_limit=wait_limit).run()


def main() -> int:
    # The demo plays Google's side through the sandbox, so it never uses real credentials from the shell.
    for app in LOCAL_CLIENTS:
        for suffix in ("_CLIENT_ID", "_CLIENT_SECRET"):
            os.environ.pop(f"{app.upper()}{suffix}", None)  # noqa: TID251  # this process's own environment
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tracker-demo-") as state_dir:
        running = serve_local_stack("127.0.0.1", 0, state_dir=Path(state_dir), quiet=True)
        # The handlers' INFO lines are meant for CloudWatch; here they would bury the steps. Warnings still show.
        app_logger.setLevel(logging.WARNING)
        try:
            print(f"Tracker Integrations demo: a fresh local stack on {running.base_url} (moto, provider sandbox)\n")
            results = run_demo(running)
        finally:
            running.stop()
    elapsed = time.monotonic() - started
    failed = next((r for r in results if not r.passed), None)
    if failed is not None:
        print(f"\nDEMO FAILED at step {failed.number} ({failed.title}): {failed.observed}", file=sys.stderr)
        return 1
    print(f"\nAll {len(results)} steps passed in {elapsed:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
