"""Drive push notifications: `files.watch` channels and `channels.stop`, on the sandbox's spreadsheets.

As Drive does: a new channel gets a `sync` notification at once; every later change to the file
(any Sheets write, the user's edits through the control API, trash and restore) POSTs an empty body
with the X-Goog-* headers to the channel's address, numbered per channel; a channel stops at its
expiration (at most a day for a file, an hour when none is asked for) or when stopped. The sandbox
accepts http:// addresses so a local stack can receive them (Drive itself requires https).
"""

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.wrappers import Request, Response

from provider_sandbox.drive import BASE, HOST, SCOPES
from provider_sandbox.google import google_api_error_style
from provider_sandbox.google_api import GoogleApiError, api_handler, authenticate
from provider_sandbox.push import PushSender, install_push_controls
from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, SandboxContext
from provider_sandbox.workspace import GoogleWorkspace, SpreadsheetFile

DEFAULT_LIFETIME = timedelta(hours=1)
MAX_LIFETIME = timedelta(days=1)
_RPC = "drive.googleapis.com/google.apps.drive.v3.DriveFiles.Watch"


class _ChannelRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-_+/=]+$")
    type: str
    address: str = Field(min_length=1)
    token: str | None = Field(default=None, max_length=256)
    expiration: int | None = None
    params: dict[str, str] | None = None


class _StopRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    resourceId: str = Field(min_length=1)  # noqa: N815 (Drive's field name)


@dataclass
class DriveChannel:
    channel_id: str
    resource_id: str
    file_id: str
    address: str
    token: str | None
    expires_at: datetime
    owner: str  # the login whose token opened it
    messages: int = 0


def _resource_id() -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(secrets.choice(alphabet) for _ in range(27))


class DriveChannels:
    """The channels, and the notifications they send when their file changes."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.workspace = GoogleWorkspace.of(ctx)
        self._channels: dict[str, DriveChannel] = {}
        self._resource_ids: dict[str, str] = {}  # file id -> its stable opaque resource id
        self.workspace.listen(self._changed)

    @classmethod
    def of(cls, ctx: SandboxContext) -> "DriveChannels":
        return ctx.component(cls, lambda: cls(ctx))

    def install(self, router: Router) -> None:
        router.add(HOST, f"{BASE}/files/<file_id>/watch", ["POST"], api_handler(self.watch), google_api_error_style)
        router.add(HOST, f"{BASE}/channels/stop", ["POST"], api_handler(self.stop), google_api_error_style)
        install_push_controls(router, PushSender.of(self.ctx))

    # -- controls for tests ----------------------------------------------------------------------

    @property
    def channels(self) -> list[DriveChannel]:
        with self.ctx.lock:
            return list(self._channels.values())

    def live_channels(self, file_id: str) -> list[DriveChannel]:
        now = self.ctx.clock()
        return [c for c in self.channels if c.file_id == file_id and c.expires_at > now]

    # -- API -------------------------------------------------------------------------------------

    def watch(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = authenticate(self.ctx, request, SCOPES, _RPC)
        # files.watch and channels.stop count against the Drive quota (notifications do not).
        self.workspace.charge_drive(access)
        try:
            body = _ChannelRequest.model_validate(request.get_json(force=True, silent=True) or {})
        except ValidationError as exc:
            field = str(exc.errors()[0]["loc"][0]) if exc.errors() else "body"
            raise GoogleApiError(
                400, f"Invalid value for {field}", reason="invalid", location=(field, "other")
            ) from exc
        if body.type not in {"web_hook", "webhook"}:
            raise GoogleApiError(400, f"Invalid value for: {body.type} is not a valid channel type", reason="invalid")
        if not body.address.startswith(("https://", "http://")):
            raise GoogleApiError(
                400, "WebHook callback must be HTTPS: " + body.address, reason="push.webhookUrlNotHttps"
            )
        now = self.ctx.clock()
        with self.ctx.lock:
            file = self.workspace.drive_file(access, values["file_id"])  # 404 unless the app may see it
            if body.id in self._channels:
                raise GoogleApiError(400, f"Channel id {body.id} not unique", reason="channelIdNotUnique")
            asked = (
                datetime.fromtimestamp(body.expiration / 1000, now.tzinfo)
                if body.expiration is not None
                else now + DEFAULT_LIFETIME
            )
            expires = min(asked, now + MAX_LIFETIME)
            resource_id = self._resource_ids.setdefault(file.file_id, _resource_id())
            channel = DriveChannel(
                channel_id=body.id,
                resource_id=resource_id,
                file_id=file.file_id,
                address=body.address,
                token=body.token,
                expires_at=expires,
                owner=access.login,
            )
            self._channels[body.id] = channel
            self._notify(channel, "sync", file)
        payload: dict[str, Any] = {
            "kind": "api#channel",
            "id": channel.channel_id,
            "resourceId": resource_id,
            "resourceUri": self._resource_uri(file),
            "expiration": str(int(expires.timestamp() * 1000)),
        }
        if body.token is not None:
            payload["token"] = body.token
        return json_response(payload)

    def stop(self, request: Request, _values: Mapping[str, Any]) -> Response:
        access = authenticate(self.ctx, request, SCOPES, "drive.googleapis.com/google.apps.drive.v3.DriveChannels.Stop")
        self.workspace.charge_drive(access)
        try:
            body = _StopRequest.model_validate(request.get_json(force=True, silent=True) or {})
        except ValidationError as exc:
            raise GoogleApiError(400, "Required parameter: id and resourceId", reason="required") from exc
        with self.ctx.lock:
            channel = self._channels.get(body.id)
            if channel is None or channel.resource_id != body.resourceId:
                raise GoogleApiError(404, f"Channel '{body.id}' not found for project", reason="notFound")
            del self._channels[body.id]
        return Response(status=204)

    # -- notifications ---------------------------------------------------------------------------

    @staticmethod
    def _resource_uri(file: SpreadsheetFile) -> str:
        return f"https://{HOST}{BASE}/files/{file.file_id}?alt=json"

    def _changed(self, file: SpreadsheetFile, state: str) -> None:
        now = self.ctx.clock()
        with self.ctx.lock:
            for channel in list(self._channels.values()):
                if channel.file_id != file.file_id:
                    continue
                if channel.expires_at <= now:
                    del self._channels[channel.channel_id]  # lapsed: Drive sends nothing more
                    continue
                self._notify(channel, state, file)

    def _notify(self, channel: DriveChannel, state: str, file: SpreadsheetFile) -> None:
        channel.messages += 1
        headers = {
            "X-Goog-Channel-ID": channel.channel_id,
            "X-Goog-Channel-Expiration": format_datetime(channel.expires_at, usegmt=True),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-URI": self._resource_uri(file),
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(channel.messages),
        }
        if state == "update":
            headers["X-Goog-Changed"] = "content"
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        PushSender.of(self.ctx).send(channel.address, headers, b"", kind="drive")
