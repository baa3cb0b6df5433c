// Reception desk: receive a dossier, follow its reading, review and confirm the fields, print
// the receipt.

import {
  $, ApiError, CAPTURE_PROBLEMS, CAPTURE_ZONES, DATE_FIELDS, DOC_TYPES, FIELD_LABELS, STATUS, api, apiJSON, bearer, bytes, clear, explain,
  filenameOf, formatTime, fold, h, percent, readDate, saveBlob, say, showDate, signIn, unauthorized,
} from "./hoso.js";
import { PageViewer, loadReading } from "./viewer.js";

const AGENCY = "hoso.agency";
const WAIT_SECONDS = 25; // a status read is held this long at most while no document moves on
const VIEWABLE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

const state = {
  me: null,
  files: [], // {file, url} waiting to be sent
  dossier: null,
  following: null, // AbortController of the status reads that follow the dossier's reading
  review: null, // {id, reading, viewer}
};

signIn((me) => {
  state.me = me;
  const agency = $("#agency_code");
  agency.value = me.agency || localStorage.getItem(AGENCY) || "";
  agency.readOnly = Boolean(me.agency); // a reception key receives for its own agency only
  const params = new URLSearchParams(location.search);
  if (params.get("ma")) openDossier(params.get("ma"), params.get("tai-lieu"));
  else $("#procedure_code").focus();
});

// ---- choosing files -----------------------------------------------------------------------

function addFiles(list) {
  for (const file of list) {
    const url = VIEWABLE.has(file.type) ? URL.createObjectURL(file) : null;
    state.files.push({ file, url });
  }
  renderFiles();
  say($("#loi-nhan"), "");
}

function removeFile(index) {
  const [gone] = state.files.splice(index, 1);
  if (gone?.url) URL.revokeObjectURL(gone.url);
  renderFiles();
  const buttons = [...document.querySelectorAll("#danh-sach-tep button")];
  (buttons[index] || buttons[index - 1] || $("#chon-tep")).focus();
}

function renderFiles() {
  clear($("#danh-sach-tep"), state.files.map(({ file, url }, i) => h("li", {},
    url ? h("img", { src: url, alt: "", class: "anh-nho" }) : h("span", { class: "anh-nho pdf", "aria-hidden": "true" },
      file.type === "application/pdf" ? "PDF" : "TỆP"),
    h("span", { class: "ten-tep" }, file.name), h("span", { class: "ghi-chu" }, bytes(file.size)),
    h("button", { type: "button", class: "phu", "aria-label": `Bỏ tệp ${file.name}`, onclick: () => removeFile(i) },
      "Bỏ"))));
}

for (const id of ["#chon-tep", "#chup-anh"]) {
  $(id).addEventListener("change", (event) => {
    addFiles(event.target.files);
    event.target.value = ""; // the same file may be chosen again after removing it
  });
}

const zone = $("#vung-tha");
for (const name of ["dragenter", "dragover"]) {
  zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("dang-tha");
  });
}
for (const name of ["dragleave", "drop"]) zone.addEventListener(name, () => zone.classList.remove("dang-tha"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  if (event.dataTransfer?.files?.length) addFiles(event.dataTransfer.files);
});
// A file dropped outside the zone must not make the browser leave the page.
for (const name of ["dragover", "drop"]) window.addEventListener(name, (event) => event.preventDefault());

// ---- receiving --------------------------------------------------------------------------

const FORM_MESSAGES = {
  procedure_code: "Nhập mã thủ tục hành chính (chữ, số, dấu . - _ /).",
  applicant_id: "Nhập số định danh của người nộp.",
  agency_code: "Mã cơ quan gồm 13 ký tự dạng 000.17.22.H56 (chữ in hoa).",
};

