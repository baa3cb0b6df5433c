"""A real MinIO server for the tests, built from its Go module and run on loopback.

MinIO is built once from the Go module proxy at a pinned version (``MINIO_VERSION``) and
cached outside the repository, in ``${HOSO_CACHE_DIR:-~/.cache/hoso}/minio/<version>/minio``.
Set ``HOSO_MINIO_BINARY`` to use another MinIO binary instead.

Use from tests::

    from services.minio import MinioServer, ServiceUnavailable

    with MinioServer() as s3:          # 4 drives: erasure coding, versioning, object lock
        client = Minio(s3.endpoint, s3.access_key, s3.secret_key, secure=False)
        s3.stop(); s3.restart()        # outages: the same port and data come back

From a shell::

    python tests/services/minio.py               # run one in the foreground (Ctrl-C stops)
    python tests/services/minio.py --build-only  # build the binary into the cache, then exit

This file imports nothing outside the standard library: run as a script its folder is first on
``sys.path``, where ``import minio`` would find this file rather than the MinIO SDK.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

try:
    from ._server import (ServerProcess, ServiceUnavailable, cache_dir, file_lock, free_port,
                          http_status, run_logged, tail)
except ImportError:  # run as a script: this folder is first on sys.path
    from _server import (ServerProcess, ServiceUnavailable, cache_dir, file_lock, free_port,  # type: ignore
                         http_status, run_logged, tail)

MINIO_MODULE = "github.com/minio/minio"
#: The newest version the Go module proxy served when this was pinned; it builds with go1.24+.
MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c"

DEFAULT_ACCESS_KEY = "hoso-minio"
DEFAULT_SECRET_KEY = "hoso-minio-secret-key"
#: A fixed, test-only static KMS key ("<name>:<base64 of 32 bytes>") so that SSE-S3 and SSE-KMS
#: work, and data written before a restart (or in a kept ``--data`` directory) stays readable.
KMS_SECRET_KEY = "hoso-test-key:Y9ZrVZz1uKSZ+GiiGAiaP6WfwfOl829wxFPDaQWrmQI="
DRIVES = 4
START_TIMEOUT = 60.0
STOP_GRACE = 10.0
BUILD_TIMEOUT = float(os.environ.get("HOSO_MINIO_BUILD_TIMEOUT", "3600"))


def binary_path(version: str = MINIO_VERSION) -> Path:
    """Where the MinIO binary of ``version`` is (or will be) cached."""
    return cache_dir() / "minio" / version / "minio"


def _usable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _build(version: str, target: Path) -> None:
    """``go install MODULE@version`` into a scratch GOBIN, then move the binary to ``target``."""
    go = shutil.which("go")
    if go is None:
        raise ServiceUnavailable(
            "the Go toolchain (go1.24 or newer) is not on PATH; it is needed once to build "
            f"MinIO {version} (or set HOSO_MINIO_BINARY to a MinIO binary)")
    version_dir = target.parent
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=version_dir))
    log_path = version_dir / "build.log"
    env = {
        **os.environ,
        "GOBIN": str(scratch),
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",  # never try to download another toolchain
    }
    command = [go, "install", "-trimpath", "-ldflags=-s -w", f"{MINIO_MODULE}@{version}"]
    try:
        status = run_logged(command, name="minio", what=f"building MinIO {version} with {go}",
                            log_path=log_path, timeout=BUILD_TIMEOUT, env=env, cwd=scratch)
        built = scratch / "minio"
        if status != 0 or not _usable(built):
            raise ServiceUnavailable(
                f"building MinIO {version} failed (go install exit {status}); "
                f"log {log_path}:\n{tail(log_path)}")
        os.replace(built, target)  # atomic: a reader sees no binary or a whole one
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def minio_binary(version: str = MINIO_VERSION, *, build: bool = True) -> Path:
    """The MinIO server binary: ``$HOSO_MINIO_BINARY``, else the cached one, built if missing.

    The build runs under a file lock in the cache, so concurrent pytest processes build it once.
    Raises ``ServiceUnavailable`` when Go is missing, the build fails, or ``build`` is False and
    nothing is cached.
    """
    override = os.environ.get("HOSO_MINIO_BINARY")
    if override:
        path = Path(override)
        if not _usable(path):
            raise ServiceUnavailable(f"HOSO_MINIO_BINARY={override} is not an executable file")
        return path
    target = binary_path(version)
    if _usable(target):
        return target
    if not build:
        raise ServiceUnavailable(f"MinIO {version} is not built yet ({target} is missing)")
    with file_lock(target.parent / ".build.lock", "[minio] another process is building MinIO; waiting"):
        if not _usable(target):  # another process may have built it while we waited
            _build(version, target)
    return target


class MinioStartError(RuntimeError):
    """The binary is there but the server did not come up; the message holds its log."""


class MinioServer(ServerProcess):
    """One MinIO server on loopback with ``DRIVES`` data directories (erasure coded).

    ``data_dir`` holds the drives ``d1..d4``, ``certs/`` and ``minio.log``; if not given, a
    temporary directory is made and removed by ``close()`` (a given one is kept). Ports are
    picked once, so ``restart()`` brings the server back on the same address with the same data.

    Attributes: ``endpoint`` ("127.0.0.1:port", for the MinIO SDK), ``url`` ("http://..."),
    ``console_url``, ``access_key``, ``secret_key``, ``data_dir``, ``log_path``, ``process``.
    """

    name = "minio"
    start_error = MinioStartError
    stop_grace = STOP_GRACE

    def __init__(self, data_dir: Path | str | None = None, *,
                 access_key: str = DEFAULT_ACCESS_KEY, secret_key: str = DEFAULT_SECRET_KEY,
                 port: int | None = None, console_port: int | None = None,
                 binary: Path | None = None, env: dict[str, str] | None = None,
                 start_timeout: float = START_TIMEOUT) -> None:
        super().__init__(data_dir, "hoso-minio-")
        self.data_dir = self.home
        self.output_path = self.log_path = self.data_dir / "minio.log"
        self.start_timeout = start_timeout
        self.access_key = access_key
        self.secret_key = secret_key
        self.port = port or free_port()
        self.console_port = console_port or free_port()
        while self.console_port == self.port:
            self.console_port = free_port()
        self.endpoint = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.endpoint}"
        self.console_url = f"http://127.0.0.1:{self.console_port}"
        self.binary = binary
        self.extra_env = dict(env or {})

    def command(self) -> list[str]:
        """The command line that starts the server."""
        binary = self.binary or minio_binary()
        return [str(binary), "server", f"{self.data_dir}/d{{1...{DRIVES}}}",
                "--address", self.endpoint,
                "--console-address", f"127.0.0.1:{self.console_port}",
                "--certs-dir", str(self.data_dir / "certs")]

    def environment(self) -> dict[str, str]:
        """The server's environment: ours without MINIO_* variables, plus the test settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MINIO_")}
        env.update({
            "MINIO_ROOT_USER": self.access_key,
            "MINIO_ROOT_PASSWORD": self.secret_key,
            "MINIO_BROWSER": "off",
            "MINIO_UPDATE": "off",
            "MINIO_CALLHOME_ENABLE": "off",
            "MINIO_CI_CD": "1",  # test mode: allows data drives on the root disk
            "MINIO_PROMETHEUS_AUTH_TYPE": "public",
            "MINIO_KMS_SECRET_KEY": KMS_SECRET_KEY,  # server-side encryption needs a KMS
        })
        env.update(self.extra_env)
        return env

    def prepare(self) -> None:
        for drive in range(1, DRIVES + 1):
            (self.data_dir / f"d{drive}").mkdir(parents=True, exist_ok=True)
        (self.data_dir / "certs").mkdir(parents=True, exist_ok=True)

    def probe(self) -> str | None:
        for path in ("/minio/health/live", "/minio/health/ready"):
            status = http_status(self.url + path, timeout=2)
            if status != 200 and not (status == 404 and path.endswith("/ready")):  # old: no /ready
                return f"{path} answered {status}"
        return None
