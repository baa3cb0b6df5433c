// Single sign-on in the browser: the OpenID Connect authorization code flow with PKCE (S256),
// state and nonce, as a public client (no secret). The ID token it gets is HoSo's bearer token;
// it lives in this tab's sessionStorage only, with the moment it stops being valid.
//
// The provider sends every sign-in back to one address, /tiep-nhan (the redirect URI to register);
// that page finishes it and returns to the page where it started.

const PENDING = "hoso.sso.pending"; // {state, nonce, verifier, page} while the provider is asked
const TOKEN = "hoso.sso.token"; // {token, expires}: the ID token, and when (ms, this clock) it ends
const CALLBACK = "/tiep-nhan";

export const MISMATCH = "Phiên đăng nhập một lần không khớp với yêu cầu từ trang này (có thể đường dẫn đã bị "
  + "sửa hoặc đến từ thẻ khác). Không đăng nhập. Hãy bấm \"Đăng nhập một lần (SSO)\" để thử lại.";

/** A sign-in the provider refused or that did not hold; its message is for the user. */
export class SsoError extends Error {}

/** The provider's endpoints and HoSo's client id, or null when SSO is not configured. */
export async function ssoOptions() {
  const response = await fetch("/v1/auth/config", { cache: "no-cache" });
  if (!response.ok) throw new SsoError(`HTTP ${response.status}`);
  return (await response.json()).sso || null;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

function randomText() {
  return base64url(crypto.getRandomValues(new Uint8Array(32))); // 43 characters, as PKCE asks
}

async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

function redirectUri() {
  return new URL(CALLBACK, location.origin).href;
}

/** Leave for the provider's sign-in page; what is needed to check its answer stays in this tab. */
export async function startSso(sso) {
  if (!window.isSecureContext) {
    throw new SsoError("trình duyệt chỉ cho đăng nhập một lần khi trang HoSo được mở qua HTTPS.");
  }
  const pending = { state: randomText(), nonce: randomText(), verifier: randomText(),
    page: location.pathname + location.search };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(sso.authorization_endpoint);
  const params = {
    response_type: "code", client_id: sso.client_id, redirect_uri: redirectUri(), scope: sso.scope,
    state: pending.state, nonce: pending.nonce, code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  location.assign(url.href);
}

/** Whether this page load is the provider sending a sign-in back. */
export function isSsoAnswer() {
  const params = new URLSearchParams(location.search);
  return location.pathname === CALLBACK && params.has("state") && (params.has("code") || params.has("error"));
}

function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const text = new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)));
    return JSON.parse(text);
  } catch {
    throw new SsoError("Hệ thống định danh trả về thẻ đăng nhập không đọc được.");
  }
}

/**
 * Finish the sign-in the provider sent back: check the state, exchange the code with this tab's
 * verifier, check the nonce, keep the ID token. Returns the page where the sign-in started.
 * The code leaves the address bar (and the history) first, whatever happens.
 */
export async function finishSso(sso) {
  const params = new URLSearchParams(location.search);
  history.replaceState(null, "", CALLBACK);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING); // one answer per request: a replayed one finds nothing
  if (!sso) throw new SsoError("Đăng nhập một lần chưa được cấu hình trên máy chủ HoSo.");
  if (!pending || params.get("state") !== pending.state) throw new SsoError(MISMATCH);
  if (params.has("error")) {
    throw new SsoError("Hệ thống định danh không cho đăng nhập: "
      + `${params.get("error_description") || params.get("error")}.`);
  }
  let answer;
  try {
    const response = await fetch(sso.token_endpoint, {
      method: "POST", cache: "no-store", credentials: "omit",
      body: new URLSearchParams({
        grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectUri(),
        client_id: sso.client_id, code_verifier: pending.verifier,
      }),
    });
    answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new SsoError("Hệ thống định danh không cấp thẻ đăng nhập "
        + `(${answer.error_description || answer.error || `HTTP ${response.status}`}). Hãy thử lại.`);
    }
  } catch (e) {
    if (e instanceof SsoError) throw e;
    throw new SsoError("Không kết nối được hệ thống định danh. Kiểm tra mạng rồi thử lại.");
  }
  if (!answer.id_token) throw new SsoError("Hệ thống định danh không trả về thẻ định danh (ID token).");
  const claims = claimsOf(answer.id_token);
  if (claims.nonce !== pending.nonce) {
    throw new SsoError("Thẻ đăng nhập không thuộc về yêu cầu từ trang này (nonce không khớp). Không đăng nhập.");
  }
  if (!Number.isFinite(claims.exp)) throw new SsoError("Thẻ đăng nhập không có thời hạn (exp). Không đăng nhập.");
  // Its lifetime, counted on this computer's clock: the two clocks need not agree.
  const lifetime = (claims.exp - (claims.iat ?? Math.floor(Date.now() / 1000))) * 1000;
  sessionStorage.setItem(TOKEN, JSON.stringify({ token: answer.id_token, expires: Date.now() + lifetime }));
  const back = String(pending.page || "");
  return back.startsWith("/") && !back.startsWith("//") ? back : CALLBACK;
}

function stored() {
  try {
    return JSON.parse(sessionStorage.getItem(TOKEN) || "null");
  } catch {
    return null;
  }
}

/** The ID token while it is valid, else null. */
export function ssoToken() {
  const kept = stored();
  return kept && Date.now() < kept.expires ? kept.token : null;
}

/** Milliseconds until the kept token ends: 0 when it has ended, null when there is none. */
export function ssoRemaining() {
  const kept = stored();
  return kept ? Math.max(0, kept.expires - Date.now()) : null;
}

export function forgetSso() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(PENDING);
}
