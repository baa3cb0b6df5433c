"""A real single-node Elasticsearch 8 for the tests, resolved from Maven Central and run on loopback.

Elastic publishes the Elasticsearch server jar (``org.elasticsearch:elasticsearch``) and its HTTP
transport (``org.elasticsearch.plugin:transport-netty4``) on Maven Central, but not the other 8.x
modules nor a distribution. ``elasticsearch/pom.xml`` beside this file resolves those jars and
compiles a small launcher (``hoso.es.TestNode``) that starts a regular ``org.elasticsearch.node.Node``
in one JVM with these plugins from the class path:

* ``Netty4Plugin``: Elastic's own HTTP/transport module (real);
* ``AnalysisShimPlugin``: HoSo's stand-in for the ``analysis-common`` module (lowercase,
  asciifolding with preserve_original, pattern_replace filter and char filter, mapping,
  html_strip, trim, unique, length, truncate, (edge_)ngram, keyword/whitespace/pattern/...
  tokenizers), written on the Lucene classes the server ships;
* ``ByQueryShimPlugin``: HoSo's stand-in for the ``reindex`` module (``_reindex``,
  ``_update_by_query`` without scripts, ``_delete_by_query``; synchronous only);
* ``RootShimPlugin``: ``GET /`` / ``HEAD /`` (``info()``/``ping()``; the ``rest-root`` module).

Everything else (mappings, index templates, aliases, ``_bulk``, search, highlighting, terms and
the other core aggregations, scroll, refresh...) is the unmodified server. There is no x-pack at
all, so no security, ML, ILM or licence APIs; no painless scripts; no ingest processors.

Jars and the compiled launcher are cached outside the repository, in
``${HOSO_CACHE_DIR:-~/.cache/hoso}/elasticsearch/<version>/`` (``m2/`` Maven repository,
``classpath.txt``, ``build/hoso-es-testnode-1.jar``); it needs ``java`` (17+) and ``mvn`` once.

Use from tests::

    from services.elastic import ElasticServer, ServiceUnavailable

    with ElasticServer() as es:            # es.url == "http://127.0.0.1:<port>"
        client = Elasticsearch(es.url)
        es.stop(); es.restart()            # outages: the same port and data come back

From a shell::

    python tests/services/elastic.py                 # run one in the foreground (Ctrl-C stops)
    python tests/services/elastic.py --prepare-only  # resolve/compile into the cache, then exit

This file imports nothing outside the standard library: run as a script its folder is first on
``sys.path``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

try:
    from ._server import (ServerProcess, ServiceUnavailable, cache_dir, file_lock, free_port,
                          http_status, run_logged, tail)
except ImportError:  # run as a script: this folder is first on sys.path
    from _server import (ServerProcess, ServiceUnavailable, cache_dir, file_lock, free_port,  # type: ignore
                         http_status, run_logged, tail)

#: The newest 8.x whose server and transport-netty4 jars Maven Central served when this was pinned.
ES_VERSION = "8.19.21"
#: The Python client must be of the same major version.
ES_MAJOR = 8

POM_DIR = Path(__file__).resolve().parent / "elasticsearch"
LAUNCHER_CLASS = "hoso.es.TestNode"
LAUNCHER_JAR = "hoso-es-testnode-1.jar"
CLUSTER_NAME = "hoso-test"
NODE_NAME = "hoso-es"
START_TIMEOUT = 120.0
STOP_GRACE = 30.0
RESOLVE_TIMEOUT = float(os.environ.get("HOSO_ES_RESOLVE_TIMEOUT", 1800))
DEFAULT_HEAP = ("512m", "1g")


class ElasticStartError(RuntimeError):
    """The jars are there but the node did not come up; the message holds its log."""


def version_dir(version: str = ES_VERSION) -> Path:
    """Where the artifacts of Elasticsearch ``version`` are (or will be) cached."""
    return cache_dir() / "elasticsearch" / version


def java_executable() -> str:
    """``$JAVA_HOME/bin/java`` if set, else ``java`` on PATH; raises ``ServiceUnavailable``."""
    home = os.environ.get("JAVA_HOME")
    candidate = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not candidate or not os.access(candidate, os.X_OK):
        raise ServiceUnavailable("java (17 or newer) is not installed: it runs the Elasticsearch "
                                 "test node (Debian: apt-get install openjdk-17-jdk-headless)")
    try:
        out = subprocess.run([candidate, "-version"], capture_output=True, text=True,
                             timeout=60).stderr
    except (OSError, subprocess.SubprocessError) as error:
        raise ServiceUnavailable(f"{candidate} -version failed: {error}") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise ServiceUnavailable(f"cannot tell the version of {candidate}: {out.strip()}")
    major = int(match.group(1)) if match.group(1) != "1" else int(match.group(2) or 0)
    if major < 17:
        raise ServiceUnavailable(f"Elasticsearch {ES_VERSION} needs Java 17+, {candidate} is {major}")
    return candidate


def _sources_digest(version: str) -> str:
    """A digest of what the cache is built from: the version, the pom and the launcher sources."""
    digest = hashlib.sha256(version.encode())
    for path in sorted([POM_DIR / "pom.xml", *POM_DIR.glob("src/**/*.java")]):
        digest.update(str(path.relative_to(POM_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_classpath(vdir: Path) -> list[Path] | None:
    """The cached class path if it is complete and built from the current sources, else None."""
    stamp = vdir / "stamp"
    classpath_file = vdir / "classpath.txt"
    launcher = vdir / "build" / LAUNCHER_JAR
    try:
        if stamp.read_text().strip() != _sources_digest(vdir.name):
            return None
        jars = [Path(p) for p in classpath_file.read_text().strip().split(os.pathsep) if p]
    except OSError:
        return None
    if not launcher.is_file() or not jars or not all(jar.is_file() for jar in jars):
        return None
    return [launcher, *jars]


def maven(product: str) -> tuple[str, dict[str, str]]:
    """``mvn`` and an environment that points it at Java 17+; raises ``ServiceUnavailable``
    naming ``product`` (what Maven would fetch) when either is missing."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServiceUnavailable(f"Maven (mvn) is not installed: it fetches {product} from Maven Central "
                                 "once (Debian: apt-get install maven)")
    java = java_executable()
    return mvn, {**os.environ, "JAVA_HOME": str(Path(java).resolve().parent.parent)}


