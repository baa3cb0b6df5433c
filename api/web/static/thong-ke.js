// Statistics: the headline figures, a chart per figure over time (SVG drawn here, nothing
// fetched from elsewhere), tables by agency, procedure, field and failure reason. The filters
// live in the address (/thong-ke?agency_code=…&period=month), so a view can be bookmarked,
// sent and printed as it is.

import { $, DOC_TYPES, FIELD_LABELS, apiBlob, apiJSON, clear, explain, h, say, signIn, saveBlob } from "./hoso.js";

const FILTERS = ["agency_code", "procedure_code", "doc_type", "kind", "received_from", "received_to", "period"];
const SVG = "http://www.w3.org/2000/svg";
const count = (n) => (n ?? 0).toLocaleString("vi-VN");
const share = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toLocaleString("vi-VN", { maximumFractionDigits: 1 })}%`);

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const round = (x) => x.toLocaleString("vi-VN", { maximumFractionDigits: 1 });
  if (seconds < 90) return `${round(seconds)} giây`;
  if (seconds < 5400) return `${round(seconds / 60)} phút`;
  return `${round(seconds / 3600)} giờ`;
}

// name, label, how to show it; the charts draw the same figures over time.
const FIGURES = [
  ["dossiers", "Hồ sơ tiếp nhận", count],
  ["documents", "Tài liệu tiếp nhận", count],
  ["digitised", "Tài liệu đã số hóa", count],
  ["pages", "Trang đã số hóa", count],
  ["results", "Tài liệu kết quả", count],
  ["failed", "Tài liệu lỗi", count],
  ["processing_median_s", "Thời gian tiếp nhận đến xong (trung vị)", duration],
  ["processing_p95_s", "Thời gian tiếp nhận đến xong (95%)", duration],
  ["accuracy", "Độ chính xác đọc tự động", share],
  ["fields_corrected", "Trường cán bộ sửa", count],
  ["citizen_requests", "Lượt khai thác dữ liệu công dân", count],
  ["autofills", "Lượt điền biểu mẫu tự động", count],
  ["reuse_rate", "Tỷ lệ dữ liệu tái sử dụng", share],
  ["receipts", "Hồ sơ đã in biên nhận", count],
  ["desk_median_s", "Thời gian tại quầy (trung vị)", duration],
];
const TABLE = [["dossiers", "Hồ sơ"], ["documents", "Tài liệu"], ["digitised", "Đã số hóa"], ["pages", "Trang"],
  ["results", "Kết quả"], ["failed", "Lỗi"], ["processing_median_s", "Tiếp nhận → xong (trung vị)"],
  ["accuracy", "Độ chính xác"], ["receipts", "Biên nhận"], ["desk_median_s", "Tại quầy (trung vị)"]];
const SHOW = Object.fromEntries(FIGURES.map(([name, , show]) => [name, show]));

const form = $("#form-loc");
const asked = new URLSearchParams(location.search);

function params(extra = {}) {
  const found = {};
  for (const name of FILTERS) if (asked.get(name)) found[name] = asked.get(name);
  return { ...found, ...extra };
}

const TYPES = { ...DOC_TYPES, unread: "Chưa đọc được" };
form.elements.doc_type.append(...Object.entries(TYPES).map(([value, label]) => h("option", { value }, label)));

signIn(() => {
  for (const name of FILTERS) if (asked.has(name)) form.elements[name].value = asked.get(name);
  load();
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const next = new URLSearchParams();
  for (const name of FILTERS) {
    const value = form.elements[name].value.trim();
    if (value && !(name === "period" && value === "day")) next.set(name, value);
  }
  location.assign(next.toString() ? `/thong-ke?${next}` : "/thong-ke");
});

$("#tai-csv").addEventListener("click", async () => {
  try {
    saveBlob(await apiBlob("/v1/stats", { params: params({ format: "csv" }) }), "thong-ke.csv");
  } catch (e) {
    say($("#trang-thai"), explain(e), "loi");
  }
});
$("#in").addEventListener("click", () => window.print());

async function load() {
  const status = $("#trang-thai");
  say(status, "Đang tải số liệu…");
  let stats;
  try {
    stats = await apiJSON("/v1/stats", { params: params() });
  } catch (e) {
    say(status, explain(e), "loi");
    return;
  }
  const t = stats.totals;
  say(status, t.documents ? `Số liệu của ${count(t.dossiers)} hồ sơ, ${count(t.documents)} tài liệu.`
    : "Chưa có hồ sơ nào trong phạm vi này.");
  const q = stats.query;
  clear($("#pham-vi"), [
    q.agency_code ? `Cơ quan ${q.agency_code}` : "Mọi cơ quan",
    q.procedure_code ? `thủ tục ${q.procedure_code}` : "mọi thủ tục",
    q.doc_type ? TYPES[q.doc_type] || q.doc_type : null,
    q.received_from || q.received_to ? `từ ${q.received_from || "…"} đến ${q.received_to || "…"}` : "mọi ngày",
  ].filter(Boolean).join(", ") + ".");
  clear($("#so-lieu"), FIGURES.map(([name, label, show]) => h("div", { class: "so", "data-figure": name },
    h("dt", {}, label), h("dd", {}, show(t[name])))));
  clear($("#bieu-do"), FIGURES.map(([name, label, show]) => chart(name, label, show, stats.series)));
  clear($("#theo-co-quan"), groupTable(stats.by_agency, "Cơ quan"));
  clear($("#theo-thu-tuc"), groupTable(stats.by_procedure, "Thủ tục"));
  clear($("#theo-truong"), table(["Loại giấy tờ", "Trường", "Xác nhận đúng", "Đã sửa", "Độ chính xác"],
    stats.fields.map((f) => [TYPES[f.doc_type] || f.doc_type, FIELD_LABELS[f.field] || f.field,
      count(f.confirmed), count(f.corrected), share(f.accuracy)])));
  clear($("#that-bai"), table(["Lý do", "Tài liệu"], stats.failures.map((f) => [f.reason, count(f.documents)])));
}

function table(head, rows) {
  if (!rows.length) return h("p", { class: "ghi-chu" }, "Không có số liệu.");
  return h("table", {},
    h("thead", {}, h("tr", {}, head.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows.map(([first, ...rest]) => h("tr", {}, h("th", { scope: "row" }, first),
      rest.map((cell) => h("td", {}, cell))))));
}

function groupTable(groups, title) {
  return table([title, ...TABLE.map(([, label]) => label)],
    groups.map((g) => [g.key, ...TABLE.map(([name]) => SHOW[name](g.figures[name]))]));
}

function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A bar per day or month; its title says the period and the value (a tooltip, and for print). */
function chart(name, label, show, series) {
  const width = 640, height = 180, left = 8, bottom = 24, top = 22;
  const values = series.map((g) => g.figures[name] ?? 0);
  const highest = Math.max(0, ...values);
  const figure = h("figure", { class: "bieu-do-1", "data-figure": name });
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `${label}: ${series.length ? series.map((g) => `${g.key} ${show(g.figures[name])}`).join("; ") : "không có số liệu"}` });
  picture.append(svg("text", { x: left, y: 14, class: "nhan" }, `cao nhất ${show(highest)}`));
  picture.append(svg("line", { x1: left, y1: height - bottom, x2: width - left, y2: height - bottom, class: "truc" }));
  const step = (width - 2 * left) / Math.max(series.length, 1);
  series.forEach((g, n) => {
    const value = values[n];
    const tall = highest ? (value / highest) * (height - bottom - top) : 0;
    const bar = svg("rect", { x: left + n * step + step * 0.1, y: height - bottom - tall, width: Math.max(step * 0.8, 1),
      height: tall, class: "cot" });
    bar.append(svg("title", {}, `${g.key}: ${show(g.figures[name])}`));
    picture.append(bar);
  });
  if (series.length) {
    picture.append(svg("text", { x: left, y: height - 6, class: "nhan" }, series[0].key));
    picture.append(svg("text", { x: width - left, y: height - 6, "text-anchor": "end", class: "nhan" },
      series[series.length - 1].key));
  }
  figure.append(picture, h("figcaption", {}, label));
  return figure;
}