function checkForm(form) {
  let first = null;
  for (const name of Object.keys(FORM_MESSAGES)) {
    const input = form.elements[name];
    input.value = input.value.trim();
    const ok = input.checkValidity();
    input.setAttribute("aria-invalid", String(!ok));
    if (!ok && !first) first = input;
  }
  if (first) {
    say($("#loi-nhan"), FORM_MESSAGES[first.name], "loi");
    first.focus();
    return false;
  }
  if (!state.files.length) {
    say($("#loi-nhan"), "Hãy thêm ít nhất một trang hoặc tệp giấy tờ.", "loi");
    $("#chon-tep").focus();
    return false;
  }
  return true;
}

$("#form-nhan").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  if (!checkForm(form)) return;
  const data = new FormData();
  for (const name of ["procedure_code", "agency_code", "applicant_id", "kind"]) data.append(name, form.elements[name].value);
  for (const { file } of state.files) data.append("files", file, file.name);
  const button = $("#nut-nhan");
  const progress = $("#tien-do");
  button.disabled = true;
  progress.hidden = false;
  progress.value = 0;
  say($("#loi-nhan"), "Đang gửi hồ sơ…");
  try {
    const dossier = await upload(data, (fraction) => (progress.value = Math.round(fraction * 100)));
    if (!state.me.agency) localStorage.setItem(AGENCY, form.elements.agency_code.value);
    for (const { url } of state.files) if (url) URL.revokeObjectURL(url);
    state.files = [];
    renderFiles();
    form.elements.applicant_id.value = "";
    say($("#loi-nhan"), "");
    showDossier(dossier);
  } catch (e) {
    say($("#loi-nhan"), explain(e), "loi");
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
});

/** POST /v1/dossiers with upload progress (fetch cannot report it). */
function upload(data, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/dossiers");
    xhr.setRequestHeader("Authorization", `Bearer ${bearer()}`);
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (e) => e.lengthComputable && onProgress(e.loaded / e.total));
    xhr.addEventListener("load", () => {
      if (xhr.status === 202 || xhr.status === 200) return resolve(xhr.response);
      const answer = xhr.response || {};
      const error = new ApiError(xhr.status, answer.error, answer.detail);
      if (xhr.status === 401) unauthorized(error);
      reject(error);
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "network", "")));
    xhr.send(data);
  });
}

$("#form-mo").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = event.target.elements.code.value.trim();
  if (code) openDossier(code);
});

// ---- the dossier --------------------------------------------------------------------------

async function openDossier(code, documentId) {
  try {
    showDossier(await apiJSON(`/v1/dossiers/${encodeURIComponent(code)}`));
    if (documentId) openReview(documentId);
  } catch (e) {
    say($("#loi-nhan"), explain(e), "loi");
  }
}

function dossierPath() {
  return `/v1/dossiers/${encodeURIComponent(state.dossier.dossier_code)}`;
}

