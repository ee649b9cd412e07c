"""Receivers for the notification benchmark, in their own process so they never share a GIL
with the workers or the benchmark: an asyncio HTTP sink (webhooks; answers after
``--latency-ms``, holds thousands of keep-alive connections), an asyncio SMTP sink (email),
and a load generator that measures the HTTP sink's own ceiling.

    python -m benchmarks.sinks serve --latency-ms 200     # prints "http <port> smtp <port>"
    python -m benchmarks.sinks load --port P --connections 1000 --seconds 3

``GET /_stats`` on the HTTP port answers what both sinks received: every message counted by
its id (``webhook-id`` or ``Message-ID``), so duplicates show.
"""

import argparse
import asyncio
import json
import re
import sys
import time
from collections import Counter

_received: Counter = Counter()
_MESSAGE_ID = re.compile(rb"^message-id:\s*<?([^>\r\n]+)>?", re.IGNORECASE | re.MULTILINE)


def _stats() -> dict:
    total = sum(_received.values())
    return {"received": total, "unique": len(_received), "duplicates": total - len(_received)}


async def _http(reader, writer, latency: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, _, header_block = head.partition(b"\r\n")
            length, message_id = 0, None
            for line in header_block.split(b"\r\n"):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"webhook-id":
                    message_id = value.strip()
            if length:
                await reader.readexactly(length)
            if request_line.startswith(b"GET /_stats"):
                body = json.dumps(_stats()).encode()
            else:
                if latency:
                    await asyncio.sleep(latency)
                if message_id is not None:
                    _received[message_id] += 1
                body = b"ok"
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def _smtp(reader, writer, latency: float) -> None:
    async def reply(line: bytes) -> None:
        writer.write(line + b"\r\n")
        await writer.drain()

    try:
        await reply(b"220 bench-sink ESMTP")
        while True:
            line = await reader.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                await reply(b"250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb == b"DATA":
                await reply(b"354 go ahead")
                data = await reader.readuntil(b"\r\n.\r\n")
                if latency:
                    await asyncio.sleep(latency)
                found = _MESSAGE_ID.search(data)
                _received[found.group(1) if found else b"?"] += 1
                await reply(b"250 queued")
            elif verb == b"QUIT":
                await reply(b"221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                await reply(b"250 ok")
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def _serve(latency: float) -> None:
    http = await asyncio.start_server(
        lambda r, w: _http(r, w, latency), "127.0.0.1", 0, backlog=8192, limit=1 << 20
    )
    smtp = await asyncio.start_server(
        lambda r, w: _smtp(r, w, latency), "127.0.0.1", 0, backlog=8192, limit=1 << 24
    )
    ports = (http.sockets[0].getsockname()[1], smtp.sockets[0].getsockname()[1])
    print(f"http {ports[0]} smtp {ports[1]}", flush=True)
    async with http, smtp:
        await asyncio.gather(http.serve_forever(), smtp.serve_forever())


async def _load(port: int, connections: int, seconds: float) -> None:
    """Keep-alive POSTs on ``connections`` connections for ``seconds``; prints requests/s."""
    request = (
        b"POST /_load HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )
    done = 0
    end = time.monotonic() + seconds

    async def one() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < end:
                writer.write(request)
                await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(2)
                done += 1
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(connections)))
    print(json.dumps({"requests": done, "rate": done / (time.monotonic() - started)}))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--latency-ms", type=float, default=0)
    load = sub.add_parser("load")
    load.add_argument("--port", type=int, required=True)
    load.add_argument("--connections", type=int, default=500)
    load.add_argument("--seconds", type=float, default=3)
    args = parser.parse_args(argv)
    if args.command == "serve":
        asyncio.run(_serve(args.latency_ms / 1000))
    else:
        asyncio.run(_load(args.port, args.connections, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
