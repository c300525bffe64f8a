// yomitoki chat UI: plain JavaScript, no build step, no CDN.
"use strict";

const TEXT = {
  en: {
    newChat: "New chat", settings: "Settings", send: "Ask", stop: "Stop", placeholder: "Ask a question…",
    emptyHint: "Ask a question about your documents.", document: "Document", passages: "Passages",
    thoughts: "Thought process", mode: "Retrieval mode", top: "Passages to use", category: "Category",
    all: "All", temperature: "Temperature", followups: "Suggest follow-up questions",
    apiKey: "API key (if the server needs one)", close: "Close", sources: "Sources",
    stopped: "(stopped)", error: "Error", answeredBy: "Answered by",
    noPassage: "No passage for this citation.", followupTitle: "Follow-up questions",
    signedIn: "Signed in", badKey: "That key is not valid", signOut: "Sign out", signedOut: "Signed out",
    notSignedIn: "Not signed in", needSignIn: "Sign in first (Settings, or your organisation's sign-in).",
    signInOrg: "Sign in with your organisation", documents: "Documents", name: "Name", chunks: "Chunks",
    readers: "Readers", upload: "Upload", uploadSend: "Upload", everyone: "Everyone may read it",
    uploaded: "Uploaded", readableBy: "Readable by", admin: "admin", forbidden: "Not allowed",
    "Search query": "Search query", "Search results": "Search results", Prompt: "Prompt",
    "Options without effect": "Options without effect", "Answer checks": "Answer checks",
    ocr: "OCR", ocrTitle: "Read from a scan by OCR; confidence",
    openPdf: "Open the PDF", openScan: "Open the scan", highlighted: "The cited sentence is highlighted",
    notHighlighted: "The cited sentence was not found on this page",
  },
  ja: {
    newChat: "新しい会話", settings: "設定", send: "質問", stop: "停止", placeholder: "質問を入力…",
    emptyHint: "文書について質問してください。", document: "文書", passages: "根拠の文章",
    thoughts: "思考過程", mode: "検索方式", top: "使う文章の数", category: "カテゴリ", all: "すべて",
    temperature: "温度", followups: "次の質問を提案する", apiKey: "API キー（必要な場合）", close: "閉じる",
    sources: "出典", stopped: "（停止しました）", error: "エラー", answeredBy: "回答エンジン",
    noPassage: "この出典の文章はありません。", followupTitle: "次の質問",
    signedIn: "サインインしました", badKey: "このキーは無効です", signOut: "サインアウト", signedOut: "サインアウトしました",
    notSignedIn: "サインインしていません", needSignIn: "先にサインインしてください（設定、または組織のサインイン）。",
    signInOrg: "組織のアカウントでサインイン", documents: "文書一覧", name: "名前", chunks: "チャンク数",
    readers: "閲覧できる人", upload: "アップロード", uploadSend: "アップロード", everyone: "全員が閲覧できる",
    uploaded: "アップロードしました", readableBy: "閲覧できる人", admin: "管理者", forbidden: "許可されていません",
    "Search query": "検索クエリ", "Search results": "検索結果", Prompt: "プロンプト",
    "Options without effect": "効果のない設定", "Answer checks": "回答の検証",
    ocr: "OCR", ocrTitle: "スキャン画像から OCR で読み取った文章です。信頼度",
    openPdf: "PDF を開く", openScan: "スキャン画像を開く", highlighted: "引用された文に色を付けています",
    notHighlighted: "引用された文はこのページに見つかりませんでした",
  },
};
const STORE = "yomitoki.chat.v1";
const PREFS = "yomitoki.prefs.v1";
const $ = (id) => document.getElementById(id);
// Scans, read by OCR: the server sends them as PNG pages.

let lang = localStorage.getItem("yomitoki.lang")
  || ((navigator.language || "en").toLowerCase().startsWith("ja") ? "ja" : "en");
let messages = JSON.parse(localStorage.getItem(STORE) || "[]");
let prefs = JSON.parse(localStorage.getItem(PREFS) || "{}");
// Earlier versions kept the API key here, where any script of this origin could read it.
if ("key" in prefs) { delete prefs.key; localStorage.setItem(PREFS, JSON.stringify(prefs)); }
let controller = null;