function showDossier(dossier) {
  const fresh = state.dossier?.dossier_code !== dossier.dossier_code;
  state.dossier = dossier;
  $("#nhan").hidden = true;
  $("#ho-so").hidden = false;
  $("#ma-ho-so").value = dossier.dossier_code;
  clear($("#thong-tin-ho-so"),
    [["Thời gian nhận", formatTime(dossier.received_at)], ["Người nộp", dossier.applicant_id || "—"],
     ["Thủ tục", dossier.procedure_code], ["Cơ quan", dossier.agency_code]]
      .map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  renderDocuments();
  if (fresh) {
    history.replaceState(null, "", `/tiep-nhan?ma=${encodeURIComponent(dossier.dossier_code)}`);
    $("#tieu-de-ho-so").setAttribute("tabindex", "-1");
    $("#tieu-de-ho-so").focus();
    closeReview();
  }
  follow();
}

function finished(doc) {
  return ["done", "failed", "disposed"].includes(doc.status);
}

/** Follow the reading until every document is finished: each status read is held by the server
 * until a document moves on (`wait` with `since`, the version last shown), so each change shows at
 * once, for one request a change instead of a poll a second. */
function follow() {
  state.following?.abort();
  state.following = null;
  if (state.dossier.documents.every(finished)) return;
  state.following = new AbortController();
  watch(state.dossier.dossier_code, state.following.signal);
}

async function watch(code, signal) {
  const path = `/v1/dossiers/${encodeURIComponent(code)}`;
  let version = null; // none yet: the first read answers at once, and says the version
  for (let failures = 0; !signal.aborted;) {
    try {
      const params = version ? { wait: WAIT_SECONDS, since: version } : {};
      const progress = await apiJSON(`${path}/status`, { params, signal });
      failures = 0;
      version = progress.version;
      // The status route carries no personal data and is not audited; the dossier itself (an
      // audited read) is fetched again only when a document has moved on.
      const moved = progress.documents.some((d, i) => d.status !== state.dossier.documents[i]?.status);
      if (moved) {
        const dossier = await apiJSON(path, { signal });
        if (signal.aborted) return;
        state.dossier = dossier;
        renderDocuments();
      }
      if (progress.documents.every(finished)) return;
    } catch (e) {
      if (signal.aborted) return;
      say($("#trang-thai-ho-so"), explain(e), "loi");
      await new Promise((resume) => setTimeout(resume, Math.min(1000 * 2 ** failures++, 16000))); // the server may be away
    }
  }
}

function needsReview(doc, names = Object.keys(doc.fields)) {
  return names.filter((name) => {
    const field = doc.fields[name];
    return field && !field.confirmed_at && field.review; // extraction's judgement, checks included
  }).length;
}

/** What the clerk tells the citizen about the photo of a card: each problem in Vietnamese, glare
 * with the parts of the card it covers; "Chụp lại" first when the photo is to be taken again. */
function captureNote(doc) {
  const problems = doc.capture?.problems || [];
  if (!problems.length) return "";
  const said = problems.map((p) => {
    if (p.kind !== "glare") return CAPTURE_PROBLEMS[p.kind] || p.text;
    const zones = p.zones.map((z) => CAPTURE_ZONES[z] || (FIELD_LABELS[z] || z).toLowerCase());
    const listed = zones.length > 1 ? `${zones.slice(0, -1).join(", ")} và ${zones.at(-1)}` : zones[0];
    return `${CAPTURE_PROBLEMS.glare} ${listed}: nghiêng thẻ tránh nguồn sáng`;
  });
  return `${doc.capture.retake ? "Chụp lại ảnh thẻ" : "Ảnh thẻ"}: ${said.join("; ")}.`;
}

function renderDocuments() {
  const docs = state.dossier.documents;
  // Polling redraws the table only when something changed, and gives a focused button back.
  const shape = JSON.stringify(docs.map((d) => [d.id, d.status, d.reason, d.doc_type, needsReview(d), captureNote(d)]));
  const table = $("#tai-lieu");
  if (table.dataset.shape === shape) return;
  table.dataset.shape = shape;
  const focused = table.contains(document.activeElement) ? document.activeElement.closest("tr")?.dataset.id : null;
  clear(table, docs.map((doc, i) => h("tr", { dataset: { id: doc.id }, class: `tt-${doc.status}` },
    h("td", {}, String(i + 1)),
    h("td", {}, doc.filename),
    h("td", { class: "trang-thai-tl" }, STATUS[doc.status] || doc.status, doc.reason ? h("br") : "",
      doc.reason ? h("span", { class: "ghi-chu" }, doc.reason) : "",
      captureNote(doc) ? h("span", { class: `ghi-chu chup-lai${doc.capture.retake ? " loi" : ""}` }, captureNote(doc))
        : ""),
    h("td", {}, doc.doc_type ? DOC_TYPES[doc.doc_type] || doc.doc_type : "—"),
    h("td", {}, doc.status === "done" ? `${needsReview(doc)} trường` : "—"),
    h("td", {}, h("button", {
      type: "button", class: "phu", disabled: doc.status !== "done",
      "aria-label": `Kiểm tra tài liệu ${i + 1}: ${doc.filename}`, onclick: () => openReview(doc.id),
    }, "Kiểm tra")))));
  if (focused) table.querySelector(`tr[data-id="${focused}"] button`)?.focus();
  const done = docs.filter((d) => d.status === "done").length;
  const failed = docs.filter((d) => d.status === "failed").length;
  const text = docs.every(finished)
    ? `Đã đọc xong ${done}/${docs.length} tài liệu${failed ? `, ${failed} tài liệu lỗi` : ""}. Chọn “Kiểm tra” để xem lại các trường.`
    : `Đang đọc: xong ${done}/${docs.length} tài liệu…`;
  if ($("#trang-thai-ho-so").textContent !== text) say($("#trang-thai-ho-so"), text, failed ? "loi" : "");
}

$("#chep-ma").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(state.dossier.dossier_code);
    say($("#trang-thai-ho-so"), "Đã chép mã hồ sơ.");
  } catch {
    say($("#trang-thai-ho-so"), "Không chép được: hãy chọn mã và nhấn Ctrl+C.", "loi");
  }
});

