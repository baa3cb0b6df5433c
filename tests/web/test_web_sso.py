"""Single sign-on on the web pages, in a real browser against a real OpenID Connect provider on
loopback (tests/services/oidc_provider.py): the authorization code flow with PKCE, state and
nonce, done by the page; the ID token as bearer; expiry; a tampered answer refused.

Without SSO configured the button is absent: tests/web/test_web_reception.py, on the session's
server. Here `server` is this module's own, with SSO on."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

import vndocs
from harness import Server, png_bytes
from services.oidc_provider import challenge_of

SSO = "Đăng nhập một lần (SSO)"
CLIENT_ID = "hoso-web"
CLERK, AGENCY = "tran.thi.binh", "000.17.22.H56"
ARCHIVIST = "le.van.cuong"


@pytest.fixture(scope="module")
def server(tmp_path_factory, oidc_provider):
    """HoSo configured from the provider's discovery document, as an operator would."""
    discovery = httpx.get(f"{oidc_provider.issuer}/.well-known/openid-configuration", timeout=10).json()
    oidc_provider.users.update({
        CLERK: {"name": "Trần Thị Bình", "hoso_role": "reception", "hoso_agency": AGENCY},
        ARCHIVIST: {"name": "Lê Văn Cường", "hoso_role": "archivist"},
    })
    server = Server(tmp_path_factory.mktemp("hoso-sso"), {
        "HOSO_WORKERS": "1",
        "HOSO_OIDC__ISSUER": discovery["issuer"], "HOSO_OIDC__JWKS_URL": discovery["jwks_uri"],
        "HOSO_OIDC__AUTHORIZATION_ENDPOINT": discovery["authorization_endpoint"],
        "HOSO_OIDC__TOKEN_ENDPOINT": discovery["token_endpoint"],
        "HOSO_OIDC__AUDIENCE": "hoso", "HOSO_OIDC__CLIENT_ID": CLIENT_ID})
    oidc_provider.register(CLIENT_ID, f"{server.url}/tiep-nhan")  # the one redirect URI HoSo uses
    server.start()
    yield server
    server.stop()


def sso_sign_in(web, path: str, user: str) -> None:
    """From `path`, by keyboard: the SSO button, the provider's form, and back, signed in."""
    page = web.page
    page.goto(path)
    button = page.get_by_role("button", name=SSO)
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(user)
    page.keyboard.press("Enter")
    expect(page.locator("#nguoi-dung")).to_be_visible()


def stored(page) -> dict:
    return page.evaluate("() => ({...sessionStorage})")


def test_the_pages_learn_how_to_sign_in(server, oidc_provider):
    """Public and impersonal: the provider's endpoints and HoSo's client id; the pages may reach
    the token endpoint and no other place outside HoSo."""
    options = httpx.get(f"{server.url}/v1/auth/config", timeout=10).json()
    assert options == {"api_key": True, "sso": {
        "authorization_endpoint": f"{oidc_provider.issuer}/authorize", "token_endpoint": f"{oidc_provider.issuer}/token",
        "client_id": CLIENT_ID, "scope": "openid profile"}}
    csp = httpx.get(f"{server.url}/luu-tru", timeout=10).headers["content-security-policy"]
    assert csp.endswith(f"; connect-src 'self' {oidc_provider.url}")


