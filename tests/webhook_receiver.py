"""A webhook receiver on loopback, for the tests of event deliveries."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

from harness import free_port


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers as `mode` says: `ok`, `500`, `slow` (longer
    than HoSo waits); `stop()` takes it off the network, `start()` brings it back on its port."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.mode = "ok"
        self.received: list[tuple[dict, bytes]] = []  # every request's headers and body, as they came
        self.answered: list[str] = []  # the mode each was answered in
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                receiver.answered.append(receiver.mode)
                if receiver.mode == "slow":
                    time.sleep(1.2)
                status = 500 if receiver.mode == "500" else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self) -> list[dict]:
        """Each request's event, once its signature is verified as Standard Webhooks says."""
        return [Webhook(self.secret).verify(body, headers) for headers, body in self.received]