$("#ho-so-moi").addEventListener("click", () => {
  state.following?.abort();
  closeReview();
  state.dossier = null;
  $("#ho-so").hidden = true;
  $("#nhan").hidden = false;
  history.replaceState(null, "", "/tiep-nhan");
  $("#procedure_code").focus();
});

// ---- the receipt --------------------------------------------------------------------------

async function receipt() {
  const response = await api(`${dossierPath()}/receipt.pdf`);
  return { blob: await response.blob(), name: filenameOf(response, "bien-nhan.pdf") };
}

$("#in-bien-nhan").addEventListener("click", async () => {
  try {
    const { blob, name } = await receipt();
    if (navigator.pdfViewerEnabled === false) {
      saveBlob(blob, name); // no PDF viewer here: the file goes to the printer from where it is saved
      return say($("#trang-thai-ho-so"), "Trình duyệt không mở được PDF: đã tải giấy biên nhận về để in.");
    }
    const frame = $("#khung-in");
    const old = frame.dataset.url;
    const url = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
    frame.dataset.url = url;
    frame.onload = () => {
      if (old) URL.revokeObjectURL(old);
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch {
        window.open(url, "_blank"); // the browser will not print from a frame: show it instead
      }
    };
    frame.src = url;
    say($("#trang-thai-ho-so"), "Đã mở giấy biên nhận để in.");
  } catch (e) {
    say($("#trang-thai-ho-so"), explain(e), "loi");
  }
});

$("#tai-bien-nhan").addEventListener("click", async () => {
  try {
    const { blob, name } = await receipt();
    saveBlob(blob, name);
  } catch (e) {
    say($("#trang-thai-ho-so"), explain(e), "loi");
  }
});

// ---- reviewing one document ------------------------------------------------------------

function currentDoc() {
  return state.dossier.documents.find((d) => d.id === state.review?.id);
}

function closeReview() {
  state.review?.viewer.destroy();
  state.review = null;
  $("#kiem-tra").hidden = true;
}