def _resolve(version: str, vdir: Path) -> None:
    """Run Maven: resolve the Elasticsearch jars into ``vdir/m2`` and compile the launcher."""
    mvn, env = maven(f"Elasticsearch {version}")
    log_path = vdir / "resolve.log"
    build_dir = vdir / "build"
    command = [mvn, "-B", "-q", "-f", str(POM_DIR / "pom.xml"),
               f"-Dmaven.repo.local={vdir / 'm2'}", f"-Dhoso.build.dir={build_dir}",
               f"-Des.version={version}", f"-Dmdep.outputFile={vdir / 'classpath.txt'}",
               "package", "dependency:build-classpath"]
    shutil.rmtree(build_dir, ignore_errors=True)
    status = run_logged(command, name="elasticsearch", log_path=log_path, timeout=RESOLVE_TIMEOUT,
                        what=f"resolving Elasticsearch {version} from Maven Central into {vdir}",
                        env=env, cwd=vdir)
    if status != 0:
        raise ServiceUnavailable(
            f"resolving Elasticsearch {version} with Maven failed (exit {status}); "
            f"log {log_path}:\n{tail(log_path)}")
    (vdir / "stamp").write_text(_sources_digest(version) + "\n")
    if _read_classpath(vdir) is None:
        raise ServiceUnavailable(f"Maven succeeded but the class path in {vdir} is incomplete; "
                                 f"log {log_path}:\n{tail(log_path)}")


def elasticsearch_classpath(version: str = ES_VERSION, *, resolve: bool = True) -> list[Path]:
    """The test node's class path (launcher jar first), resolved into the cache if missing.

    Resolution runs under a file lock in the cache, so concurrent pytest processes resolve once;
    it is redone when ``elasticsearch/pom.xml`` or the launcher sources change. Raises
    ``ServiceUnavailable`` when java or mvn is missing, Maven fails, or ``resolve`` is False and
    nothing is cached.
    """
    vdir = version_dir(version)
    cached = _read_classpath(vdir)
    if cached is not None:
        return cached
    if not resolve:
        raise ServiceUnavailable(f"Elasticsearch {version} is not resolved yet (in {vdir})")
    with file_lock(vdir / ".resolve.lock", "[elasticsearch] another process is resolving it; waiting"):
        cached = _read_classpath(vdir)  # another process may have resolved it while we waited
        if cached is None:
            _resolve(version, vdir)
            cached = _read_classpath(vdir)
    assert cached is not None
    return cached


