"""Google Drive API v3 files.list and files.get, over the spreadsheets the sandbox holds.

Served at www.googleapis.com/drive/v3 (the host in Drive's discovery document, and Tracker's); files.get
also at drive.googleapis.com, which a contract test reads a file through.
An app lists only the files its token may see (drive.file: files it created or the user picked for it).
`q` supports the usual terms (name, mimeType, trashed, modifiedTime/createdTime, fullText, starred,
sharedWithMe, 'x' in parents/owners/writers/readers) with and/or/not and parentheses. Trashed files are
listed unless `trashed = false` is asked for, as on Drive.
"""

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.fieldmask import Mask, apply_mask
from provider_sandbox.google import SCOPE_PREFIX, google_api_error_style
from provider_sandbox.google_api import (
    GoogleApiError,
    api_handler,
    authenticate,
    fields_mask,
    invalid_fields_parameter,
)
from provider_sandbox.identity import display_name, stable_alphanumeric, stable_digits
from provider_sandbox.oauth import AccessToken
from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, SandboxContext
from provider_sandbox.workspace import SPREADSHEET_MIME, GoogleWorkspace, SpreadsheetFile

HOST = "www.googleapis.com"
ALIAS_HOST = "drive.googleapis.com"
BASE = "/drive/v3"
SCOPES = frozenset(
    SCOPE_PREFIX + s
    for s in (
        "drive",
        "drive.appdata",
        "drive.file",
        "drive.meet.readonly",
        "drive.metadata",
        "drive.metadata.readonly",
        "drive.photos.readonly",
        "drive.readonly",
    )
)
_RPC = "drive.googleapis.com/google.apps.drive.v3.DriveFiles."
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_ORDER_KEYS = frozenset(
    {
        "createdTime",
        "folder",
        "modifiedByMeTime",
        "modifiedTime",
        "name",
        "name_natural",
        "quotaBytesUsed",
        "recency",
        "sharedWithMeTime",
        "starred",
        "viewedByMeTime",
    }
)


def invalid(location: str, message: str = "Invalid Value") -> GoogleApiError:
    return GoogleApiError(400, message, reason="invalid", location=(location, "parameter"))


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def root_folder_id(login: str) -> str:
    return "0A" + stable_alphanumeric(login, "drive-root", 17)


def _user(login: str) -> dict[str, JsonValue]:
    return {
        "kind": "drive#user",
        "displayName": display_name(login),
        "me": True,
        "permissionId": stable_digits(login, "drive-permission", 20),
        "emailAddress": login,
    }


def file_json(file: SpreadsheetFile, access: AccessToken) -> dict[str, JsonValue]:
    """The full File resource; `fields` picks from it."""
    return {
        "kind": "drive#file",
        "id": file.file_id,
        "name": file.workbook.title,
        "mimeType": SPREADSHEET_MIME,
        "starred": False,
        "trashed": file.trashed,
        "explicitlyTrashed": file.trashed,
        "parents": [root_folder_id(file.owner)],
        "spaces": ["drive"],
        # int64 fields are strings in Google's JSON.
        "version": str(file.version),
        "webViewLink": file.url,
        "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{SPREADSHEET_MIME}",
        "hasThumbnail": False,
        "thumbnailVersion": "0",
        "viewedByMe": True,
        "createdTime": rfc3339(file.created_time),
        "modifiedTime": rfc3339(file.modified_time),
        "modifiedByMe": True,
        "owners": [_user(file.owner)],
        "lastModifyingUser": _user(file.owner),
        "shared": False,
        "ownedByMe": True,
        "isAppAuthorized": file.created_by == access.client_id,
        "quotaBytesUsed": "0",
        "capabilities": {"canEdit": True, "canDownload": True, "canTrash": True, "canRename": True},
    }