def test_reception_clerk_signs_in_with_sso_and_receives_a_dossier(web, server, oidc_provider, tmp_path):
    page = web.page
    page.goto("/tiep-nhan")
    expect(page.get_by_label("Khóa API")).to_be_focused()
    expect(page.get_by_role("button", name=SSO)).to_be_visible()
    assert web.unlabelled_controls() == []
    web.shot("co-nut-sso")

    asked = len(oidc_provider.exchanges)
    sso_sign_in(web, "/tiep-nhan", CLERK)
    who = page.locator("#nguoi-dung")
    expect(who).to_contain_text(CLERK)
    expect(who).to_contain_text(f"tiếp nhận, {AGENCY}")
    expect(page.get_by_label("Mã cơ quan tiếp nhận")).to_have_value(AGENCY)
    assert urlsplit(page.url).query == ""  # the code and state left the address bar
    web.shot("da-dang-nhap-sso")

    # The page sent the verifier whose S256 challenge it sent before: the provider checked it.
    exchange = oidc_provider.exchanges[asked]
    assert exchange["granted"] and exchange["client_id"] == CLIENT_ID
    assert exchange["redirect_uri"] == f"{server.url}/tiep-nhan"
    kept = stored(page)
    assert "hoso.apiKey" not in kept and "hoso.sso.pending" not in kept
    token = json.loads(kept["hoso.sso.token"])["token"]
    assert token.count(".") == 2 and token not in json.dumps(page.evaluate("() => ({...localStorage})"))

    # Receive a dossier with the SSO token: a scanned ID card.
    card = tmp_path / "cccd.png"
    card.write_bytes(png_bytes(vndocs.render_id_card(citizen_id="001090123456")))
    page.get_by_label("Mã thủ tục hành chính").fill("1.001234")
    page.get_by_label("Số định danh người nộp").fill("001090123456")
    page.locator("#chon-tep").set_input_files(card)
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    code_box = page.locator("#ma-ho-so")
    expect(code_box).to_have_text(re.compile(rf"^{re.escape(AGENCY)}-\d{{6}}-\d+$"))
    code = code_box.text_content()
    web.shot("ma-ho-so")

    with server.client() as admin:
        received = admin.get("/v1/audit", params={"action": "dossier.receive", "target": code}).json()["entries"]
    assert [e["actor"] for e in received] == [f"{CLERK} [oidc:u-{CLERK}]"]

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert not any(name.startswith("hoso.sso") for name in stored(page))


def test_a_tampered_state_is_refused_and_no_token_is_kept(web, server, oidc_provider):
    page = web.page
    asked = len(oidc_provider.exchanges)
    page.goto("/tiep-nhan")
    page.get_by_role("button", name=SSO).click()
    page.get_by_label("Tên đăng nhập").fill(CLERK)
    # The provider's form carries the state it will send back: changed there, the browser comes
    # back with a real code and another state, as an attacker's link would bring it.
    page.locator('input[name="state"]').evaluate('input => { input.value = "gia-mao"; }')
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("alert")).to_contain_text("không khớp")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.locator("#noi-dung")).to_be_hidden()
    web.shot("state-sai")
    assert "code=" not in page.url
    assert not any(name.startswith("hoso.sso") for name in stored(page))
    assert len(oidc_provider.exchanges) == asked  # the code was never even exchanged

    # A forged answer with no sign-in started from this tab is refused the same way.
    page.goto("/tiep-nhan?code=abc&state=xyz")
    expect(page.get_by_role("alert")).to_contain_text("không khớp")
    assert len(oidc_provider.exchanges) == asked


@pytest.mark.parametrize(("kept", "refusal"), [
    ("verifier", "không cấp thẻ đăng nhập"),  # the provider's PKCE check refuses the exchange
    ("nonce", "nonce không khớp"),  # the page's own check of the ID token it got
])
def test_the_page_checks_with_what_this_tab_kept(web, server, oidc_provider, kept, refusal):
    """The verifier and nonce the page sends and checks are the ones this tab made: swapped just
    before the answer is read, the sign-in fails and nothing is kept."""
    web.page.add_init_script(f"""(() => {{
        // Only HoSo's answer page: Firefox also runs this in documents without storage (about:blank).
        if (!(location.pathname === "/tiep-nhan" && location.search.includes("code="))) return;
        const kept = JSON.parse(sessionStorage.getItem("hoso.sso.pending") || "null");
        if (kept) {{
            kept.{kept} = "x".repeat(43);
            sessionStorage.setItem("hoso.sso.pending", JSON.stringify(kept));
        }}
    }})()""")
    page = web.page
    asked = len(oidc_provider.exchanges)
    page.goto("/tiep-nhan")
    page.get_by_role("button", name=SSO).click()
    page.get_by_label("Tên đăng nhập").fill(CLERK)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text(refusal)
    expect(page.locator("#noi-dung")).to_be_hidden()
    web.shot(f"{kept}-sai")
    assert not any(name.startswith("hoso.sso") for name in stored(page))
    exchanges = oidc_provider.exchanges[asked:]
    if kept == "verifier":
        assert [e["granted"] for e in exchanges] == [False]
        assert "code_verifier does not match" in exchanges[0]["problem"]
        # The browser logs the token endpoint's 400, which the page has answered for itself.
        web.problems[:] = [p for p in web.problems if "status of 400" not in p]
    else:
        assert [e["granted"] for e in exchanges] == [True]  # a token came, and was not taken


