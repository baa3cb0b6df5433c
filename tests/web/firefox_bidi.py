"""Debian's Firefox ESR for Playwright: its WebDriver BiDi, relayed, with two gaps bridged.

Playwright drives a stock Firefox over WebDriver BiDi (its `moz-firefox` channel: no patched
build, nothing downloaded), but it speaks a newer BiDi than Firefox ESR 153 in two places:

- each new browser context sends `emulation.setMediaFeaturesOverride` with no feature set, a
  command ESR 153 does not have, and the error ends the context;
- ESR 153 announces a download with neither a download nor a navigation id, and Playwright
  ignores such a download.

Playwright starts this script as the browser ("executable"); the script starts Firefox with the
same arguments and puts a relay between the two that passes every message unchanged but these:
Firefox's "unknown command" to an override that overrides nothing (what a browser without the
command does anyway) is answered as done, and a download without an id gets one. A Firefox that
has the command or the ids is not touched; asked to override something it cannot, it still
fails the test.

    python firefox_bidi.py /usr/bin/firefox-esr ARGUMENTS…   (what the Playwright fixture runs)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.sync.server import serve

LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


class Bridge:
    """What one connection's relay changes; everything else passes through untouched."""

    def __init__(self) -> None:
        self.no_op_overrides: set[int] = set()  # ids of media overrides that override nothing
        self.downloads: dict[tuple[str, str], str] = {}  # (context, url) → the id given to it

    def asked(self, message: dict) -> None:
        features = (message.get("params") or {}).get("features") or {}
        if message.get("method") == "emulation.setMediaFeaturesOverride" and all(
                value is None for value in features.values()):
            self.no_op_overrides.add(message["id"])

    def answer(self, message: dict) -> dict:
        if message.get("id") in self.no_op_overrides:
            self.no_op_overrides.discard(message["id"])
            if message.get("error") == "unknown command":
                return {"type": "success", "id": message["id"], "result": {}}
        method, params = message.get("method"), message.get("params") or {}
        # Firefox ESR 153 gives a download neither a download nor a navigation id, and Playwright
        # drops such a download; its begin and end name the same blob or address in one tab.
        if method in ("browsingContext.downloadWillBegin", "browsingContext.downloadEnd") and not (
                params.get("download") or params.get("navigation")):
            key = (params.get("context", ""), params.get("url", ""))
            if method.endswith("WillBegin"):
                self.downloads[key] = f"firefox-bidi-download-{len(self.downloads) + 1}"
                download = self.downloads[key]
            else:
                download = self.downloads.pop(key, None)
            if download:
                message = {**message, "params": {**params, "download": download}}
        return message


def relay(upstream: str):
    """A websockets handler joining Playwright's connection to Firefox's at the same path."""

    def handle(playwright) -> None:
        bridge = Bridge()
        with connect(upstream + playwright.request.path, max_size=None, ping_interval=None,
                     open_timeout=30) as firefox:

            def to_firefox() -> None:
                try:
                    for text in playwright:
                        bridge.asked(json.loads(text))
                        firefox.send(text)
                except ConnectionClosed:
                    pass
                finally:
                    firefox.close()

            sender = threading.Thread(target=to_firefox, daemon=True)
            sender.start()
            try:
                for text in firefox:
                    message = json.loads(text)
                    answer = bridge.answer(message)
                    playwright.send(text if answer is message else json.dumps(answer))
            except ConnectionClosed:
                pass
            finally:
                playwright.close()
            sender.join(5)

    return handle


def main(firefox: str, *arguments: str) -> int:
    browser = subprocess.Popen([firefox, *arguments], stderr=subprocess.PIPE, text=True, errors="replace",
                               bufsize=1)
    assert browser.stderr is not None
    server = None
    for line in browser.stderr:
        found = LISTENING.search(line) if server is None else None
        if found:
            server = serve(relay(found.group(1)), "127.0.0.1", 0, max_size=None, ping_interval=None)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            line = f"WebDriver BiDi listening on ws://127.0.0.1:{server.socket.getsockname()[1]}\n"
        sys.stderr.write(line)
        sys.stderr.flush()
    status = browser.wait()
    if server is not None:
        server.shutdown()
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
