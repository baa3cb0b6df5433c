"""Accepted means kept: a dossier acknowledged with 202 is finished after a crash and a restart."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import vnpages
from harness import Server, png_bytes, post, unique_line, wait_done


def test_killed_server_finishes_accepted_dossiers_after_restart(tmp_path):
    server = Server(tmp_path / "data", {"HOSO_WORKERS": "2"}).start()
    tokens, codes = [], []
    try:
        with server.client() as client:
            for _ in range(3):
                token, line = unique_line()
                tokens.append(token)
                pages = [("a.png", png_bytes(vnpages.render_page([line] + vnpages.PROSE)), "image/png"),
                         ("b.png", png_bytes(vnpages.render_page(vnpages.PROSE[:3] + [line])), "image/png")]
                response = post(client, pages)
                assert response.status_code == 202
                codes.append(response.json()["dossier_code"])
        server.kill()  # while the workers are still reading
    finally:
        server.stop()

    # A reception cut short after an original was stored but before the manifest: never acknowledged.
    store = tmp_path / "data" / "store"
    (store / "pending" / "000.17.22.H56-260101-0009").write_bytes(b"")
    partial = store / "dossiers" / "000.17.22.H56-260101-0009" / "documents" / "01X" / "original.png"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"\x89PNG half")

    key = server.key
    restarted = Server(tmp_path / "data", {"HOSO_WORKERS": "2"})
    restarted.start()
    restarted.key = key  # not a first run: no new admin key is printed
    try:
        with restarted.client() as client:
            for code, token in zip(codes, tokens):
                dossier = wait_done(client, code)
                assert [d["status"] for d in dossier["documents"]] == ["done", "done"], dossier
                found = client.get("/v1/search", params={"q": token}).json()
                assert found["total"] == 2  # each document once, none duplicated
    finally:
        restarted.stop()
    assert not list((store / "pending").glob("*"))
    assert not (store / "dossiers" / "000.17.22.H56-260101-0009").exists()
    assert not list((tmp_path / "data" / "work").glob("*"))


def test_index_of_an_older_format_is_rebuilt_from_the_store_on_start(tmp_path):
    server = Server(tmp_path / "data", {"HOSO_WORKERS": "1"}).start()
    token, line = unique_line()
    try:
        with server.client() as client:
            page = png_bytes(vnpages.render_page([line] + vnpages.PROSE[:4]))
            response = post(client, [("a.png", page, "image/png")])
            code = response.json()["dossier_code"]
            wait_done(client, code)
    finally:
        server.stop()
    with sqlite3.connect(tmp_path / "data" / "index.sqlite") as db:  # as an earlier HoSo left it
        db.execute("PRAGMA user_version = 2")

    restarted = Server(tmp_path / "data", {"HOSO_WORKERS": "1"})
    restarted.start()
    restarted.key = server.key
    try:
        with restarted.client() as client:
            found = client.get("/v1/search", params={"q": token}).json()
            assert [h["dossier_code"] for h in found["hits"]] == [code]
    finally:
        restarted.stop()


def _descendants(pid: int) -> set[int]:
    """Every process started by `pid`, and by those (from /proc: Linux)."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _named(pids: set[int]) -> list[str]:
    return [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120] for pid in pids]


def test_workers_die_with_a_server_killed_with_sigkill(tmp_path):
    """Only the server process is killed (as the OOM killer or `kill -9 <pid>` does): its
    workers and the resource tracker used to read on for minutes as orphans."""
    server = Server(tmp_path / "data", {"HOSO_WORKERS": "2"}).start()
    try:
        with server.client() as client:
            _, line = unique_line()
            response = post(client, [("a.png", png_bytes(vnpages.render_page([line] + vnpages.PROSE)), "image/png")])
            assert response.status_code == 202
            code = response.json()["dossier_code"]
            deadline = time.monotonic() + 60
            while client.get(f"/v1/dossiers/{code}/status").json()["documents"][0]["status"] != "processing":
                assert time.monotonic() < deadline
                time.sleep(0.1)
            time.sleep(1)  # a worker is reading the page
            children = _descendants(server.process.pid)
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
        deadline = time.monotonic() + 30
        while alive := {pid for pid in children if _alive(pid)}:
            assert time.monotonic() < deadline, f"still running after the server died: {_named(alive)}"
            time.sleep(0.2)
    finally:
        for pid in _descendants(server.process.pid) | children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)  # what this test started, by id
        server.stop()


def test_hoso_resume_reads_what_a_killed_server_left(tmp_path):
    """Without a broker `hoso resume` reads, in its own processes, the dossiers the store says
    are unfinished (with a broker it queues them: tests/test_broker.py)."""
    server = Server(tmp_path / "data", {"HOSO_WORKERS": "1"}).start()
    token, line = unique_line()
    try:
        with server.client() as client:
            pages = [(f"{i}.png", png_bytes(vnpages.render_page([f"{line} {i}", *vnpages.PROSE])), "image/png")
                     for i in range(2)]
            response = post(client, pages)
            assert response.status_code == 202
        server.kill()  # at once: two full pages are not read yet
    finally:
        server.stop()
    resumed = server.hoso("resume")
    assert resumed.stdout.strip() == "unfinished dossiers read: 1", resumed
    report = json.loads(server.hoso("fsck", "--json").stdout)
    assert report["ok"] and report["done"] == report["indexed"] == 2, report
    assert not list((tmp_path / "data" / "store" / "pending").glob("*"))