function t(key) { return (TEXT[lang] || TEXT.en)[key] || key; }

function applyLanguage() {
  document.documentElement.lang = lang;
  $("language").value = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  showWho();
  render();
}

// No key is kept in the page: signing in trades it for an HttpOnly cookie the browser sends.
function headers() { return { "Content-Type": "application/json" }; }

function save() { localStorage.setItem(STORE, JSON.stringify(messages)); }

// Citations as the answer writes them: [file.pdf#page=3], several per bracket allowed; a
// name may hold one level of brackets (報告[案].pdf), as yomitoki.text.citations reads them.
const BRACKET = /\[((?:[^\[\]\n]|\[[^\[\]\n]*\])+)\]/g;

// The citations of a bracket: its parts when each is one the server returned, else the
// bracket whole (a name with a comma in it).
function citationParts(inside, known) {
  const parts = inside.split(/\s*[,;、]\s*/).filter(Boolean);
  return parts.length && parts.every((p) => known.has(p)) ? parts : [inside.trim()];
}

// The citations a message may link: only those the server returned with the answer.
function allowed(msg) {
  return new Set([...(msg.citations || []), ...((msg.dataPoints || {}).citations || [])]);
}

function renderAnswer(msg, el) {
  const known = allowed(msg);
  const numbers = new Map();
  const sentences = new Map(); // each citation's first sentence, for the sources list
  const body = document.createElement("div");
  body.className = "text";
  let last = 0;
  for (const match of msg.content.matchAll(BRACKET)) {
    const parts = citationParts(match[1], known);
    if (!parts.length || !parts.every((p) => known.has(p))) continue; // not a returned citation
    body.append(match.index > last ? msg.content.slice(last, match.index) : "");
    for (const part of parts) {
      // The sentence the server says cites it (none while the answer is still streaming).
      const sentence = (msg.citedSentences || {})[part] || "";
      if (!numbers.has(part)) numbers.set(part, numbers.size + 1);
      if (!sentences.has(part)) sentences.set(part, sentence);
      body.append(citationLink(msg, part, numbers.get(part), sentence));
    }
    last = match.index + match[0].length;
  }
  body.append(msg.content.slice(last));
  if (msg.stopped) body.append(" " + t("stopped"));
  el.append(body);
  if (numbers.size) {
    const list = document.createElement("div");
    list.className = "sources";
    list.append(t("sources") + ": ");
    for (const [citation, n] of numbers) {
      const a = document.createElement("a");
      a.textContent = `${n}. ${citation}`;
      a.dataset.citation = citation;
      a.onclick = () => openCitation(msg, citation, sentences.get(citation));
      list.append(a);
      const confidence = ((msg.dataPoints || {}).ocr || {})[citation];
      if (typeof confidence === "number") a.append(" ", ocrBadge(confidence));
    }
    el.append(list);
  }
  if (msg.followups && msg.followups.length) {
    const box = document.createElement("div");
    box.className = "followups";
    box.append(t("followupTitle") + ":");
    for (const q of msg.followups) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = q;
      b.onclick = () => ask(q);
      box.append(b);
    }
    el.append(box);
  }
  if (msg.thoughts) {
    const meta = document.createElement("div");
    meta.className = "meta";
    for (const tab of ["thoughts", "passages"]) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = t(tab);
      b.onclick = () => openPanel(msg, tab);
      meta.append(b);
    }
    el.append(meta);
  }
}

// Text read from a scan is marked, with OCR's confidence in its tooltip.
function ocrBadge(confidence) {
  const badge = document.createElement("span");
  badge.className = "ocr-badge";
  badge.textContent = t("ocr");
  badge.title = `${t("ocrTitle")} ${Math.round(confidence * 100)}%`;
  return badge;
}

