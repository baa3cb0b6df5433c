"""Scale-out mode on a real broker (redis-server on loopback): the queue is visible as a metric,
a dossier a clerk waits on goes before batch work, and a broker that lost its queue gets it back
from the store, the record of truth (`hoso resume`)."""

from __future__ import annotations

import re
import shutil

import vnpages
from harness import Server, Worker, png_bytes, post, unique_line, wait_done


def queue_depth(client) -> dict[str, float]:
    text = client.get("/metrics").text
    return {state: float(n) for state, n in re.findall(r'^hoso_queue_dossiers\{state="(\w+)"\} (\S+)$', text, re.M)}


def test_clerk_first_and_a_lost_queue_comes_back_from_the_store(redis_server, tmp_path):
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
            assert queue_depth(client) == {"desk": 3, "batch": 0, "delivered": 0}  # no worker yet

            redis_server.kill()  # the broker loses everything it held
            shutil.rmtree(redis_server.home / "appendonlydir")
            redis_server.start()
            assert queue_depth(client) == {"desk": 0, "batch": 0, "delivered": 0}
            resumed = server.hoso("resume")
            assert resumed.stdout.strip() == "3 unfinished dossiers queued", resumed
            assert queue_depth(client) == {"desk": 0, "batch": 3, "delivered": 0}

            token, line = unique_line()
            response = post(client, page(line))  # a clerk's dossier, after the batch
            assert response.status_code == 202
            clerks = response.json()["dossier_code"]
            assert queue_depth(client)["desk"] == 1

            worker = Worker(tmp_path / "worker", {
                "HOSO_BROKER": redis_server.url, "HOSO_WORKERS": "1", "HOSO_STORE": f"file://{data / 'store'}",
                "HOSO_INDEX": f"sqlite:///{data / 'index.sqlite'}", "HOSO_SIGNING_KEYS_DIR": str(data / "keys")})
            worker.start()
            try:
                done = {code: wait_done(client, code, timeout=120) for code in [clerks, *imported]}
            finally:
                worker.stop()
            finished_at = {code: d["documents"][0]["processed_at"] for code, d in done.items()}
            assert all(d["documents"][0]["status"] == "done" for d in done.values()), done
            assert finished_at[clerks] < min(finished_at[c] for c in imported), finished_at
            assert [h["dossier_code"] for h in client.get("/v1/search", params={"q": token}).json()["hits"]] == [clerks]
            assert queue_depth(client) == {"desk": 0, "batch": 0, "delivered": 0}
    finally:
        server.stop()
    checked = server.hoso("fsck", check=False)
    assert checked.returncode == 0 and "4 done" in checked.stdout, checked.stdout + checked.stderr
