"""Connecting and disconnecting providers: the OAuth authorization-code flow, end to end.

Connect stores a random, single-use, user-bound state (plus the PKCE verifier, encrypted) for ten
minutes and returns the provider's consent URL, and binds the flow to the browser that asked: a
random value goes into an HttpOnly cookie and only its hash into the state (RFC 6749 §10.12). The
callback consumes that state exactly once, requires the same browser, checks the provider and
expiry, exchanges the code, checks the granted scopes, reads the account, and only then stores the
encrypted tokens: every failure before that point leaves nothing behind and sends the browser back
to the app with a message of our own that says what happened and what to do.
"""

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.config import Settings
from tracker_integrations.crypto.envelope import DecryptionFailed, TokenCipher
from tracker_integrations.errors import (
    NotFound,
    OAuthFlowError,
    PlanLimitReached,
    ProviderError,
    ProviderNotConfigured,
    RateLimited,
    ReauthRequired,
    TransientProviderError,
    VersionConflict,
)
from tracker_integrations.models.account import PLAN_LIMITS, plan_allowing_more_integrations
from tracker_integrations.models.audit import AuditAction, AuditEntry
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import (
    Connection,
    ConnectionStatus,
    EncryptedBlob,
    ProviderKey,
    TokenSet,
)
from tracker_integrations.models.oauth import OAuthState
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.base import ProviderSpec
from tracker_integrations.providers.outcomes import RevocationOutcome
from tracker_integrations.providers.registry import get_spec, load_hooks
from tracker_integrations.services.connecting.credentials import (
    context_for,
    seal,
    seal_verifier,
    unseal,
    unseal_verifier,
)
from tracker_integrations.services.scheduling.policy import default_frequency
from tracker_integrations.store.activity import ActivityStore
from tracker_integrations.store.integrations import IntegrationsStore

if TYPE_CHECKING:
    from tracker_integrations.services.connecting.lifecycle import ConnectionLifecycle


class CallbackParams(BaseModel):
    """The query string the provider redirects back with."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    state: str | None = Field(default=None, max_length=512)
    code: str | None = Field(default=None, max_length=4096)
    error: str | None = Field(default=None, max_length=256)
    error_description: str | None = Field(default=None, max_length=1024)
    iss: str | None = Field(default=None, max_length=512)


class ConnectStart(BaseModel):
    """Where to send the browser, and the binding value its cookie must carry back to the callback."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    authorization_url: str
    browser_binding: str


# What a binding cookie looks like (secrets.token_urlsafe(32)); anything else is ignored and replaced.
_BINDING_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")

# The provider's `error` parameter is chosen by whoever built the callback URL: it selects one of our
# messages and is never shown itself. Codes from RFC 6749 §4.1.2.1 -> (reason, message).
_AUTHORIZE_ERRORS: dict[str, tuple[str, str]] = {
    "access_denied": (
        "access_denied",
        "You chose not to give Tracker access to {name}, so nothing was connected. "
        "Connect again whenever you are ready.",
    ),
    "invalid_scope": (
        "provider_refused",
        "{name} did not accept the permissions Tracker asks for, so nothing was connected. "
        "Try again; if it keeps happening, contact support.",
    ),
    "server_error": (
        "provider_unavailable",
        "{name} could not finish the sign-in just now, so nothing was connected. Try again in a few minutes.",
    ),
    "temporarily_unavailable": (
        "provider_unavailable",
        "{name} is busy and could not finish the sign-in, so nothing was connected. Try again in a few minutes.",
    ),
}
for _code in ("invalid_request", "unauthorized_client", "unsupported_response_type"):
    _AUTHORIZE_ERRORS[_code] = (
        "provider_refused",
        "{name} refused Tracker's sign-in request, so nothing was connected. "
        "Try again; if it keeps happening, contact support.",
    )
_UNKNOWN_AUTHORIZE_ERROR = (
    "provider_error",
    "{name} could not complete the sign-in, so nothing was connected. Try connecting again.",
)