function citationLink(msg, citation, n, sentence) {
  const a = document.createElement("a");
  a.className = "citation";
  a.textContent = String(n);
  a.title = citation;
  a.href = "#";
  a.dataset.citation = citation;
  a.onclick = (event) => { event.preventDefault(); openCitation(msg, citation, sentence); };
  return a;
}

function render() {
  const box = $("messages");
  box.replaceChildren();
  $("empty").hidden = messages.length > 0;
  messages.forEach((msg, i) => {
    const el = document.createElement("div");
    el.className = "message " + msg.role + (msg.error ? " error" : "");
    el.dataset.index = i;
    if (msg.role === "assistant") renderAnswer(msg, el);
    else el.textContent = msg.content;
    if (msg.error) el.append("\n" + t("error") + ": " + msg.error);
    box.append(el);
  });
  box.scrollTop = box.scrollHeight;
}

async function showDocument(msg, citation, sentence) {
  const [name, anchor] = citation.split("#");
  const title = $("doc-title");
  title.replaceChildren(citation);
  const path = name.split("/").map(encodeURIComponent).join("/");
  const url = "/content/" + path;
  const old = $("doc-frame");
  const drawn = ((msg.dataPoints || {}).pages || {})[citation];
  if (drawn) {
    // The cited page drawn by the server, the answer's sentence highlighted on it (a scan is
    // read by OCR to find it); the PDF opens in the browser's viewer at that page.
    const number = String(drawn.page);
    const scan = drawn.format === "image";
    const open = document.createElement("a");
    open.id = "doc-open";
    open.href = scan ? `${url}?page=${number}` : `${url}#page=${number}`;
    open.target = "_blank";
    open.rel = "noopener";
    open.textContent = t(scan ? "openScan" : "openPdf");
    title.append(" ", open);
    // The page in a scrolling view, large enough to read, scrolled to the highlight.
    const view = document.createElement("div");
    view.id = "doc-frame";
    view.className = "page-view";
    const img = document.createElement("img");
    img.id = "doc-page";
    img.alt = citation;
    view.append(img);
    const query = new URLSearchParams({ page: number });
    if (sentence) query.set("highlight", sentence);
    img.dataset.src = `/page/${path}?${query}`;
    old.replaceWith(view);
    // Fetched once, to read whether and where the sentence was found as well as the picture.
    const response = await fetch(img.dataset.src, { headers: headers() });
    if (!response.ok) { img.alt = `${citation}: ${response.status}`; return; }
    const found = response.headers.get("X-Highlight") === "found";
    const box = (response.headers.get("X-Highlight-Box") || "").split(",").map(Number);
    img.onload = () => {
      URL.revokeObjectURL(img.src);
      if (found && box.length === 4) {
        view.scrollTop = Math.max(0, box[1] * img.clientHeight - view.clientHeight / 3);
        view.scrollLeft = Math.max(0, box[0] * img.clientWidth - 24);
      }
      img.dataset.highlight = found ? "found" : "none";
    };
    img.title = sentence ? t(found ? "highlighted" : "notHighlighted") : citation;
    img.src = URL.createObjectURL(await response.blob());
    return;
  }
  // A document is shown in a sandboxed frame: no script of it runs, and it has no origin.
  // The browser's PDF viewer refuses sandboxed frames; it runs apart from this page anyway.
  const frame = document.createElement("iframe");
  frame.id = "doc-frame";
  frame.title = "document";
  if (!/\.pdf$/i.test(name)) frame.setAttribute("sandbox", "");
  frame.src = url + (anchor ? "#" + anchor : "");
  frame.dataset.citation = citation;
  old.replaceWith(frame);
}

function showPassages(msg, citation) {
  const tab = $("tab-passages");
  tab.replaceChildren();
  const shown = ((msg.dataPoints || {}).passages || [])
    .filter((passage) => !citation || passage.citation === citation);
  if (!shown.length) tab.textContent = t("noPassage");
  for (const passage of shown) {
    const div = document.createElement("div");
    div.className = "passage";
    const h = document.createElement("h3");
    h.textContent = passage.citation;
    div.append(h, passage.text);
    tab.append(div);
  }
}

