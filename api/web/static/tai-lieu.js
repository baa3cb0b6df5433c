// One archived document: its pages and text, the fields, the signature report, the downloads.

import {
  $, DATE_FIELDS, DOC_TYPES, FIELD_LABELS, STATUS, api, apiJSON, clear, explain, filenameOf, formatTime, h,
  percent, saveBlob, say, showDate, signIn,
} from "./hoso.js";
import { PageViewer, loadReading, searchTerms } from "./viewer.js";

const asked = new URLSearchParams(location.search);
const status = $("#trang-thai-tai-lieu");
let doc = null;

$("#quay-lai").href = sessionStorage.getItem("hoso.lastSearch")
  || `/luu-tru${asked.get("q") ? `?${new URLSearchParams({ q: asked.get("q") })}` : ""}`;

signIn(async () => {
  const code = asked.get("ma");
  const id = asked.get("id");
  if (!code || !id) return say(status, "Thiếu mã hồ sơ hoặc mã tài liệu trong địa chỉ.", "loi");
  say(status, "Đang tải tài liệu…");
  let dossier;
  try {
    dossier = await apiJSON(`/v1/dossiers/${encodeURIComponent(code)}`);
  } catch (e) {
    return say(status, explain(e), "loi");
  }
  doc = dossier.documents.find((d) => d.id === id);
  if (!doc) return say(status, `Hồ sơ ${code} không có tài liệu này.`, "loi");
  show(dossier);
  say(status, "");
  if (doc.status === "done") await showPages(parseInt(asked.get("trang") || "1", 10));
});

function keptUntil(retention) {
  if (!retention) return "—";
  return retention.permanent ? "Vĩnh viễn" : `Đến ${formatTime(retention.retain_until)}`;
}

function show(dossier) {
  document.title = `${doc.filename} — HoSo`;
  $("#tai-lieu").hidden = false;
  clear($("#ten-tai-lieu"), doc.filename);
  const signature = doc.signature
    ? `${doc.signature.signer} · ${formatTime(doc.signature.signed_at)} · ${doc.signature.level}`
      + (doc.signature.development ? " · chứng thư thử nghiệm" : "")
    : "—";
  clear($("#thong-tin"), [
    ["Loại giấy tờ", DOC_TYPES[doc.doc_type] || "Chưa xác định"],
    ["Mã hồ sơ", dossier.dossier_code],
    ["Cơ quan", dossier.agency_code],
    ["Thủ tục", dossier.procedure_code],
    ["Người nộp", dossier.applicant_id || "—"],
    ["Thời gian nhận", formatTime(dossier.received_at)],
    ["Trạng thái", `${STATUS[doc.status] || doc.status}${doc.reason ? `: ${doc.reason}` : ""}`],
    ["Số trang", String(doc.pages.length || "—")],
    ["Chữ ký số", signature],
    ["Thời hạn bảo quản", keptUntil(doc.retention)],
    ...(doc.legal_hold ? [["Giữ theo yêu cầu pháp lý",
      `${doc.legal_hold.reason} (${doc.legal_hold.by}, ${formatTime(doc.legal_hold.at)})`]] : []),
  ].map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  const done = doc.status === "done";
  $("#kiem-tra-chu-ky").disabled = !done;
  $("#tai-ban-luu-tru").disabled = !done;
  const names = Object.keys(doc.fields);
  clear($("#truong"), names.length ? names.map((name) => {
    const f = doc.fields[name];
    const value = DATE_FIELDS.has(name) ? showDate(f.value) : String(f.value ?? "");
    return h("tr", { class: f.review && !f.confirmed_at ? "can-kiem-tra" : "" },
      h("th", { scope: "row" }, FIELD_LABELS[name] || name),
      h("td", {}, value),
      h("td", {}, percent(f.confidence), f.review && !f.confirmed_at ? " (cần kiểm tra)" : ""),
      h("td", {}, f.confirmed_at ? `${f.confirmed_by}, ${formatTime(f.confirmed_at)}` : "Chưa"));
  }) : h("tr", {}, h("td", { colspan: 4 }, "Không có trường nào được trích xuất.")));
}

async function showPages(first) {
  let reading;
  try {
    reading = await loadReading(doc);
  } catch (e) {
    return say(status, explain(e), "loi");
  }
  const section = $("#tieu-de-trang").parentElement;
  const viewer = new PageViewer(reading, {
    nav: $(".trang-nav", section), image: $(".anh-trang", section), text: $(".van-ban", section),
    terms: searchTerms(asked.get("q")), name: doc.filename,
  });
  await viewer.show(first);
}

const YES = (value) => (value ? "Có" : "Không");

$("#kiem-tra-chu-ky").addEventListener("click", async () => {
  const out = $("#ket-qua-chu-ky");
  clear(out, h("p", { class: "trang-thai" }, "Đang kiểm tra chữ ký…"));
  let report;
  try {
    report = await apiJSON(doc.links.verify + ($("#truc-tuyen").checked ? "?online=true" : ""));
  } catch (e) {
    return clear(out, h("p", { class: "trang-thai loi" }, explain(e)));
  }
  clear(out, h("div", { class: `chu-ky ${report.valid ? "hop-le" : "khong-hop-le"}` },
    h("h3", { tabindex: "-1" }, report.valid ? "✓ Chữ ký số hợp lệ" : "✗ Chữ ký số KHÔNG hợp lệ"),
    report.error ? h("p", {}, `Lý do: ${report.error}`) : null,
    report.development_signer
      ? h("p", { class: "canh-bao" }, "Ký bằng chứng thư thử nghiệm của HoSo: không có giá trị pháp lý.") : null,
    report.signatures.map((s, i) => [
      report.signatures.length > 1 ? h("h4", {}, `Chữ ký ${i + 1}`) : null,
      h("dl", { class: "thong-tin" }, [
        ["Người ký", s.signer],
        ["Thời điểm ký", s.signing_time ? formatTime(s.signing_time) : "—"],
        ["Nguyên vẹn", YES(s.intact)],
        ["Hợp lệ", YES(s.valid)],
        ["Kết luận (ETSI EN 319 102-1)", [s.indication, s.sub_indication].filter(Boolean).join(" / ")],
        ["Chứng thư tin cậy", YES(s.trusted)],
        ["Thu hồi", s.revoked === null ? "Không tra cứu" : YES(s.revoked)],
        ["Phủ toàn bộ tệp", YES(s.covers_whole_document)],
        ["Sửa đổi sau khi ký", YES(s.modified_after_signing)],
        ["Mức chữ ký", s.level],
        ["Tóm tắt", s.summary],
      ].map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    ])));
  out.querySelector("h3").focus();
});

async function download(path, fallback) {
  try {
    const response = await api(path);
    saveBlob(await response.blob(), filenameOf(response, fallback));
  } catch (e) {
    say(status, explain(e), "loi");
  }
}

$("#tai-ban-goc").addEventListener("click", () => download(doc.links.original, doc.filename));
$("#tai-ban-luu-tru").addEventListener("click", () => download(doc.links.archival, `${doc.id}.pdf`));
