// The one state of the page, and what of it the browser keeps between visits.
// Chats are kept per user (key "yomitoki.chats.v2:USER"); signing out, or another user
// signing in at this browser, removes every stored chat, passage text included.
import { startLanguage } from "./i18n.js";

const CHATS = "yomitoki.chats.v2:";
const OLD_CHATS = ["yomitoki.chat.v1"];
const PREFS = "yomitoki.prefs.v1";
const LANG = "yomitoki.lang";
const OWNER = "yomitoki.owner";

export const state = {
  lang: startLanguage(localStorage.getItem(LANG), navigator.language),
  messages: [],
  prefs: JSON.parse(localStorage.getItem(PREFS) || "{}"),
  who: { signed_in: false, auth: false, groups: [], admin: false },
  config: null,
  controller: null,
  // The viewer: the message and citation open in it, and the page's zoom (1: fit the width).
  open: { msg: null, citation: null, sentence: "", zoom: 1 },
};

// Earlier versions kept the API key among the preferences, and chats under one key for all.
if ("key" in state.prefs) { delete state.prefs.key; localStorage.setItem(PREFS, JSON.stringify(state.prefs)); }
for (const key of OLD_CHATS) localStorage.removeItem(key);

/** The storage key of `user`'s chats ("-" for no one signed in). */
export function chatKey(user) { return CHATS + (user || "-"); }

/** Take on the chats of whoever is signed in now; another person's are removed first. */
export function becomeUser(user) {
  const owner = user || "-";
  if (localStorage.getItem(OWNER) !== owner) forgetChats();
  localStorage.setItem(OWNER, owner);
  try { state.messages = JSON.parse(localStorage.getItem(chatKey(user)) || "[]"); }
  catch { state.messages = []; }
}

/** Remove every stored chat of every user. */
export function forgetChats() {
  for (const key of Object.keys(localStorage)) if (key.startsWith(CHATS)) localStorage.removeItem(key);
  localStorage.removeItem(OWNER);
  state.messages = [];
}

export function saveChats() {
  localStorage.setItem(chatKey(state.who.signed_in ? state.who.user : ""), JSON.stringify(state.messages));
}

export function savePrefs(prefs) {
  state.prefs = prefs;
  localStorage.setItem(PREFS, JSON.stringify(prefs));
}

export function saveLanguage(lang) {
  state.lang = lang;
  localStorage.setItem(LANG, lang);
}