def test_the_provider_holds_to_pkce(oidc_provider):
    """The test provider is strict where HoSo's page must be right: S256 challenge, registered
    redirect URI, and the verifier at the token endpoint."""
    redirect_uri = "http://127.0.0.1:9/tiep-nhan"
    oidc_provider.register("pkce-test", redirect_uri)
    oidc_provider.users.setdefault(CLERK, {"hoso_role": "reception", "hoso_agency": AGENCY})
    verifier = "v" * 43
    ask = {"response_type": "code", "client_id": "pkce-test", "redirect_uri": redirect_uri, "scope": "openid",
           "state": "s1", "nonce": "n1", "code_challenge": challenge_of(verifier), "code_challenge_method": "S256"}
    authorize = f"{oidc_provider.issuer}/authorize"

    def code() -> str:
        answer = httpx.post(authorize, data={**ask, "username": CLERK})
        assert answer.status_code == 302
        back = dict(parse_qsl(urlsplit(answer.headers["location"]).query))
        assert back["state"] == "s1"
        return back["code"]

    def exchange(**changes) -> httpx.Response:
        form = {"grant_type": "authorization_code", "code": code(), "client_id": "pkce-test",
                "redirect_uri": redirect_uri, "code_verifier": verifier, **changes}
        return httpx.post(f"{oidc_provider.issuer}/token", data=form)

    assert exchange(code_verifier="w" * 43).json()["error"] == "invalid_grant"
    assert exchange(redirect_uri="http://127.0.0.1:9/luu-tru").status_code == 400
    granted = exchange()
    assert granted.status_code == 200 and granted.json()["id_token"]
    plain = httpx.get(authorize, params={**ask, "code_challenge_method": "plain"})
    assert "error=invalid_request" in plain.headers["location"]
    assert httpx.get(authorize, params={**ask, "redirect_uri": "http://evil.example/"}).status_code == 400


def test_an_expired_sso_session_goes_back_to_sign_in(web, server, oidc_provider):
    page = web.page
    oidc_provider.token_seconds = 8
    try:
        sso_sign_in(web, "/luu-tru?q=ho+so", ARCHIVIST)
    finally:
        oidc_provider.token_seconds = 300
    # Back on the page where it started, signed in, until the token ends.
    assert page.url.endswith("/luu-tru?q=ho+so")
    expect(page.locator("#nguoi-dung")).to_contain_text(f"{ARCHIVIST} (lưu trữ)")
    web.shot("dang-nhap-ngan-han")
    expect(page.get_by_role("alert")).to_contain_text("đã hết hạn", timeout=30_000)
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.locator("#noi-dung")).to_be_hidden()
    expect(page.get_by_label("Khóa API")).to_be_focused()
    assert not any(name.startswith("hoso.sso") for name in stored(page))
    web.shot("het-han")

    # An ended token found on loading a page is not sent: the page says why at once.
    page.evaluate("""() => sessionStorage.setItem("hoso.sso.token",
        JSON.stringify({token: "x.y.z", expires: Date.now() - 1000}))""")
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("đã hết hạn")
