"""The client against a hostile API on loopback: what a caller gets, how long it takes, how much
memory it keeps and how many requests it sends when the server (or the network) misbehaves."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.api import NetworkError, ProtocolError, RateLimited, ServerError
from app.demo import DEMO_KEY
from tests.api.conftest import MakeClient
from tests.api.helpers import FIXTURES
from tests.hostile import HostileServer, deep_json

MB = 1_000_000
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def held() -> int:
    """Bytes Python holds now (tracemalloc must be running), after collecting garbage."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


# -- memory: shared answers go when they expire ------------------------------------------------


@pytest.mark.usefixtures("traced")
async def test_shared_answers_go_when_they_expire(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    padding = "x" * 100_000
    hostile_api.mutate = lambda path, query, data: {**data, "padding": padding}
    client = make_client(base_url=hostile_api.base_url, share_seconds=1.0)
    await client.hits(456, per_page=1, page=99)  # warm: the demo world, the connection
    await asyncio.sleep(1.2)
    before = held()
    # Answers of 100 KB, each one shared while fresh: asking again costs nothing.
    most = 0
    for page in range(1, 11):
        await client.hits(456, per_page=1, page=page)
        sent = hostile_api.requests
        await client.hits(456, per_page=1, page=page)
        assert hostile_api.requests == sent
        most = max(most, tracemalloc.get_traced_memory()[0] - before)
    assert most >= 1 * MB
    await asyncio.sleep(1.2)
    assert held() - before < 100_000
    # Expired: the next question goes to the server.
    await client.hits(456, per_page=1, page=10)
    assert hostile_api.requests == sent + 1


async def test_large_answers_are_not_held_for_sharing(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    padding = "x" * (4 * MB)
    hostile_api.mutate = lambda path, query, data: {**data, "padding": padding}
    client = make_client(base_url=hostile_api.base_url, share_seconds=60.0)
    await client.hits(456, per_page=1, page=99)  # warm: the demo world, the connection
    before = held()
    for page in range(1, 6):
        await client.hits(456, per_page=1, page=page)
        await client.hits(456, per_page=1, page=page)
    # Each asked twice: nothing of 4 MB was kept to answer the second time, nor is kept now.
    assert hostile_api.requests == 1 + 10
    assert held() - before < MB


async def test_a_refresh_drops_the_shared_answers(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    client = make_client(base_url=hostile_api.base_url, share_seconds=60)
    await client.me()
    await client.me()
    assert hostile_api.requests == 1
    client.forget_recent()
    await client.me()
    assert hostile_api.requests == 2


# -- size: refused before it is parsed, without reading it all ---------------------------------


@pytest.mark.usefixtures("traced")
async def test_a_huge_announced_answer_is_refused_unread(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    hostile_api.huge = 50 * MB
    client = make_client(base_url=hostile_api.base_url)
    tracemalloc.reset_peak()
    before = held()
    started = time.monotonic()
    for _ in range(20):
        with pytest.raises(ProtocolError) as caught:
            await client.me()
        assert caught.value.message == "the API sent 50.0 MB, more than the 8 MiB limit"
    assert time.monotonic() - started < 30
    assert tracemalloc.get_traced_memory()[1] - before < 50 * MB
    assert held() - before < 5 * MB
    # Never retried, and the client hung up long before the bodies' end.
    assert hostile_api.requests == 20 == client.requests_sent
    assert hostile_api.huge_sent < 20 * 50 * MB / 4


@pytest.mark.usefixtures("traced")
async def test_a_huge_unannounced_answer_is_read_only_up_to_the_limit(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    hostile_api.huge, hostile_api.unannounced = 50 * MB, True
    client = make_client(base_url=hostile_api.base_url, max_body_bytes=2 * 1024 * 1024)
    tracemalloc.reset_peak()
    before = held()
    for _ in range(5):
        with pytest.raises(ProtocolError) as caught:
            await client.me()
        assert caught.value.message == "the API sent more than the 2 MiB limit"
    assert tracemalloc.get_traced_memory()[1] - before < 20 * MB
    assert hostile_api.requests == 5 and hostile_api.huge_sent < 5 * 50 * MB / 4


async def test_an_answer_under_the_limit_is_read(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    padding = "x" * (7 * MB)
    hostile_api.mutate = lambda path, query, data: {**data, "padding": padding}
    me = await make_client(base_url=hostile_api.base_url).me()
    assert me.user.sites_count == 5


@pytest.mark.parametrize(
    "body",
    [deep_json(100_000), b'{"user": ' + deep_json(900) + b"}", b'{"user": ' + deep_json(70) + b"}"],
    ids=["100000-arrays", "900-in-an-object", "70-in-an-object"],
)
async def test_absurdly_nested_json_is_a_protocol_error(
    make_client: MakeClient, hostile_api: HostileServer, body: bytes
) -> None:
    hostile_api.body = body
    client = make_client(base_url=hostile_api.base_url)
    with pytest.raises(ProtocolError) as caught:
        await client.me()
    assert caught.value.message == "the API answered with JSON nested more than 64 deep"
    assert client.requests_sent == 1


async def test_absurdly_nested_json_in_an_error_answer(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    hostile_api.body, hostile_api.status = deep_json(100_000), 500
    client = make_client(base_url=hostile_api.base_url, max_retries=1)
    with pytest.raises(ServerError) as caught:
        await client.me()
    assert caught.value.message.startswith("server error 500")
    assert hostile_api.requests == 2


# -- time: one deadline for the whole request --------------------------------------------------


async def test_a_trickling_server_meets_the_deadline(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    # About 25 s for the whole answer, a byte at a time: httpx's read timeout never fires.
    hostile_api.trickle = 0.2
    client = make_client(base_url=hostile_api.base_url, timeout=1.0, deadline=1.5, max_retries=1)
    started = time.monotonic()
    with pytest.raises(NetworkError) as caught:
        await client.me()
    elapsed = time.monotonic() - started
    assert caught.value.message == "127.0.0.1 did not answer in time"
    assert hostile_api.requests == 2 == client.requests_sent
    assert 2 * 1.5 <= elapsed < 3 * 2 * 1.5


async def test_the_deadline_defaults_to_a_few_timeouts(
    make_client: MakeClient, hostile_api: HostileServer
) -> None:
    hostile_api.trickle = 0.2
    client = make_client(base_url=hostile_api.base_url, timeout=0.5, max_retries=0)
    assert client.deadline == 2.0
    started = time.monotonic()
    with pytest.raises(NetworkError, match="did not answer in time"):
        await client.me()
    assert time.monotonic() - started < 3 * 2.0


# -- Retry-After: at most an hour --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds", "message"),
    [
        ("1000000000", 3600.0, "rate limited by the API (429): try again in 1 hour"),
        (
            "Fri, 31 Dec 9999 23:59:59 GMT",
            3600.0,
            "rate limited by the API (429): try again in 1 hour",
        ),
        ("Fri, 20 Nov 2020 14:30:00 GMT", None, "rate limited by the API (429)"),
        ("Fri, 31 Dec 99999 23:59:59 GMT", None, "rate limited by the API (429)"),
        ("when pigs fly", None, "rate limited by the API (429)"),
        ("90", 90.0, "rate limited by the API (429): try again in 1 minute 30 seconds"),
    ],
)
async def test_retry_after_is_at_most_an_hour(
    make_client: MakeClient,
    hostile_api: HostileServer,
    value: str,
    seconds: float | None,
    message: str,
) -> None:
    hostile_api.status, hostile_api.headers = 429, {"Retry-After": value}
    client = make_client(base_url=hostile_api.base_url)
    with pytest.raises(RateLimited) as caught:
        await client.me()
    assert caught.value.retry_after == seconds
    assert caught.value.message == message
    # Too long to wait out here (or no hint): the caller's scheduler waits.
    assert hostile_api.requests == 1


# -- proxies: honoured for the internet, never for loopback ------------------------------------


def close(listening: socket.socket) -> None:
    """Close a listening socket, waking the thread blocked in its accept()."""
    with contextlib.suppress(OSError):
        listening.shutdown(socket.SHUT_RDWR)
    listening.close()


@dataclass
class RecordingProxy:
    """An HTTP proxy on loopback that records what it was sent and refuses it all (502)."""

    sock: socket.socket
    received: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self.received.append(conn.recv(65536))
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    sock = socket.create_server(("127.0.0.1", 0))
    recorder = RecordingProxy(sock)
    thread = threading.Thread(target=recorder.serve, daemon=True)
    thread.start()
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, recorder.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield recorder
    finally:
        close(sock)
        thread.join(5)


async def test_loopback_never_goes_through_an_environment_proxy(
    make_client: MakeClient, hostile_api: HostileServer, proxy: RecordingProxy
) -> None:
    me = await make_client(base_url=hostile_api.base_url).me()
    assert me.user.sites_count == 5
    localhost = hostile_api.base_url.replace("127.0.0.1", "localhost")
    assert (await make_client(base_url=localhost).me()).user.sites_count == 5
    assert hostile_api.requests == 2 and proxy.received == []


async def test_a_remote_api_goes_through_the_environment_proxy(
    make_client: MakeClient, proxy: RecordingProxy
) -> None:
    client = make_client(base_url="https://api.example.invalid/api/v1/", max_retries=0)
    with pytest.raises(NetworkError):
        await client.me()
    assert len(proxy.received) == 1
    assert proxy.received[0].startswith(b"CONNECT api.example.invalid:443 ")
    # Through a tunnel: the proxy never sees the key.
    assert DEMO_KEY.encode() not in proxy.received[0]


async def test_no_proxy_is_honoured(
    make_client: MakeClient, proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "api.example.invalid")
    client = make_client(base_url="https://api.example.invalid/api/v1/", max_retries=0, timeout=5)
    with pytest.raises(NetworkError, match=r"could not reach api\.example\.invalid"):
        await client.me()
    assert proxy.received == []


async def test_an_unusable_proxy_setting_is_a_clear_error(
    make_client: MakeClient, hostile_api: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://someone:hunter2@127.0.0.1:1")
    client = make_client(base_url="https://api.example.invalid/api/v1/")
    with pytest.raises(NetworkError) as caught:
        await client.me()
    assert caught.value.message == (
        "the proxy set in the environment cannot be used (a socks proxy needs httpx[socks])"
    )
    assert "hunter2" not in repr(caught.value) and client.requests_sent == 0
    # Loopback needs no proxy, so the same setting does not stop the demo.
    assert (await make_client(base_url=hostile_api.base_url).me()).user.sites_count == 5


# -- TLS: say what failed ----------------------------------------------------------------------


@dataclass
class Certificates:
    folder: Path

    def pair(self, name: str) -> tuple[Path, Path]:
        return self.folder / f"{name}.pem", self.folder / f"{name}.key"

    @property
    def authority(self) -> Path:
        return self.folder / "ca.pem"


def openssl(*args: str | Path) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A test authority, certificates it signed (for 127.0.0.1, for another name, one already
    expired) and one self-signed, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    made = Certificates(folder)
    ca, ca_key = made.pair("ca")
    key_options = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl(
        "req", "-x509", *key_options, "-keyout", ca_key, "-out", ca,
        "-days", "2", "-subj", "/CN=Test authority",
    )  # fmt: skip
    self_signed, self_signed_key = made.pair("self-signed")
    openssl(
        "req", "-x509", *key_options, "-keyout", self_signed_key, "-out", self_signed,
        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    )  # fmt: skip
    for name, names, days in (
        ("right", "IP:127.0.0.1", "2"),
        ("other", "DNS:other.example", "2"),
        ("expired", "IP:127.0.0.1", "0"),  # valid until the second it is made
    ):
        cert, key = made.pair(name)
        request, extensions = folder / f"{name}.csr", folder / f"{name}.ext"
        extensions.write_text(f"subjectAltName={names}\n")
        openssl("req", *key_options, "-keyout", key, "-out", request, "-subj", f"/CN={name}")
        openssl(
            "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", days, "-extfile", extensions,
        )  # fmt: skip
    time.sleep(1.1)
    return made


class TlsServer:
    """HTTPS on loopback that answers every request with the contract's `me` example."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"https://127.0.0.1:{self.sock.getsockname()[1]}/api/v1/"
        self.handshakes = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        body = (FIXTURES / "me.json").read_bytes()
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        answer += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.handshakes += 1
            conn.settimeout(5)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(65536)
                    tls.sendall(answer)
            except OSError:
                conn.close()

    def stop(self) -> None:
        close(self.sock)
        self.thread.join(5)


@pytest.fixture
def tls_server(certificates: Certificates, request: pytest.FixtureRequest) -> Iterator[TlsServer]:
    server = TlsServer(*certificates.pair(request.param))
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("tls_server", "trusted", "message", "problem"),
    [
        (
            "self-signed",
            False,
            "the certificate of 127.0.0.1 is not trusted (self-signed certificate)",
            "certificate not trusted",
        ),
        (
            "right",
            False,
            "the certificate of 127.0.0.1 is not trusted (unable to get local issuer certificate)",
            "certificate not trusted",
        ),
        (
            "other",
            True,
            "the host name 127.0.0.1 does not match its certificate",
            "certificate for another host",
        ),
        ("expired", True, "the certificate of 127.0.0.1 has expired", "certificate expired"),
    ],
    indirect=["tls_server"],
)
async def test_a_tls_failure_says_what_failed(
    make_client: MakeClient,
    tls_server: TlsServer,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
    trusted: bool,
    message: str,
    problem: str,
) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates.authority))
    client = make_client(base_url=tls_server.base_url)
    with pytest.raises(NetworkError) as caught:
        await client.me()
    assert caught.value.message == message
    assert caught.value.problem == problem
    # Asking again at once would not help: one handshake, and not counted against the hour.
    assert tls_server.handshakes == 1 == client.requests_sent
    assert client.budget.used_last_hour() == 0


@pytest.mark.parametrize("tls_server", ["right"], indirect=True)
async def test_a_trusted_certificate_works_on_loopback(
    make_client: MakeClient,
    tls_server: TlsServer,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
    proxy: Any,
) -> None:
    # The authority comes from SSL_CERT_FILE, as behind a TLS-inspecting corporate proxy; the
    # proxy variables (set by `proxy`) are still not used for loopback.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.authority))
    me = await make_client(base_url=tls_server.base_url).me()
    assert me.user.name == "John Doe"
    assert proxy.received == []