# The q language --------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<op><=|>=|!=|=|<|>)|(?P<paren>[()])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
Predicate = Callable[[SpreadsheetFile], bool]


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        match = _TOKEN.match(query, pos)
        if match is None or match.lastgroup is None:
            raise invalid("q")
        text = match.group(match.lastgroup)
        if match.lastgroup == "string":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        tokens.append(_Token(match.lastgroup, text))
        pos = match.end()
    return tokens


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid("q") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _name_contains(name: str, word: str) -> bool:
    """Drive matches `name contains` on prefixes: of the name, or of a word in it."""
    name, word = name.casefold(), word.casefold()
    return any(name.startswith(word, i) for i in range(len(name)) if i == 0 or not name[i - 1].isalnum())


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class _QueryParser:
    def __init__(self, query: str, access: AccessToken) -> None:
        self.tokens = _tokens(query)
        self.pos = 0
        self.access = access

    def parse(self) -> Predicate:
        predicate = self._or()
        if self.pos != len(self.tokens):
            raise invalid("q")
        return predicate

    def _peek_word(self) -> str:
        if self.pos < len(self.tokens) and self.tokens[self.pos].kind == "word":
            return self.tokens[self.pos].text.lower()
        return ""

    def _next(self) -> _Token:
        if self.pos >= len(self.tokens):
            raise invalid("q")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._peek_word() == "or":
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else lambda f: any(p(f) for p in parts)

    def _and(self) -> Predicate:
        parts = [self._not()]
        while self._peek_word() == "and":
            self.pos += 1
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else lambda f: all(p(f) for p in parts)

    def _not(self) -> Predicate:
        if self._peek_word() == "not":
            self.pos += 1
            inner = self._not()
            return lambda f: not inner(f)
        token = self._next()
        if token.kind == "paren" and token.text == "(":
            inner = self._or()
            closing = self._next()
            if closing.text != ")":
                raise invalid("q")
            return inner
        if token.kind == "string":
            return self._membership(token.text)
        if token.kind == "word":
            return self._term(token.text)
        raise invalid("q")

    def _membership(self, value: str) -> Predicate:
        if self._next().text.lower() != "in":
            raise invalid("q")
        collection = self._next().text
        if collection == "parents":
            return lambda f: value in {"root", root_folder_id(f.owner)}
        if collection in {"owners", "writers", "readers"}:
            return lambda f: value in {f.owner, "me"}
        raise invalid("q")

    def _value(self) -> str | bool:
        token = self._next()
        if token.kind == "string":
            return token.text
        if token.kind == "word" and token.text.lower() in {"true", "false"}:
            return token.text.lower() == "true"
        raise invalid("q")

    def _term(self, field: str) -> Predicate:
        operator = self._next()
        if operator.kind == "word" and operator.text.lower() == "contains":
            return self._contains(field, self._value())
        if operator.kind != "op":
            raise invalid("q")
        compare = _COMPARE[operator.text]
        value = self._value()
        ordered = operator.text not in {"=", "!="}
        if field in {"name", "mimeType"} and isinstance(value, str) and not ordered:
            attribute: Callable[[SpreadsheetFile], str] = (
                (lambda f: f.workbook.title) if field == "name" else (lambda f: SPREADSHEET_MIME)
            )
            return lambda f: compare(attribute(f), value)
        if field in {"trashed", "starred", "sharedWithMe", "hidden"} and isinstance(value, bool) and not ordered:
            flag: Callable[[SpreadsheetFile], bool] = (lambda f: f.trashed) if field == "trashed" else (lambda f: False)
            return lambda f: compare(flag(f), value)
        if field in {"modifiedTime", "createdTime", "viewedByMeTime"} and isinstance(value, str):
            moment = _time(value)
            stamp: Callable[[SpreadsheetFile], datetime] = (
                (lambda f: f.created_time) if field == "createdTime" else (lambda f: f.modified_time)
            )
            return lambda f: compare(stamp(f), moment)
        raise invalid("q")

    def _contains(self, field: str, value: str | bool) -> Predicate:
        if not isinstance(value, str):
            raise invalid("q")
        if field == "name":
            return lambda f: _name_contains(f.workbook.title, value)
        if field == "mimeType":
            return lambda f: value in SPREADSHEET_MIME
        if field == "fullText":
            needle = value.casefold()

            def full_text(f: SpreadsheetFile) -> bool:
                texts = [f.workbook.title] + [c.formatted() for s in f.workbook.sheets for c in s.cells.values()]
                return any(needle in text.casefold() for text in texts)

            return full_text
        raise invalid("q")


