// The documents dialog: what is indexed (name, status, pages, chunks, and for admins who may
// read it), uploading with a confirm step before replacing, and deleting with one.

const $ = (id) => document.getElementById(id);

/** The plain-language words for a failed request: its status and error code. */
export function problem(status, code, t) {
  if (status === 401) return t("needSignIn");
  if (status === 403) return t("forbidden");
  if (status === 413 || code === "too_large") return t("tooLarge");
  if (status === 415 || code === "unsupported_type") return t("badType");
  if (status === 422) return t("unreadable");
  if (status === 503) return t("busy");
  return `${t("failed")} (${status})`;
}

function say(text, kind = "") {
  const status = $("upload-status");
  status.textContent = text;
  status.className = "hint " + kind;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  // The column's name, shown beside the value where the table is drawn as cards (a phone).
  const th = $("doc-list").tHead.rows[0].cells[td.cellIndex];
  if (th) td.dataset.label = th.textContent;
  return td;
}

export async function loadDocuments(ui) {
  const body = $("doc-list").querySelector("tbody");
  body.replaceChildren();
  const reply = await fetch("/documents");
  if (!reply.ok) { say(problem(reply.status, "", ui.t), "error"); return; }
  const listing = await reply.json();
  showSyncs(ui, listing.sources || []);
  for (const doc of listing.documents) {
    const row = body.insertRow();
    row.dataset.id = doc.id;
    const name = cell(row, doc.name, "name");
    name.title = doc.title || doc.name;
    cell(row, ui.t(doc.status === "indexed" ? "indexed" : doc.status));
    cell(row, doc.pages == null ? "–" : String(doc.pages), "number");
    cell(row, String(doc.chunks), "number");
    const named = (doc.readers || []).map((r) => (r === "*" ? ui.t("everyoneReads") : r));
    const readers = cell(row, named.join(", "), "admin-only");
    readers.hidden = !ui.state.who.admin;
    const actions = cell(row, "", "actions");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove";
    remove.textContent = ui.t("remove");
    remove.setAttribute("aria-label", `${ui.t("remove")}: ${doc.name}`);
    remove.onclick = () => confirmStep(ui.t("confirmRemove", { name: doc.name }), ui.t("yesRemove"), ui.t,
      () => removeDocument(ui, doc));
    actions.append(remove);
  }
  const groups = $("upload-groups");
  groups.replaceChildren();
  for (const g of ui.state.who.groups) {
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

/** How the last sync of each folder and source went (the server sends them to admins). */
function showSyncs(ui, syncs) {
  const list = $("sync-list");
  list.replaceChildren();
  $("syncs").hidden = syncs.length === 0;
  for (const sync of syncs) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = sync.source;
    const when = document.createElement("span");
    when.className = "hint";
    if (sync.ended == null) when.textContent = ui.t("notSynced");
    else {
      const date = new Date(sync.ended * 1000).toLocaleString(ui.state.lang === "ja" ? "ja-JP" : "en-GB");
      // A failed sync keeps the counts of the last one that ran through, if any did.
      const parts = [ui.t(sync.error ? "lastTried" : "lastSync", { when: date })];
      const counts = { added: 0, updated: 0, unchanged: 0, removed: 0, failed: 0, ...sync.counts };
      if (Object.keys(sync.counts).length) parts.push(ui.t("syncCounts", counts));
      when.textContent = parts.join(" · ");
    }
    item.append(name, " ", when);
    if (sync.error) {
      const error = document.createElement("p");
      error.className = "problem";
      const key = sync.failures > 1 ? "syncFailed" : "syncFailedOne";
      error.textContent = ui.t(key, { n: sync.failures, error: sync.error });
      item.append(error);
    }
    list.append(item);
  }
}

/** Ask before doing something that cannot be undone: the question and two buttons. */
function confirmStep(question, yes, t, action) {
  const box = $("confirm");
  box.hidden = false;
  $("confirm-text").textContent = question;
  const ok = $("confirm-yes"), no = $("confirm-no");
  ok.textContent = yes;
  no.textContent = t("cancel");
  const done = () => { box.hidden = true; ok.onclick = no.onclick = null; };
  ok.onclick = async () => { done(); await action(); };
  no.onclick = () => { done(); say(""); };
  ok.focus();
}

async function removeDocument(ui, doc) {
  const reply = await fetch(`/documents/${encodeURIComponent(doc.id)}`, { method: "DELETE" });
  if (reply.ok) say(ui.t("removed", { name: doc.name }), "ok");
  else {
    const data = await reply.json().catch(() => ({}));
    say(problem(reply.status, (data.error || {}).code, ui.t), "error");
  }
  await loadDocuments(ui);
  ui.refresh();
}

export async function upload(ui, replace = false) {
  const file = $("upload-file").files[0];
  if (!file) { say(ui.t("chooseFile"), "error"); return; }
  const params = new URLSearchParams();
  for (const box of $("upload-groups").querySelectorAll("input:checked")) params.append("groups", box.value);
  if ($("upload-everyone").checked) params.set("everyone", "true");
  if (replace) params.set("replace", "true");
  const form = new FormData();
  form.append("file", file);
  say("…");
  const reply = await fetch("/documents?" + params, { method: "POST", body: form });
  const data = await reply.json().catch(() => ({}));
  const code = (data.error || {}).code;
  if (reply.ok) {
    say(replace ? ui.t("replaced", { name: data.name }) : `${ui.t("uploaded")}: ${data.name}`, "ok");
    await loadDocuments(ui);
    ui.refresh();
  } else if (reply.status === 409 && code === "exists") {
    say("");
    confirmStep(ui.t("exists", { name: file.name }), ui.t("replace"), ui.t, () => upload(ui, true));
  } else {
    say(problem(reply.status, code, ui.t), "error");
  }
}
