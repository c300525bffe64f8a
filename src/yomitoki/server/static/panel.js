// The viewer beside the chat (a full-screen sheet on a phone): the cited document with its
// sentence highlighted, the passages the answer was given, and the thought process.
import { showThoughts } from "./thoughts.js";

const $ = (id) => document.getElementById(id);
const TABS = ["document", "passages", "thoughts"];
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

/** The URL path of a document name, each part escaped. */
export function documentPath(name) {
  return name.split("/").map(encodeURIComponent).join("/");
}

/** A citation's name and its anchor: "a/b.pdf#page=3" → ["a/b.pdf", "page=3"]. */
export function splitCitation(citation) {
  const at = citation.lastIndexOf("#");
  return at < 0 ? [citation, ""] : [citation.slice(0, at), citation.slice(at + 1)];
}

/** The next zoom step from `zoom` in `direction` (+1 or -1), within the steps offered. */
export function nextZoom(zoom, direction) {
  const steps = direction > 0 ? ZOOMS.filter((z) => z > zoom + 1e-9) : ZOOMS.filter((z) => z < zoom - 1e-9);
  return steps.length ? (direction > 0 ? steps[0] : steps[steps.length - 1]) : zoom;
}

export function selectTab(name) {
  for (const b of document.querySelectorAll("[role=tab]")) {
    const on = b.dataset.tab === name;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
  }
  for (const tab of TABS) $("tab-" + tab).hidden = tab !== name;
}

export function closePanel() {
  $("panel").hidden = true;
  document.body.classList.remove("viewing");
}

export function openPanel(ui, msg, tab, citation) {
  $("panel").hidden = false;
  document.body.classList.add("viewing");
  showPassages(ui, msg, citation);
  showThoughts($("tab-thoughts"), msg.thoughts, ui.t);
  selectTab(tab);
  $("close-panel").focus({ preventScroll: true });
}

function showPassages(ui, msg, citation) {
  const tab = $("tab-passages");
  tab.replaceChildren();
  const passages = (msg.dataPoints || {}).passages || [];
  if (!passages.length) tab.textContent = ui.t("noPassage");
  let first = null;
  for (const passage of passages) {
    const div = document.createElement("article");
    div.className = "passage";
    const h = document.createElement("h2");
    h.textContent = passage.citation;
    if (passage.citation === citation) {
      div.classList.add("opened");
      div.setAttribute("aria-current", "true");
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = ui.t("opened");
      h.append(" ", tag);
      first = first || div;
    }
    const p = document.createElement("p");
    p.textContent = passage.text;
    div.append(h, p);
    tab.append(div);
  }
  if (first) requestAnimationFrame(() => first.scrollIntoView({ block: "nearest" }));
}

/** Open `citation` of `msg` in the viewer, `sentence` highlighted. */
export async function openCitation(ui, msg, citation, sentence) {
  ui.state.open = { msg, citation, sentence, zoom: 1 };
  openPanel(ui, msg, "document", citation);
  const [name, anchor] = splitCitation(citation);
  const path = documentPath(name);
  const title = $("doc-title");
  title.replaceChildren(citation);
  const drawn = ((msg.dataPoints || {}).pages || {})[citation];
  const tools = $("doc-tools");
  tools.hidden = !drawn;
  const link = $("doc-open");
  if (drawn) {
    const scan = drawn.format === "image";
    link.href = scan ? `/content/${path}?page=${drawn.page}` : `/content/${path}#page=${drawn.page}`;
    link.textContent = ui.t(scan ? "openScan" : "openPdf");
    await showPage(ui, path, citation, drawn.page, sentence);
  } else {
    link.href = `/content/${path}`;
    link.textContent = ui.t("openFile");
    await showText(ui, path, citation, anchor, sentence);
  }
}

/** A page drawn by the server, the sentence highlighted, fitted to the pane's width. */
async function showPage(ui, path, citation, page, sentence) {
  const view = document.createElement("div");
  view.id = "doc-frame";
  view.className = "page-view";
  view.tabIndex = 0;
  view.setAttribute("aria-label", citation);
  const img = document.createElement("img");
  img.id = "doc-page";
  img.alt = citation;
  view.append(img);
  $("doc-frame").replaceWith(view);
  const query = new URLSearchParams({ page: String(page) });
  if (sentence) query.set("highlight", sentence);
  img.dataset.src = `/page/${path}?${query}`;
  const response = await fetch(img.dataset.src);
  if (!response.ok) { img.alt = `${citation}: ${response.status}`; img.dataset.highlight = "error"; return; }
  const found = response.headers.get("X-Highlight") === "found";
  const box = (response.headers.get("X-Highlight-Box") || "").split(",").map(Number);
  img.dataset.box = found ? box.join(",") : "";
  img.title = sentence ? ui.t(found ? "highlighted" : "notHighlighted") : citation;
  img.onload = () => {
    URL.revokeObjectURL(img.src);
    zoomTo(ui, ui.state.open.zoom);
    img.dataset.highlight = found ? "found" : "none";
  };
  img.src = URL.createObjectURL(await response.blob());
}

/** Show the page at `zoom` times the pane's width, the highlight kept in sight. */
export function zoomTo(ui, zoom) {
  ui.state.open.zoom = zoom;
  const img = $("doc-page");
  if (!img) return;
  img.style.width = `${zoom * 100}%`;
  const level = `${Math.round(zoom * 100)}%`;
  $("zoom-level").textContent = level;
  $("zoom-fit").setAttribute("aria-label", `${level} · ${ui.t("fit")}`);
  const view = img.parentElement;
  const box = (img.dataset.box || "").split(",").filter(Boolean).map(Number);
  if (box.length === 4) {
    const top = box[1] * img.clientHeight, left = box[0] * img.clientWidth;
    view.scrollTop = Math.max(0, top - view.clientHeight / 3);
    view.scrollLeft = Math.max(0, Math.min(left - 16, box[2] * img.clientWidth - view.clientWidth + 16));
  }
}

/** A document without pages as text to read, in a sandboxed frame, at the cited sentence. */
async function showText(ui, path, citation, anchor, sentence) {
  const frame = document.createElement("iframe");
  frame.id = "doc-frame";
  frame.title = citation;
  frame.setAttribute("sandbox", "");
  frame.dataset.citation = citation;
  $("doc-frame").replaceWith(frame);
  const query = sentence ? "?" + new URLSearchParams({ highlight: sentence }) : "";
  const url = `/view/${path}${query}`;
  let found = false;
  try {
    const response = await fetch(url);
    found = response.headers.get("X-Highlight") === "found";
  } catch { /* the frame shows the error */ }
  frame.dataset.highlight = found ? "found" : "none";
  frame.src = url + (found ? "#cited" : anchor && !anchor.startsWith("page=") ? "#" + anchor.replace("=", "-") : "");
}
