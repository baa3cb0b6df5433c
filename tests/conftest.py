"""Shared fixtures: a real `hoso serve` on loopback with its own data directory."""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def oidc_provider():
    """The province's identity provider, for single sign-on: a real OpenID Connect provider on
    loopback with a key made for this session (tests/services/oidc_provider.py)."""
    from services.oidc_provider import OidcProvider

    provider = OidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture()
def client(server: Server):
    with server.client() as c:
        yield c


def _real_service(kind: str, module, factory, tmp_path_factory):
    """Start a real server for the session; on a developer machine without its toolchain the
    tests that need it skip with the reason, but in CI (CI=true) they must run, never skip."""
    try:
        server = factory(tmp_path_factory.mktemp(kind))
        server.start()
    except module.ServiceUnavailable as e:
        _unavailable(kind, e)
    return server


def _unavailable(kind: str, reason: Exception) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{kind} is required in CI: {reason}")
    pytest.skip(f"{kind} not available here: {reason}")


@pytest.fixture(scope="session")
def xml_schemas():
    """The official METS and PREMIS XML schemas (tests/services/schemas.py), fetched once."""
    from services import schemas

    try:
        schemas.prepare()
    except schemas.ServiceUnavailable as e:
        _unavailable("the METS and PREMIS schemas", e)
    return schemas


@pytest.fixture(scope="session")
def minio_server(tmp_path_factory):
    from services import minio

    server = _real_service("minio", minio, lambda d: minio.MinioServer(d), tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def elastic_server(tmp_path_factory):
    from services import elastic

    server = _real_service("elasticsearch", elastic, lambda d: elastic.ElasticServer(d),
                           tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture()
def redis_server(tmp_path_factory):
    """A broker of its own for each test (tests kill it): a real redis-server on loopback."""
    from services import redis

    server = _real_service("redis", redis, lambda d: redis.RedisServer(d), tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture()
def scaleout_env(minio_server, elastic_server) -> dict[str, str]:
    """HoSo settings for a fresh bucket on the real MinIO and fresh indices on the real
    Elasticsearch, so tests sharing the servers never see each other's records."""
    import uuid

    name = uuid.uuid4().hex[:8]
    return {"HOSO_STORE": f"s3://{minio_server.endpoint}/hoso-{name}",
            "HOSO_S3__ACCESS_KEY": minio_server.access_key, "HOSO_S3__SECRET_KEY": minio_server.secret_key,
            "HOSO_INDEX": f"{elastic_server.url}?prefix=t{name}"}


@pytest.fixture(params=["local", "minio"])
def any_store(request, tmp_path):
    """An empty object store: the embedded directory, or a fresh bucket on the real MinIO."""
    import uuid

    from repository.options import StoreOptions
    from repository.store import open_store

    if request.param == "local":
        return open_store(f"file://{tmp_path / 'store'}")
    server = request.getfixturevalue("minio_server")
    return open_store(f"s3://{server.endpoint}/hoso-{uuid.uuid4().hex[:12]}",
                      StoreOptions(access_key=server.access_key, secret_key=server.secret_key))
