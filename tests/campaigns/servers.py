"""Local servers the sender tests start: an SMS gateway (http.server) and an SMTP sink (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    """A gateway that honours Idempotency-Key: a repeated key gets the first message's id, nothing is resent.
    `fail_next` answers that many requests with `fail_status` first."""

    def __init__(self):
        self.messages: list[dict] = []
        self.by_key: dict[str, str] = {}
        self.requests = 0
        self.fail_next = 0
        self.fail_status = 503
        gw = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                gw.requests += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode())
                if gw.fail_next:
                    gw.fail_next -= 1
                    self.send_response(gw.fail_status)
                    self.end_headers()
                    return
                key = self.headers.get("Idempotency-Key", "")
                if key not in gw.by_key:
                    gw.by_key[key] = f"m{len(gw.messages) + 1}"
                    gw.messages.append({**body, "key": key, "auth": self.headers.get("Authorization", "")})
                payload = json.dumps({"id": gw.by_key[key]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """aiosmtpd's Controller runs a real SMTP server in a thread; the handler keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        sink = self
        self.messages: list = []

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                sink.messages.append(envelope)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
