"""The shared client and its transport: requests and answers as sent, HTTPS verified against the CA bundle
(loaded on the first HTTPS request), failures as httpx's own, settings as before."""

from __future__ import annotations

import datetime
import gzip
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.settings import unit_settings
from tracker_integrations import wiring
from tracker_integrations.errors import TransientProviderError
from tracker_integrations.http import client as http_client
from tracker_integrations.http.client import ProviderApi, send, shared_client


class _Hello(BaseHTTPRequestHandler):
    """Answers {"ok": true}; /echo answers what it was sent, gzipped, with a repeated header; /slow waits 1 s."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1)
        self._answer(b'{"ok": true}', [])

    def do_POST(self) -> None:
        sent = self.rfile.read(int(self.headers["Content-Length"]))
        seen = {"path": self.path, "body": sent.decode(), "headers": {k.lower(): v for k, v in self.headers.items()}}
        self._answer(
            gzip.compress(json.dumps(seen).encode()), [("Content-Encoding", "gzip"), ("X-Seen", "a"), ("X-Seen", "b")]
        )

    def _answer(self, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@dataclass(frozen=True)
class Servers:
    https_url: str
    http_url: str
    ca_file: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: str, signer: ec.EllipticCurvePrivateKey, *, ca: bool
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        # Python's default context checks X.509 strictly: both key identifiers must be there.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


def _serve(server: ThreadingHTTPServer) -> str:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    """An HTTPS server whose certificate a private test CA signed (in no public bundle), and a plain one."""
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate("test CA", ca_key, "test CA", ca_key, ca=True)
    server_cert = _certificate("127.0.0.1", server_key, "test CA", ca_key, ca=False)
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    secure, plain = ThreadingHTTPServer(("127.0.0.1", 0), _Hello), ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    secure.socket = tls.wrap_socket(secure.socket, server_side=True)
    yield Servers(https_url=f"https://{_serve(secure)}/", http_url=f"http://{_serve(plain)}/", ca_file=ca_file)
    secure.shutdown()
    plain.shutdown()


@pytest.fixture(autouse=True)
def fresh_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test builds the shared client anew from the default settings, with no CA bundle named by the environment."""
    monkeypatch.setattr(http_client, "get_settings", unit_settings)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    wiring.reset()
    yield
    wiring.reset()


def test_https_is_verified_against_certifis_bundle_loaded_on_the_first_https_request(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the shared client, counting each time certifi's CA bundle is looked up
    bundle_loads: list[str] = []
    where = certifi.where

    def counted_where() -> str:
        bundle_loads.append(where())
        return where()

    monkeypatch.setattr(certifi, "where", counted_where)
    client = shared_client()
    # WHEN it is built and sends a plain-http request THEN no CA bundle has been loaded
    assert client.get(servers.http_url).json() == {"ok": True}
    assert bundle_loads == []
    # WHEN it sends to an HTTPS server whose certificate a CA outside certifi's bundle signed
    # THEN the handshake fails verification, having loaded certifi's bundle for it
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        client.get(servers.https_url)
    assert bundle_loads == [where()]
    # AND through the retry loop it is a failure to reach the provider, never an answer
    with pytest.raises(TransientProviderError, match="could not reach"):
        send(httpx.Request("GET", servers.https_url), api=ProviderApi("google"))


def test_https_trusts_a_ca_bundle_named_by_ssl_cert_file(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN SSL_CERT_FILE naming the bundle holding the server's CA (as httpx's default transport honours)
    monkeypatch.setenv("SSL_CERT_FILE", str(servers.ca_file))
    # WHEN the shared client sends to the server THEN the certificate verifies and the answer arrives
    assert shared_client().get(servers.https_url).json() == {"ok": True}


def test_a_request_arrives_as_sent_and_its_answer_comes_back_decoded(servers: Servers) -> None:
    # GIVEN a provider that echoes what it receives, gzipped, with a header given twice
    # WHEN the shared client posts a JSON body with a query string and a token
    response = shared_client().post(
        servers.http_url + "echo?ranges=Pitches%21A1&fields=sheets",
        json={"a": "é"},
        headers={"Authorization": "Bearer t"},
    )
    # THEN the provider got the method, path, query, body and headers as sent
    seen = response.json()
    assert response.status_code == 201
    assert seen["path"] == "/echo?ranges=Pitches%21A1&fields=sheets"
    assert json.loads(seen["body"]) == {"a": "é"}
    assert seen["headers"]["authorization"] == "Bearer t"
    assert seen["headers"]["user-agent"] == "tracker-integrations/0.1"
    assert seen["headers"]["content-type"] == "application/json"
    # AND the answer was decoded from gzip, its repeated header kept both values
    assert response.headers.get_list("X-Seen") == ["a", "b"]


def test_a_request_a_provider_client_built_names_tracker_to_the_provider(servers: Servers) -> None:
    # GIVEN a request built by a provider client, not by the shared client (so without its default headers)
    request = httpx.Request("POST", servers.http_url + "echo", json={}, headers={"Authorization": "Bearer t"})
    # WHEN it goes out through send, as every provider call does
    seen = send(request, api=ProviderApi("google")).json()
    # THEN the provider sees who calls: Tracker, not urllib3's default agent
    assert seen["headers"]["user-agent"] == "tracker-integrations/0.1"


def test_an_unreachable_or_slow_provider_is_a_transient_failure(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a port nobody listens on, and a provider slower than the read timeout
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    monkeypatch.setattr(http_client, "get_settings", lambda: unit_settings(http_read_timeout="0.2"))
    client = shared_client()
    # WHEN the shared client calls them THEN the failures are httpx's, which the retry loop retries
    with pytest.raises(httpx.ConnectError):
        client.get(f"http://127.0.0.1:{closed_port}/")
    with pytest.raises(httpx.ReadTimeout):
        client.get(servers.http_url + "slow")
    api = ProviderApi("google", policy=http_client.RetryPolicy(max_attempts=1))
    with pytest.raises(TransientProviderError, match="could not reach"):
        send(httpx.Request("GET", f"http://127.0.0.1:{closed_port}/"), api=api)
    with pytest.raises(TransientProviderError, match="did not answer in time"):
        send(httpx.Request("GET", servers.http_url + "slow"), api=api)


def test_the_shared_client_keeps_its_timeouts_headers_and_redirect_rule() -> None:
    # WHEN the shared client is built with the default settings
    client = shared_client()
    # THEN a slow provider fails a call well inside Lambda's time, it names itself, and redirects are not followed
    assert client.timeout == httpx.Timeout(connect=3.0, read=15.0, write=15.0, pool=2.0)
    assert client.headers["User-Agent"] == "tracker-integrations/0.1"
    assert client.follow_redirects is False
