"""A light load generator: many HTTP/1.1 connections driven by one thread.

The benchmarks' server, database and client share the same two cores, so every
microsecond the client spends is taken from the server. Threads around ``http.client``
cost several times what the requests themselves need; here each request is bytes made
in advance, sent on a non-blocking socket and read back by a ``selectors`` loop that
parses no more than the status line and the headers a benchmark asks for.

Keep-alive is honoured: a connection is reused unless the server answered
``Connection: close`` (gunicorn's sync workers always do).
"""

import collections
import selectors
import socket
import time
from dataclasses import dataclass, field


def post(path: str, body: bytes, headers: dict[str, str], port: int) -> bytes:
    """The bytes of a POST request."""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Answer:
    """What the server answered to one request; ``status`` 0 when it did not."""

    job: int
    copy: int
    status: int
    headers: dict[str, str]
    started: float
    ended: float


@dataclass
class _Exchange:
    slot: int
    job: int
    copy: int
    data: bytes
    sock: socket.socket
    sent: int = 0
    started: float = 0.0
    buffer: bytearray = field(default_factory=bytearray)
    head: tuple | None = None  # (status, headers, body offset, length, closing)


def _parse_head(buffer: bytearray, wanted: tuple[str, ...]):
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, list[str]] = collections.defaultdict(list)
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()].append(value.strip())
    length = headers.get("content-length")
    closing = "close" in (v.lower() for v in headers.get("connection", []))
    # Joined as http.client joins repeated headers.
    kept = {name: ", ".join(headers[name]) for name in wanted if name in headers}
    return status, kept, end + 4, int(length[0]) if length else None, closing


def fire(
    port: int,
    jobs: list[list[bytes]],
    connections: int,
    headers: tuple[str, ...] = ("location", "set-cookie"),
) -> list[Answer]:
    """Send every job, ``connections`` at a time, all released together. A job's
    requests are sent at the same instant, each on its own connection, before any
    answer is read (a double click); the first reuses its slot's connection, the
    others open fresh ones. Returns one ``Answer`` per request, with the ``headers``
    named (lower case)."""
    address = ("127.0.0.1", port)
    pending = collections.deque(enumerate(jobs))
    selector = selectors.DefaultSelector()
    kept: dict[int, socket.socket] = {}
    in_flight = collections.Counter()
    answers: list[Answer] = []

    def connect() -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        sock.connect_ex(address)
        return sock

    def start(slot: int) -> None:
        if not pending:
            return
        job, requests = pending.popleft()
        in_flight[slot] = len(requests)
        now = time.perf_counter()
        for copy, data in enumerate(requests):
            sock = kept.pop(slot, None) if copy == 0 else None
            exchange = _Exchange(slot, job, copy, data, sock or connect(), started=now)
            selector.register(exchange.sock, selectors.EVENT_WRITE, exchange)

    def finish(exchange: _Exchange, status: int, found: dict, keep: bool) -> None:
        selector.unregister(exchange.sock)
        if keep and exchange.copy == 0:
            kept[exchange.slot] = exchange.sock
        else:
            exchange.sock.close()
        answers.append(
            Answer(
                exchange.job, exchange.copy, status, found, exchange.started, time.perf_counter()
            )
        )
        in_flight[exchange.slot] -= 1
        if not in_flight[exchange.slot]:
            start(exchange.slot)

    for slot in range(connections):
        start(slot)
    while selector.get_map():
        ready = selector.select(timeout=60)
        if not ready:
            raise TimeoutError("the server did not answer for 60 s")
        for key, events in ready:
            exchange: _Exchange = key.data
            try:
                if events & selectors.EVENT_WRITE:
                    exchange.sent += exchange.sock.send(exchange.data[exchange.sent :])
                    if exchange.sent == len(exchange.data):
                        selector.modify(exchange.sock, selectors.EVENT_READ, exchange)
                    continue
                chunk = exchange.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                finish(exchange, 0, {}, keep=False)
                continue
            exchange.buffer += chunk
            if exchange.head is None:
                exchange.head = _parse_head(exchange.buffer, headers)
            if exchange.head is None:
                if not chunk:
                    finish(exchange, 0, {}, keep=False)
                continue
            status, found, offset, length, closing = exchange.head
            if length is not None and len(exchange.buffer) - offset >= length:
                finish(exchange, status, found, keep=not closing)
            elif not chunk:
                finish(exchange, status if length is None else 0, found, keep=False)
    for sock in kept.values():
        sock.close()
    selector.close()
    return answers
