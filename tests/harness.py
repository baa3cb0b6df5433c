"""Test harness: a real `hoso serve` on loopback, and helpers to talk to it."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import random
from pathlib import Path

import httpx
import pytest
from PIL import Image

HOSO = Path(sys.executable).parent / "hoso"
# Test servers are not rate limited unless a test says so: hundreds of uploads and reads are how
# the other tests probe HoSo, and a 429 would hide what they look for (tests/test_limits.py).
UNLIMITED = {"HOSO_LIMITS__UPLOADS_PER_MINUTE": "0", "HOSO_LIMITS__CITIZEN_READS_PER_MINUTE": "0",
             "HOSO_LIMITS__REFUSALS_PER_MINUTE": "0"}


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
        self.env = {**os.environ, **UNLIMITED, "HOSO_DATA_DIR": str(data_dir), **env}
        self.process: subprocess.Popen | None = None
        self.key: str | None = None

    def start(self) -> "Server":
        log = open(self.log, "ab")
        self.process = subprocess.Popen([str(HOSO), "serve", "--port", str(self.port)], env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
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

    def kill(self) -> None:
        """SIGKILL the server and its worker processes at once, as a power cut would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def hoso(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run `hoso ARGS…` on this server's data directory."""
        return subprocess.run([str(HOSO), *args], env=self.env, capture_output=True, text=True, timeout=120,
                              check=check)

    def make_key(self, role: str, agency: str | None = None) -> dict[str, str]:
        """A new API key of `role` (of `agency`), as the headers that present it."""
        args = ["keys", "create", "--role", role, "--name", f"{role} {agency or ''}".strip()]
        token = self.hoso(*args, *(["--agency", agency] if agency else [])).stdout.strip()
        return {"Authorization": f"Bearer {token}"}

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=60)


class Worker:
    """A real `hoso worker` (on the broker when ``env`` names one), in its own process group so
    that a kill reaches it and its pool processes at once."""

    def __init__(self, data_dir: Path, env: dict[str, str], *args: str) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.args = args
        self.log = data_dir / "worker.log"
        self.env = {**os.environ, "HOSO_DATA_DIR": str(data_dir), **env}
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        self.process = subprocess.Popen([str(HOSO), "worker", *self.args], env=self.env, stdout=open(self.log, "ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def hoso(data_dir: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    """Run `hoso ARGS…` on its own data directory (two workers), with `env` over the environment."""
    environment = {**os.environ, "HOSO_DATA_DIR": str(data_dir), "HOSO_WORKERS": "2", **env}
    result = subprocess.run([str(HOSO), *args], env=environment, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"hoso {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def wait_done(client: httpx.Client, code: str, timeout: float = 180, interval: float = 0.3) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = client.get(f"/v1/dossiers/{code}/status").json()  # not an audited read
        if progress["status"] in ("done", "failed"):
            return client.get(f"/v1/dossiers/{code}").json()
        time.sleep(interval)
    raise AssertionError(f"dossier {code} not finished after {timeout} s: {progress}")


FORM = {"procedure_code": "1.001234", "agency_code": "000.17.22.H56", "applicant_id": "001090012345"}


def post(client, files: list[tuple[str, bytes, str]], **form):
    return client.post("/v1/dossiers", data={**FORM, **form},
                       files=[("files", (name, data, mime)) for name, data, mime in files])


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


def unique_line() -> tuple[str, str]:
    """A word found in one test's document only, so searches do not see other tests' pages."""
    # A number of its own: Tesseract reads digits reliably, while invented words and hex
    # (6/G, 0/o) are what OCR gets wrong, and the test is not about that.
    token = str(random.randrange(10**9, 10**10))
    return token, f"Hồ sơ {token} được tiếp nhận tại bộ phận một cửa."


def read_token(token: str, text: str) -> str:
    """The unique number as the document's reading holds it, which is what its index entry
    holds: OCR of a 150-dpi page now and then misreads one digit of it ("56793257764" for
    5679325764, about one page in three hundred) or splits it ("6946481 734"). A test about
    keeping data searches for what was read: the longest run of digits, still unique among the
    tests' documents when it has six or more."""
    best = max(re.findall(r"\d+", text), key=len, default="")
    return best if len(best) >= 6 else token


def audit_files(data_dir: Path) -> list[Path]:
    """The audit entries of a server's embedded store (not its checkpoints or writer register)."""
    return sorted((data_dir / "store" / "audit").glob("????-??-??/*.json"))


def audit_entries(data_dir: Path) -> list[dict]:
    return [json.loads(p.read_bytes()) for p in audit_files(data_dir)]


def read_qr_code(pdf) -> dict:
    """Decode the receipt's QR code with zbar, an independent reader, from the printed page."""
    if shutil.which("zbarimg") is None:
        pytest.fail("zbarimg is missing: apt-get install zbar-tools")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf),
                    str(pdf.with_suffix(""))], check=True, timeout=60)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sbinary", str(pdf.with_suffix(".png"))],
                             capture_output=True, timeout=60)
    assert decoded.returncode == 0, decoded.stderr
    return json.loads(decoded.stdout.decode("utf-8"))
