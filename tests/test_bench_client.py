"""bench/load.py's own parts: the nginx configuration it runs is the one docs/deploying.md
shows, and its small HTTP/1.1 client reads replies the way a browser does.

The load bench is run by hand; these keep its parts honest between runs. The client is
checked against a real server on a loopback socket (asyncio's), not a stand-in.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from harness import NGINX, AsyncBrowser, Nginx, nginx_site_from_docs  # noqa: E402


def test_the_bench_runs_the_nginx_block_of_the_deployment_docs_on_loopback():
    site = nginx_site_from_docs(listen_port=18443, upstream_port=18000)

    assert "listen 127.0.0.1:18443;" in site
    assert re.search(r"upstream\s+\w+\s*\{\s*server 127\.0\.0\.1:18000;", site)
    assert "listen 443" not in site
    assert "listen 80" not in site  # the redirect to HTTPS has no place on loopback
    assert "proxy_set_header Connection" in site  # the rest as the docs have it


@pytest.mark.skipif(not NGINX.exists(), reason="nginx not installed (apt-get install nginx)")
def test_nginx_accepts_the_configuration_the_bench_wraps_around_the_docs(tmp_path):
    proxy = Nginx(upstream_port=18000, port=18443, directory=tmp_path)
    config = tmp_path / "nginx.conf"
    config.write_text(proxy.main_config(), encoding="utf-8")

    checked = subprocess.run(  # noqa: S603 — Debian's nginx on our own file
        [
            str(NGINX),
            "-t",
            "-e",
            str(tmp_path / "error.log"),
            "-p",
            str(tmp_path),
            "-c",
            str(config),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stderr


class Loopback:
    """A loopback HTTP server answering each path with its canned bytes, recording the
    requests' heads; /then-hang-up answers and closes the connection without saying so."""

    def __init__(self, replies: dict[bytes, bytes]):
        self.replies = replies
        self.heads: list[bytes] = []
        self.handlers: list[asyncio.Task] = []

    async def __aenter__(self) -> int:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def __aexit__(self, *_exc) -> None:
        await asyncio.wait(self.handlers, timeout=2)  # each sees its client close
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader, writer) -> None:
        self.handlers.append(asyncio.current_task())
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                path = head.split(b" ")[1]
                if path == b"/silent":
                    await reader.read()  # never answers; ends when the client hangs up
                    break
                if path == b"/then-hang-up":
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    await writer.drain()
                    break
                writer.write(self.replies[path])
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed its connection
        finally:
            writer.close()


def test_the_bench_client_reads_a_chunked_gzip_reply_and_keeps_its_cookie_token_and_etag():
    page = gzip.compress(b'<form><input name="csrf_token" value="a&amp;b"></form>')
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(page[i : i + 9]), page[i : i + 9])
                      for i in range(0, len(page), 9))  # fmt: skip
    replies = {
        b"/live": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"
        b'Set-Cookie: session=s1; Path=/; HttpOnly\r\nETag: W/"r1"\r\n\r\n' + chunks + b"0\r\n\r\n",
    }

    async def scenario():
        async with Loopback(replies) as port:
            browser = AsyncBrowser(port, timeout=5)
            reply = await browser.request("GET", "/live", poll=True)
            browser.close()
        return reply, browser

    reply, browser = asyncio.run(scenario())

    assert reply.status == 200
    assert "csrf_token" in reply.body
    assert browser.cookies == {"session": "s1"}
    assert browser.csrf == "a&b"
    assert browser.etags == {"/live": 'W/"r1"'}


def test_the_bench_client_keeps_its_etag_on_a_304_and_sends_it_with_the_next_poll():
    server = Loopback({b"/live": b'HTTP/1.1 304 Not Modified\r\nETag: W/"r1"\r\n\r\n'})

    async def scenario():
        async with server as port:
            browser = AsyncBrowser(port, timeout=5)
            browser.etags["/live"] = 'W/"r0"'
            first = await browser.request("GET", "/live", poll=True)
            second = await browser.request("GET", "/live", poll=True)
            browser.close()
        return first, second, browser

    first, second, browser = asyncio.run(scenario())

    assert (first.status, second.status) == (304, 304)
    assert browser.etags == {"/live": 'W/"r0"'}  # a 304 keeps what the phone has
    assert [b'If-None-Match: W/"r0"' in head for head in server.heads] == [True, True]


def test_the_bench_client_sends_again_once_when_the_server_closed_the_kept_alive_connection():
    replies = {b"/healthz": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}

    async def scenario():
        async with Loopback(replies) as port:
            browser = AsyncBrowser(port, timeout=5)
            await browser.request("GET", "/then-hang-up")
            await asyncio.sleep(0.05)  # the server's close arrives
            reply = await browser.request("GET", "/healthz")
            browser.close()
        return reply, browser

    reply, browser = asyncio.run(scenario())

    assert reply.status == 200
    assert browser.reconnects == 1


def test_the_bench_client_gives_up_on_a_request_after_its_timeout():
    async def scenario():
        async with Loopback({}) as port:
            browser = AsyncBrowser(port, timeout=0.2)
            with pytest.raises(TimeoutError):
                await browser.request("GET", "/silent")
        return browser

    browser = asyncio.run(scenario())

    assert browser.writer is None  # that connection can't carry the next request
