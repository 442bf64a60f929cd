"""Control routes under /_control/gmail/: deliver mail, act as the user, Pub/Sub topics and pushes, quota.

They call the same `GmailService` methods tests use from Python (`sandbox.gmail`). Like the rest of the
control API they are not recorded, faults do not touch them and they use no app quota.

A message can be posted as JSON (`raw` text or `raw_base64`) or, for replaying .eml files, as the raw
bytes with `Content-Type: message/rfc822` and `?login=…` (and optional repeated `label_ids=`).
"""

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator
from werkzeug.wrappers import Request, Response

from provider_sandbox.gmail_mailbox import DEFAULT_RECEIVED_LABELS, GmailService, MailboxError, MessageInfo, Watch
from provider_sandbox.pubsub import PUSH_SERVICE_ACCOUNT, PushSubscription, rfc3339_ms
from provider_sandbox.push import PushDelivery
from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, parse_control_body

PREFIX = "/_control/gmail"
RFC822 = "message/rfc822"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageBody(_Body):
    login: str = Field(min_length=1)
    # The message as text (sent as UTF-8), or its exact bytes in base64.
    raw: str | None = None
    raw_base64: str | None = None
    label_ids: list[str] = Field(default_factory=lambda: list(DEFAULT_RECEIVED_LABELS))

    @model_validator(mode="after")
    def _one_raw(self) -> "MessageBody":
        if (self.raw is None) == (self.raw_base64 is None):
            raise ValueError("give exactly one of raw and raw_base64")
        return self

    def raw_bytes(self) -> bytes:
        if self.raw is not None:
            return self.raw.encode()
        assert self.raw_base64 is not None
        try:
            return base64.b64decode(self.raw_base64 + "=" * (-len(self.raw_base64) % 4), altchars=b"-_")
        except (ValueError, binascii.Error) as exc:
            raise MailboxError("raw_base64 is not base64") from exc


class LabelsBody(_Body):
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class CreateLabelBody(_Body):
    name: str = Field(min_length=1)


class TopicBody(_Body):
    name: str = Field(min_length=1)
    gmail_can_publish: bool = True


class SubscriptionBody(_Body):
    topic: str = Field(min_length=1)
    endpoint: str = Field(min_length=1)
    name: str | None = None
    audience: str | None = None
    service_account_email: str | None = PUSH_SERVICE_ACCOUNT


class GmailQuotaBody(_Body):
    user_units_per_second: int | None = Field(default=None, ge=1)


def message_info_json(info: MessageInfo) -> dict[str, JsonValue]:
    return {
        "id": info.id,
        "thread_id": info.thread_id,
        "subject": info.subject,
        "label_ids": list[JsonValue](info.labels),
        "history_id": str(info.history_id),
        "internal_date": str(info.internal_date_ms),
        "rfc822_message_id": info.rfc822_message_id,
    }


def watch_json(watch: Watch) -> dict[str, JsonValue]:
    return {
        "client_id": watch.client_id,
        "topic": watch.topic,
        "label_ids": list[JsonValue](watch.label_ids),
        "label_filter_behavior": watch.behavior,
        "expiration": str(int(watch.expiration.timestamp() * 1000)),
    }


def subscription_json(subscription: PushSubscription) -> dict[str, JsonValue]:
    view: dict[str, JsonValue] = dict(asdict(subscription))
    view["audience"] = subscription.token_audience
    return view


def delivery_json(delivery: PushDelivery) -> dict[str, JsonValue]:
    return {
        "url": delivery.url,
        "headers": dict[str, JsonValue](delivery.headers),
        "body": delivery.body.decode("utf-8", errors="replace"),
        "at": rfc3339_ms(delivery.at),
        "status": delivery.status,
        "error": delivery.error,
    }