def binding_hash(browser_binding: str) -> str:
    return hashlib.sha256(browser_binding.encode()).hexdigest()


def _same_browser(browser_binding: str | None, expected_hash: str) -> bool:
    if not browser_binding:
        return False
    return hmac.compare_digest(binding_hash(browser_binding), expected_hash)


class DisconnectResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: ProviderKey
    disconnected: bool
    revoked_at_provider: bool
    message: str


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(ASCII(verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class OAuthService:
    def __init__(  # noqa: PLR0913  # each collaborator by name, from the composition root
        self,
        store: IntegrationsStore,
        cipher: Callable[[], TokenCipher],
        settings: Settings,
        lifecycle: "Callable[[], ConnectionLifecycle]",
        activity: ActivityStore,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._activity = activity
        self._cipher = cipher
        self._settings = settings
        self._lifecycle = lifecycle
        self._now = now

    def redirect_uri(self, provider: ProviderKey) -> str:
        # Exact and per provider: a code can only come back to the callback of the flow that asked for it.
        return f"{self._settings.base(self._settings.api_base_url)}/api/integrations/{provider}/callback"

    # -- connect ----------------------------------------------------------------------------------

    def start(
        self, user_id: str, provider: str, browser_binding: str | None = None, *, member: str | None = None
    ) -> ConnectStart:
        """Begin a connect; `browser_binding` is the value the browser's cookie already holds, if any
        (kept, so two flows started in two tabs of one browser both complete). `member`: who, in a team
        account, is connecting (the card shows it); the account's own user when None."""
        spec = get_spec(provider)
        self._require_configured(spec)
        self._check_plan_limit(user_id, spec)
        now = self._now()
        if browser_binding is None or not _BINDING_SHAPE.match(browser_binding):
            browser_binding = secrets.token_urlsafe(32)  # 256 bits
        verifier = secrets.token_urlsafe(64) if spec.oauth.pkce else None  # 86 chars, within 43..128
        flow_id = new_id("flow")
        state = OAuthState(
            state=secrets.token_urlsafe(32),  # 256 bits
            flow_id=flow_id,
            user_id=user_id,
            started_by=member or user_id,
            provider=spec.key,
            redirect_uri=self.redirect_uri(spec.key),
            browser_binding_hash=binding_hash(browser_binding),
            code_verifier=seal_verifier(self._cipher(), verifier, user_id, flow_id, spec.key) if verifier else None,
            created_at=now,
            expires_at=now + timedelta(seconds=self._settings.oauth_state_ttl_seconds),
        )
        self._store.put_oauth_state(state)
        params: dict[str, str] = {
            "client_id": self._settings.client_id(spec.oauth.app),
            "redirect_uri": state.redirect_uri,
            "response_type": "code",
            "state": state.state,
        }
        if spec.oauth.scopes:
            params["scope"] = spec.oauth.scope_separator.join(spec.oauth.scopes)
        if verifier:
            params["code_challenge"] = pkce_challenge(verifier)
            params["code_challenge_method"] = "S256"
        params.update(spec.oauth.extra_authorize_params)
        logger.info("oauth connect started", extra={"provider": spec.key})
        return ConnectStart(
            authorization_url=f"{spec.oauth.authorize.url(self._settings)}?{urlencode(params)}",
            browser_binding=browser_binding,
        )

    # -- callback ---------------------------------------------------------------------------------

    def complete(self, provider: str, params: CallbackParams, browser_binding: str | None = None) -> str:
        """Finish a connect attempt; returns where to send the browser (success or a clear failure).
        `browser_binding` is the value of the binding cookie the callback request carried."""
        spec = get_spec(provider)
        state: OAuthState | None = None
        try:
            state = self._consume_state(spec, params)
            self._check_state(spec, state, browser_binding)
            connection = self._connect(spec, state, params)
        except OAuthFlowError as exc:
            metrics.add_metric(name="OAuthConnectFailed", unit="Count", value=1)
            logger.info("oauth connect failed", extra={"provider": spec.key, "reason": exc.reason})
            if state is not None:
                self._audit(state.user_id, spec.key, "connect_failed", {"reason": exc.reason})
            return self._app_url(
                "/integrations", {"provider": spec.key, "status": "error", "error": exc.reason, "message": exc.message}
            )
        metrics.add_metric(name="OAuthConnected", unit="Count", value=1)
        self._lifecycle().connected(connection)
        return self._app_url(f"/integrations/{connection.provider}/configure", {"status": "connected"})

    def _consume_state(self, spec: ProviderSpec, params: CallbackParams) -> OAuthState:
        if not params.state:
            raise OAuthFlowError(
                f"{spec.name} sent you back without the sign-in reference. Start again from Integrations.",
                reason="missing_state",
            )
        state = self._store.consume_oauth_state(params.state)
        if state is None:
            raise OAuthFlowError(
                "This sign-in link has already been used or is not one of ours. "
                f"Start again from Integrations to connect {spec.name}.",
                reason="invalid_state",
            )
        return state

    def _check_state(self, spec: ProviderSpec, state: OAuthState, browser_binding: str | None) -> None:
        # Checked after the state is consumed, so a flow finished in the wrong browser cannot be replayed.
        if not _same_browser(browser_binding, state.browser_binding_hash):
            # Someone else's consent link (or a link opened in another browser): linking it would store
            # that person's account under the user who started the flow.
            raise OAuthFlowError(
                f"This sign-in link was not started in this browser, so nothing was connected. To connect "
                f"{spec.name}, sign in to Tracker in this browser and click Connect again there.",
                reason="browser_mismatch",
            )
        if state.provider != spec.key:
            # A code for one provider delivered to another's callback (mix-up attack or a stale tab).
            raise OAuthFlowError(
                f"This sign-in was started for a different integration. Start again to connect {spec.name}.",
                reason="provider_mismatch",
            )
        if self._now() >= state.expires_at:
            minutes = self._settings.oauth_state_ttl_seconds // 60
            raise OAuthFlowError(
                f"The sign-in took longer than {minutes} minutes and expired. Connect {spec.name} again.",
                reason="expired_state",
            )

    def _connect(self, spec: ProviderSpec, state: OAuthState, params: CallbackParams) -> Connection:
        if params.error:
            reason, message = _AUTHORIZE_ERRORS.get(params.error, _UNKNOWN_AUTHORIZE_ERROR)
            raise OAuthFlowError(message.format(name=spec.name), reason=reason)
        if spec.oauth.issuer and params.iss and params.iss != spec.oauth.issuer:
            raise OAuthFlowError(
                f"The sign-in response did not come from {spec.name}. Start again from Integrations.",
                reason="issuer_mismatch",
            )
        if not params.code:
            raise OAuthFlowError(
                f"{spec.name} sent you back without an authorisation code. Try connecting again.",
                reason="missing_code",
            )
        now = self._now()
        form = {"grant_type": "authorization_code", "code": params.code, "redirect_uri": state.redirect_uri}
        if state.code_verifier:
            form["code_verifier"] = self._verifier(spec, state, state.code_verifier)
        try:
            # The token endpoint's client (httpx) only for a code worth exchanging: a spent, expired or
            # foreign state is answered without it.
            from tracker_integrations.services.connecting.token_endpoint import request_tokens

            tokens = request_tokens(spec, self._settings, form).to_token_set(spec, now)
            self._require_granted_scopes(spec, tokens)
            account = load_hooks(spec).fetch_account(spec, self._settings, tokens)
        except ProviderError as exc:
            raise _flow_error_from(spec, exc) from exc

        existing = self._store.get_connection(state.user_id, spec.key)
        self._check_plan_limit(state.user_id, spec, as_flow_error=True)
        account_plan = self._store.get_account(state.user_id).plan
        connection_id = existing.connection_id if existing else new_id("con")
        connection = Connection(
            user_id=state.user_id,
            provider=spec.key,
            connection_id=connection_id,
            status=ConnectionStatus.CONNECTED,
            account_label=account.label,
            external_account_id=account.external_id,
            granted_scopes=tokens.scopes,
            provider_metadata=account.metadata,
            credentials=seal(self._cipher(), tokens, context_for(state.user_id, connection_id, spec.key)),
            token_expires_at=tokens.expires_at,
            # A reconnect keeps everything the user set up: mappings, targets, history.
            settings=existing.settings if existing else {"sync_frequency": default_frequency(account_plan)},
            connected_at=now,
            connected_by=state.started_by or state.user_id,
            updated_at=now,
            last_sync_at=existing.last_sync_at if existing else None,
            records_synced=existing.records_synced if existing else 0,
            last_error=None,
            version=(existing.version + 1) if existing else 1,
            settings_version=existing.settings_version if existing else 1,
        )
        try:
            self._store.save_connection(connection, expected_version=existing.version if existing else None)
        except VersionConflict as exc:
            raise OAuthFlowError(
                f"{spec.name} was being connected in another window at the same time. Refresh the page to see it.",
                reason="concurrent_connect",
            ) from exc
        self._audit(
            state.user_id,
            spec.key,
            "reconnected" if existing else "connected",
            {"account": account.external_id, "actor": state.started_by or state.user_id},
        )
        return connection

    def _verifier(self, spec: ProviderSpec, state: OAuthState, sealed: EncryptedBlob) -> str:
        try:
            return unseal_verifier(self._cipher(), sealed, state.user_id, state.flow_id, spec.key)
        except DecryptionFailed as exc:  # a state item that was altered in the table
            raise OAuthFlowError(
                f"This sign-in could not be verified, so nothing was connected. Connect {spec.name} again.",
                reason="invalid_state",
            ) from exc

    def _require_granted_scopes(self, spec: ProviderSpec, tokens: TokenSet) -> None:
        missing = [s for s in spec.oauth.required_scopes if s not in tokens.scopes]
        if not missing:
            return
        purposes = ", ".join(spec.oauth.purpose_of(s) for s in missing)
        # The grant is useless without those scopes: give it back rather than keep a half connection.
        load_hooks(spec).revoke(spec, self._settings, tokens)
        raise OAuthFlowError(
            f"Tracker needs permission to {purposes}, and that box was unticked. "
            f"Connect {spec.name} again and leave it ticked.",
            reason="scope_not_granted",
        )

    # -- disconnect -------------------------------------------------------------------------------

    def disconnect(self, user_id: str, provider: str, *, member: str | None = None) -> DisconnectResult:
        spec = get_spec(provider)
        connection = self._store.get_connection(user_id, spec.key)
        if connection is None:
            raise NotFound(f"{spec.name} is not connected")
        outcome = RevocationOutcome(revoked_at_provider=False, message=spec.manage_access_hint)
        tokens: TokenSet | None = None
        if connection.credentials is not None:
            try:
                tokens = unseal(self._cipher(), connection)
            except DecryptionFailed:  # undecryptable credentials must not block deleting them
                logger.exception("stored credentials could not be decrypted during disconnect")
        # Revoking may end the account's whole consent for our client (Google), so it waits until no
        # other connection, this user's or another's on the same mailbox, relies on that account.
        grant_shared = self._grant_used_elsewhere(connection)
        # Push registrations are stopped while the token still works, i.e. before it is revoked.
        self._lifecycle().disconnecting(connection, tokens)
        if tokens is not None and grant_shared:
            outcome = RevocationOutcome(
                revoked_at_provider=False,
                message=f"Access at {spec.oauth.app.title()} is kept because another Tracker connection uses "
                "the same account; it is revoked when the last one disconnects.",
            )
        elif tokens is not None:
            outcome = load_hooks(spec).revoke(spec, self._settings, tokens)
        self._store.delete_connection(user_id, spec.key)
        self._audit(
            user_id,
            spec.key,
            "disconnected",
            {"revoked_at_provider": outcome.revoked_at_provider, "actor": member or user_id},
        )
        logger.info("disconnected", extra={"provider": spec.key, "revoked": outcome.revoked_at_provider})
        return DisconnectResult(
            provider=spec.key,
            disconnected=True,
            revoked_at_provider=outcome.revoked_at_provider,
            message=f"{spec.name} is disconnected and its credentials are deleted. {outcome.message}".strip(),
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _grant_used_elsewhere(self, connection: Connection) -> bool:
        app = get_spec(connection.provider).oauth.app
        account = connection.external_account_id
        same_user = any(
            other.provider != connection.provider
            and get_spec(other.provider).oauth.app == app
            and account
            and other.external_account_id == account
            for other in self._store.list_connections(connection.user_id)
        )
        return same_user or self._lifecycle().account_shared(connection)

    def _require_configured(self, spec: ProviderSpec) -> None:
        app = spec.oauth.app
        if not self._settings.client_id(app) or not self._settings.client_secret(app):
            raise ProviderNotConfigured(
                f"{spec.name} cannot be connected yet: this deployment has no {app} OAuth client configured. "
                "Ask your administrator to set it up."
            )

    def _check_plan_limit(self, user_id: str, spec: ProviderSpec, *, as_flow_error: bool = False) -> None:
        account = self._store.get_account(user_id)
        limit = PLAN_LIMITS[account.plan].max_integrations
        if limit is None:
            return
        others = [
            c
            for c in self._store.list_connections(user_id)
            if c.provider != spec.key and c.status != ConnectionStatus.NOT_CONNECTED
        ]
        if len(others) < limit:
            return
        upgrade = plan_allowing_more_integrations(account.plan)
        more = ""
        if upgrade is not None:
            upgrade_limit = PLAN_LIMITS[upgrade].max_integrations
            amount = "unlimited integrations" if upgrade_limit is None else f"up to {upgrade_limit} integrations"
            more = f" Upgrade to {upgrade.label} for {amount}, or disconnect one first."
        noun = "integration" if limit == 1 else "integrations"
        message = f"Your {account.plan.label} plan includes {limit} {noun} and you have {len(others)} connected.{more}"
        if as_flow_error:
            raise OAuthFlowError(message, reason="plan_limit_reached")
        raise PlanLimitReached(message, details={"plan": account.plan.value, "limit": limit, "upgrade_to": upgrade})

    def _audit(
        self, user_id: str, provider: ProviderKey, action: AuditAction, detail: dict[str, str | bool | None]
    ) -> None:
        actor = detail.pop("actor", None)
        self._activity.add_audit_entry(
            AuditEntry(
                user_id=user_id,
                entry_id=new_id("aud"),
                at=self._now(),
                actor=str(actor) if actor else None,
                action=action,
                provider=provider,
                detail=detail,
            )
        )

    def _app_url(self, path: str, query: dict[str, str]) -> str:
        return f"{self._settings.base(self._settings.app_base_url)}{path}?{urlencode(query)}"


def _flow_error_from(spec: ProviderSpec, exc: ProviderError) -> OAuthFlowError:
    if isinstance(exc, ReauthRequired):
        return OAuthFlowError(
            f"{spec.name} did not accept the sign-in (the code may have expired or been used). Connect again.",
            reason="code_rejected",
        )
    if isinstance(exc, TransientProviderError | RateLimited):
        return OAuthFlowError(
            f"{spec.name} is not responding right now, so nothing was connected. Try again in a few minutes.",
            reason="provider_unavailable",
        )
    return OAuthFlowError(
        f"{spec.name} refused to complete the sign-in, so nothing was connected. Try again; "
        "if it keeps happening, contact support.",
        reason="exchange_failed",
    )
