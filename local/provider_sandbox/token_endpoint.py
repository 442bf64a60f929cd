"""The token endpoint of every provider: authenticate the client, serve the grant asked for, word the errors.

Providers differ in how a client authenticates, which grants they serve, whether a refresh rotates the
refresh token and how errors read; those are the hooks. The bookkeeping is the GrantStore's.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import JsonValue
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from provider_sandbox.models import Provider
from provider_sandbox.oauth import GrantError, GrantErrorKind, IssuedTokens, TokenPolicy
from provider_sandbox.responses import oauth_error, oauth_error_style, token_response
from provider_sandbox.routing import Router, SandboxContext


def client_credentials(request: Request) -> tuple[str, str | None, bool]:
    """(client_id, secret, sent with HTTP Basic): Basic wins over client_id/client_secret in the body."""
    basic = request.authorization
    if basic is not None and basic.type == "basic":
        return basic.username or "", basic.password, True
    return request.form.get("client_id", ""), request.form.get("client_secret"), False


class TokenEndpoint(ABC):
    provider: ClassVar[Provider]
    host: ClassVar[str]
    path: ClassVar[str]
    policy: ClassVar[TokenPolicy]
    # GrantError kinds in the provider's words: (error, error_description).
    grant_errors: ClassVar[Mapping[GrantErrorKind, tuple[str, str]]]
    # The error_description when a required form parameter is missing; parameters not listed are optional.
    missing: ClassVar[Mapping[str, str]]
    unsupported_grant: ClassVar[str] = "Unsupported grant_type: {}"
    # None: no refresh grant at all (Mailchimp's tokens never expire). True: a refresh replaces the refresh token.
    rotate_refresh: ClassVar[bool | None] = False

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    def install(self, router: Router) -> None:
        router.add(self.host, self.path, ["POST"], self.token, oauth_error_style)

    @abstractmethod
    def authenticate_client(self, request: Request) -> str | Response:
        """The authenticated client's id, or the provider's error response."""

    @abstractmethod
    def token_body(self, issued: IssuedTokens) -> dict[str, JsonValue]: ...

    def refresh_scopes(self, form: "MultiDict[str, str]") -> tuple[str, ...] | None:
        """The narrower scopes a refresh asks for; None keeps the grant's."""
        return None

    def token(self, request: Request, _values: Mapping[str, Any]) -> Response:
        client_id = self.authenticate_client(request)
        if isinstance(client_id, Response):
            return client_id
        form = request.form
        grant_type = form.get("grant_type")
        try:
            if grant_type == "authorization_code":
                return self._exchange_code(form, client_id)
            if grant_type == "refresh_token" and self.rotate_refresh is not None:
                return self._refresh(form, client_id)
        except GrantError as error:
            return oauth_error(*self.grant_errors.get(error.kind, ("invalid_grant", "Invalid grant")))
        if not grant_type and "grant_type" in self.missing:
            return oauth_error("invalid_request", self.missing["grant_type"])
        return oauth_error("unsupported_grant_type", self.unsupported_grant.format(grant_type))

    def _missing(self, form: "MultiDict[str, str]", *names: str) -> Response | None:
        for name in names:
            if not form.get(name) and name in self.missing:
                return oauth_error("invalid_request", self.missing[name])
        return None

    def _exchange_code(self, form: "MultiDict[str, str]", client_id: str) -> Response:
        missing = self._missing(form, "code", "redirect_uri")
        if missing is not None:
            return missing
        issued = self.ctx.store.redeem_code(
            provider=self.provider,
            code=form.get("code", ""),
            client_id=client_id,
            redirect_uri=form.get("redirect_uri"),
            code_verifier=form.get("code_verifier"),
            policy=self.policy,
        )
        return token_response(self.token_body(issued))

    def _refresh(self, form: "MultiDict[str, str]", client_id: str) -> Response:
        missing = self._missing(form, "refresh_token")
        if missing is not None:
            return missing
        issued = self.ctx.store.refresh(
            provider=self.provider,
            refresh_token=form.get("refresh_token", ""),
            client_id=client_id,
            policy=self.policy,
            rotate=bool(self.rotate_refresh),
            scopes=self.refresh_scopes(form),
        )
        return token_response(self.token_body(issued))
