"""Local identity: signs JWTs for local users and verifies them as API Gateway's JWT authorizer does."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LOCAL_AUDIENCE = "tracker-integrations-local"


class LocalIssuer:
    def __init__(self, issuer: str, key_path: Path) -> None:
        self.issuer = issuer
        if key_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError(f"{key_path} does not hold an RSA key")
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            key_path.parent.mkdir(parents=True, exist_ok=True)
            key_path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
            key_path.chmod(0o600)
        self._key = key

    def mint(
        self,
        user: str,
        plan: str,
        *,
        team: str | None = None,
        role: str | None = None,
        operator: bool = False,
        lifetime_seconds: int = 12 * 3600,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": LOCAL_AUDIENCE,
            "sub": user,
            "plan": plan,
            "iat": now,
            "exp": now + lifetime_seconds,
        }
        # The claims Tracker's JWT carries for a team member and for its own operators (README, Teams).
        if team:
            claims["team_id"] = team
            claims["team_role"] = role or "member"
        if operator:
            claims["operator"] = True
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "local"})

    def verify(self, authorization: str | None) -> dict[str, Any] | None:
        """Claims of a valid bearer token, or None (API Gateway then answers 401 without invoking)."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        token = authorization.split(" ", 1)[1].strip()
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                audience=LOCAL_AUDIENCE,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError:
            return None
        return claims
