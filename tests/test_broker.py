"""Scale-out mode on a real broker (redis-server on loopback): the queue is visible as a metric,
a dossier a clerk waits on goes before batch work, a broker that lost its queue gets it back
from the store, the record of truth (`hoso resume`), and a killed worker's dossier is read by
another within the visibility timeout."""

from __future__ import annotations

import re
import shutil
import time
from datetime import datetime, timezone

import vnpages
from harness import Server, Worker, png_bytes, post, unique_line, wait_done


def queue_depth(client) -> dict[str, float]:
    text = client.get("/metrics").text
    return {state: float(n) for state, n in re.findall(r'^hoso_queue_dossiers\{state="(\w+)"\} (\S+)$', text, re.M)}


def wait_depth(client, timeout: float = 10, **expected: int) -> None:
    """The server queues a dossier just after its 202: the queue shows it a moment later."""
    deadline = time.monotonic() + timeout
    while (depth := queue_depth(client)) != {"desk": 0, "batch": 0, "delivered": 0, **expected}:
        assert time.monotonic() < deadline, depth
        time.sleep(0.05)


def test_clerk_first_a_lost_queue_comes_back_and_a_killed_workers_dossier_moves_on(redis_server, tmp_path):
    data = tmp_path / "data"
    # No periodic rescan during the test: only `hoso resume` may fill the lost queue again.
    server = Server(data, {"HOSO_BROKER": redis_server.url, "HOSO_RESCAN_SECONDS": "3600"}).start()
    page = lambda line: [("trang.png", png_bytes(vnpages.render_page([line], dpi=150)), "image/png")]  # noqa: E731
    try:
        with server.client() as client:
            imported = []
            for _ in range(3):
                response = post(client, page(unique_line()[1]))
                assert response.status_code == 202, response.text
                imported.append(response.json()["dossier_code"])
            wait_depth(client, desk=3)  # no worker yet

            redis_server.kill()  # the broker loses everything it held
            shutil.rmtree(redis_server.home / "appendonlydir")
            redis_server.start()
            wait_depth(client)
            resumed = server.hoso("resume")
            assert resumed.stdout.strip() == "unfinished dossiers queued: 3", resumed
            wait_depth(client, batch=3)

            token, line = unique_line()
            response = post(client, page(line))  # a clerk's dossier, after the batch
            assert response.status_code == 202
            clerks = response.json()["dossier_code"]
            wait_depth(client, batch=3, desk=1)

            worker_env = {"HOSO_BROKER": redis_server.url, "HOSO_WORKERS": "1",
                          "HOSO_STORE": f"file://{data / 'store'}", "HOSO_INDEX": f"sqlite:///{data / 'index.sqlite'}",
                          "HOSO_SIGNING_KEYS_DIR": str(data / "keys")}
            worker = Worker(tmp_path / "worker", worker_env, "--processes", "1").start()  # one dossier at a time
            try:
                done = {code: wait_done(client, code, timeout=120) for code in [clerks, *imported]}
                assert all(d["documents"][0]["status"] == "done" for d in done.values()), done
                finished_at = {code: d["documents"][0]["processed_at"] for code, d in done.items()}
                assert finished_at[clerks] < min(finished_at[c] for c in imported), finished_at
                hits = client.get("/v1/search", params={"q": token}).json()["hits"]
                assert [h["dossier_code"] for h in hits] == [clerks]

                # A worker killed while it reads (all its processes at once, as a lost machine):
                # the dossier goes to another worker once the visibility timeout (30 s) is past.
                scans = [(f"trang-{i}.png", png_bytes(vnpages.render_page([unique_line()[1], *vnpages.PROSE])),
                          "image/png") for i in range(3)]
                long_one = post(client, scans).json()["dossier_code"]
                while client.get(f"/v1/dossiers/{long_one}/status").json()["status"] != "processing":
                    time.sleep(0.05)
                worker.kill()
                killed = datetime.now(timezone.utc)
                worker = Worker(tmp_path / "worker-2", worker_env).start()
                again = wait_done(client, long_one, timeout=120)["documents"]
                assert [d["status"] for d in again] == ["done"] * 3
                # The first document started again (one read before the kill keeps its start).
                waited = min(w for d in again if (w := (datetime.fromisoformat(d["started_at"]) - killed)
                                                      .total_seconds()) > 0)
                assert 20 < waited < 45, waited  # not before the timeout, well within a minute
                # A read that outlasts the visibility timeout (a slow machine) is delivered twice:
                # the second copy finds the dossier claimed, is retried a few seconds later, finds
                # it done and is acknowledged. So the queue drains while a worker runs; a worker
                # stopped before that gives the copy back to the queue (harmless, but not drained).
                wait_depth(client, timeout=60)
            finally:
                worker.stop()
    finally:
        server.stop()
    checked = server.hoso("fsck", check=False)
    assert checked.returncode == 0 and "7 done" in checked.stdout, checked.stdout + checked.stderr
