"""PKCE S256 matches RFC 7636's own test vector."""

from __future__ import annotations

from tracker_integrations.services.connecting.oauth import pkce_challenge


def test_s256_challenge_matches_rfc_7636_appendix_b() -> None:
    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
