// The UI's words in English and Japanese, and the language chosen.
// Thought steps are translated by their stable code (the server's titles may change).

export const TEXT = {
  en: {
    newChat: "New chat", settings: "Settings", send: "Ask", stop: "Stop", placeholder: "Ask a question…",
    mode_hybrid: "Hybrid (keyword and vector)", mode_keyword: "Keyword", mode_vector: "Vector",
    menu: "Menu", language: "Language", conversation: "Conversation", document: "Document", passages: "Passages",
    thoughts: "Thought process", mode: "Retrieval mode", top: "Passages to use", category: "Category",
    all: "All", temperature: "Temperature", followups: "Suggest follow-up questions",
    apiKey: "API key (if the server needs one)", close: "Close", closeViewer: "Close the viewer",
    sources: "Sources", stopped: "(stopped)", error: "Error", answeredBy: "Answered by",
    noPassage: "No passages for this answer.", followupTitle: "Follow-up questions",
    signedIn: "Signed in", badKey: "That key is not valid", signOut: "Sign out", signedOut: "Signed out",
    notSignedIn: "Not signed in", needSignIn: "Sign in first (Settings, or your organisation's sign-in).",
    signInOrg: "Sign in with your organisation", documents: "Documents", name: "Name", chunks: "Chunks",
    pages: "Pages", status: "Status", actions: "Actions", indexed: "indexed",
    readers: "Readers", upload: "Upload", uploadSend: "Upload", everyone: "Everyone may read it", everyoneReads: "everyone",
    uploaded: "Uploaded", readableBy: "Readable by", admin: "admin", forbidden: "Not allowed",
    remove: "Delete", confirmRemove: "Delete {name}? It leaves the index for everyone.",
    yesRemove: "Delete it", cancel: "Cancel", removed: "Deleted: {name}",
    exists: "{name} is already indexed. Replace it with this file?", replace: "Replace it",
    replaced: "Replaced: {name}", chooseFile: "Choose a file first.",
    tooLarge: "That file is too large for this server.", badType: "This type of file is not accepted.",
    unreadable: "That file could not be read.", busy: "The server is busy; try again shortly.",
    failed: "Something went wrong",
    indexedCount: "{n} documents indexed", indexedOne: "1 document indexed", indexedNone: "Nothing is indexed yet.",
    andMore: "and more", tryAsking: "Try asking", askTitle: "What does “{title}” say?",
    emptyHint: "Ask a question about your documents.",
    zoomIn: "Zoom in", zoomOut: "Zoom out", fit: "Fit to width", pageOf: "page",
    ocr: "OCR", ocrTitle: "Read from a scan by OCR; confidence",
    openPdf: "Open the PDF", openScan: "Open the scan", openFile: "Open the file",
    highlighted: "The cited sentence is highlighted",
    notHighlighted: "The cited sentence was not found on this page",
    opened: "opened", rawJson: "Raw JSON", question: "Question", queryLang: "Language",
    rank: "#", citation: "Citation", score: "Score", legs: "Ranks by leg",
    answered: "Answered: the evidence was judged sufficient (probability {p} ≥ threshold {t}).",
    refused: "Said “I don't know”: the evidence was judged insufficient (probability {p} < threshold {t}).",
    llmAnswered: "Written by {answerer}.", removedCitations: "Citations removed (they named no passage given)",
    unsupported: "Sentences their sources do not back", timings: "Timings", usage: "Tokens",
    query: "Search query", results: "Search results", prompt: "Prompt",
    ignored: "Options without effect", checks: "Answer checks", none: "none",
    syncs: "Folders and sources kept in sync", notSynced: "not synced yet", lastSync: "last synced {when}", lastTried: "last tried {when}",
    syncCounts: "{added} added, {updated} updated, {unchanged} unchanged, {removed} removed, {failed} failed",
    syncFailed: "the last {n} syncs failed: {error}", syncFailedOne: "the last sync failed: {error}",
  },
  ja: {
    newChat: "新しい会話", settings: "設定", send: "質問", stop: "停止", placeholder: "質問を入力…",
    mode_hybrid: "ハイブリッド（キーワードとベクトル）", mode_keyword: "キーワード", mode_vector: "ベクトル",
    menu: "メニュー", language: "言語", conversation: "会話", document: "文書", passages: "根拠の文章",
    thoughts: "思考過程", mode: "検索方式", top: "使う文章の数", category: "カテゴリ", all: "すべて",
    temperature: "温度", followups: "次の質問を提案する", apiKey: "API キー（必要な場合）", close: "閉じる",
    closeViewer: "文書ビューを閉じる",
    sources: "出典", stopped: "（停止しました）", error: "エラー", answeredBy: "回答エンジン",
    noPassage: "この回答の根拠の文章はありません。", followupTitle: "次の質問",
    signedIn: "サインインしました", badKey: "このキーは無効です", signOut: "サインアウト", signedOut: "サインアウトしました",
    notSignedIn: "サインインしていません", needSignIn: "先にサインインしてください（設定、または組織のサインイン）。",
    signInOrg: "組織のアカウントでサインイン", documents: "文書一覧", name: "名前", chunks: "チャンク数",
    pages: "ページ数", status: "状態", actions: "操作", indexed: "登録済み",
    readers: "閲覧できる人", upload: "アップロード", uploadSend: "アップロード", everyone: "全員が閲覧できる", everyoneReads: "全員",
    uploaded: "アップロードしました", readableBy: "閲覧できる人", admin: "管理者", forbidden: "許可されていません",
    remove: "削除", confirmRemove: "{name} を削除しますか？すべての人の検索対象から外れます。",
    yesRemove: "削除する", cancel: "キャンセル", removed: "削除しました: {name}",
    exists: "{name} は登録済みです。このファイルで置き換えますか？", replace: "置き換える",
    replaced: "置き換えました: {name}", chooseFile: "先にファイルを選んでください。",
    tooLarge: "ファイルが大きすぎます。", badType: "この種類のファイルは登録できません。",
    unreadable: "ファイルを読み取れませんでした。", busy: "サーバーが混み合っています。少し待ってから試してください。",
    failed: "問題が発生しました",
    indexedCount: "{n} 件の文書を登録済み", indexedOne: "1 件の文書を登録済み", indexedNone: "まだ文書が登録されていません。",
    andMore: "ほか", tryAsking: "質問の例", askTitle: "「{title}」には何が書かれていますか？",
    emptyHint: "文書について質問してください。",
    zoomIn: "拡大", zoomOut: "縮小", fit: "幅に合わせる", pageOf: "ページ",
    ocr: "OCR", ocrTitle: "スキャン画像から OCR で読み取った文章です。信頼度",
    openPdf: "PDF を開く", openScan: "スキャン画像を開く", openFile: "ファイルを開く",
    highlighted: "引用された文に色を付けています",
    notHighlighted: "引用された文はこのページに見つかりませんでした",
    opened: "表示中", rawJson: "JSON をそのまま表示", question: "質問", queryLang: "言語",
    rank: "順位", citation: "出典", score: "スコア", legs: "検索方式ごとの順位",
    answered: "回答しました：根拠が十分と判断（確率 {p} ≥ しきい値 {t}）。",
    refused: "「分かりません」と答えました：根拠が不十分と判断（確率 {p} < しきい値 {t}）。",
    llmAnswered: "{answerer} が回答を書きました。", removedCitations: "削除した出典（渡した文章にないもの）",
    unsupported: "出典が裏付けない文", timings: "所要時間", usage: "トークン数",
    query: "検索クエリ", results: "検索結果", prompt: "プロンプト",
    ignored: "効果のない設定", checks: "回答の検証", none: "なし",
    syncs: "同期している保存場所", notSynced: "まだ同期していません", lastSync: "最終同期 {when}", lastTried: "最終試行 {when}",
    syncCounts: "追加 {added}・更新 {updated}・変更なし {unchanged}・削除 {removed}・失敗 {failed}",
    syncFailed: "直近 {n} 回の同期に失敗: {error}", syncFailedOne: "直近の同期に失敗: {error}",
  },
};

export const LANGUAGES = Object.keys(TEXT);

/** The language to start in: the one chosen before, else the browser's. */
export function startLanguage(stored, browser) {
  if (LANGUAGES.includes(stored)) return stored;
  return (browser || "en").toLowerCase().startsWith("ja") ? "ja" : "en";
}

/** The words for `key` in `lang`, `{name}` placeholders filled from `values`. */
export function translate(lang, key, values = {}) {
  const text = (TEXT[lang] || TEXT.en)[key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Every element's words under `root` in `lang` (data-i18n, -placeholder, -label, -title). */
export function applyTo(root, lang) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = translate(lang, el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = translate(lang, el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", translate(lang, el.dataset.i18nLabel));
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = translate(lang, el.dataset.i18nTitle);
}
