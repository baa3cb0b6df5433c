// HoSo web pages: what every page shares — signing in (API key or single sign-on), calls to
// /v1, Vietnamese labels, and a small DOM builder (text is always set as text, never parsed as HTML).

import { SsoError, finishSso, forgetSso, isSsoAnswer, ssoOptions, ssoRemaining, ssoToken, startSso } from "./sso.js";

const KEY = "hoso.apiKey";

export const DOC_TYPES = {
  citizen_id_card: "Căn cước công dân",
  birth_certificate: "Giấy khai sinh",
  admin_document: "Văn bản hành chính",
  other: "Giấy tờ khác",
};

export const FIELD_LABELS = {
  citizen_id: "Số định danh cá nhân",
  full_name: "Họ, chữ đệm và tên",
  date_of_birth: "Ngày sinh",
  sex: "Giới tính",
  nationality: "Quốc tịch",
  place_of_origin: "Quê quán",
  place_of_birth_registration: "Nơi đăng ký khai sinh",
  place_of_residence: "Nơi thường trú",
  date_of_expiry: "Có giá trị đến",
  date_of_issue: "Ngày cấp",
  identifying_features: "Đặc điểm nhân dạng",
  old_id_number: "Số CMND cũ",
  ethnicity: "Dân tộc",
  place_of_birth: "Nơi sinh",
  father_name: "Họ và tên cha",
  mother_name: "Họ và tên mẹ",
  issuing_agency: "Cơ quan ban hành",
  document_number: "Số, ký hiệu",
  document_type: "Loại văn bản",
  issue_place: "Địa danh",
  issue_date: "Ngày ban hành",
  summary: "Trích yếu",
  signer: "Người ký",
};

export const DATE_FIELDS = new Set(["date_of_birth", "date_of_expiry", "date_of_issue", "issue_date"]);

// How an ID card photo was taken (a document's "capture"): what to tell the citizen at the desk.
export const CAPTURE_PROBLEMS = {
  card_not_found: "không tìm thấy thẻ trong ảnh: đặt cả thẻ trên nền trơn, sẫm màu",
  too_small: "thẻ quá nhỏ trong ảnh: đưa máy lại gần thẻ",
  blurred: "ảnh bị mờ: giữ yên máy và chờ lấy nét",
  glare: "lóa sáng trên",
};

export const CAPTURE_ZONES = { qr_code: "mã QR", mrz: "vùng mã MRZ", portrait: "ảnh chân dung" };

export const STATUS = {
  received: "Đã nhận",
  processing: "Đang đọc",
  done: "Xong",
  failed: "Lỗi",
  disposed: "Đã tiêu hủy",
};

export const ROLES = {
  admin: "quản trị",
  reception: "tiếp nhận",
  archivist: "lưu trữ",
  eform: "biểu mẫu điện tử",
};

// ---- the DOM ------------------------------------------------------------------------------

/** h("p", {class: "x"}, "text", child) — attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An HTML-safe snippet from the search API, rebuilt from its text and <mark> elements only. */
export function snippet(html) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body;
  const out = document.createDocumentFragment();
  const walk = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) into.append(child.textContent);
      else if (child.nodeName === "MARK") into.append(h("mark", {}, child.textContent));
      else if (child.nodeType === Node.ELEMENT_NODE) walk(child, into);
    }
  };
  walk(parsed, out);
  return out;
}

// ---- words and dates ----------------------------------------------------------------------

/** Vietnamese folded for comparison: no tone marks or diacritics, đ → d, lower case. */
export function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
    .toLowerCase();
}

const TIME = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit",
  year: "numeric",
});
const DAY = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
});

export function formatTime(iso) {
  return iso ? TIME.format(new Date(iso)) : "";
}

export function formatDay(iso) {
  return iso ? DAY.format(new Date(iso)) : "";
}

/** 1990-03-15 → 15/03/1990; anything else as it is. */
export function showDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value ?? ""));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : String(value ?? "");
}

