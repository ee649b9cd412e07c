"""The monitors benchmark's targets: one asyncio HTTP server in its own process (so it never
shares a GIL with the worker or the benchmark), listening on 0.0.0.0 so that targets spread
over loopback addresses reach it (Linux routes all of 127/8 to lo). Target ``i`` is
``http://127.0.{1 + i // 250}.{1 + i % 250}:{port}/t/{i}``; every request to it is recorded
(target, epoch time) in two flat arrays. And a load generator that measures its ceiling.

    python -m benchmarks.receiver serve            # prints "port <port>"
    python -m benchmarks.receiver load --port P --connections 1000 --seconds 5

Control paths on the same port: ``/_fail/{i}`` (answer 500), ``/_ok/{i}``, ``/_slow/{i}/{ms}``,
``/_reset`` (forget what was recorded), ``/_count``, ``/_dump`` (the records: a count, then
that many int32 targets, then that many float64 epoch times).
"""

import argparse
import asyncio
import json
import struct
import sys
import time
from array import array

ADDRESSES = 1000


def target_address(index: int) -> str:
    spread = index % ADDRESSES
    return f"127.0.{1 + spread // 250}.{1 + spread % 250}"


def target_url(index: int, port: int) -> str:
    return f"http://{target_address(index)}:{port}/t/{index}"


def records_parse(body: bytes) -> tuple[array, array]:
    """``/_dump``'s body as (targets, epoch times)."""
    (count,) = struct.unpack_from("<q", body)
    targets, times = array("i"), array("d")
    targets.frombytes(body[8 : 8 + 4 * count])
    times.frombytes(body[8 + 4 * count : 8 + 12 * count])
    return targets, times


class Receiver:
    def __init__(self):
        self.targets = array("i")
        self.times = array("d")
        self.failing: set[int] = set()
        self.slow: dict[int, float] = {}

    def control(self, path: bytes) -> tuple[int, bytes]:
        words = path.decode().strip("/").split("/")
        if words[0] == "_fail":
            self.failing.add(int(words[1]))
        elif words[0] == "_ok":
            self.failing.discard(int(words[1]))
            self.slow.pop(int(words[1]), None)
        elif words[0] == "_slow":
            self.slow[int(words[1])] = float(words[2]) / 1000
        elif words[0] == "_reset":
            self.targets, self.times = array("i"), array("d")
        elif words[0] == "_count":
            return 200, json.dumps({"received": len(self.times)}).encode()
        elif words[0] == "_dump":
            return 200, (
                struct.pack("<q", len(self.times)) + self.targets.tobytes() + self.times.tobytes()
            )
        else:
            return 404, b"unknown"
        return 200, b"ok"


RESPONSES = {
    200: b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n",
    404: b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n",
    500: b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
    b"Content-Length: %d\r\n\r\n",
}


class Connection(asyncio.Protocol):
    """HTTP/1.1 keep-alive, one request at a time (probes do not pipeline)."""

    def __init__(self, receiver: Receiver):
        self.receiver = receiver
        self.buffer = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            lowered = head.lower()
            found = lowered.find(b"\r\ncontent-length:")
            if found >= 0:
                length = int(lowered[found + 17 : lowered.find(b"\r\n", found + 2)].strip() or 0)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.request(head, lowered)

    def request(self, head: bytes, lowered: bytes) -> None:
        method, path = head.split(b" ", 2)[:2]
        delay = 0.0
        if path.startswith(b"/t/"):
            index = int(path[3:].partition(b"?")[0])
            receiver = self.receiver
            receiver.targets.append(index)
            receiver.times.append(time.time())
            status, body = (500, b"down") if index in receiver.failing else (200, b"ok")
            delay = receiver.slow.get(index, 0.0)
        else:
            status, body = self.receiver.control(path)
        response = RESPONSES[status] % len(body) + (b"" if method == b"HEAD" else body)
        close = b"\r\nconnection: close" in lowered
        if delay:
            asyncio.get_running_loop().call_later(delay, self.respond, response, close)
        else:
            self.respond(response, close)

    def respond(self, response: bytes, close: bool) -> None:
        if self.transport.is_closing():
            return
        self.transport.write(response)
        if close:
            self.transport.close()


async def _serve(port: int) -> None:
    receiver = Receiver()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        # All of 127/8 reaches a socket on 0.0.0.0 (it answers only "ok" to anyone).
        lambda: Connection(receiver),
        "0.0.0.0",  # noqa: S104
        port,
        backlog=8192,
        reuse_address=True,
    )
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


async def _load(port: int, connections: int, seconds: float) -> None:
    """Keep-alive GETs of ``/t/{i}`` on ``connections`` connections, each to its own loopback
    address, for ``seconds``; prints requests/s."""
    done = 0
    end = time.monotonic() + seconds

    async def one(index: int) -> None:
        nonlocal done
        address = target_address(index)
        request = f"GET /t/{index} HTTP/1.1\r\nHost: {address}:{port}\r\n\r\n".encode()
        reader, writer = await asyncio.open_connection(address, port)
        try:
            while time.monotonic() < end:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(int(head.rpartition(b":")[2].strip()))
                done += 1
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(one(index) for index in range(connections)))
    print(json.dumps({"requests": done, "rate": done / (time.monotonic() - started)}))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--port", type=int, default=0)
    load = sub.add_parser("load")
    load.add_argument("--port", type=int, required=True)
    load.add_argument("--connections", type=int, default=ADDRESSES)
    load.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args(argv)
    if args.command == "serve":
        asyncio.run(_serve(args.port))
    else:
        asyncio.run(_load(args.port, args.connections, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
