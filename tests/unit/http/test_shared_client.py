"""The shared client: HTTPS verified against the CA bundle, built on the first HTTPS request, settings as before."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
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
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
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


def test_the_shared_client_keeps_its_timeouts_headers_and_redirect_rule() -> None:
    # WHEN the shared client is built with the default settings
    client = shared_client()
    # THEN a slow provider fails a call well inside Lambda's time, it names itself, and redirects are not followed
    assert client.timeout == httpx.Timeout(connect=3.0, read=15.0, write=15.0, pool=2.0)
    assert client.headers["User-Agent"] == "tracker-integrations/0.1"
    assert client.follow_redirects is False
