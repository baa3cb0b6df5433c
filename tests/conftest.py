"""Shared fixtures: a real `hoso serve` on loopback with its own data directory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # vnpages: test pages rendered on the fly

HOSO = Path(sys.executable).parent / "hoso"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "HOSO_DATA_DIR": str(data_dir), **env}
        self.process: subprocess.Popen | None = None
        self.key: str | None = None

    def start(self) -> "Server":
        log = open(self.log, "ab")
        self.process = subprocess.Popen([str(HOSO), "serve", "--port", str(self.port)], env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hoso serve exited:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"hoso serve did not start:\n{self.log.read_text()}")
        found = re.search(r"Admin API key \(shown once, keep it\): (\S+)", self.log.read_text())
        if found:
            self.key = found.group(1)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=60)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    srv = Server(tmp_path_factory.mktemp("hoso-server"), {"HOSO_WORKERS": "2",
                                                           "HOSO_MAX_FILE_BYTES": str(8 * 2**20)})
    srv.start()
    assert srv.key and srv.key.startswith("hoso_"), "first run must print the admin API key"
    yield srv
    srv.stop()


@pytest.fixture()
def client(server: Server):
    with server.client() as c:
        yield c


def wait_done(client: httpx.Client, code: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dossier = client.get(f"/v1/dossiers/{code}").json()
        if dossier["status"] in ("done", "failed"):
            return dossier
        time.sleep(0.3)
    raise AssertionError(f"dossier {code} not finished after {timeout} s: {dossier}")
