"""Gmail API v1 (users.getProfile, messages, threads, labels, history, watch/stop) and its Pub/Sub push.

Served at gmail.googleapis.com/gmail/v1/users/{userId}/... (the discovery document's rootUrl, and Tracker's);
users.getProfile also at www.googleapis.com/gmail/v1/..., which a contract test compares. Point
google-api-python-client at the sandbox with `client_options={"api_endpoint": f"{public_base}/gmail.googleapis.com/"}`.

Python control API (`sandbox.gmail`, a `GmailService`; mailbox address = the Google login):

    sandbox.gmail.deliver(login_or_email, raw: bytes, label_ids=("INBOX", "UNREAD"), *, received_at=None) -> str
    sandbox.gmail.send_as_user(login, raw: bytes, *, sent_at=None) -> str          # label SENT
    sandbox.gmail.modify_labels(login, message_id, *, add=(), remove=()) -> list[str]
    sandbox.gmail.mark_read(login, message_id) -> list[str]                        # remove UNREAD
    sandbox.gmail.delete_message(login, message_id) -> None                        # messageDeleted
    sandbox.gmail.create_label(login, name) -> str                                 # "Label_1"
    sandbox.gmail.expire_history(login) -> int        # older startHistoryIds now get 404
    sandbox.gmail.history_retention = timedelta(days=7)   # None: keep history forever
    sandbox.gmail.messages(login) -> list[MessageInfo]; .raw(login, id) -> bytes; .history_id(login) -> int
    sandbox.gmail.watches(login) -> list[Watch]; .expire_watches(login) -> int
    sandbox.gmail.create_topic("projects/p/topics/t", *, gmail_can_publish=True) -> Topic
    sandbox.gmail.create_push_subscription(topic, endpoint, audience=None,
                                           service_account_email=PUSH_SERVICE_ACCOUNT, *, name=None)
    sandbox.gmail.flush_push(timeout=10.0) -> list[PushDelivery]   # waits for queued pushes
    sandbox.gmail.push_deliveries() -> list[PushDelivery]
    sandbox.gmail.user_units_per_second = 250   # None: unlimited; .reset_quotas()

Every Gmail change to a mailbox with an unexpired watch whose label filter matches publishes
`{"emailAddress": address, "historyId": <number>}` to the watch's topic; each push subscription of the
topic gets the Pub/Sub push POST with a Google-signed JWT (see pubsub.py). HTTP controls live under
/_control/gmail/ (gmail_control.py).
"""

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox import gmail_mime
from provider_sandbox.fieldmask import Mask, apply_mask
from provider_sandbox.gmail_control import GmailControl
from provider_sandbox.gmail_mailbox import (
    HISTORY_TYPES,
    SYSTEM_LABEL_IDS,
    WATCH_LIFETIME,
    FilterBehavior,
    GmailService,
    HistoryRecord,
    Mailbox,
    StoredMessage,
    Watch,
)
from provider_sandbox.gmail_query import QueryError, parse_query
from provider_sandbox.google import SCOPE_PREFIX, google_api_error_style
from provider_sandbox.google_api import (
    NOT_FOUND_MESSAGE,
    GoogleApiError,
    api_handler,
    authenticate,
    bad_request,
    bool_param,
    check_params,
    fields_mask,
    invalid_fields_parameter,
    json_body,
    not_found,
)
from provider_sandbox.oauth import AccessToken
from provider_sandbox.pubsub import TOPIC_NAME
from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, SandboxContext

HOST = "gmail.googleapis.com"
ALIAS_HOST = "www.googleapis.com"
BASE = "/gmail/v1/users/<user_id>"
MAIL = "https://mail.google.com/"
MODIFY = SCOPE_PREFIX + "gmail.modify"
READONLY = SCOPE_PREFIX + "gmail.readonly"
METADATA = SCOPE_PREFIX + "gmail.metadata"
READ_SCOPES = frozenset({MAIL, MODIFY, READONLY, METADATA})
PROFILE_SCOPES = READ_SCOPES | {SCOPE_PREFIX + "gmail.compose"}
GET_SCOPES = READ_SCOPES | {
    SCOPE_PREFIX + "gmail.addons.current.message.action",
    SCOPE_PREFIX + "gmail.addons.current.message.metadata",
    SCOPE_PREFIX + "gmail.addons.current.message.readonly",
}
_RPC = "gmail.googleapis.com/caribou.api.proto.MailboxService."

