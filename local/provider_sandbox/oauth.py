"""The grant store shared by every provider: clients, consents, codes, refresh-token families, access tokens.

Providers differ in formats and error wording, not in bookkeeping, so the bookkeeping lives here and
each provider module maps `GrantError.kind` onto its own error bodies. Every public method takes the
sandbox's one lock, so a code is redeemed once and a rotated refresh token dies once even when many
threads race.
"""

import base64
import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from provider_sandbox.models import OAuthClientRegistration, Provider

Clock = Callable[[], datetime]
TokenFactory = Callable[[], str]

# RFC 6749 §4.1.2 recommends at most 10 minutes; Google and Airtable both document 10.
CODE_LIFETIME = timedelta(minutes=10)

# RFC 7636 §4.1: 43-128 characters from the unreserved set.
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def pkce_s256(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_matches(challenge: str, method: str, verifier: str) -> bool:
    if not _VERIFIER.fullmatch(verifier):
        return False
    expected = pkce_s256(verifier) if method == "S256" else verifier
    return hmac.compare_digest(expected, challenge)


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


class GrantErrorKind(StrEnum):
    CODE_UNKNOWN = "code_unknown"
    CODE_USED = "code_used"
    CODE_EXPIRED = "code_expired"
    CODE_CLIENT_MISMATCH = "code_client_mismatch"
    REDIRECT_URI_MISMATCH = "redirect_uri_mismatch"
    VERIFIER_MISSING = "verifier_missing"
    VERIFIER_UNEXPECTED = "verifier_unexpected"
    VERIFIER_MISMATCH = "verifier_mismatch"
    REFRESH_UNKNOWN = "refresh_unknown"
    REFRESH_CLIENT_MISMATCH = "refresh_client_mismatch"
    SCOPE_NOT_GRANTED = "scope_not_granted"


class GrantError(Exception):
    def __init__(self, kind: GrantErrorKind) -> None:
        super().__init__(kind.value)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    code: str
    provider: Provider
    client_id: str
    redirect_uri: str
    login: str
    scopes: tuple[str, ...]
    issued_at: datetime
    # Whether redeeming it also issues a refresh token (each provider decides at consent time).
    offline: bool
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    nonce: str | None = None
    used: bool = False


@dataclass(frozen=True, slots=True)
class Grant:
    """One authorization: the refresh-token family every access token hangs off."""

    grant_id: str
    provider: Provider
    client_id: str
    login: str
    scopes: tuple[str, ...]
    created_at: datetime
    refresh_token: str | None
    refresh_expires_at: datetime | None
    nonce: str | None = None
    revoked: bool = False

    def refresh_live(self, now: datetime) -> bool:
        if self.revoked or self.refresh_token is None:
            return False
        return self.refresh_expires_at is None or now < self.refresh_expires_at


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    grant_id: str
    provider: Provider
    client_id: str
    login: str
    scopes: tuple[str, ...]
    issued_at: datetime
    # None never expires (Mailchimp).
    expires_at: datetime | None
    revoked: bool = False

    def live(self, now: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """How a provider mints tokens: formats and lifetimes (None = never expires)."""

    access_token: TokenFactory
    access_lifetime: timedelta | None
    refresh_token: TokenFactory | None = None
    refresh_lifetime: timedelta | None = None


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access: AccessToken
    # Only set when this exchange handed out a (new) refresh token.
    refresh_token: str | None
    grant: Grant


@dataclass(frozen=True, slots=True)
class ConsentResult:
    first_consent: bool
    previously_granted: tuple[str, ...]


class GrantStore:
    def __init__(self, lock: threading.RLock, clock: Clock) -> None:
        self._lock = lock
        self._clock = clock
        self._clients: dict[tuple[Provider, str], OAuthClientRegistration] = {}
        self._codes: dict[str, AuthorizationCode] = {}
        self._grants: dict[str, Grant] = {}
        self._grant_by_refresh: dict[str, str] = {}
        self._access: dict[str, AccessToken] = {}
        # (provider, client_id, login) -> scopes the user has granted that client so far.
        self._consents: dict[tuple[Provider, str, str], tuple[str, ...]] = {}

    # Clients ---------------------------------------------------------------------------------

    def register_client(self, registration: OAuthClientRegistration) -> None:
        with self._lock:
            self._clients[(registration.provider, registration.client_id)] = registration

    def client(self, provider: Provider, client_id: str) -> OAuthClientRegistration | None:
        with self._lock:
            return self._clients.get((provider, client_id))

    def clients(self) -> list[OAuthClientRegistration]:
        with self._lock:
            return list(self._clients.values())

    # Consent and codes -----------------------------------------------------------------------

    def record_consent(self, provider: Provider, client_id: str, login: str, scopes: Iterable[str]) -> ConsentResult:
        key = (provider, client_id, login)
        with self._lock:
            previous = self._consents.get(key)
            merged = list(previous or ())
            merged.extend(scope for scope in scopes if scope not in merged)
            self._consents[key] = tuple(merged)
            return ConsentResult(first_consent=previous is None, previously_granted=previous or ())

    def issue_code(
        self,
        *,
        provider: Provider,
        client_id: str,
        redirect_uri: str,
        login: str,
        scopes: Iterable[str],
        offline: bool,
        code: str,
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
        nonce: str | None = None,
    ) -> AuthorizationCode:
        record = AuthorizationCode(
            code=code,
            provider=provider,
            client_id=client_id,
            redirect_uri=redirect_uri,
            login=login,
            scopes=tuple(scopes),
            issued_at=self._clock(),
            offline=offline,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            nonce=nonce,
        )
        with self._lock:
            self._codes[code] = record
        return record

    def redeem_code(
        self,
        *,
        provider: Provider,
        code: str,
        client_id: str,
        redirect_uri: str | None,
        code_verifier: str | None,
        policy: TokenPolicy,
    ) -> IssuedTokens:
        """Check and consume a code, then mint its tokens, atomically.

        The code is consumed by any attempt that gets this far, even a failing one, so a stolen code
        cannot be retried with guessed verifiers.
        """
        with self._lock:
            record = self._codes.get(code)
            if record is None or record.provider != provider:
                raise GrantError(GrantErrorKind.CODE_UNKNOWN)
            if record.used:
                raise GrantError(GrantErrorKind.CODE_USED)
            self._codes[code] = replace(record, used=True)
            now = self._clock()
            if now - record.issued_at > CODE_LIFETIME:
                raise GrantError(GrantErrorKind.CODE_EXPIRED)
            if record.client_id != client_id:
                raise GrantError(GrantErrorKind.CODE_CLIENT_MISMATCH)
            if redirect_uri != record.redirect_uri:
                raise GrantError(GrantErrorKind.REDIRECT_URI_MISMATCH)
            self._check_verifier(record, code_verifier)
            return self._new_grant(record, policy, now)

    @staticmethod
    def _check_verifier(record: AuthorizationCode, verifier: str | None) -> None:
        if record.code_challenge is None:
            if verifier:
                raise GrantError(GrantErrorKind.VERIFIER_UNEXPECTED)
            return
        if not verifier:
            raise GrantError(GrantErrorKind.VERIFIER_MISSING)
        if not pkce_matches(record.code_challenge, record.code_challenge_method or "plain", verifier):
            raise GrantError(GrantErrorKind.VERIFIER_MISMATCH)

    def _new_grant(self, record: AuthorizationCode, policy: TokenPolicy, now: datetime) -> IssuedTokens:
        refresh_token = policy.refresh_token() if record.offline and policy.refresh_token else None
        grant = Grant(
            grant_id=random_token(12),
            provider=record.provider,
            client_id=record.client_id,
            login=record.login,
            scopes=record.scopes,
            created_at=now,
            refresh_token=refresh_token,
            refresh_expires_at=now + policy.refresh_lifetime if refresh_token and policy.refresh_lifetime else None,
            nonce=record.nonce,
        )
        self._grants[grant.grant_id] = grant
        if refresh_token is not None:
            self._grant_by_refresh[refresh_token] = grant.grant_id
        access = self._new_access(grant, record.scopes, policy, now)
        return IssuedTokens(access=access, refresh_token=refresh_token, grant=grant)

    def _new_access(self, grant: Grant, scopes: tuple[str, ...], policy: TokenPolicy, now: datetime) -> AccessToken:
        access = AccessToken(
            token=policy.access_token(),
            grant_id=grant.grant_id,
            provider=grant.provider,
            client_id=grant.client_id,
            login=grant.login,
            scopes=scopes,
            issued_at=now,
            expires_at=now + policy.access_lifetime if policy.access_lifetime is not None else None,
        )
        self._access[access.token] = access
        return access

    # Refresh ---------------------------------------------------------------------------------

    def refresh(
        self,
        *,
        provider: Provider,
        refresh_token: str,
        client_id: str,
        policy: TokenPolicy,
        rotate: bool,
        scopes: tuple[str, ...] | None = None,
    ) -> IssuedTokens:
        """Mint a new access token; with `rotate`, also replace the refresh token (the old one dies)."""
        with self._lock:
            now = self._clock()
            grant_id = self._grant_by_refresh.get(refresh_token)
            grant = self._grants.get(grant_id) if grant_id else None
            if grant is None or grant.provider != provider or not grant.refresh_live(now):
                raise GrantError(GrantErrorKind.REFRESH_UNKNOWN)
            if grant.client_id != client_id:
                raise GrantError(GrantErrorKind.REFRESH_CLIENT_MISMATCH)
            if scopes is not None and not set(scopes) <= set(grant.scopes):
                raise GrantError(GrantErrorKind.SCOPE_NOT_GRANTED)
            new_refresh: str | None = None
            if rotate and policy.refresh_token is not None:
                new_refresh = policy.refresh_token()
                del self._grant_by_refresh[refresh_token]
                self._grant_by_refresh[new_refresh] = grant.grant_id
                grant = replace(
                    grant,
                    refresh_token=new_refresh,
                    refresh_expires_at=now + policy.refresh_lifetime if policy.refresh_lifetime else None,
                )
                self._grants[grant.grant_id] = grant
            access = self._new_access(grant, scopes or grant.scopes, policy, now)
            return IssuedTokens(access=access, refresh_token=new_refresh, grant=grant)

    # Access checks ---------------------------------------------------------------------------

    def authenticate(self, provider: Provider, token: str | None) -> AccessToken | None:
        """The live access token behind a bearer value, or None (unknown, expired or revoked)."""
        if not token:
            return None
        with self._lock:
            access = self._access.get(token)
            if access is None or access.provider != provider or not access.live(self._clock()):
                return None
            return access

    # Revocation and expiry -------------------------------------------------------------------

    def revoke_token(self, provider: Provider, token: str) -> bool:
        """Revoke the grant behind an access or refresh token: the refresh token and all its access tokens."""
        with self._lock:
            now = self._clock()
            grant_id = self._grant_by_refresh.get(token)
            if grant_id is None:
                access = self._access.get(token)
                if access is not None and access.live(now):
                    grant_id = access.grant_id
            grant = self._grants.get(grant_id) if grant_id else None
            if grant is None or grant.provider != provider or grant.revoked:
                return False
            self._revoke_grants([grant.grant_id])
            # With no live grant left the app is off the user's account, so the next consent is a first one.
            key = (grant.provider, grant.client_id, grant.login)
            if not any((g.provider, g.client_id, g.login) == key and not g.revoked for g in self._grants.values()):
                self._consents.pop(key, None)
            return True

    def revoke_user_grants(self, provider: Provider, login: str) -> int:
        """The user removes every app's access in the provider's account settings."""
        with self._lock:
            ids = [g.grant_id for g in self._grants.values() if g.provider == provider and g.login == login]
            revoked = self._revoke_grants(ids)
            for key in [k for k in self._consents if k[0] == provider and k[2] == login]:
                del self._consents[key]
            for code, record in list(self._codes.items()):
                if record.provider == provider and record.login == login:
                    self._codes[code] = replace(record, used=True)
            return revoked

    def _revoke_grants(self, grant_ids: list[str]) -> int:
        revoked = 0
        for grant_id in grant_ids:
            grant = self._grants[grant_id]
            if not grant.revoked:
                revoked += 1
            self._grants[grant_id] = replace(grant, revoked=True)
            if grant.refresh_token is not None:
                self._grant_by_refresh.pop(grant.refresh_token, None)
        ids = set(grant_ids)
        for token, access in list(self._access.items()):
            if access.grant_id in ids:
                self._access[token] = replace(access, revoked=True)
        return revoked

    def expire_access_tokens(self, provider: Provider) -> int:
        with self._lock:
            now = self._clock()
            expired = 0
            for token, access in list(self._access.items()):
                if access.provider == provider and access.live(now):
                    self._access[token] = replace(access, expires_at=now)
                    expired += 1
            return expired

    def live_refresh_tokens(self, provider: Provider) -> int:
        with self._lock:
            now = self._clock()
            return sum(1 for g in self._grants.values() if g.provider == provider and g.refresh_live(now))

    def live_access_tokens(self, provider: Provider) -> int:
        with self._lock:
            now = self._clock()
            return sum(1 for a in self._access.values() if a.provider == provider and a.live(now))