def main(argv: list[str] | None = None) -> int:
    """Build the binary (``--build-only``) or run one server in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--build-only", action="store_true",
                        help="build/cache the MinIO binary, print its path and exit")
    parser.add_argument("--data", type=Path,
                        help="keep the data here (default: a temporary directory, removed)")
    parser.add_argument("--port", type=int, help="S3 API port (default: a free one)")
    parser.add_argument("--console-port", type=int, help="console port (default: a free one)")
    parser.add_argument("--access-key", default=DEFAULT_ACCESS_KEY)
    parser.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    args = parser.parse_args(argv)
    try:
        binary = minio_binary()
    except ServiceUnavailable as error:
        print(f"MinIO unavailable: {error.reason}", file=sys.stderr)
        return 1
    if args.build_only:
        print(binary)
        return 0
    server = MinioServer(args.data, access_key=args.access_key, secret_key=args.secret_key,
                         port=args.port, console_port=args.console_port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.start()
        print(f"MinIO {MINIO_VERSION} running (Ctrl-C stops)\n"
              f"  url:         {server.url}\n"
              f"  endpoint:    {server.endpoint}\n"
              f"  access key:  {server.access_key}\n"
              f"  secret key:  {server.secret_key}\n"
              f"  data:        {server.data_dir}\n"
              f"  log:         {server.log_path}", flush=True)
        assert server.process is not None
        code = server.process.wait()
        print(f"minio exited with {code}; log {server.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except MinioStartError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