class GmailControl:
    """Adds the /_control/gmail/... routes; its provider module installs it."""

    def __init__(self, service: GmailService) -> None:
        self.service = service

    def install(self, router: Router) -> None:
        mailbox = f"{PREFIX}/mailboxes/<login>"
        message = f"{mailbox}/messages/<message_id>"
        routes: list[tuple[str, str, Callable[[Request, Mapping[str, Any]], JsonValue]]] = [
            (f"{PREFIX}/deliver", "POST", self.deliver),
            (f"{PREFIX}/send", "POST", self.send),
            (mailbox, "GET", self.mailbox),
            (f"{mailbox}/messages", "GET", self.messages),
            (f"{message}/labels", "POST", self.labels),
            (message, "DELETE", self.delete),
            (f"{message}/raw", "GET", self.raw),
            (f"{mailbox}/labels", "POST", self.create_label),
            (f"{mailbox}/expire-history", "POST", self.expire_history),
            (f"{mailbox}/expire-watches", "POST", self.expire_watches),
            (f"{PREFIX}/topics", "GET", lambda _r, _v: [asdict(t) for t in self.service.pubsub.topics]),
            (f"{PREFIX}/topics", "POST", self.create_topic),
            (
                f"{PREFIX}/subscriptions",
                "GET",
                lambda _r, _v: [subscription_json(s) for s in self.service.pubsub.subscriptions],
            ),
            (f"{PREFIX}/subscriptions", "POST", self.create_subscription),
            (f"{PREFIX}/deliveries", "GET", self.deliveries),
            (f"{PREFIX}/quota", "GET", lambda _r, _v: self._quota_json()),
            (f"{PREFIX}/quota", "PUT", self.set_quota),
            (f"{PREFIX}/quota", "DELETE", self.reset_quota),
        ]
        for path, method, action in routes:
            router.add_control(path, method, self._wrap(action, 201 if method == "POST" else 200))

    @staticmethod
    def _wrap(
        action: Callable[[Request, Mapping[str, Any]], JsonValue], status: int
    ) -> Callable[[Request, Mapping[str, Any]], Response]:
        def handle(request: Request, values: Mapping[str, Any]) -> Response:
            try:
                return json_response(action(request, values), status)
            except MailboxError as exc:
                return json_response({"error": str(exc)}, 404 if str(exc).startswith("no message") else 400)

        return handle

    def _message_body(self, request: Request) -> MessageBody:
        if request.mimetype == RFC822:
            login = request.args.get("login")
            if not login:
                raise MailboxError("the login query parameter is required with a message/rfc822 body")
            labels = request.args.getlist("label_ids") or list(DEFAULT_RECEIVED_LABELS)
            data = base64.b64encode(request.get_data()).decode("ascii")
            return MessageBody(login=login, raw_base64=data, label_ids=labels)
        return parse_control_body(MessageBody, request)

    def _added(self, login: str, message_id: str) -> JsonValue:
        info = next(m for m in self.service.messages(login) if m.id == message_id)
        return message_info_json(info)

    def deliver(self, request: Request, _values: Mapping[str, Any]) -> JsonValue:
        body = self._message_body(request)
        return self._added(body.login, self.service.deliver(body.login, body.raw_bytes(), body.label_ids))

    def send(self, request: Request, _values: Mapping[str, Any]) -> JsonValue:
        body = self._message_body(request)
        return self._added(body.login, self.service.send_as_user(body.login, body.raw_bytes()))

    def mailbox(self, _request: Request, values: Mapping[str, Any]) -> JsonValue:
        login = str(values["login"])
        box = self.service.mailbox(login)
        return {
            "email_address": box.address,
            "history_id": str(self.service.history_id(login)),
            "messages_total": len(self.service.messages(login)),
            "watches": [watch_json(w) for w in self.service.watches(login)],
        }

    def messages(self, _request: Request, values: Mapping[str, Any]) -> JsonValue:
        return [message_info_json(m) for m in self.service.messages(str(values["login"]))]

    def labels(self, request: Request, values: Mapping[str, Any]) -> JsonValue:
        body = parse_control_body(LabelsBody, request)
        labels = self.service.modify_labels(
            str(values["login"]), str(values["message_id"]), add=body.add, remove=body.remove
        )
        return {"label_ids": list[JsonValue](labels)}

    def delete(self, _request: Request, values: Mapping[str, Any]) -> JsonValue:
        self.service.delete_message(str(values["login"]), str(values["message_id"]))
        return {"deleted": str(values["message_id"])}

    def raw(self, _request: Request, values: Mapping[str, Any]) -> JsonValue:
        data = self.service.raw(str(values["login"]), str(values["message_id"]))
        return {"raw_base64": base64.b64encode(data).decode("ascii")}

    def create_label(self, request: Request, values: Mapping[str, Any]) -> JsonValue:
        body = parse_control_body(CreateLabelBody, request)
        return {"id": self.service.create_label(str(values["login"]), body.name), "name": body.name}

    def expire_history(self, _request: Request, values: Mapping[str, Any]) -> JsonValue:
        return {"history_floor": str(self.service.expire_history(str(values["login"])))}

    def expire_watches(self, _request: Request, values: Mapping[str, Any]) -> JsonValue:
        return {"expired": self.service.expire_watches(str(values["login"]))}

    def create_topic(self, request: Request, _values: Mapping[str, Any]) -> JsonValue:
        body = parse_control_body(TopicBody, request)
        return asdict(self.service.create_topic(body.name, gmail_can_publish=body.gmail_can_publish))

    def create_subscription(self, request: Request, _values: Mapping[str, Any]) -> JsonValue:
        body = parse_control_body(SubscriptionBody, request)
        subscription = self.service.create_push_subscription(
            body.topic, body.endpoint, body.audience, body.service_account_email, name=body.name
        )
        return subscription_json(subscription)

    def deliveries(self, request: Request, _values: Mapping[str, Any]) -> JsonValue:
        """Pub/Sub pushes sent so far; `?flush=true` first waits for the queued ones."""
        found = self.service.flush_push() if request.args.get("flush") == "true" else self.service.push_deliveries()
        return [delivery_json(d) for d in found]

    def _quota_json(self) -> JsonValue:
        return {"user_units_per_second": self.service.user_units_per_second}

    def set_quota(self, request: Request, _values: Mapping[str, Any]) -> JsonValue:
        body = parse_control_body(GmailQuotaBody, request)
        if "user_units_per_second" in body.model_fields_set:
            self.service.user_units_per_second = body.user_units_per_second
        return self._quota_json()

    def reset_quota(self, _request: Request, _values: Mapping[str, Any]) -> JsonValue:
        self.service.reset_quotas()
        return self._quota_json()
