// One document's pages: the picture of each page with the words' boxes drawn over it, and the
// recognised text beside it, low-confidence words marked. Used by the clerk's review screen and
// by the archive's document view.

import { api, clear, fold, h, percent } from "./hoso.js";

const SVG = "http://www.w3.org/2000/svg";

/** Folded words of a search, without phrases' quotes and without excluded (-word) terms. */
export function searchTerms(query) {
  return (query || "")
    .split(/\s+/)
    .filter((t) => t && !t.startsWith("-"))
    .map((t) => fold(t.replace(/["“”]/g, "")).replace(/[^\p{L}\p{N}]/gu, ""))
    .filter(Boolean);
}

function bare(word) {
  return fold(word).replace(/[^\p{L}\p{N}]/gu, "");
}

export class PageViewer {
  /**
   * reading: GET …/pages; targets: {nav, image, text} elements to fill; terms: folded search
   * words to mark; name: the document's name for the pictures' alternative text.
   */
  constructor(reading, { nav, image, text, terms = [], name = "" }) {
    this.reading = reading;
    this.targets = { nav, image, text };
    this.terms = new Set(terms);
    this.name = name;
    this.urls = new Map();
    this.number = 0;
    this.selected = null;
    this.onWord = null;
  }

  get page() {
    return this.reading.pages.find((p) => p.number === this.number);
  }

  isLow(word) {
    return word.review || word.confidence < this.reading.review_confidence;
  }

  matches(word) {
    return this.terms.size > 0 && this.terms.has(bare(word.text));
  }

  async show(number) {
    const page = this.reading.pages.find((p) => p.number === number) || this.reading.pages[0];
    if (!page) return;
    this.number = page.number;
    this.selected = null;
    this.renderNav();
    this.renderText(page);
    await this.renderImage(page);
  }

  renderNav() {
    const { nav } = this.targets;
    if (!nav) return;
    const pages = this.reading.pages;
    nav.hidden = pages.length < 2;
    clear(nav, pages.map((p) => h("button", {
      type: "button", "aria-pressed": String(p.number === this.number),
      "aria-label": `Trang ${p.number} / ${pages.length}`,
      onclick: () => this.show(p.number).then(() => nav.querySelector(`[aria-pressed=true]`)?.focus()),
    }, `Trang ${p.number}`)));
  }

  renderText(page) {
    const { text } = this.targets;
    const low = page.words.filter((w) => this.isLow(w)).length;
    const lines = [];
    let current = null;
    for (const word of page.words) {
      if (!current || current.line !== word.line) lines.push((current = { line: word.line, words: [] }));
      current.words.push(word);
    }
    const body = lines.length
      ? lines.map((line) => h("p", {}, line.words.map((word, i) => [i ? " " : "", this.wordElement(word)])))
      : page.text.split("\n").map((line) => h("p", {}, line));
    clear(text,
      h("p", { class: "ghi-chu" },
        page.source === "ocr"
          ? `Trang ${page.number}: đọc bằng OCR, độ tin cậy trung bình ${percent(page.confidence)}; `
            + (low ? `${low} từ cần kiểm tra (tô màu cam).` : "không có từ nào cần kiểm tra.")
          : `Trang ${page.number}: văn bản có sẵn trong tệp PDF (không cần OCR).`),
      h("div", { class: "chu", lang: "vi" }, body));
  }

  wordElement(word) {
    const low = this.isLow(word);
    const hit = this.matches(word);
    if (!low && !hit) return word.text;
    const el = h("mark", {
      class: [low ? "tu-thap" : "", hit ? "tu-tim" : ""].join(" ").trim(),
      title: low ? `Độ tin cậy ${percent(word.confidence)}: cần kiểm tra` : "Khớp từ tìm kiếm",
    }, word.text);
    el.addEventListener("click", () => this.select(this.number, word.bbox));
    return el;
  }

  async renderImage(page) {
    const { image } = this.targets;
    const frame = h("div", { class: "khung" });
    frame.style.aspectRatio = `${page.width} / ${page.height}`;
    const img = h("img", { alt: `Ảnh trang ${page.number} của ${this.name}`.trim(), decoding: "async" });
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${page.width} ${page.height}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    for (const word of page.words) {
      const kind = this.matches(word) ? "tu-tim" : this.isLow(word) ? "tu-thap" : null;
      if (kind) svg.append(this.rect(word.bbox, kind));
    }
    this.svg = svg;
    frame.append(img, svg);
    clear(image, frame, h("p", { class: "ghi-chu" },
      `Trang ${page.number} / ${this.reading.pages.length}. Khung cam: từ cần kiểm tra; khung xanh: trường đang chọn.`));
    const width = Math.min(2400, Math.max(600, Math.ceil((image.clientWidth || 800) * devicePixelRatio / 200) * 200));
    const key = `${page.number}@${width}`;
    try {
      if (!this.urls.has(key)) {
        const blob = await (await api(`${page.image}?width=${width}`)).blob();
        this.urls.set(key, URL.createObjectURL(blob));
      }
      img.addEventListener("load", () => frame.classList.add("da-tai"), { once: true });
      img.src = this.urls.get(key);
    } catch (e) {
      img.alt = `Không tải được ảnh trang ${page.number}`;
    }
  }

  rect(bbox, kind) {
    const [x0, y0, x1, y1] = bbox;
    const pad = Math.max(4, (this.page?.width || 1000) / 400);
    const r = document.createElementNS(SVG, "rect");
    r.setAttribute("x", x0 - pad);
    r.setAttribute("y", y0 - pad);
    r.setAttribute("width", x1 - x0 + 2 * pad);
    r.setAttribute("height", y1 - y0 + 2 * pad);
    r.setAttribute("class", kind);
    return r;
  }

  /** Draw the box of a field (or a word) and bring it into view. */
  async select(number, bbox) {
    if (number !== this.number) await this.show(number);
    this.selected?.remove();
    this.selected = null;
    if (!bbox || !this.svg) return;
    this.selected = this.rect(bbox, "dang-chon");
    this.svg.append(this.selected);
    const frame = this.svg.parentElement;
    const scroller = frame.closest(".cuon");
    if (scroller) {
      const scale = frame.clientHeight / this.page.height;
      const top = frame.offsetTop + bbox[1] * scale - scroller.clientHeight / 3;
      scroller.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
    }
  }

  destroy() {
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}

/** GET …/pages for a document; null when the document has no reading yet. */
export async function loadReading(document_) {
  const base = document_.links.original.replace(/\/original$/, "");
  const response = await api(`${base}/pages`);
  return response.json();
}

