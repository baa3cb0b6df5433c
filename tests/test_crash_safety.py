"""Accepted is kept, exactly once: 200 dossiers are posted while the server and its workers are
killed with SIGKILL at random moments and started again; afterwards every dossier the client saw
acknowledged (202) is there once, processed, signed and searchable, and `hoso fsck` is clean.
The client sends each dossier with an Idempotency-Key and, when the server died before answering,
sends it again under the same key, as a careful client would: the store then holds exactly the
200 dossiers, never a second one of a dossier whose first answer was lost."""

from __future__ import annotations

import json
import os
import random
import subprocess
import threading
import time

import httpx
import pytest

import vnpages
from harness import FORM, HOSO, Server, Worker, png_bytes, post, read_token, unique_line, wait_done

DOSSIERS = 200
KILLS = 10


@pytest.fixture(params=["embedded", "minio+elasticsearch"])
def backend(request) -> dict[str, str]:
    if request.param == "embedded":
        return {}
    return request.getfixturevalue("scaleout_env")


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(backend, tmp_path):
    data = tmp_path / "data"
    server = Server(data, {**backend, "HOSO_WORKERS": "2", "HOSO_RESCAN_SECONDS": "1"}).start()
    rng = random.Random(45)
    kill_after = sorted(rng.sample(range(5, DOSSIERS - 5), KILLS))  # kill once this many were posted
    posted = 0
    acked: dict[str, str] = {}  # token -> dossier code the client saw in a 202 (or 200 to a resend)
    resent = 0
    kills = 0
    up = threading.Event()
    up.set()

    def killer() -> None:
        nonlocal kills
        for mark in kill_after:
            while posted < mark:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 1.5))  # in a reception, a reading, a signature, an index write...
            up.clear()
            server.kill()
            kills += 1
            server.start()
            up.set()

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.key}"},
                          timeout=60) as client:
            while posted < DOSSIERS:
                token, line = unique_line()
                page = png_bytes(vnpages.render_page([line, "Ủy ban nhân dân phường tiếp nhận hồ sơ."], dpi=200))
                retry = {"Idempotency-Key": f"crash-test-{token}"}
                while True:
                    up.wait()
                    try:
                        response = client.post("/v1/dossiers", headers=retry, data=FORM,
                                               files=[("files", ("trang.png", page, "image/png"))])
                    except httpx.TransportError:
                        resent += 1
                        continue  # killed before it answered: sent again, under the same key
                    if response.status_code in (200, 202):
                        break
                    if response.status_code == 409:  # the first attempt's reception is still under way
                        assert response.json()["error"] == "idempotency_key_in_progress", response.text
                        time.sleep(0.5)
                        continue
                    assert response.status_code == 503, response.text  # starting up: try again
                acked[token] = response.json()["dossier_code"]
                posted += 1
            thread.join()
            assert kills == KILLS
            assert len(set(acked.values())) == len(acked) == DOSSIERS

            for token, code in acked.items():
                up.wait()
                dossier = wait_done(client, code, timeout=600)
                [document] = dossier["documents"]
                assert document["status"] == "done" and document["signature"] is not None, dossier
                found = client.get("/v1/search", params={"q": read_token(token, document["text"])}).json()
                assert [h["dossier_code"] for h in found["hits"]] == [code], (token, found)
    finally:
        thread.join()
        server.stop()

    env = {**os.environ, "HOSO_DATA_DIR": str(data), **backend}
    checked = subprocess.run([str(HOSO), "fsck", "--json"], env=env, capture_output=True, text=True, timeout=600)
    report = json.loads(checked.stdout)
    assert report["ok"], report["problems"]
    assert report["done"] == DOSSIERS and report["indexed"] == report["done"], (report, resent)


def test_sigkill_workers_and_broker_on_the_queue(scaleout_env, redis_server, tmp_path):
    """Scale-out mode: two API servers put dossiers on a real broker, three `hoso worker`s take
    them off; workers and the broker are killed with SIGKILL at random moments and started again
    (a broker keeps its queue in its append-only file). Every 202 ends done once, and the same
    checks hold as above."""
    env = {**scaleout_env, "HOSO_BROKER": redis_server.url, "HOSO_SIGNING_KEYS_DIR": str(tmp_path / "keys"),
           "HOSO_RESCAN_SECONDS": "1",
           # The 30 s default, shortened so a kill near the end does not set the test's length.
           "HOSO_QUEUE__VISIBILITY_TIMEOUT": "10"}
    servers = [Server(tmp_path / name, env).start() for name in ("a", "b")]
    workers = [Worker(tmp_path / f"worker-{i}", {**env, "HOSO_WORKERS": "1"}).start() for i in range(3)]
    rng = random.Random(19)
    victims = rng.sample(["broker"] * 3 + [0, 1, 2, 0, 1], 8)
    kill_after = dict(zip(sorted(rng.sample(range(5, DOSSIERS - 5), len(victims))), victims))
    posted = 0
    acked: dict[str, str] = {}

    def killer() -> None:
        for mark, victim in kill_after.items():
            while posted < mark:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 1.5))  # in a delivery, a reading, a signature, an acknowledgement...
            target = redis_server if victim == "broker" else workers[victim]
            target.kill()
            time.sleep(rng.uniform(0, 2))
            target.start()

    thread = threading.Thread(target=killer)
    thread.start()
    clients = [server.client() for server in servers]
    try:
        while posted < DOSSIERS:
            token, line = unique_line()
            page = png_bytes(vnpages.render_page([line], dpi=150))
            response = post(clients[posted % 2], [("trang.png", page, "image/png")])
            assert response.status_code == 202, response.text  # the broker down or not: stored is accepted
            acked[token] = response.json()["dossier_code"]
            posted += 1
        thread.join()
        assert len(set(acked.values())) == len(acked) == DOSSIERS

        for i, (token, code) in enumerate(acked.items()):
            dossier = wait_done(clients[i % 2], code, timeout=600)
            [document] = dossier["documents"]
            assert document["status"] == "done" and document["signature"] is not None, dossier
            found = clients[(i + 1) % 2].get("/v1/search", params={"q": read_token(token, document["text"])}).json()
            assert [h["dossier_code"] for h in found["hits"]] == [code], (token, found)
    finally:
        thread.join()
        for c in clients:
            c.close()
        for w in workers:
            w.stop()
        for server in servers:
            server.stop()

    checked = servers[0].hoso("fsck", "--json", check=False)
    report = json.loads(checked.stdout)
    assert report["ok"], report["problems"]
    assert report["done"] == report["indexed"] == DOSSIERS
