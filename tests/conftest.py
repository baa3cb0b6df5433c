"""Shared fixtures: a real `hoso serve` on loopback with its own data directory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).parent))  # vnpages and harness: helpers shared by the tests

from harness import Server  # noqa: E402


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
