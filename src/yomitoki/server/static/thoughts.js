// The thought process in words and tables, each step by its stable code; the raw JSON of
// every step one click away.

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function table(headers, rows) {
  const wrap = el("div", undefined, "table-wrap");
  wrap.tabIndex = 0; // a region that scrolls sideways is reachable by keyboard
  const tbl = el("table");
  const head = tbl.createTHead().insertRow();
  for (const h of headers) { const th = el("th", h); th.scope = "col"; head.append(th); }
  const body = tbl.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.insertCell().textContent = cell;
  }
  wrap.append(tbl);
  return wrap;
}

/** A probability or score as people read it. */
export function figure(value) {
  return typeof value === "number" ? String(Number(value.toFixed(3))) : "–";
}

/** The answerability decision in words: answered or "I don't know", with its probability and threshold. */
export function decision(checks, t) {
  const a = checks.description && checks.description.answerability;
  if (a && typeof a.probability === "number") {
    const values = { p: figure(a.probability), t: figure(a.threshold) };
    return t(checks.description.dont_know ? "refused" : "answered", values);
  }
  return t("llmAnswered", { answerer: (checks.props && checks.props.answerer) || "LLM" });
}

const DRAW = {
  query(step, t) {
    const box = el("div");
    box.append(el("p", step.description, "query"));
    const props = step.props || {};
    box.append(el("p", `${t("question")}: ${props.question || ""} · ${t("queryLang")}: ${props.language || ""}`, "hint"));
    return box;
  },
  results(step, t) {
    const rows = (step.description || []).map((hit, i) => [
      String(i + 1), hit.citation, figure(hit.score),
      Object.entries(hit.legs || {}).map(([leg, v]) => `${leg} #${v.rank} (${figure(v.score)})`).join(", "),
    ]);
    return table([t("rank"), t("citation"), t("score"), t("legs")], rows);
  },
  prompt(step) {
    const box = el("div");
    for (const m of step.description || []) {
      box.append(el("h3", m.role), el("pre", m.content));
    }
    return box;
  },
  ignored(step) { return el("p", (step.description || []).join(", ")); },
  checks(step, t) {
    const box = el("div");
    box.append(el("p", decision(step, t), "decision"));
    const d = step.description || {};
    const props = step.props || {};
    const lines = [
      [t("removedCitations"), (d.removed_citations || []).join(", ") || t("none")],
      [t("unsupported"), (d.unsupported || []).join(" / ") || t("none")],
      [t("timings"), Object.entries(props.timings_ms || {}).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(", ")],
    ];
    if (props.usage) lines.push([t("usage"), `${props.usage.prompt_tokens} + ${props.usage.completion_tokens}`]);
    const list = el("dl");
    for (const [k, v] of lines) list.append(el("dt", k), el("dd", v));
    box.append(list);
    return box;
  },
};

/** Every step of `thoughts` drawn into `tab`. */
export function showThoughts(tab, thoughts, t) {
  tab.replaceChildren();
  for (const step of thoughts || []) {
    const section = el("section", undefined, "thought");
    section.dataset.code = step.code || "";
    section.append(el("h2", step.code ? t(step.code) : step.title));
    const draw = DRAW[step.code];
    if (draw) section.append(draw(step, t));
    const raw = el("details");
    raw.append(el("summary", t("rawJson")), el("pre", JSON.stringify(step, null, 2)));
    section.append(raw);
    tab.append(section);
  }
}
