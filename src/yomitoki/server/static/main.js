// yomitoki's chat UI: native ES modules around one state object, no build step, no CDN.
import { applyTo, translate } from "./i18n.js";
import { state, becomeUser, forgetChats, saveChats, savePrefs, saveLanguage } from "./state.js";
import { answerBody, sourceList } from "./answer.js";
import { readLines, applyEvent } from "./stream.js";
import { closePanel, nextZoom, openCitation, openPanel, selectTab, zoomTo } from "./panel.js";
import { loadDocuments, upload } from "./documents.js";

const $ = (id) => document.getElementById(id);
const t = (key, values) => translate(state.lang, key, values);
// What the other modules may ask of this one: the state, the words, and to read /config again
// (after an upload or a deletion changes what is indexed).
const ui = { state, t, refresh: () => loadConfig({ who: false }) };

// -- messages ------------------------------------------------------------------------------------

function drawAnswer(msg, el) {
  const open = (citation, sentence) => openCitation(ui, msg, citation, sentence);
  if (msg.parts) el.append(answerBody(msg.parts, t, open));
  else { const body = document.createElement("div"); body.className = "text"; body.textContent = msg.content; el.append(body); }
  if (msg.stopped) el.querySelector(".text").append(" " + t("stopped"));
  const sources = msg.parts && sourceList(msg.parts, (msg.dataPoints || {}).ocr, t, open);
  if (sources) el.append(sources);
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
      b.onclick = () => openPanel(ui, msg, tab, null);
      meta.append(b);
    }
    el.append(meta);
  }
}

function messageNode(msg, index) {
  const el = document.createElement("div");
  el.className = "message " + msg.role + (msg.error ? " error" : "");
  el.dataset.index = index;
  if (msg.role === "assistant") drawAnswer(msg, el);
  else el.textContent = msg.content;
  if (msg.error) {
    const p = document.createElement("p");
    p.className = "problem";
    p.textContent = `${t("error")}: ${msg.error}`;
    el.append(p);
  }
  return el;
}

/** Draw every message again (a new chat, a language, a reload). */
function render() {
  const box = $("messages");
  box.replaceChildren(...state.messages.map(messageNode));
  $("welcome").hidden = state.messages.length > 0;
  box.scrollTop = box.scrollHeight;
}

/** Draw one message again, in place (the one being written). */
function redraw(msg) {
  const index = state.messages.indexOf(msg);
  const old = $("messages").querySelector(`[data-index="${index}"]`);
  if (old) old.replaceWith(messageNode(msg, index));
}

// -- asking --------------------------------------------------------------------------------------

function overrides() {
  const o = {
    top: Number($("opt-top").value) || 5,
    temperature: Number($("opt-temperature").value),
    suggest_followup_questions: $("opt-followups").checked,
  };
  // Unset until /config has said which modes there are: the server's own is used.
  if ($("opt-mode").value) o.retrieval_mode = $("opt-mode").value;
  if ($("opt-category").value) o.include_category = $("opt-category").value;
  return o;
}

async function ask(question) {
  question = question.trim();
  if (!question || state.controller) return;
  const history = state.messages.filter((m) => !m.error).map((m) => ({ role: m.role, content: m.content }));
  state.messages.push({ role: "user", content: question });
  const msg = { role: "assistant", content: "" };
  state.messages.push(msg);
  render();
  const index = state.messages.length - 1;
  state.controller = new AbortController();
  $("send").hidden = true;
  $("stop").hidden = false;
  try {
    const reply = await fetch("/chat/stream", {
      method: "POST", headers: { "Content-Type": "application/json" }, signal: state.controller.signal,
      body: JSON.stringify({ messages: [...history, { role: "user", content: question }],
                             context: { overrides: overrides() } }),
    });
    if (!reply.ok) {
      const data = await reply.json().catch(() => ({}));
      if (reply.status === 401) throw new Error(t("needSignIn"));
      throw new Error((data.error && data.error.message) || reply.statusText);
    }
    await readLines(reply, (event) => {
      const change = applyEvent(msg, event);
      if (change === "whole") redraw(msg);
      else if (change) {
        // Only the new words: the rest of the page stays as it is.
        $("messages").querySelector(`[data-index="${index}"] .text`)?.append(change);
        $("messages").scrollTop = $("messages").scrollHeight;
      }
    });
  } catch (err) {
    if (err.name === "AbortError") msg.stopped = true;
    else msg.error = err.message;
  } finally {
    state.controller = null;
    $("send").hidden = false;
    $("stop").hidden = true;
    saveChats();
    redraw(msg);
  }
}

// -- who is signed in, the server's settings, the first screen -----------------------------------

function showWho() {
  const who = state.who;
  const label = who.signed_in
    ? `${who.user}${who.groups.length ? " (" + who.groups.join(", ") + ")" : ""}${who.admin ? " · " + t("admin") : ""}`
    : (who.auth ? t("notSignedIn") : "");
  $("whoami").textContent = label;
  $("whoami").hidden = !label;
  $("sign-out").hidden = !who.signed_in;
  $("sso").hidden = !who.oidc || who.signed_in;
  for (const el of document.querySelectorAll(".admin-only")) el.hidden = !who.admin;
}

