"""Posting one event to one webhook receiver, over urllib3 (the HTTP client the store's SDK
already brings), with explicit timeouts and no retries of its own: the caller retries, with
backoff, and keeps each attempt's outcome."""

from __future__ import annotations

import urllib3


class DeliveryFailed(Exception):
    """The receiver did not acknowledge: unreachable, too slow, or not a 2xx."""


_http = urllib3.PoolManager(retries=False, maxsize=8)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body; its status when 2xx, DeliveryFailed otherwise."""
    try:
        response = _http.request("POST", url, body=body, headers=headers, redirect=False, preload_content=True,
                                 timeout=urllib3.Timeout(connect=timeout, read=timeout))
    except urllib3.exceptions.HTTPError as e:
        raise DeliveryFailed(f"{type(e).__name__}: {e}"[:300]) from e
    if not 200 <= response.status < 300:
        raise DeliveryFailed(f"HTTP {response.status}: {response.data[:200].decode('utf-8', 'replace')}")
    return response.status
