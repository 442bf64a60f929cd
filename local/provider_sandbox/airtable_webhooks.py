"""Airtable's webhooks API: /v0/bases/{baseId}/webhooks, their payloads, and the pings they send.

Served: POST (create with a specification), GET (list), DELETE /{webhookId}, POST /{webhookId}/refresh,
GET /{webhookId}/payloads (cursor, limit, mightHaveMore). Each write transaction on a watched table
adds one payload to each webhook whose filters match, and pings its notificationUrl with
{"base": {"id"}, "webhook": {"id"}, "timestamp"}, signed "hmac-sha256=" + hex HMAC-SHA256 of the raw
body under the base64-decoded macSecretBase64 in X-Airtable-Content-MAC. A webhook expires 7 days after
its creation or last refresh (on the sandbox clock) and is then gone, as if deleted.
"""

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.airtable import API_HOST, airtable_user_id
from provider_sandbox.airtable_cells import format_datetime
from provider_sandbox.airtable_records import READ, AirtableGate, ApiError, json_body
from provider_sandbox.airtable_store import Base, Transaction, new_id
from provider_sandbox.airtable_workspace import AirtableWorkspace
from provider_sandbox.identity import display_name
from provider_sandbox.push import PushSender
from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, SandboxContext

MANAGE = "webhook:manage"
LIFETIME = timedelta(days=7)
MAX_PAYLOADS_PER_PAGE = 50
_CHANGE_TYPES = frozenset({"add", "remove", "update"})
_SOURCES = frozenset({"client", "publicApi", "formSubmission", "automation", "system", "sync", "anonymousUser"})


@dataclass
class Webhook:
    id: str
    base_id: str
    notification_url: str | None
    specification: dict[str, Any]
    mac_secret: bytes
    expiration_time: datetime
    # Payload i has cursor i + 1.
    payloads: list[JsonValue] = field(default_factory=list)

    @property
    def filters(self) -> dict[str, Any]:
        return dict(self.specification["options"]["filters"])

    @property
    def includes(self) -> dict[str, Any]:
        return dict(self.specification["options"].get("includes") or {})

    def listing(self) -> dict[str, JsonValue]:
        return {
            "id": self.id,
            "areNotificationsEnabled": self.notification_url is not None,
            "cursorForNextPayload": len(self.payloads) + 1,
            "isHookEnabled": True,
            "lastSuccessfulNotificationTime": None,
            "notificationUrl": self.notification_url,
            "lastNotificationResult": None,
            "expirationTime": format_datetime(self.expiration_time),
            "specification": self.specification,
        }


def sign(secret: bytes, body: bytes) -> str:
    """The X-Airtable-Content-MAC value for `body`."""
    return "hmac-sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _invalid_spec(message: str) -> ApiError:
    return ApiError(422, "INVALID_WEBHOOK_SPECIFICATION", message)


def _checked_specification(base: Base, spec: Any) -> dict[str, Any]:
    options = spec.get("options") if isinstance(spec, dict) else None
    filters = options.get("filters") if isinstance(options, dict) else None
    if not isinstance(filters, dict):
        raise _invalid_spec("specification.options.filters is required")
    data_types = filters.get("dataTypes")
    if data_types != ["tableData"]:
        # Only record changes are imitated (not tableFields or tableMetadata).
        raise _invalid_spec('The sandbox serves dataTypes ["tableData"] only')
    scope = filters.get("recordChangeScope")
    if scope is not None and base.table(scope) is None:
        raise _invalid_spec(f"recordChangeScope {scope} is not a table of the base")
    if (
        not set(filters.get("changeTypes") or []) <= _CHANGE_TYPES
        or not set(filters.get("fromSources") or []) <= _SOURCES
    ):
        raise _invalid_spec("Unknown changeTypes or fromSources")
    includes = options.get("includes") if isinstance(options, dict) else None
    if includes is not None and not isinstance(includes, dict):
        raise _invalid_spec("specification.options.includes must be an object")
    kept = {"filters": filters} if includes is None else {"filters": filters, "includes": includes}
    return {"options": kept}


