// The archive: one search box, filters, facets, highlighted snippets, pages of results. The
// search lives in the address (/luu-tru?q=…), so Back, bookmarks and reloading all work.

import { $, DOC_TYPES, apiJSON, clear, explain, formatDay, h, say, signIn, snippet } from "./hoso.js";

const LIMIT = 20;
const FILTERS = ["agency_code", "procedure_code", "doc_type", "dossier_code", "received_from", "received_to"];
const PARAMS = ["q", ...FILTERS, "sort"];
const FACETS = { doc_type: "Loại giấy tờ", agency_code: "Cơ quan", procedure_code: "Thủ tục" };

const form = $("#form-tim");
const asked = new URLSearchParams(location.search);
// The document view's "back" link returns here (the pages send no Referer).
sessionStorage.setItem("hoso.lastSearch", location.pathname + location.search);

signIn(() => {
  for (const name of PARAMS) if (asked.has(name)) form.elements[name].value = asked.get(name);
  if (FILTERS.some((name) => asked.get(name))) $("#bo-loc-chi-tiet").open = true;
  if (asked.get("q") || FILTERS.some((name) => asked.get(name))) search();
  else form.elements.q.focus();
});

/** The address of a search: only what is set, and no offset unless paging. */
function address(changes = {}) {
  const params = new URLSearchParams();
  for (const name of PARAMS) {
    const value = name in changes ? changes[name] : (asked.get(name) ?? "");
    if (value && !(name === "sort" && value === "relevance")) params.set(name, value);
  }
  if (changes.offset) params.set("offset", changes.offset);
  return `/luu-tru?${params}`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const values = Object.fromEntries(PARAMS.map((name) => [name, form.elements[name].value.trim()]));
  location.assign(address(values));
});

$("#xoa-loc").addEventListener("click", () => {
  for (const name of FILTERS) form.elements[name].value = "";
  form.elements.sort.value = "relevance";
  form.elements.q.focus();
});

async function search() {
  const offset = Math.max(0, parseInt(asked.get("offset") || "0", 10) || 0);
  const params = { limit: LIMIT, offset };
  for (const name of PARAMS) if (asked.get(name)) params[name] = asked.get(name);
  const summary = $("#tom-tat");
  say(summary, "Đang tìm…");
  let results;
  try {
    results = await apiJSON("/v1/search", { params });
  } catch (e) {
    const noWords = e.status === 422 && !asked.get("q");
    say(summary, noWords ? "Hãy nhập từ khóa: máy chủ chưa tìm được chỉ bằng bộ lọc." : explain(e), "loi");
    return;
  }
  render(results, offset);
}

function render(results, offset) {
  const { total, hits } = results;
  const exact = results.total_exact !== false;
  const summary = $("#tom-tat");
  if (!hits.length) {
    say(summary, offset ? "Không còn kết quả ở trang này." : "Không tìm thấy tài liệu nào. Thử bỏ bớt từ hoặc bộ lọc.");
  } else {
    say(summary, `${exact ? "Tìm thấy" : "Tìm thấy hơn"} ${total.toLocaleString("vi-VN")} tài liệu; `
      + `đang xem ${offset + 1}–${offset + hits.length}.`);
  }
  clear($("#danh-sach-kq"), hits.map(hitItem));
  renderFacets(results.facets);
  renderPages(total, offset);
  if (hits.length) $("#tieu-de-ket-qua").focus();
}

function hitItem(hit) {
  const link = new URLSearchParams({ ma: hit.dossier_code, id: hit.document_id, trang: hit.page });
  if (asked.get("q")) link.set("q", asked.get("q"));
  return h("li", {}, h("article", {},
    h("h3", {}, h("a", { href: `/luu-tru/tai-lieu?${link}` }, hit.filename)),
    h("p", { class: "meta" }, [
      DOC_TYPES[hit.doc_type] || hit.doc_type, `Hồ sơ ${hit.dossier_code}`, `Cơ quan ${hit.agency_code}`,
      `Thủ tục ${hit.procedure_code}`, `Nhận ngày ${formatDay(hit.received_at)}`, `Trang ${hit.page}`,
    ].join(" · ")),
    h("p", { class: "trich" }, snippet(hit.snippet))));
}

/** Counts per agency, procedure and type, when the server gives them; none is fine too. */
function renderFacets(facets) {
  const aside = $("#nhom-loc");
  const groups = Object.entries(FACETS).filter(([name]) => facets?.[name]?.length || asked.get(name));
  aside.hidden = !groups.length;
  aside.parentElement.classList.toggle("co-nhom", groups.length > 0);
  clear(aside, groups.map(([name, title]) => {
    const active = asked.get(name);
    const values = facets?.[name] || [];
    return h("section", {},
      h("h3", {}, title),
      h("ul", {}, values.map(({ value, count }) => h("li", {}, h("button", {
        type: "button", "aria-pressed": String(value === active),
        onclick: () => location.assign(address({ [name]: value === active ? "" : value })),
      }, h("span", {}, name === "doc_type" ? DOC_TYPES[value] || value : value),
      h("span", { class: "dem" }, count.toLocaleString("vi-VN"))))),
      active ? h("li", {}, h("button", { type: "button", class: "phu", onclick: () => location.assign(address({ [name]: "" })) },
        `Bỏ lọc ${title.toLowerCase()}`)) : null));
  }));
}

function renderPages(total, offset) {
  const nav = $("#phan-trang");
  const pages = Math.ceil(total / LIMIT);
  const current = Math.floor(offset / LIMIT);
  nav.hidden = pages < 2;
  if (pages < 2) return clear(nav);
  const link = (page, text, label) => page === current
    ? h("span", { "aria-current": "page" }, text)
    : h("a", { href: address({ offset: page * LIMIT }), "aria-label": label }, text);
  const first = Math.max(0, Math.min(current - 3, pages - 7));
  const numbers = [];
  for (let p = first; p < Math.min(pages, first + 7); p++) numbers.push(link(p, String(p + 1), `Trang ${p + 1}`));
  clear(nav,
    current > 0 ? link(current - 1, "‹ Trang trước", "Trang trước") : null,
    numbers,
    current < pages - 1 ? link(current + 1, "Trang sau ›", "Trang sau") : null);
}
