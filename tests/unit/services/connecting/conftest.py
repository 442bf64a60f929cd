"""What the connecting services are wired with in unit tests: a token cipher over moto's KMS, and a
provider token endpoint answering from a script, installed as the shared HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import httpx
import pytest
from moto import mock_aws

from tests.support.fakes import TokenEndpoint
from tracker_integrations.crypto.envelope import TokenCipher
from tracker_integrations.http import client as http_client

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient


@pytest.fixture
def kms() -> Iterator[KMSClient]:
    with mock_aws():
        yield boto3.client("kms", region_name="eu-west-2")


@pytest.fixture
def cipher(kms: KMSClient) -> TokenCipher:
    return TokenCipher(kms, kms.create_key()["KeyMetadata"]["KeyId"], cache_seconds=300)


@pytest.fixture
def token_endpoint(monkeypatch: pytest.MonkeyPatch) -> TokenEndpoint:
    endpoint = TokenEndpoint()
    client = httpx.Client(transport=httpx.MockTransport(endpoint.handle))
    monkeypatch.setattr(http_client, "shared_client", lambda: client)
    return endpoint