async function openReview(id) {
  closeReview();
  const doc = state.dossier.documents.find((d) => d.id === id);
  if (!doc || doc.status !== "done") return;
  const section = $("#kiem-tra");
  let reading;
  try {
    reading = await loadReading(doc);
  } catch (e) {
    say($("#trang-thai-ho-so"), explain(e), "loi");
    return;
  }
  const viewer = new PageViewer(reading, {
    nav: $(".trang-nav", section), image: $(".anh-trang", section), text: $(".van-ban", section), name: doc.filename,
  });
  state.review = { id, reading, viewer };
  clear($("#tieu-de-kiem-tra"), `Kiểm tra: ${doc.filename} — ${DOC_TYPES[doc.doc_type] || "chưa rõ loại"}`);
  section.hidden = false;
  history.replaceState(null, "", `/tiep-nhan?ma=${encodeURIComponent(state.dossier.dossier_code)}&tai-lieu=${id}`);
  renderFields();
  say($("#trang-thai-truong"), "");
  await viewer.show(1);
  section.scrollIntoView({ block: "start" });
  const first = fieldNames().find((name) => rowState(name) === "can-kiem-tra") || fieldNames()[0];
  if (first) $(`#truong-${first}`).focus();
  else $("#dong-kiem-tra").focus();
}

$("#dong-kiem-tra").addEventListener("click", () => {
  const id = state.review?.id;
  closeReview();
  history.replaceState(null, "", `/tiep-nhan?ma=${encodeURIComponent(state.dossier.dossier_code)}`);
  document.querySelector(`#tai-lieu tr[data-id="${id}"] button`)?.focus();
});

/** The fields read, in the document type's order, then those not found (a card has either
 * place_of_origin or place_of_birth_registration): Enter walks through what was read first. */
function fieldNames() {
  const doc = currentDoc();
  const names = [...state.review.reading.field_names];
  for (const name of Object.keys(doc.fields)) if (!names.includes(name)) names.push(name);
  return [...names.filter((n) => doc.fields[n]), ...names.filter((n) => !doc.fields[n])];
}

function rowState(name) {
  const field = currentDoc().fields[name];
  if (!field) return "chua-doc";
  if (field.confirmed_at) return "da-xac-nhan";
  if (field.review) return "can-kiem-tra";
  return "tot";
}

function shown(name, value) {
  return DATE_FIELDS.has(name) ? showDate(value) : String(value ?? "");
}

function renderFields() {
  clear($("#truong"), fieldNames().map((name) => {
    const field = currentDoc().fields[name];
    const input = h("input", {
      id: `truong-${name}`, name: "value", autocomplete: "off", spellcheck: "false",
      value: field ? shown(name, field.value) : "", "aria-describedby": `ghi-chu-${name}`,
      list: name === "sex" ? "gioi-tinh" : null, placeholder: DATE_FIELDS.has(name) ? "dd/mm/yyyy" : null,
      inputmode: name === "citizen_id" ? "numeric" : null,
    });
    input.addEventListener("focus", () => {
      const f = currentDoc().fields[name];
      if (f) state.review.viewer.select(f.page, f.bbox);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      const f = currentDoc().fields[name];
      input.value = f ? shown(name, f.value) : "";
      input.removeAttribute("aria-invalid");
      updateRow(name);
    });
    return h("form", {
      class: "truong", dataset: { name }, novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        confirmField(name);
      },
    },
    h("label", { for: `truong-${name}` }, FIELD_LABELS[name] || name),
    h("div", { class: "o-nhap" }, input,
      h("button", { type: "submit", class: "phu", "aria-label": `Xác nhận ${FIELD_LABELS[name] || name}` }, "Xác nhận")),
    h("p", { id: `ghi-chu-${name}`, class: "ghi-chu" }));
  }), h("datalist", { id: "gioi-tinh" }, h("option", { value: "Nam" }), h("option", { value: "Nữ" })));
  for (const name of fieldNames()) updateRow(name);
}