class AirtableWebhooks:
    """The webhooks of every base, fed by the store's transactions; one per sandbox."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.workspace = AirtableWorkspace.of(ctx)
        self.gate = AirtableGate(self.workspace)
        self.sender = PushSender.of(ctx)
        self.clock = ctx.clock
        self._hooks: dict[str, Webhook] = {}
        self.workspace.store.listen(self._record)

    @classmethod
    def of(cls, ctx: SandboxContext) -> "AirtableWebhooks":
        return ctx.component(cls, lambda: cls(ctx))

    def install(self, router: Router) -> None:
        router.add(API_HOST, "/v0/bases/<base_id>/webhooks", ["GET"], self.list_webhooks)
        router.add(API_HOST, "/v0/bases/<base_id>/webhooks", ["POST"], self.create_webhook)
        router.add(API_HOST, "/v0/bases/<base_id>/webhooks/<webhook_id>", ["DELETE"], self.delete_webhook)
        router.add(API_HOST, "/v0/bases/<base_id>/webhooks/<webhook_id>/refresh", ["POST"], self.refresh_webhook)
        router.add(API_HOST, "/v0/bases/<base_id>/webhooks/<webhook_id>/payloads", ["GET"], self.list_payloads)

    # State ----------------------------------------------------------------------------------------

    def _live(self, base_id: str) -> list[Webhook]:
        now = self.clock()
        for hook_id in [h.id for h in self._hooks.values() if h.expiration_time <= now]:
            del self._hooks[hook_id]
        return [h for h in self._hooks.values() if h.base_id == base_id]

    def _hook(self, base_id: str, webhook_id: str) -> Webhook:
        found = next((h for h in self._live(base_id) if h.id == webhook_id), None)
        if found is None:
            raise ApiError(404, "NOT_FOUND", f"Could not find webhook {webhook_id}")
        return found

    def webhooks(self, base_id: str) -> list[Webhook]:
        """The base's live webhooks (tests read their secrets and payloads here)."""
        with self.workspace.lock:
            return list(self._live(base_id))

    # Routes ---------------------------------------------------------------------------------------

    def create_webhook(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], MANAGE)
            if READ not in call.caller.scopes:
                raise ApiError(403)  # a tableData webhook also needs data.records:read
            payload = json_body(request)
            url = payload.get("notificationUrl")
            if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
                raise ApiError(422, "INVALID_NOTIFICATION_URL", "notificationUrl must be an http(s) URL")
            spec = _checked_specification(call.base, payload.get("specification"))
            secret = secrets.token_bytes(64)
            hook = Webhook(new_id("ach"), call.base.id, url, spec, secret, self.clock() + LIFETIME)
            self._hooks[hook.id] = hook
            return json_response(
                {
                    "id": hook.id,
                    "macSecretBase64": base64.b64encode(secret).decode("ascii"),
                    "expirationTime": format_datetime(hook.expiration_time),
                }
            )

        return self.gate.serve(body)

    def list_webhooks(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], MANAGE)
            return json_response({"webhooks": [h.listing() for h in self._live(call.base.id)]})

        return self.gate.serve(body)

    def delete_webhook(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], MANAGE)
            del self._hooks[self._hook(call.base.id, values["webhook_id"]).id]
            return json_response({})

        return self.gate.serve(body)

    def refresh_webhook(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], MANAGE)
            hook = self._hook(call.base.id, values["webhook_id"])
            hook.expiration_time = self.clock() + LIFETIME
            return json_response({"expirationTime": format_datetime(hook.expiration_time)})

        return self.gate.serve(body)

    def list_payloads(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], MANAGE)
            hook = self._hook(call.base.id, values["webhook_id"])
            try:
                cursor = int(request.args.get("cursor", "1"))
                limit = int(request.args.get("limit", str(MAX_PAYLOADS_PER_PAGE)))
            except ValueError:
                raise ApiError(422, "INVALID_REQUEST_UNKNOWN") from None
            if cursor < 1 or not 1 <= limit <= MAX_PAYLOADS_PER_PAGE:
                raise ApiError(
                    422, "INVALID_REQUEST_UNKNOWN", f"cursor must be >= 1 and limit 1 to {MAX_PAYLOADS_PER_PAGE}"
                )
            page = hook.payloads[cursor - 1 : cursor - 1 + limit]
            next_cursor = min(cursor, len(hook.payloads) + 1) + len(page)
            return json_response(
                {"cursor": next_cursor, "mightHaveMore": next_cursor <= len(hook.payloads), "payloads": page}
            )

        return self.gate.serve(body)

    # Payloads and pings ---------------------------------------------------------------------------

    def _record(self, transaction: Transaction) -> None:
        """Under the sandbox lock (the store's writer holds it)."""
        for hook in self._live(transaction.base_id):
            payload = self._payload(hook, transaction)
            if payload is None:
                continue
            hook.payloads.append(payload)
            if hook.notification_url is not None:
                self._ping(hook, transaction.at)

    def _payload(self, hook: Webhook, transaction: Transaction) -> dict[str, Any] | None:
        filters, includes = hook.filters, hook.includes
        scope = filters.get("recordChangeScope")
        if scope is not None and scope != transaction.table_id:
            return None
        sources = filters.get("fromSources")
        if sources and transaction.source not in sources:
            return None
        kinds = set(filters.get("changeTypes") or _CHANGE_TYPES)
        watched = filters.get("watchDataInFieldIds")
        wanted = includes.get("includeCellValuesInFieldIds")
        table: dict[str, Any] = {}
        if "add" in kinds and transaction.created:
            table["createdRecordsById"] = {
                record.id: {"createdTime": format_datetime(record.created_time), "cellValuesByFieldId": dict(cells)}
                for record, cells in transaction.created
            }
        changed: dict[str, Any] = {}
        for change in transaction.changed if "update" in kinds else []:
            if watched and not set(change.current) & set(watched):
                continue
            entry: dict[str, Any] = {"current": {"cellValuesByFieldId": dict(change.current)}}
            if includes.get("includePreviousCellValues"):
                entry["previous"] = {"cellValuesByFieldId": dict(change.previous)}
            if wanted:
                unchanged = {
                    k: v
                    for k, v in change.cells.items()
                    if k not in change.current and (wanted == "all" or k in wanted)
                }
                entry["unchanged"] = {"cellValuesByFieldId": unchanged}
            changed[change.record_id] = entry
        if changed:
            table["changedRecordsById"] = changed
        if "remove" in kinds and transaction.destroyed:
            table["destroyedRecordIds"] = list(transaction.destroyed)
        if not table:
            return None
        user = {
            "id": airtable_user_id(transaction.login),
            "email": transaction.login,
            "permissionLevel": "create",
            "name": display_name(transaction.login),
        }
        return {
            "timestamp": format_datetime(transaction.at),
            "baseTransactionNumber": self.workspace.store.bases[transaction.base_id].transaction_count,
            "actionMetadata": {"source": transaction.source, "sourceMetadata": {"user": user}},
            "payloadFormat": "v0",
            "changedTablesById": {transaction.table_id: table},
        }

    def _ping(self, hook: Webhook, at: datetime) -> None:
        assert hook.notification_url is not None
        body = json.dumps(
            {"base": {"id": hook.base_id}, "webhook": {"id": hook.id}, "timestamp": format_datetime(at)}
        ).encode()
        headers = {"Content-Type": "application/json", "X-Airtable-Content-MAC": sign(hook.mac_secret, body)}
        self.sender.send(hook.notification_url, headers, body, kind="airtable")