# Quota units per method (Gmail's usage table).
UNITS = {
    "getProfile": 1,
    "history.list": 2,
    "messages.list": 5,
    "messages.get": 5,
    "watch": 100,
    "stop": 50,
}
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
_ID = re.compile(r"^[0-9a-f]{16}$")

Format = Literal["minimal", "full", "raw", "metadata"]
FORMATS: tuple[Format, ...] = ("minimal", "full", "raw", "metadata")


# Parameters ---------------------------------------------------------------------------------------------


def _format(request: Request, access: AccessToken, allowed: tuple[Format, ...] = FORMATS) -> Format:
    value = request.args.get("format", "full").lower()
    chosen = next((f for f in allowed if f == value), None)
    if chosen is None:
        raise bad_request(
            f"Invalid value at 'format' (type.googleapis.com/caribou.api.proto.Format), \"{value}\"",
            reason="invalidArgument",
        )
    if chosen in {"full", "raw"} and METADATA in access.scopes:
        raise GoogleApiError(403, f"Metadata scope doesn't allow format {chosen.upper()}", reason="forbidden")
    return chosen


def _page_size(request: Request) -> int:
    raw = request.args.get("maxResults", str(DEFAULT_PAGE_SIZE))
    try:
        size = int(raw)
    except ValueError as exc:
        raise bad_request(f"Invalid value at 'max_results' (TYPE_UINT32), \"{raw}\"", reason="invalidArgument") from exc
    if size < 0:
        raise bad_request(f"Invalid value at 'max_results' (TYPE_UINT32), \"{raw}\"", reason="invalidArgument")
    # Gmail caps the page at 500 and treats 0 as the default.
    return min(size, MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE


def _encode_token(cursor: Mapping[str, JsonValue]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise bad_request("Invalid pageToken", reason="invalidArgument") from exc
    if not isinstance(data, dict) or data.get("f") != fingerprint:
        raise bad_request("Invalid pageToken", reason="invalidArgument")
    return data


def _fingerprint(request: Request, access: AccessToken, *names: str) -> str:
    parts = [access.login.casefold(), *(f"{n}={request.args.getlist(n)}" for n in names)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _mask(request: Request, schema: str) -> Mask | None:
    return fields_mask(request, "gmail", "v1", schema, invalid=invalid_fields_parameter)


def _answer(request: Request, body: dict[str, JsonValue], schema: str) -> Response:
    mask = _mask(request, schema)
    return json_response(body if mask is None else apply_mask(body, mask))


# Rendering ----------------------------------------------------------------------------------------------


def _metadata_payload(message: StoredMessage, wanted: list[str]) -> dict[str, JsonValue]:
    names = {w.casefold() for w in wanted}
    return {
        "mimeType": message.parsed.get_content_type(),
        "headers": [
            {"name": name, "value": value}
            for name, value in gmail_mime.headers(message.parsed)
            if not names or name.casefold() in names
        ],
    }


def message_json(message: StoredMessage, fmt: Format, metadata_headers: list[str]) -> dict[str, JsonValue]:
    """The Message resource in one of Gmail's formats."""
    body: dict[str, JsonValue] = {"id": message.message_id, "threadId": message.thread_id}
    if message.labels:
        body["labelIds"] = list[JsonValue](message.labels)
    body["snippet"] = gmail_mime.snippet(message.parsed)
    if fmt == "full":
        body["payload"] = gmail_mime.payload(message.parsed, message.message_id)
    elif fmt == "metadata":
        body["payload"] = _metadata_payload(message, metadata_headers)
    body["sizeEstimate"] = len(message.raw)
    if fmt == "raw":
        body["raw"] = gmail_mime.b64url(message.raw)
    body["historyId"] = str(message.history_id)
    body["internalDate"] = str(message.internal_date_ms)
    return body


def _brief(record: HistoryRecord) -> dict[str, JsonValue]:
    return {"id": record.message_id, "threadId": record.thread_id}


def _with_labels(record: HistoryRecord) -> dict[str, JsonValue]:
    brief = _brief(record)
    if record.labels:
        brief["labelIds"] = list[JsonValue](record.labels)
    return brief


_HISTORY_KEYS: dict[str, str] = {
    "messageAdded": "messagesAdded",
    "messageDeleted": "messagesDeleted",
    "labelAdded": "labelsAdded",
    "labelRemoved": "labelsRemoved",
}


def history_json(record: HistoryRecord) -> dict[str, JsonValue]:
    change: dict[str, JsonValue] = {"message": _with_labels(record)}
    if record.kind in {"labelAdded", "labelRemoved"}:
        change["labelIds"] = list[JsonValue](record.changed_labels)
    return {"id": str(record.history_id), "messages": [_brief(record)], _HISTORY_KEYS[record.kind]: [change]}


# The API --------------------------------------------------------------------------------------------------


class GmailApi:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.service = GmailService.of(ctx)

    def install(self, router: Router) -> None:
        router.host_style(HOST, google_api_error_style)
        GmailControl(self.service).install(router)
        routes: list[tuple[str, str, Callable[[Request, Mapping[str, Any]], Response]]] = [
            ("GET", "/profile", self.get_profile),
            ("GET", "/messages", self.list_messages),
            ("GET", "/messages/<message_id>", self.get_message),
            ("GET", "/history", self.list_history),
            ("POST", "/watch", self.watch),
            ("POST", "/stop", self.stop),
        ]
        for method, path, handler in routes:
            router.add(HOST, BASE + path, [method], api_handler(handler), google_api_error_style)
        router.add(ALIAS_HOST, BASE + "/profile", ["GET"], api_handler(self.get_profile), google_api_error_style)

    # Shared steps: authenticate, check userId, charge quota.

    def _begin(
        self, request: Request, values: Mapping[str, Any], scopes: frozenset[str], rpc: str, units: int
    ) -> tuple[AccessToken, Mailbox]:
        access = authenticate(self.ctx, request, scopes, _RPC + rpc)
        user_id = str(values["user_id"])
        if user_id != "me" and user_id.casefold() != access.login.casefold():
            raise GoogleApiError(403, f"Delegation denied for {access.login}", reason="forbidden")
        self.service.charge(access, units)
        return access, self.service.mailbox(access.login)

    @staticmethod
    def _no_query_with_metadata(request: Request, access: AccessToken) -> None:
        if "q" in request.args and METADATA in access.scopes:
            raise GoogleApiError(403, "Metadata scope does not support 'q' parameter", reason="forbidden")

    @staticmethod
    def _message(mailbox: Mailbox, message_id: str) -> StoredMessage:
        if not _ID.fullmatch(message_id):
            raise bad_request("Invalid id value", reason="invalidArgument")
        message = mailbox.messages.get(message_id)
        if message is None:
            raise not_found(NOT_FOUND_MESSAGE)
        return message

    # users.getProfile

    def get_profile(self, request: Request, values: Mapping[str, Any]) -> Response:
        _access, mailbox = self._begin(request, values, PROFILE_SCOPES, "GetProfile", UNITS["getProfile"])
        check_params(request, ())
        with self.ctx.lock:
            body: dict[str, JsonValue] = {
                "emailAddress": mailbox.address,
                "messagesTotal": len(mailbox.messages),
                "threadsTotal": len({m.thread_id for m in mailbox.messages.values()}),
                "historyId": str(mailbox.history_id),
            }
        return _answer(request, body, "Profile")

    # users.messages

    def _matching(self, request: Request, access: AccessToken, mailbox: Mailbox) -> list[StoredMessage]:
        """Messages matching q, labelIds and includeSpamTrash, newest first."""
        self._no_query_with_metadata(request, access)
        label_ids = request.args.getlist("labelIds")
        for label in label_ids:
            if label not in SYSTEM_LABEL_IDS and label not in mailbox.user_labels:
                raise bad_request(f"Invalid label: {label}", reason="invalidArgument")
        try:
            query = parse_query(request.args.get("q", ""), self.ctx.clock(), mailbox.label_id)
        except QueryError as exc:
            raise bad_request("Invalid query", reason="invalidArgument") from exc
        include_spam_trash = (
            bool_param(request, "includeSpamTrash")
            or query.includes_spam_trash
            or bool({"SPAM", "TRASH"} & set(label_ids))
        )
        found = [
            m
            for m in mailbox.messages.values()
            if all(label in m.labels for label in label_ids)
            and (include_spam_trash or not {"SPAM", "TRASH"} & set(m.labels))
            and query.predicate(m.searchable(mailbox.address))
        ]
        return sorted(found, key=lambda m: (m.internal_date_ms, m.message_id), reverse=True)

    @staticmethod
    def _page[T](
        request: Request, items: list[T], key: Callable[[T], list[JsonValue]], fingerprint: str
    ) -> tuple[list[T], str | None]:
        """A page after the token's cursor (the last item of the previous page), and the next token."""
        size = _page_size(request)
        token = request.args.get("pageToken")
        start = 0
        if token:
            cursor = _decode_token(token, fingerprint).get("c")
            keys = [key(item) for item in items]
            start = next((i for i, k in enumerate(keys) if _before(cursor, k)), len(items))
        page = items[start : start + size]
        more = start + size < len(items)
        return page, _encode_token({"c": key(page[-1]), "f": fingerprint}) if more and page else None

    def list_messages(self, request: Request, values: Mapping[str, Any]) -> Response:
        access, mailbox = self._begin(request, values, READ_SCOPES, "ListMessages", UNITS["messages.list"])
        check_params(request, ("q", "labelIds", "maxResults", "pageToken", "includeSpamTrash"))
        fingerprint = _fingerprint(request, access, "q", "labelIds", "includeSpamTrash")
        with self.ctx.lock:
            found = self._matching(request, access, mailbox)
            page, next_token = self._page(request, found, _message_key, fingerprint)
            body: dict[str, JsonValue] = {}
            if page:
                body["messages"] = [{"id": m.message_id, "threadId": m.thread_id} for m in page]
            if next_token:
                body["nextPageToken"] = next_token
            body["resultSizeEstimate"] = len(found)
        return _answer(request, body, "ListMessagesResponse")

    def get_message(self, request: Request, values: Mapping[str, Any]) -> Response:
        access, mailbox = self._begin(request, values, GET_SCOPES, "GetMessage", UNITS["messages.get"])
        check_params(request, ("format", "metadataHeaders"))
        fmt = _format(request, access)
        with self.ctx.lock:
            message = self._message(mailbox, str(values["message_id"]))
            body = message_json(message, fmt, request.args.getlist("metadataHeaders"))
        return _answer(request, body, "Message")

    # users.history

    def list_history(self, request: Request, values: Mapping[str, Any]) -> Response:
        access, mailbox = self._begin(request, values, READ_SCOPES, "ListHistory", UNITS["history.list"])
        check_params(request, ("startHistoryId", "historyTypes", "labelId", "maxResults", "pageToken"))
        raw_start = request.args.get("startHistoryId")
        if raw_start is None:
            raise bad_request("startHistoryId is required", reason="invalidArgument")
        if not raw_start.isdigit():
            raise bad_request(
                f"Invalid value at 'start_history_id' (TYPE_UINT64), \"{raw_start}\"", reason="invalidArgument"
            )
        start = int(raw_start)
        types = request.args.getlist("historyTypes")
        for kind in types:
            if kind not in HISTORY_TYPES:
                raise bad_request(
                    f"Invalid value at 'history_types' (type.googleapis.com/caribou.api.proto.HistoryType), \"{kind}\"",
                    reason="invalidArgument",
                )
        label_id = request.args.get("labelId")
        fingerprint = _fingerprint(request, access, "startHistoryId", "historyTypes", "labelId")
        with self.ctx.lock:
            retained = self.service.retained_history(mailbox)
            if start < mailbox.history_floor:
                raise not_found(NOT_FOUND_MESSAGE)
            records = [
                r
                for r in retained
                if r.history_id > start
                and (not types or r.kind in types)
                and (label_id is None or label_id in r.labels or label_id in r.changed_labels)
            ]
            page, next_token = self._page(request, records, lambda r: [r.history_id], fingerprint)
            body: dict[str, JsonValue] = {}
            if page:
                body["history"] = [history_json(r) for r in page]
            if next_token:
                body["nextPageToken"] = next_token
            body["historyId"] = str(mailbox.history_id)
        return _answer(request, body, "ListHistoryResponse")

    # users.watch and users.stop

    def watch(self, request: Request, values: Mapping[str, Any]) -> Response:
        access, mailbox = self._begin(request, values, READ_SCOPES, "Watch", UNITS["watch"])
        check_params(request, ())
        body = json_body(request)
        topic_name = body.get("topicName")
        if not topic_name:
            raise bad_request("topicName required", reason="invalidArgument")
        if not isinstance(topic_name, str) or TOPIC_NAME.fullmatch(topic_name) is None:
            raise bad_request(
                "Invalid topicName does not match projects/SOME_ANDROID_PROJECT/topics/*", reason="invalidArgument"
            )
        label_ids, behavior = self._label_filter(body, mailbox)
        topic = self.service.pubsub.topic(topic_name)
        if topic is None:
            short = topic_name.rsplit("/", 1)[-1]
            raise GoogleApiError(
                404,
                f"Error sending test message to Cloud PubSub {topic_name} : Resource not found (resource={short}).",
                reason="notFound",
            )
        if not topic.gmail_can_publish:
            raise GoogleApiError(
                403,
                f"Error sending test message to Cloud PubSub {topic_name} : "
                "User not authorized to perform this action.",
                reason="forbidden",
            )
        with self.ctx.lock:
            expiration = self.ctx.clock() + WATCH_LIFETIME
            mailbox.watches[access.client_id] = Watch(access.client_id, topic_name, label_ids, behavior, expiration)
            answer: dict[str, JsonValue] = {
                "historyId": str(mailbox.history_id),
                "expiration": str(int(expiration.timestamp() * 1000)),
            }
        return _answer(request, answer, "WatchResponse")

    @staticmethod
    def _label_filter(body: Mapping[str, Any], mailbox: Mailbox) -> tuple[tuple[str, ...], FilterBehavior]:
        label_ids = body.get("labelIds") or []
        if not isinstance(label_ids, list) or not all(isinstance(x, str) for x in label_ids):
            raise bad_request("Invalid JSON payload received. labelIds must be a list of strings.")
        for label in label_ids:
            if label not in SYSTEM_LABEL_IDS and label not in mailbox.user_labels:
                raise bad_request(f"Invalid label: {label}", reason="invalidArgument")
        # labelFilterBehavior replaces the deprecated labelFilterAction; when set, the old one is ignored.
        field, raw = (
            ("label_filter_behavior", body["labelFilterBehavior"])
            if body.get("labelFilterBehavior") is not None
            else ("label_filter_action", body.get("labelFilterAction", "include"))
        )
        behavior = str(raw).lower()
        if behavior == "include":
            return tuple(label_ids), "include"
        if behavior == "exclude":
            return tuple(label_ids), "exclude"
        raise bad_request(
            f"Invalid value at '{field}' (type.googleapis.com/caribou.api.proto.WatchRequest.LabelFilterAction), "
            f'"{raw}"',
            reason="invalidArgument",
        )

    def stop(self, request: Request, values: Mapping[str, Any]) -> Response:
        access, mailbox = self._begin(request, values, READ_SCOPES, "Stop", UNITS["stop"])
        check_params(request, ())
        with self.ctx.lock:
            mailbox.watches.pop(access.client_id, None)
        return Response(status=204)


def _message_key(message: StoredMessage) -> list[JsonValue]:
    # Newest first: page order is ascending in these keys.
    return [-message.internal_date_ms, -int(message.message_id, 16)]


def _before(cursor: Any, key: list[JsonValue]) -> bool:
    """Whether `key` comes after the cursor in page order (ascending keys)."""
    if not isinstance(cursor, list):
        raise bad_request("Invalid pageToken", reason="invalidArgument")
    try:
        return bool(key > cursor)
    except TypeError as exc:
        raise bad_request("Invalid pageToken", reason="invalidArgument") from exc
