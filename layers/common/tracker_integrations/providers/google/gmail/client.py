"""Gmail API v1, over httpx: the few calls reply tracking needs.

Reference: https://developers.google.com/workspace/gmail/api/reference/rest (discovery document
`gmail.v1.json`). Responses are validated with pydantic models of the fields read; a response of
another shape is the provider's fault (PermanentProviderError naming the field). A stale
startHistoryId (404 on history.list) is its own error, so the sync can fall back to a bounded
full resync; a message deleted between listing and reading is another.
"""

import base64
import binascii
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tracker_integrations.config import Settings
from tracker_integrations.errors import PermanentProviderError, ProviderError
from tracker_integrations.http.client import ProviderApi, RefreshingBearer, RetryPolicy, send
from tracker_integrations.models.gmail import HistoryId
from tracker_integrations.providers.google.errors import classify_google_response

PROVIDER = "gmail"
_POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0, max_wait=10.0)


class HistoryExpired(PermanentProviderError):
    """history.list answered 404: the stored historyId is too old (or unknown); a full sync is needed."""

    code = "history_expired"


class MessageGone(PermanentProviderError):
    """messages.get answered 404: the message was deleted after it was listed."""

    code = "message_gone"


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)


class Profile(_Response):
    email_address: str = Field(alias="emailAddress", min_length=3)
    history_id: HistoryId = Field(alias="historyId")


class MessageRef(_Response):
    id: str = Field(min_length=1)
    thread_id: str = Field(default="", alias="threadId")
    label_ids: tuple[str, ...] = Field(default=(), alias="labelIds")


class _MessageAdded(_Response):
    message: MessageRef


class _HistoryRecord(_Response):
    id: HistoryId
    messages_added: list[_MessageAdded] = Field(default_factory=list, alias="messagesAdded")


class HistoryPage(_Response):
    history: list[_HistoryRecord] = Field(default_factory=list)
    history_id: HistoryId = Field(alias="historyId")
    next_page_token: str | None = Field(default=None, alias="nextPageToken")

    @property
    def added(self) -> list[MessageRef]:
        return [added.message for record in self.history for added in record.messages_added]


class MessagePage(_Response):
    messages: list[MessageRef] = Field(default_factory=list)
    next_page_token: str | None = Field(default=None, alias="nextPageToken")


class RawMessage(_Response):
    id: str = Field(min_length=1)
    thread_id: str = Field(alias="threadId", min_length=1)
    label_ids: tuple[str, ...] = Field(default=(), alias="labelIds")
    internal_date: int = Field(alias="internalDate", ge=0)  # epoch milliseconds (an int64 string)
    raw: str = Field(min_length=1)

    @property
    def received_at(self) -> datetime:
        return datetime.fromtimestamp(self.internal_date / 1000, UTC)

    def raw_bytes(self) -> bytes:
        """The RFC 822 message: `raw` is base64url, sometimes without padding."""
        padded = self.raw + "=" * (-len(self.raw) % 4)
        try:
            return base64.urlsafe_b64decode(padded)
        except (binascii.Error, ValueError) as exc:
            raise PermanentProviderError("Gmail returned a message that is not base64url", provider=PROVIDER) from exc


class WatchResult(_Response):
    history_id: HistoryId = Field(alias="historyId")
    expiration: int = Field(ge=0)  # epoch milliseconds (an int64 string)

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expiration / 1000, UTC)


def _classify(provider: str, response: httpx.Response) -> ProviderError | None:
    # Gmail reports per-user quota as 403 rateLimitExceeded as well as 429: the shared table knows both.
    return classify_google_response(provider, response)


_API = ProviderApi(PROVIDER, classify=_classify, policy=_POLICY)


class GmailClient:
    """One mailbox (`me`) with one access token; `calls` counts the calls made, by method."""

    def __init__(
        self, settings: Settings, access: str | RefreshingBearer, *, client: httpx.Client | None = None
    ) -> None:
        self._base = settings.endpoint_google_gmail.rstrip("/") + "/gmail/v1/users/me"
        # A bare token is used as is; a run's clients pass the auth that refreshes once on a 401.
        self._auth = RefreshingBearer(access) if isinstance(access, str) else access
        self._client = client
        self.calls: dict[str, int] = {"profile": 0, "history": 0, "list": 0, "get": 0, "watch": 0, "stop": 0}

    def _send(self, method: str, path: str, *, kind: str, **kwargs: Any) -> dict[str, Any]:
        self.calls[kind] += 1
        request = httpx.Request(method, f"{self._base}{path}", **kwargs)
        response = send(request, api=_API, client=self._client, auth=self._auth)
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PermanentProviderError("Gmail answered with something other than a JSON object", provider=PROVIDER)
        return body

    @staticmethod
    def _parse[ModelT: _Response](model: type[ModelT], body: dict[str, Any], what: str) -> ModelT:
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()[:5])
            raise PermanentProviderError(
                f"Gmail's {what} answer has an unexpected shape ({fields})", provider=PROVIDER
            ) from exc

    def profile(self) -> Profile:
        # https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
        return self._parse(Profile, self._send("GET", "/profile", kind="profile"), "users.getProfile")

    def history(self, start_history_id: int, *, page_token: str | None = None, max_results: int = 500) -> HistoryPage:
        # https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
        params: dict[str, str] = {
            "startHistoryId": str(start_history_id),
            "historyTypes": "messageAdded",
            "maxResults": str(max_results),
        }
        if page_token:
            params["pageToken"] = page_token
        try:
            body = self._send("GET", "/history", kind="history", params=params)
        except PermanentProviderError as exc:
            if exc.status == 404:
                raise HistoryExpired(
                    "Gmail no longer has the history this sync continues from", provider=PROVIDER, status=404
                ) from exc
            raise
        return self._parse(HistoryPage, body, "users.history.list")

    def list_messages(self, query: str, *, page_token: str | None = None, max_results: int = 100) -> MessagePage:
        # https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/list
        params = {"q": query, "maxResults": str(max_results)}
        if page_token:
            params["pageToken"] = page_token
        return self._parse(
            MessagePage, self._send("GET", "/messages", kind="list", params=params), "users.messages.list"
        )

    def raw_message(self, message_id: str) -> RawMessage:
        # https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/get
        try:
            body = self._send("GET", f"/messages/{quote(message_id, safe='')}", kind="get", params={"format": "raw"})
        except PermanentProviderError as exc:
            if exc.status == 404:
                raise MessageGone("the message was deleted", provider=PROVIDER, status=404) from exc
            raise
        return self._parse(RawMessage, body, "users.messages.get")

    def watch(self, topic: str) -> WatchResult:
        # https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch
        # No label filter: replies that the user's filters skip the inbox with still count.
        body = self._send("POST", "/watch", kind="watch", json={"topicName": topic})
        return self._parse(WatchResult, body, "users.watch")

    def stop(self) -> None:
        # https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/stop
        self._send("POST", "/stop", kind="stop")
