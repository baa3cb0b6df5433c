"""The web pages people use all day: reception (tiếp nhận), archive (lưu trữ), statistics (thống kê).

Plain HTML, CSS and JavaScript modules shipped in this package — no build step, no CDN. The
pages are public files; every datum they show comes from the `/v1` API with the API key or the
single sign-on token the user signs in with (kept in the tab's sessionStorage; see static/sso.js).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

HERE = Path(__file__).parent
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
PAGES = {"/": "tiep-nhan.html", "/tiep-nhan": "tiep-nhan.html", "/luu-tru": "luu-tru.html",
         "/luu-tru/tai-lieu": "tai-lieu.html", "/thong-ke": "thong-ke.html"}
# Pictures of pages are fetched with the key and shown from blob: URLs; receipts print from one.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; frame-src 'self' blob:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


# A page file starts with this line and holds its <main>; the frame around it (head, the header
# with the navigation, the sign-in form) is pages/_khung.html, the same for every page.
_FRAME_LINE = re.compile(r"<!-- frame: title=(?P<title>[^;]+); script=(?P<script>[\w-]+); "
                         r"section=(?P<section>tiep-nhan|luu-tru|thong-ke) -->\n")


@lru_cache(maxsize=1)
def assets() -> dict[str, Asset]:
    """Every page and static file, read once: names are looked up here, never joined to a path."""
    found = {}
    frame = (HERE / "pages" / "_khung.html").read_text(encoding="utf-8")
    for folder in ("pages", "static"):
        for path in sorted((HERE / folder).iterdir()):
            if path.suffix in TYPES and not path.name.startswith("_"):
                body = path.read_bytes()
                if folder == "pages":
                    body = _framed(frame, body.decode("utf-8")).encode("utf-8")
                found[f"{folder}/{path.name}"] = Asset(body, TYPES[path.suffix],
                                                       f'"{hashlib.sha256(body).hexdigest()[:20]}"')
    return found


def _framed(frame: str, page: str) -> str:
    head = _FRAME_LINE.match(page)
    if head is None:
        raise ValueError("a page must start with its <!-- frame: … --> line")
    current = {name: ' aria-current="page"' if name == head["section"] else ""
               for name in ("tiep-nhan", "luu-tru", "thong-ke")}
    for token, value in (("title", head["title"]), ("script", head["script"]), *current.items()):
        frame = frame.replace(f"@@{token}@@", value)
    return frame + page[head.end():]


def _send(request: Request, asset: Asset, headers: dict[str, str] | None = None) -> Response:
    # Revalidated on every load (a 304 on the office network), so an upgrade shows at once.
    caching = {"ETag": asset.etag, "Cache-Control": "no-cache", **(headers or {})}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=caching)
    return Response(asset.body, media_type=asset.media_type, headers=caching)


def _page_headers(request: Request) -> dict[str, str]:
    """With single sign-on the page itself exchanges the provider's code for a token, so its CSP
    lets it reach the provider's token endpoint (and nothing else outside HoSo)."""
    oidc = request.app.state.services.settings.oidc
    if not oidc.web_sign_in:
        return PAGE_HEADERS
    token_origin = "{0.scheme}://{0.netloc}".format(urlsplit(oidc.token_endpoint))
    csp = f"{PAGE_HEADERS['Content-Security-Policy']}; connect-src 'self' {token_origin}"
    return {**PAGE_HEADERS, "Content-Security-Policy": csp}


def _page(file: str):
    async def page(request: Request) -> Response:
        return _send(request, assets()[f"pages/{file}"], _page_headers(request))
    return page


for _path, _file in PAGES.items():
    router.add_api_route(_path, _page(_file), methods=["GET"], name=f"page {_path}")


@router.get("/static/{name}")
async def static(name: str, request: Request) -> Response:
    asset = assets().get(f"static/{name}")
    if asset is None:
        return Response("không có tệp này", status_code=404, media_type="text/plain; charset=utf-8")
    return _send(request, asset, {"X-Content-Type-Options": "nosniff"})
