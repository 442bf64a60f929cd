"""Provider sandbox: a local imitation of Google, Airtable and Mailchimp endpoints (see local/README.md)."""

from provider_sandbox.app import DEFAULT_MODULES, ProviderSandbox
from provider_sandbox.models import PROVIDERS, Fault, OAuthClientRegistration, Provider, RecordedRequest
from provider_sandbox.oauth import pkce_s256
from provider_sandbox.server import RunningSandbox, serve

__all__ = [
    "DEFAULT_MODULES",
    "PROVIDERS",
    "Fault",
    "OAuthClientRegistration",
    "Provider",
    "ProviderSandbox",
    "RecordedRequest",
    "RunningSandbox",
    "pkce_s256",
    "serve",
]