function showThoughts(msg) {
  const tab = $("tab-thoughts");
  tab.replaceChildren();
  for (const step of msg.thoughts || []) {
    const div = document.createElement("div");
    div.className = "thought";
    const h = document.createElement("h3");
    h.textContent = t(step.title);
    const pre = document.createElement("pre");
    const detail = { description: step.description, ...(step.props ? { props: step.props } : {}) };
    pre.textContent = typeof step.description === "string" && !step.props
      ? step.description : JSON.stringify(detail, null, 2);
    div.append(h, pre);
    tab.append(div);
  }
}

function selectTab(name) {
  for (const b of document.querySelectorAll("[role=tab]")) {
    b.setAttribute("aria-selected", String(b.dataset.tab === name));
  }
  for (const tab of ["document", "passages", "thoughts"]) $("tab-" + tab).hidden = tab !== name;
}

function openPanel(msg, tab, citation) {
  $("panel").hidden = false;
  showPassages(msg, citation);
  showThoughts(msg);
  selectTab(tab);
}

function openCitation(msg, citation, sentence) {
  openPanel(msg, "document", citation);
  showDocument(msg, citation, sentence);
}

function overrides() {
  const o = {
    retrieval_mode: $("opt-mode").value,
    top: Number($("opt-top").value) || 5,
    temperature: Number($("opt-temperature").value),
    suggest_followup_questions: $("opt-followups").checked,
  };
  if ($("opt-category").value) o.include_category = $("opt-category").value;
  return o;
}

async function ask(question) {
  question = question.trim();
  if (!question || controller) return;
  const history = messages.filter((m) => !m.error).map((m) => ({ role: m.role, content: m.content }));
  messages.push({ role: "user", content: question });
  const msg = { role: "assistant", content: "" };
  messages.push(msg);
  render();
  controller = new AbortController();
  $("send").hidden = true;
  $("stop").hidden = false;
  try {
    const reply = await fetch("/chat/stream", {
      method: "POST", headers: headers(), signal: controller.signal,
      body: JSON.stringify({ messages: [...history, { role: "user", content: question }],
                             context: { overrides: overrides() } }),
    });
    if (!reply.ok) {
      const data = await reply.json().catch(() => ({}));
      if (reply.status === 401) throw new Error(t("needSignIn"));
      throw new Error((data.error && data.error.message) || reply.statusText);
    }
    const reader = reply.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) handle(msg, JSON.parse(line));
      }
      render();
    }
  } catch (err) {
    if (err.name === "AbortError") msg.stopped = true;
    else msg.error = err.message;
  } finally {
    controller = null;
    $("send").hidden = false;
    $("stop").hidden = true;
    save();
    render();
  }
}

function handle(msg, event) {
  if (event.error) { msg.error = event.error; return; }
  if (event.type === "response.context") {
    msg.dataPoints = event.context.data_points;
    msg.thoughts = event.context.thoughts;
  } else if (event.type === "response.output_text.delta") {
    msg.content += event.delta;
  } else if (event.type === "response.followups") {
    msg.followups = event.followup_questions;
  } else if (event.type === "response.completed") {
    msg.content = event.output_text;
    msg.citations = event.context.citations;
    msg.citedSentences = event.context.cited_sentences;
    msg.dataPoints = event.context.data_points;
    msg.thoughts = event.context.thoughts;
    msg.followups = event.context.followup_questions;
  }
}

let who = { signed_in: false, auth: false, groups: [], admin: false };

function showWho() {
  const label = who.signed_in
    ? `${who.user}${who.groups.length ? " (" + who.groups.join(", ") + ")" : ""}${who.admin ? " · " + t("admin") : ""}`
    : (who.auth ? t("notSignedIn") : "");
  $("whoami").textContent = label;
  $("sign-out").hidden = !who.signed_in;
  $("sso").hidden = !who.oidc || who.signed_in;
  for (const el of document.querySelectorAll(".admin-only")) el.hidden = !who.admin;
}

async function loadWho() {
  const reply = await fetch("/auth/session");
  if (reply.ok) who = await reply.json();
  showWho();
}

