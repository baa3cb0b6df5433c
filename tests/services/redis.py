"""A real Redis server for the tests: Debian's ``redis-server``, run on loopback.

The broker of HoSo's scale-out mode (Celery over Redis). It writes every command to its
append-only file before answering (``appendfsync always``), so a broker killed with SIGKILL and
started again on the same directory still holds its queue, as a production broker with AOF does.

Use from tests::

    with RedisServer() as redis:      # redis.url == "redis://127.0.0.1:<port>/0"
        redis.kill(); redis.start()   # a crash: the same port and data come back

From a shell::

    python tests/services/redis.py    # run one in the foreground (Ctrl-C stops)

Standard library only, like the other server modules (run as a script, ``import redis`` here
would find this file rather than the client library).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import sys
from pathlib import Path

try:
    from ._server import ServerProcess, ServiceUnavailable, free_port
except ImportError:  # run as a script: this folder is first on sys.path
    from _server import ServerProcess, ServiceUnavailable, free_port  # type: ignore

__all__ = ["RedisServer", "ServiceUnavailable"]


class RedisServer(ServerProcess):
    name = "redis"
    start_timeout = 30.0

    def __init__(self, home: Path | str | None = None, port: int | None = None) -> None:
        super().__init__(home, prefix="hoso-redis-")
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceUnavailable("redis-server is missing: apt-get install redis-server")
        return [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.home),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes",
                "--daemonize", "no", "--logfile", ""]

    def probe(self) -> str | None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                answer = sock.recv(64)
        except OSError as e:
            return f"no answer on port {self.port}: {e}"
        # While it loads its append-only file Redis answers -LOADING.
        return None if answer.startswith(b"+PONG") else f"answered {answer[:40]!r}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=6379)
    args = parser.parse_args()
    server = RedisServer(port=args.port)
    try:
        server.start()
    except ServiceUnavailable as e:
        sys.exit(f"redis: {e.reason}")
    print(f"Redis at {server.url} (data {server.home}); Ctrl-C stops it", flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