class ElasticServer(ServerProcess):
    """One Elasticsearch node on 127.0.0.1: single-node discovery, no security, HTTP only on loopback.

    ``base_dir`` holds ``home/`` (config), ``data/``, ``logs/`` (the node log,
    ``logs/hoso-test.log``), ``tmp/`` and ``jvm.log`` (the JVM's own stdout/stderr); if not given,
    a temporary directory is made and removed by ``close()``. Ports are picked once, so
    ``restart()`` brings the node back on the same address with the same data.

    Attributes: ``url`` ("http://127.0.0.1:port"), ``port``, ``transport_port``, ``base_dir``,
    ``data_dir``, ``log_path``, ``jvm_log_path``, ``process``, ``version``.
    """

    name = "elasticsearch"
    start_error = ElasticStartError
    stop_grace = STOP_GRACE

    def __init__(self, base_dir: Path | str | None = None, *, port: int | None = None,
                 transport_port: int | None = None, version: str = ES_VERSION,
                 heap: tuple[str, str] = DEFAULT_HEAP, settings: dict[str, str] | None = None,
                 start_timeout: float = START_TIMEOUT) -> None:
        super().__init__(base_dir, "hoso-elasticsearch-")
        self.base_dir = self.home
        self.home_dir = self.base_dir / "home"
        self.data_dir = self.base_dir / "data"
        self.logs_dir = self.base_dir / "logs"
        self.tmp_dir = self.base_dir / "tmp"
        self.log_path = self.logs_dir / f"{CLUSTER_NAME}.log"
        self.output_path = self.jvm_log_path = self.base_dir / "jvm.log"
        self.version = version
        self.port = port or free_port()
        self.transport_port = transport_port or free_port()
        while self.transport_port == self.port:
            self.transport_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.heap = heap
        self.extra_settings = dict(settings or {})
        self.start_timeout = start_timeout

    # -- configuration ---------------------------------------------------------------------
    def settings(self) -> dict[str, str]:
        """The node settings, passed as ``-Ekey=value`` (extra ``settings`` win)."""
        settings = {
            "cluster.name": CLUSTER_NAME,
            "node.name": NODE_NAME,
            "path.home": str(self.home_dir),
            "path.data": str(self.data_dir),
            "path.logs": str(self.logs_dir),
            "network.host": "127.0.0.1",
            "http.port": str(self.port),
            "transport.port": str(self.transport_port),
            "discovery.type": "single-node",
            # the test disk may be nearly full: never block writes nor move shards for space
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            # tests clean up with wildcards (DELETE /hoso-*)
            "action.destructive_requires_name": "false",
            "bootstrap.memory_lock": "false",
        }
        settings.update(self.extra_settings)
        return settings

    def command(self) -> list[str]:
        """The command line that starts the node (may resolve the class path first)."""
        classpath = elasticsearch_classpath(self.version)
        xms, xmx = self.heap
        return [
            java_executable(), f"-Xms{xms}", f"-Xmx{xmx}", "-Xss1m",
            "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-XX:-OmitStackTraceInFastThrow",
            "-Dfile.encoding=UTF-8", "-Djava.awt.headless=true",
            f"-Djava.io.tmpdir={self.tmp_dir}",
            "-Dlog4j2.disable.jmx=true", "-Dlog4j.shutdownHookEnabled=false",
            "-Dlog4j2.formatMsgNoLookups=true",
            "-Dio.netty.noUnsafe=true", "-Dio.netty.noKeySetOptimization=true",
            "-Dio.netty.recycler.maxCapacityPerThread=0",
            "-Des.networkaddress.cache.ttl=60", "-Des.networkaddress.cache.negative.ttl=10",
            "-Dhoso.es.exitOnStdinEof=true",  # exits when our end of its stdin pipe closes
            "-cp", os.pathsep.join(str(p) for p in classpath), LAUNCHER_CLASS,
            *(f"-E{key}={value}" for key, value in self.settings().items()),
        ]

    # -- lifecycle -------------------------------------------------------------------------
    def prepare(self) -> None:
        for directory in (self.home_dir / "config", self.data_dir, self.logs_dir, self.tmp_dir):
            directory.mkdir(parents=True, exist_ok=True)

    def probe(self) -> str | None:
        status = http_status(f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=2s")
        return None if status == 200 else f"/_cluster/health?wait_for_status=yellow answered {status}"

    def logs(self) -> str:
        return (f"node log {self.log_path}:\n{tail(self.log_path)}\n"
                f"JVM output {self.jvm_log_path}:\n{tail(self.jvm_log_path, 3000)}")


def main(argv: list[str] | None = None) -> int:
    """Resolve the jars (``--prepare-only``) or run one node in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--prepare-only", action="store_true",
                        help="resolve/compile into the cache, print the cache directory and exit")
    parser.add_argument("--data", type=Path,
                        help="keep home/data/logs here (default: a temporary directory, removed)")
    parser.add_argument("--port", type=int, help="HTTP port (default: a free one)")
    parser.add_argument("--transport-port", type=int, help="transport port (default: a free one)")
    args = parser.parse_args(argv)
    try:
        elasticsearch_classpath()
    except ServiceUnavailable as error:
        print(f"Elasticsearch unavailable: {error.reason}", file=sys.stderr)
        return 1
    if args.prepare_only:
        print(version_dir())
        return 0
    server = ElasticServer(args.data, port=args.port, transport_port=args.transport_port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        started = time.monotonic()
        server.start()
        print(f"Elasticsearch {ES_VERSION} running (Ctrl-C stops), up in "
              f"{time.monotonic() - started:.1f} s\n"
              f"  url:   {server.url}\n"
              f"  data:  {server.data_dir}\n"
              f"  log:   {server.log_path}", flush=True)
        assert server.process is not None
        code = server.process.wait()
        print(f"Elasticsearch exited with {code}; log {server.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except ElasticStartError as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