async function loadConfig() {
  await loadWho();
  try {
    const reply = await fetch("/config", { headers: headers() });
    if (!reply.ok) return;
    const config = await reply.json();
    const select = $("opt-category");
    select.replaceChildren(new Option(t("all"), ""));
    for (const c of config.categories) select.append(new Option(c, c));
    $("opt-mode").value = prefs.mode || config.retrieval_mode_override;
    $("opt-top").value = prefs.top || config.top;
    $("opt-temperature").value = prefs.temperature ?? config.temperature;
    $("opt-followups").checked = prefs.followups ?? config.followups;
    $("server-info").textContent = `${t("answeredBy")}: ${config.answerer} · v${config.version}`;
  } catch (err) { /* the first question will show the error */ }
}

async function signIn(key) {
  const reply = await fetch("/auth/session", {
    method: "POST", headers: headers(), body: JSON.stringify({ key }),
  });
  $("auth-status").textContent = reply.ok ? t("signedIn") : t("badKey");
  loadConfig();
}

async function signOut() {
  await fetch("/auth/session", { method: "DELETE" });
  $("auth-status").textContent = t("signedOut");
  loadConfig();
}

async function loadDocuments() {
  const body = $("doc-list").querySelector("tbody");
  body.replaceChildren();
  const reply = await fetch("/documents");
  if (!reply.ok) { $("upload-status").textContent = t("needSignIn"); return; }
  for (const doc of (await reply.json()).documents) {
    const row = body.insertRow();
    row.insertCell().textContent = doc.name;
    row.insertCell().textContent = String(doc.chunks);
    const readers = row.insertCell();
    readers.className = "admin-only";
    readers.hidden = !who.admin;
    readers.textContent = (doc.readers || []).join(", ");
  }
  const groups = $("upload-groups");
  groups.replaceChildren();
  for (const g of who.groups) {
    const label = document.createElement("label");
    label.className = "check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = g;
    box.checked = true;
    label.append(box, " " + g);
    groups.append(label);
  }
}

async function upload() {
  const file = $("upload-file").files[0];
  if (!file) return;
  const params = new URLSearchParams();
  for (const box of $("upload-groups").querySelectorAll("input:checked")) params.append("groups", box.value);
  if ($("upload-everyone").checked) params.set("everyone", "true");
  const form = new FormData();
  form.append("file", file);
  const reply = await fetch("/documents?" + params.toString(), { method: "POST", body: form });
  const data = await reply.json().catch(() => ({}));
  $("upload-status").textContent = reply.ok
    ? `${t("uploaded")}: ${data.name}`
    : (reply.status === 403 ? t("forbidden") : reply.status === 401 ? t("needSignIn")
      : (data.error && data.error.message) || reply.statusText);
  if (reply.ok) loadDocuments();
}

function savePrefs() {
  prefs = { mode: $("opt-mode").value, top: $("opt-top").value,
            temperature: Number($("opt-temperature").value), followups: $("opt-followups").checked };
  localStorage.setItem(PREFS, JSON.stringify(prefs));
  const key = $("opt-key").value;
  $("opt-key").value = "";
  if (key) signIn(key);
}

$("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = $("question").value;
  $("question").value = "";
  ask(q);
});
$("question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("ask").requestSubmit();
  }
});
$("stop").onclick = () => controller && controller.abort();
$("new-chat").onclick = () => { messages = []; save(); $("panel").hidden = true; render(); };
$("open-settings").onclick = () => $("settings").showModal();
$("settings").addEventListener("close", savePrefs);
$("close-panel").onclick = () => { $("panel").hidden = true; };
$("language").onchange = () => {
  lang = $("language").value;
  localStorage.setItem("yomitoki.lang", lang);
  applyLanguage();
};
for (const b of document.querySelectorAll("[role=tab]")) b.onclick = () => selectTab(b.dataset.tab);
$("sign-out").onclick = signOut;
$("open-documents").onclick = () => { loadDocuments(); $("documents").showModal(); };
$("upload-send").onclick = upload;
applyLanguage();
loadConfig();
