// An answer as the reader sees it, from the server's structured answer: text runs and
// citation marks (each with the sentence it closes). No citation grammar lives here.

/** Number each citation in order of first mention: [{citation, n, sentence}] (its first sentence). */
export function numbering(parts) {
  const seen = new Map();
  for (const part of parts || []) {
    for (const citation of part.citations || []) {
      if (!seen.has(citation)) seen.set(citation, { citation, n: seen.size + 1, sentence: part.sentence || "" });
    }
  }
  return [...seen.values()];
}

/** The last user-perceived character of `text` and what comes before it. */
export function splitLast(text) {
  const chars = Array.from(text);
  const last = chars.pop() || "";
  return [chars.join(""), last];
}

function badge(item, sentence, t, open) {
  const a = document.createElement("a");
  a.className = "citation";
  a.href = "#";
  a.textContent = String(item.n);
  a.title = item.citation;
  a.dataset.citation = item.citation;
  a.setAttribute("aria-label", `${t("sources")} ${item.n}: ${item.citation}`);
  a.onclick = (event) => { event.preventDefault(); open(item.citation, sentence); };
  return a;
}

/**
 * The answer's body: text, and after each cited sentence its numbered badges. The badges
 * and the character before them share a span that does not break, so a badge never opens a
 * line (the server already put closing punctuation before the mark).
 */
export function answerBody(parts, t, open) {
  const body = document.createElement("div");
  body.className = "text";
  const numbers = new Map(numbering(parts).map((item) => [item.citation, item]));
  for (const part of parts) {
    if (!part.citations) { body.append(part.text); continue; }
    const span = document.createElement("span");
    span.className = "cited";
    const before = body.lastChild;
    if (before && before.nodeType === Node.TEXT_NODE && before.data) {
      const [rest, last] = splitLast(before.data);
      before.data = rest;
      span.append(last);
    }
    for (const citation of part.citations) {
      const item = numbers.get(citation);
      if (item) span.append(badge(item, part.sentence, t, open));
    }
    body.append(span);
  }
  return body;
}

/** The sources under an answer: each citation numbered, OCR's confidence where it was read. */
export function sourceList(parts, ocr, t, open) {
  const items = numbering(parts);
  if (!items.length) return null;
  const list = document.createElement("div");
  list.className = "sources";
  const title = document.createElement("span");
  title.textContent = t("sources") + ":";
  list.append(title);
  for (const item of items) {
    const a = document.createElement("a");
    a.href = "#";
    a.textContent = `${item.n}. ${item.citation}`;
    a.dataset.citation = item.citation;
    a.onclick = (event) => { event.preventDefault(); open(item.citation, item.sentence); };
    list.append(" ", a);
    const confidence = (ocr || {})[item.citation];
    if (typeof confidence === "number") {
      const mark = document.createElement("span");
      mark.className = "ocr-badge";
      mark.textContent = t("ocr");
      mark.title = `${t("ocrTitle")} ${Math.round(confidence * 100)}%`;
      a.append(" ", mark);
    }
  }
  return list;
}