/** 15/3/1990, 15-03-1990, 15.03.1990 or 1990-03-15 → 1990-03-15; null when not a real date. */
export function readDate(text) {
  let m = /^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$/.exec(text.trim());
  let [y, mo, d] = m ? [+m[3], +m[2], +m[1]] : [];
  if (!m) {
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
    if (!m) return null;
    [y, mo, d] = [+m[1], +m[2], +m[3]];
  }
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

export function percent(confidence) {
  return confidence === null || confidence === undefined ? "" : `${Math.round(confidence * 100)}%`;
}

export function bytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(0)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

// ---- the API ------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

const MESSAGES = {
  0: "Không kết nối được máy chủ HoSo. Kiểm tra mạng rồi thử lại.",
  400: "Yêu cầu chưa đúng",
  401: "Khóa API không hợp lệ hoặc đã bị thu hồi. Hãy đăng nhập lại.",
  403: "Khóa API này không có quyền làm việc này.",
  404: "Không tìm thấy.",
  409: "Tài liệu chưa đọc xong.",
  413: "Tệp quá lớn.",
  415: "Tệp không đúng định dạng: chỉ nhận ảnh PNG, JPEG, TIFF hoặc tệp PDF.",
  422: "Dữ liệu chưa hợp lệ, tệp bị hỏng hoặc có mật khẩu.",
  503: "Máy chủ đang bận, hãy thử lại sau ít phút.",
};

/** A Vietnamese sentence for the user, with the server's own words after it. */
export function explain(error) {
  if (!(error instanceof ApiError)) return `Có lỗi: ${error.message || error}`;
  const base = MESSAGES[error.status] || (error.status >= 500 ? "Máy chủ gặp lỗi." : `Lỗi ${error.status}.`);
  return error.detail && error.status !== 0 ? `${base} (${error.detail})` : base;
}

/** What calls to /v1 carry: the API key, or the single sign-on token while it is valid. */
export function bearer() {
  return sessionStorage.getItem(KEY) || ssoToken();
}

let onUnauthorized = () => {};

export async function api(path, { method = "GET", json, body, params, signal } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { Authorization: `Bearer ${bearer()}` };
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, signal, cache: "no-cache" });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, "network", e.message);
  }
  if (!response.ok) {
    let answer = {};
    try {
      answer = await response.json();
    } catch {}
    const error = new ApiError(response.status, answer.error, answer.detail);
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }
  return response;
}

/** For calls made without api() (an upload with progress): a 401 asks for the key again. */
export function unauthorized(error) {
  onUnauthorized(error);
}

export async function apiJSON(path, options) {
  return (await api(path, options)).json();
}

export async function apiBlob(path, options) {
  return (await api(path, options)).blob();
}

/** Save a blob as a file, as a download link would. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const m = /filename\*=UTF-8''([^;]+)/i.exec(header);
  return m ? decodeURIComponent(m[1]) : fallback;
}

// ---- signing in ---------------------------------------------------------------------------

const EXPIRED = "Phiên đăng nhập một lần đã hết hạn. Hãy đăng nhập lại.";
const REFUSED_SSO = "Phiên đăng nhập một lần không còn được chấp nhận. Hãy đăng nhập lại.";

/**
 * Show the sign-in form until a key or a single sign-on works, then call `ready(me)`. What the
 * user signs in with lives in this tab's sessionStorage only: closing the tab signs out. The SSO
 * button is there only when the server says SSO is configured; an SSO session that ends (its
 * token expires, or the server refuses it) comes back here with a sentence saying so.
 */
export async function signIn(ready) {
  const section = $("#dang-nhap");
  const form = $("#dang-nhap form");
  const error = $("#dang-nhap .loi");
  const who = $("#nguoi-dung");
  const main = $("#noi-dung");
  let expiry = null;

  const showForm = (message, forget = true) => {
    if (forget) {
      sessionStorage.removeItem(KEY);
      forgetSso();
    }
    clearTimeout(expiry);
    main.hidden = true;
    who.hidden = true;
    section.hidden = false;
    clear(error, message || "");
    form.elements.key.focus();
  };
  onUnauthorized = () => {
    if (sessionStorage.getItem(KEY)) showForm(MESSAGES[401]);
    else if (ssoRemaining() === 0) showForm(EXPIRED);
    else if (ssoToken()) showForm(REFUSED_SSO);
    // nothing kept: signed out already, and the form says why
  };

  const enter = async () => {
    try {
      const me = await apiJSON("/v1/me");
      section.hidden = true;
      main.hidden = false;
      clear($(".ten", who), `${me.name} (${ROLES[me.role] || me.role}${me.agency ? `, ${me.agency}` : ""})`);
      who.hidden = false;
      const remaining = sessionStorage.getItem(KEY) ? null : ssoRemaining();
      if (remaining !== null) expiry = setTimeout(() => showForm(EXPIRED), Math.min(remaining, 2 ** 31 - 1));
      ready(me);
    } catch (e) {
      // 401 has asked again already; otherwise the key may be good and the server away.
      if (e.status !== 401) showForm(`${explain(e)} Tải lại trang để thử lại.`, false);
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = form.elements.key.value.trim();
    if (!key) return showForm("Hãy nhập khóa API.");
    forgetSso();
    sessionStorage.setItem(KEY, key);
    form.reset();
    enter();
  });
  $("#dang-xuat").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    forgetSso();
    location.reload();
  });

  const sso = await ssoOptions().catch(() => null); // without it, the API key still works
  $("#sso").hidden = !sso;
  $("#dang-nhap-sso").addEventListener("click", () => startSso(sso).catch((e) => showForm(
    `Không bắt đầu được đăng nhập một lần: ${e.message}`)));

  if (isSsoAnswer()) {
    try {
      const page = await finishSso(sso);
      if (page !== location.pathname + location.search) return location.replace(page);
    } catch (e) {
      return showForm(e instanceof SsoError ? e.message : `Đăng nhập một lần không thành công: ${e.message}`);
    }
  }
  if (bearer()) enter();
  else showForm(ssoRemaining() === 0 ? EXPIRED : "");
}

/** Announce a sentence to screen readers and show it in a status line. */
export function say(el, text, kind = "") {
  el.className = `trang-thai ${kind}`.trim();
  el.textContent = text;
}