def parse_query(query: str, access: AccessToken) -> Predicate:
    return _QueryParser(query, access).parse()


# Ordering and paging --------------------------------------------------------------------------------


def _sort(files: list[SpreadsheetFile], order_by: str | None) -> list[SpreadsheetFile]:
    keys: list[tuple[str, bool]] = []
    for part in (order_by or "modifiedTime desc").split(","):
        words = part.split()
        if not words or words[0] not in _ORDER_KEYS or len(words) > 2 or (len(words) == 2 and words[1] != "desc"):
            raise invalid("orderBy", f"Invalid Value: {order_by}")
        keys.append((words[0], len(words) == 2))
    ordered = sorted(files, key=lambda f: f.file_id)
    for key, descending in reversed(keys):
        ordered.sort(key=_order_key(key), reverse=descending)
    return ordered


def _order_key(key: str) -> Callable[[SpreadsheetFile], Any]:
    if key in {"name", "name_natural"}:
        return lambda f: f.workbook.title.casefold()
    if key == "createdTime":
        return lambda f: f.created_time
    if key in {"modifiedTime", "modifiedByMeTime", "recency", "viewedByMeTime"}:
        return lambda f: f.modified_time
    return lambda f: 0


def _page_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_page_token(token: str, fingerprint: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(data["o"])
        same_query = data["f"] == fingerprint
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise invalid("pageToken") from exc
    if not same_query or offset < 0:
        raise invalid("pageToken")
    return offset


class DriveApi:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.workspace = GoogleWorkspace.of(ctx)

    def install(self, router: Router) -> None:
        router.host_style(ALIAS_HOST, google_api_error_style)
        router.add(HOST, f"{BASE}/files", ["GET"], api_handler(self.list_files), google_api_error_style)
        for host in (HOST, ALIAS_HOST):
            router.add(host, f"{BASE}/files/<file_id>", ["GET"], api_handler(self.get_file), google_api_error_style)

    @staticmethod
    def _mask(request: Request, schema: str) -> Mask | None:
        return fields_mask(request, "drive", "v3", schema, invalid=invalid_fields_parameter)

    def list_files(self, request: Request, _values: Mapping[str, Any]) -> Response:
        access = authenticate(self.ctx, request, SCOPES, _RPC + "List")
        self.workspace.charge_drive(access)
        mask = self._mask(request, "FileList")
        raw_size = request.args.get("pageSize", str(DEFAULT_PAGE_SIZE))
        try:
            page_size = int(raw_size)
        except ValueError as exc:
            raise invalid("pageSize") from exc
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise invalid("pageSize", f"Invalid value '{raw_size}'. Values must be within the range: [1, 1000]")
        query = request.args.get("q", "")
        order_by = request.args.get("orderBy")
        predicate = parse_query(query, access) if query.strip() else None
        fingerprint = hashlib.sha256(f"{access.login}\n{query}\n{order_by}".encode()).hexdigest()[:16]
        token = request.args.get("pageToken")
        offset = _read_page_token(token, fingerprint) if token else 0
        with self.ctx.lock:
            files = [f for f in self.workspace.drive_files(access) if predicate is None or predicate(f)]
            ordered = _sort(files, order_by)
            page = ordered[offset : offset + page_size]
            body: dict[str, JsonValue] = {"kind": "drive#fileList", "incompleteSearch": False}
            if offset + page_size < len(ordered):
                body["nextPageToken"] = _page_token(offset + page_size, fingerprint)
            full = [file_json(f, access) for f in page]
        if mask is None:
            body["files"] = [{k: f[k] for k in ("kind", "id", "name", "mimeType")} for f in full]
            return json_response(body)
        body["files"] = list[JsonValue](full)
        return json_response(apply_mask(body, mask))

    def get_file(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = authenticate(self.ctx, request, SCOPES, _RPC + "Get")
        self.workspace.charge_drive(access)
        mask = self._mask(request, "File")
        with self.ctx.lock:
            body = file_json(self.workspace.drive_file(access, values["file_id"]), access)
        if mask is None:
            return json_response({k: body[k] for k in ("kind", "id", "name", "mimeType")})
        return json_response(apply_mask(body, mask))
