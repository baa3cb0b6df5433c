"""What the test servers share: the cache, a build lock, loopback ports, and the life of a server
process in its own session (start, wait until healthy, stop, kill, restart, close).

Standard library only, like the server modules, which also run as scripts.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Self


class ServiceUnavailable(Exception):
    """The server cannot be had on this machine (a missing toolchain, a failed build).

    ``reason`` says why; a test fixture may turn this into a skip or a failure as it sees fit.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def log(name: str, message: str) -> None:
    print(f"[{name}] {message}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    """The cache root: ``$HOSO_CACHE_DIR`` or ``~/.cache/hoso``."""
    return Path(os.environ.get("HOSO_CACHE_DIR") or Path.home() / ".cache" / "hoso")


@contextmanager
def file_lock(path: Path, waiting: str) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``, so that two processes do not build at once; says
    ``waiting`` on stderr if another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(waiting, file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tail(path: Path, chars: int = 6000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return text if len(text) <= chars else "...\n" + text[-chars:]


def run_logged(command: list[str], *, name: str, what: str, log_path: Path, timeout: float,
               env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
    """Run a long one-off step (a build, a download) with its output in ``log_path`` and a line on
    stderr every 30 s; return its exit status. Raises ServiceUnavailable after ``timeout``."""
    log(name, f"{what}; this takes minutes once, output goes to {log_path}")
    started = time.monotonic()
    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(30):
            log(name, f"still {what} ({time.monotonic() - started:.0f} s)")

    threading.Thread(target=heartbeat, daemon=True).start()
    try:
        with open(log_path, "wb") as output:
            try:
                return subprocess.run(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                      timeout=timeout, check=False).returncode
            except subprocess.TimeoutExpired:
                raise ServiceUnavailable(f"{what} took more than {timeout:.0f} s; "
                                         f"log {log_path}:\n{tail(log_path)}") from None
    finally:
        done.set()
        log(name, f"{what}: {time.monotonic() - started:.0f} s")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http_status(url: str, timeout: float = 5) -> int | None:
    """The HTTP status ``url`` answers with, or None if nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        code: int = error.code
        return code
    except (urllib.error.URLError, OSError):
        return None


_running: set[ServerProcess] = set()


@atexit.register
def _kill_leftovers() -> None:
    for server in list(_running):
        server.kill()
        if server._owns_home:
            shutil.rmtree(server.home, ignore_errors=True)


class ServerProcess:
    """One server process on loopback, in its own session so signals reach only it.

    ``home`` is its directory; if not given, a temporary one is made and removed by ``close()``.
    Its stdout and stderr go to ``output_path``; its stdin is a pipe never written to, so it
    sees EOF if the test process dies. Subclasses say how to start it (``command``,
    ``environment``, ``prepare``) and when it is up (``probe``).
    """

    name = "server"
    start_error: type[Exception] = RuntimeError
    start_timeout = 60.0
    stop_grace = 10.0

    def __init__(self, home: Path | str | None, prefix: str) -> None:
        self._owns_home = home is None
        self.home = Path(home) if home else Path(tempfile.mkdtemp(prefix=prefix))
        self.output_path = self.home / f"{self.name}.out"
        self.process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    # -- what a subclass says ----------------------------------------------------------------
    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str] | None:
        return None  # ours

    def prepare(self) -> None:
        """Make the directories the server needs before it starts."""

    def probe(self) -> str | None:
        """None once the server is up, else what it is still waiting for (for the error)."""
        raise NotImplementedError

    def logs(self) -> str:
        return f"output {self.output_path}:\n{tail(self.output_path)}"

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def start(self) -> Self:
        """Start the server and wait until ``probe`` says it is up (``start_timeout``).

        Raises ``ServiceUnavailable`` if it cannot be had here, and ``start_error`` (with its
        logs) if it exits or is not up in time.
        """
        if self.running:
            return self
        command = self.command()  # may build or resolve it, before the clock starts
        self.home.mkdir(parents=True, exist_ok=True)
        self.prepare()
        self._output = open(self.output_path, "ab")  # noqa: SIM115 (open while it runs)
        self._output.write(f"\n=== {time.strftime('%H:%M:%S')} start: {' '.join(command)}\n".encode())
        self._output.flush()
        self.process = subprocess.Popen(command, env=self.environment(), cwd=self.home,
                                        stdin=subprocess.PIPE, stdout=self._output,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        _running.add(self)
        try:
            self._wait_up()
        except BaseException:
            self.kill()
            raise
        return self

    def _wait_up(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise self.start_error(f"{self.name} exited with {self.process.returncode} on start; "
                                       f"{self.logs()}")
            waiting = self.probe()
            if waiting is None:
                return
            if time.monotonic() > deadline:
                raise self.start_error(f"{self.name} was not up within {self.start_timeout:.0f} s "
                                       f"({waiting}); {self.logs()}")
            time.sleep(0.2)

    def _signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, sig)  # its own session: the group is just the server
        except ProcessLookupError:
            pass

    def _reap(self) -> None:
        _running.discard(self)
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
        if self._output is not None:
            self._output.close()
            self._output = None

    def stop(self, grace: float | None = None) -> None:
        """Stop the server: SIGTERM, then SIGKILL after ``grace`` seconds. Idempotent."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(self.stop_grace if grace is None else grace)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait()
        self._reap()

    def kill(self) -> None:
        """Kill the server at once with SIGKILL (a crash, not a shutdown). Idempotent."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal(signal.SIGKILL)
            self.process.wait()
        self._reap()

    def restart(self) -> Self:
        """Stop the server if it runs, then start it again on the same ports and data."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop the server and remove its directory if this object made it."""
        self.stop()
        if self._owns_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"{type(self).__name__}({getattr(self, 'url', '?')}, {state}, home={self.home})"