function updateRow(name, error) {
  const row = document.querySelector(`#truong form[data-name="${name}"]`);
  const field = currentDoc().fields[name];
  const kind = error ? "loi" : rowState(name);
  row.className = `truong ${kind}`;
  let note;
  if (error) note = error;
  else if (!field) note = "Chưa đọc được: nhập nếu giấy tờ có trường này.";
  else if (field.confirmed_at) {
    note = `✓ Đã xác nhận bởi ${field.confirmed_by} lúc ${formatTime(field.confirmed_at)}`;
    if (field.ocr_value !== null && field.ocr_value !== undefined && field.ocr_value !== field.value)
      note += ` (máy đọc: ${shown(name, field.ocr_value)})`;
  } else if (field.problem) note = `Cần kiểm tra: ${field.problem} (độ tin cậy ${percent(field.confidence)})`;
  else if (kind === "can-kiem-tra") note = `Cần kiểm tra: độ tin cậy thấp (${percent(field.confidence)})`;
  else note = `Độ tin cậy ${percent(field.confidence)}`;
  clear($(".ghi-chu", row), note);
}

/** The value typed, as the API keeps it; throws a sentence for the clerk when it cannot be. */
function typedValue(name, text) {
  if (DATE_FIELDS.has(name)) {
    const iso = readDate(text);
    if (!iso) throw new Error("Ngày phải có dạng ngày/tháng/năm, ví dụ 15/03/1990.");
    return iso;
  }
  if (name === "citizen_id" && !/^\d{12}$/.test(text)) throw new Error("Số định danh gồm đúng 12 chữ số.");
  if (name === "sex") {
    const sex = { nam: "Nam", nu: "Nữ" }[fold(text)];
    if (!sex) throw new Error("Giới tính là Nam hoặc Nữ.");
    return sex;
  }
  return text;
}

async function confirmField(name) {
  const input = $(`#truong-${name}`);
  const field = currentDoc().fields[name];
  const text = input.value.trim().replace(/\s+/g, " ");
  if (!text && !field) return say($("#trang-thai-truong"), "Trường này để trống: không có gì để xác nhận.");
  let value;
  try {
    value = typedValue(name, text);
  } catch (e) {
    input.setAttribute("aria-invalid", "true");
    updateRow(name, e.message);
    return;
  }
  input.removeAttribute("aria-invalid");
  const unchanged = field && value === field.value;
  const label = FIELD_LABELS[name] || name;
  if (await patch({ [name]: unchanged ? {} : { value } })) {
    input.value = shown(name, currentDoc().fields[name].value);
    say($("#trang-thai-truong"), unchanged ? `Đã xác nhận ${label}.` : `Đã sửa và xác nhận ${label}.`, "tot");
    nextField(name);
  }
}

function nextField(name) {
  const names = fieldNames();
  const after = names.slice(names.indexOf(name) + 1);
  const next = after.find((n) => rowState(n) !== "da-xac-nhan") || after[0];
  if (next) $(`#truong-${next}`).focus();
  else $("#xac-nhan-tat-ca").focus();
}

/** PATCH the fields; the answer is the document as now stored. */
async function patch(fields) {
  const doc = currentDoc();
  try {
    const updated = await apiJSON(`${dossierPath()}/documents/${doc.id}/fields`, { method: "PATCH", json: { fields } });
    Object.assign(doc, updated);
    for (const name of Object.keys(fields)) updateRow(name);
    renderDocuments();
    return true;
  } catch (e) {
    say($("#trang-thai-truong"), explain(e), "loi");
    return false;
  }
}

$("#xac-nhan-tat-ca").addEventListener("click", async () => {
  const doc = currentDoc();
  const fields = {};
  for (const name of fieldNames()) {
    const field = doc.fields[name];
    const text = $(`#truong-${name}`).value.trim().replace(/\s+/g, " ");
    if (field?.confirmed_at || (!field && !text)) continue;
    try {
      const value = typedValue(name, text);
      fields[name] = field && value === field.value ? {} : { value };
    } catch (e) {
      updateRow(name, e.message);
      $(`#truong-${name}`).focus();
      return;
    }
  }
  if (!Object.keys(fields).length) return say($("#trang-thai-truong"), "Mọi trường đã được xác nhận.", "tot");
  if (await patch(fields)) say($("#trang-thai-truong"), `Đã xác nhận ${Object.keys(fields).length} trường.`, "tot");
});
