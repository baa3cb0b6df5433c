"""veraPDF, the PDF/A validator, resolved from Maven Central and run on files for the tests.

veraPDF publishes its command-line application on Maven Central as ``org.verapdf.apps:cli``: the
artifact is a self-contained jar (``jar-with-dependencies``: the validation model, the parser and
the built-in PDF/A profiles), entry point ``org.verapdf.apps.GreenfieldCliWrapper``. Maven fetches
that one jar into ``${HOSO_CACHE_DIR:-~/.cache/hoso}/verapdf/<version>/m2``, under a file lock so
that concurrent pytest processes fetch it once; ``classpath.txt`` beside it names the jar. It
needs ``java`` (17+) and ``mvn`` once, then only ``java``. veraPDF's own settings go to
``<version>/appdata/verapdf/config`` rather than ``~/.verapdf``.

Use from tests::

    from services import verapdf

    [result] = verapdf.validate([(path, "1b")])   # one JVM per flavour, however many files
    assert result.compliant, result.summary()

From a shell::

    python tests/services/verapdf.py --prepare-only       # fetch into the cache, then exit
    python tests/services/verapdf.py -f 1b FILE.pdf...     # validate, print what failed

Standard library only, with the shared service helpers beside it (``_server.py``, and Java's
version check in ``elastic.py``), so it also runs as a script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

try:
    from ._server import ServiceUnavailable, cache_dir, file_lock, run_logged, tail
    from .elastic import java_executable, maven
except ImportError:  # run as a script: this folder is first on sys.path
    from _server import ServiceUnavailable, cache_dir, file_lock, run_logged, tail  # type: ignore
    from elastic import java_executable, maven  # type: ignore

__all__ = ["ServiceUnavailable", "VeraPdfError", "RuleFailure", "Validation", "validate",
           "verapdf_classpath", "VERAPDF_VERSION"]

#: The newest veraPDF whose CLI jar Maven Central served when this was pinned.
VERAPDF_VERSION = "1.30.2"
GROUP, ARTIFACT = "org.verapdf.apps", "cli"
MAIN_CLASS = "org.verapdf.apps.GreenfieldCliWrapper"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
FLAVOURS = ("1a", "1b", "2a", "2b", "2u", "3a", "3b", "3u", "4", "4f", "4e")
RESOLVE_TIMEOUT = float(os.environ.get("HOSO_VERAPDF_RESOLVE_TIMEOUT", 900))
VALIDATE_TIMEOUT = 600.0  # one JVM for a batch; a page-image PDF takes about a second


class VeraPdfError(RuntimeError):
    """veraPDF ran but gave no report that can be read; the message holds its output."""


@dataclass(frozen=True)
class RuleFailure:
    rule: str  # clause and test number, as veraPDF prints them: "6.2.3.3-1"
    specification: str  # "ISO 19005-1:2005"
    description: str
    failed_checks: int
    messages: tuple[str, ...] = ()  # the first few failed checks, with their context


@dataclass(frozen=True)
class Validation:
    path: Path
    flavour: str
    compliant: bool
    profile: str = ""  # "PDF/A-1B validation profile"
    failures: list[RuleFailure] = field(default_factory=list)
    error: str | None = None  # veraPDF could not validate the file (not a PDF, encrypted...)

    @property
    def failed_rules(self) -> list[str]:
        return [f.rule for f in self.failures]

    def summary(self) -> str:
        """One line per failed rule: what an assertion message should show."""
        head = f"{self.path.name}: PDF/A-{self.flavour} " + ("passes" if self.compliant else "fails")
        if self.error:
            return f"{head}: {self.error}"
        lines = [f"  {f.rule} ({f.specification}, {f.failed_checks}x): {f.description}"
                 + "".join(f"\n      {m}" for m in f.messages) for f in self.failures]
        return "\n".join([head, *lines])


def version_dir(version: str = VERAPDF_VERSION) -> Path:
    return cache_dir() / "verapdf" / version


def _stamp(version: str) -> str:
    return hashlib.sha256(f"{GROUP}:{ARTIFACT}:{version}".encode()).hexdigest()


def _read_classpath(vdir: Path) -> list[Path] | None:
    """The cached class path if it is complete, else None."""
    try:
        if (vdir / "stamp").read_text().strip() != _stamp(vdir.name):
            return None
        jars = [Path(p) for p in (vdir / "classpath.txt").read_text().strip().split(os.pathsep) if p]
    except OSError:
        return None
    return jars if jars and all(jar.is_file() for jar in jars) else None


def _java() -> str:
    try:
        return java_executable()
    except ServiceUnavailable as e:
        raise ServiceUnavailable(f"veraPDF needs Java 17+: {e.reason}") from None


def _resolve(version: str, vdir: Path) -> None:
    mvn, env = maven(f"veraPDF {version}")
    repo = vdir / "m2"
    log_path = vdir / "resolve.log"
    command = [mvn, "-B", "-q", f"-Dmaven.repo.local={repo}", f"{DEPENDENCY_PLUGIN}:get",
               f"-Dartifact={GROUP}:{ARTIFACT}:{version}", "-Dtransitive=false"]
    vdir.mkdir(parents=True, exist_ok=True)
    status = run_logged(command, name="verapdf", log_path=log_path, timeout=RESOLVE_TIMEOUT,
                        what=f"fetching veraPDF {version} ({GROUP}:{ARTIFACT}) from Maven Central "
                             f"into {vdir}", env=env, cwd=vdir)
    if status != 0:
        raise ServiceUnavailable(f"fetching veraPDF {version} with Maven failed (exit {status}); "
                                 f"log {log_path}:\n{tail(log_path)}")
    jar = repo / GROUP.replace(".", "/") / ARTIFACT / version / f"{ARTIFACT}-{version}.jar"
    try:
        with zipfile.ZipFile(jar) as archive:
            archive.getinfo(MAIN_CLASS.replace(".", "/") + ".class")
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        raise ServiceUnavailable(f"{jar} is not veraPDF's self-contained CLI jar: {e}") from None
    (vdir / "classpath.txt").write_text(str(jar) + "\n")
    (vdir / "stamp").write_text(_stamp(version) + "\n")


def verapdf_classpath(version: str = VERAPDF_VERSION, *, resolve: bool = True) -> list[Path]:
    """veraPDF's class path, fetched into the cache if missing.

    Raises ``ServiceUnavailable`` when java or mvn is missing, Maven fails, or ``resolve`` is
    False and nothing is cached.
    """
    vdir = version_dir(version)
    cached = _read_classpath(vdir)
    if cached is not None:
        return cached
    if not resolve:
        raise ServiceUnavailable(f"veraPDF {version} is not fetched yet (in {vdir})")
    with file_lock(vdir / ".resolve.lock", f"[verapdf] another process is fetching veraPDF; "
                                           f"waiting for the lock in {vdir}"):
        cached = _read_classpath(vdir)  # another process may have fetched it while we waited
        if cached is None:
            _resolve(version, vdir)
            cached = _read_classpath(vdir)
    assert cached is not None
    return cached


def validate(files: Iterable[tuple[Path, str]], *, version: str = VERAPDF_VERSION,
             timeout: float = VALIDATE_TIMEOUT) -> list[Validation]:
    """Validate each ``(path, flavour)``, e.g. ``(p, "1b")``; results in the same order.

    The files of one flavour are validated in one JVM (its start-up is most of the time).
    Raises ``ServiceUnavailable`` if veraPDF cannot be had, ``VeraPdfError`` if it gives no report.
    """
    jobs = [(Path(path).resolve(), flavour) for path, flavour in files]
    for path, flavour in jobs:
        if flavour not in FLAVOURS:
            raise ValueError(f"unknown PDF/A flavour {flavour!r}: one of {', '.join(FLAVOURS)}")
        if not path.is_file():
            raise FileNotFoundError(path)
    results: dict[tuple[Path, str], Validation] = {}
    for flavour in dict.fromkeys(f for _, f in jobs):
        paths = list(dict.fromkeys(p for p, f in jobs if f == flavour))
        for result in _run(paths, flavour, version, timeout):
            results[(result.path, flavour)] = result
    missing = [job for job in jobs if job not in results]
    if missing:
        raise VeraPdfError(f"veraPDF reported nothing for {missing}")
    return [results[job] for job in jobs]


def _run(paths: list[Path], flavour: str, version: str, timeout: float) -> list[Validation]:
    classpath = verapdf_classpath(version)
    # veraPDF keeps its settings in $APPDATA/verapdf/config, else in ~/.verapdf/config.
    appdata = version_dir(version) / "appdata"
    (appdata / "verapdf").mkdir(parents=True, exist_ok=True)
    command = [_java(), "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
               "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8",
               "-cp", os.pathsep.join(map(str, classpath)), MAIN_CLASS,
               "--flavour", flavour, "--format", "json", "--maxfailuresdisplayed", "3",
               "--nonpdfext", "--loglevel", "1", *map(str, paths)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout,
                              env={**os.environ, "APPDATA": str(appdata)})
    except subprocess.TimeoutExpired:
        raise VeraPdfError(f"veraPDF took more than {timeout:.0f} s on {len(paths)} files") from None
    try:
        report = json.loads(done.stdout)["report"]
        jobs = report["jobs"]
    except (ValueError, KeyError, TypeError):
        raise VeraPdfError(f"veraPDF (exit {done.returncode}) printed no JSON report; stderr:\n"
                           f"{done.stderr.decode(errors='replace')[-4000:]}\nstdout:\n"
                           f"{done.stdout.decode(errors='replace')[:2000]}") from None
    return [_validation(job, flavour) for job in jobs]


def _validation(job: dict, flavour: str) -> Validation:
    path = Path(job["itemDetails"]["name"])
    if "taskException" in job or not job.get("validationResult"):
        problem = job.get("taskException", {})
        error = problem.get("exceptionMessage") or problem.get("exception") or "no validation result"
        return Validation(path, flavour, False, error=error)
    [result] = job["validationResult"]  # one flavour per run: one profile
    failures = [
        RuleFailure(f"{rule['clause']}-{rule['testNumber']}", rule.get("specification", ""),
                    rule.get("description", ""), rule.get("failedChecks", 0),
                    tuple(f"{c.get('errorMessage', '')} at {c.get('context', '')}"
                          for c in rule.get("checks", [])))
        for rule in result.get("details", {}).get("ruleSummaries", [])
        if rule.get("status") == "failed"]
    ended = result.get("jobEndStatus", "normal")
    return Validation(path, flavour, bool(result.get("compliant")) and ended == "normal",
                      result.get("profileName", ""), failures,
                      error=None if ended == "normal" else f"validation ended: {ended}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--prepare-only", action="store_true",
                        help="fetch veraPDF into the cache, print the cache directory and exit")
    parser.add_argument("-f", "--flavour", default="2b", choices=FLAVOURS)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    try:
        verapdf_classpath()
        if args.prepare_only:
            print(version_dir())
            return 0
        results = validate([(path, args.flavour) for path in args.files])
    except ServiceUnavailable as error:
        print(f"veraPDF unavailable: {error.reason}", file=sys.stderr)
        return 1
    except (VeraPdfError, FileNotFoundError) as error:
        print(str(error), file=sys.stderr)
        return 1
    for result in results:
        print(result.summary())
    return 0 if all(r.compliant for r in results) else 2


if __name__ == "__main__":
    sys.exit(main())