function showWelcome() {
  const config = state.config;
  const summary = $("indexed");
  const list = $("examples");
  list.replaceChildren();
  if (!config) { summary.textContent = t("emptyHint"); return; }
  const { count, titles } = config.documents;
  summary.textContent = count === 0 ? t("indexedNone")
    : `${count === 1 ? t("indexedOne") : t("indexedCount", { n: count })}: ${titles.join(state.lang === "ja" ? "、" : ", ")}${count > titles.length ? " " + t("andMore") : ""}`;
  const examples = config.examples.length ? config.examples
    : titles.slice(0, 3).map((title) => t("askTitle", { title }));
  $("examples-title").hidden = !examples.length;
  for (const q of examples) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "example";
    b.textContent = q;
    b.onclick = () => ask(q);
    li.append(b);
    list.append(li);
  }
}

/** Read /config again, and with `who` who is signed in (whose chats are then shown). */
async function loadConfig({ who = true } = {}) {
  if (who) {
    const reply = await fetch("/auth/session");
    if (reply.ok) state.who = await reply.json();
    becomeUser(state.who.signed_in ? state.who.user : "");
    showWho();
    render();
  }
  state.config = null;
  try {
    const answer = await fetch("/config");
    if (answer.ok) {
      const config = state.config = await answer.json();
      const select = $("opt-category");
      select.replaceChildren(new Option(t("all"), ""));
      for (const c of config.categories) select.append(new Option(c, c));
      $("opt-mode").replaceChildren(
        ...config.retrieval_modes.map((m) => new Option(t("mode_" + m.mode), m.value)));
      $("opt-mode").value = state.prefs.mode || config.retrieval_mode_override;
      $("opt-top").value = state.prefs.top || config.top;
      $("opt-temperature").value = state.prefs.temperature ?? config.temperature;
      $("opt-followups").checked = state.prefs.followups ?? config.followups;
      $("server-info").textContent = `${t("answeredBy")}: ${config.answerer} · v${config.version}`;
    }
  } catch { /* the first question will show the error */ }
  showWelcome();
}

async function signIn(key) {
  const reply = await fetch("/auth/session", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ key }),
  });
  $("auth-status").textContent = reply.ok ? t("signedIn") : t("badKey");
  await loadConfig();
}

async function signOut() {
  await fetch("/auth/session", { method: "DELETE" });
  forgetChats();
  closePanel();
  $("auth-status").textContent = t("signedOut");
  await loadConfig();
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  $("language").value = state.lang;
  applyTo(document, state.lang);
  showWho();
  showWelcome();
  render();
}

function closeSettings() {
  savePrefs({ mode: $("opt-mode").value, top: $("opt-top").value,
              temperature: Number($("opt-temperature").value), followups: $("opt-followups").checked });
  const key = $("opt-key").value;
  $("opt-key").value = "";
  if (key) signIn(key);
}

// -- wiring --------------------------------------------------------------------------------------

function toggleMenu(open) {
  const tools = $("tools");
  const shown = open ?? !tools.classList.contains("open");
  tools.classList.toggle("open", shown);
  $("menu").setAttribute("aria-expanded", String(shown));
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
$("stop").onclick = () => state.controller && state.controller.abort();
$("menu").onclick = () => toggleMenu();
$("new-chat").onclick = () => { toggleMenu(false); state.messages = []; saveChats(); closePanel(); render(); };
$("open-settings").onclick = () => { toggleMenu(false); $("settings").showModal(); };
$("settings").addEventListener("close", closeSettings);
$("close-panel").onclick = () => { closePanel(); $("question").focus(); };
$("language").onchange = () => { toggleMenu(false); saveLanguage($("language").value); applyLanguage(); };
// A tap outside the open menu closes it.
document.addEventListener("pointerdown", (event) => {
  if ($("tools").classList.contains("open") && !event.target.closest("header")) toggleMenu(false);
});
for (const b of document.querySelectorAll("[role=tab]")) {
  b.onclick = () => selectTab(b.dataset.tab);
  b.onkeydown = (event) => {
    const tabs = [...document.querySelectorAll("[role=tab]")];
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const next = tabs[(tabs.indexOf(b) + step + tabs.length) % tabs.length];
    selectTab(next.dataset.tab);
    next.focus();
  };
}
$("zoom-in").onclick = () => zoomTo(ui, nextZoom(state.open.zoom, 1));
$("zoom-out").onclick = () => zoomTo(ui, nextZoom(state.open.zoom, -1));
$("zoom-fit").onclick = () => zoomTo(ui, 1);
$("sign-out").onclick = signOut;
$("open-documents").onclick = () => { toggleMenu(false); loadDocuments(ui); $("documents").showModal(); };
$("upload-send").onclick = () => upload(ui);
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  if ($("tools").classList.contains("open")) toggleMenu(false);
  else if (!$("panel").hidden && !document.querySelector("dialog[open]")) { closePanel(); $("question").focus(); }
});
window.addEventListener("resize", () => { if (!$("panel").hidden && $("doc-page")) zoomTo(ui, state.open.zoom); });
applyLanguage();
loadConfig();
