// Closes the header's account menu (a <details>) on a click elsewhere or on Escape; without
// this script it still opens and closes from its own summary.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.account-menu[open]")) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.account-menu[open]")) {
    menu.removeAttribute("open");
    menu.querySelector("summary")?.focus();
  }
});

// A popover has no "open" attribute: a flag form that htmx swapped back in with an error asks,
// with data-open, to be shown again.
document.addEventListener("htmx:load", (event) => {
  for (const panel of event.detail.elt.querySelectorAll("[popover][data-open]")) {
    panel.showPopover();
  }
});

// Drafts: what a member types in a form marked data-draft (the reply box, "Ask a question")
// is kept in this browser's localStorage, under their user id, until the post goes through, so
// a closed tab, a reload or a dropped connection loses nothing. A form htmx sends forgets its
// draft when the server accepts it. A plain form's draft is marked "sent" on submit: landing
// on a page without that form means the post went through (the draft goes); the form shown
// again keeps it (refused, or a reload after the connection dropped). Signing out forgets the
// member's drafts on this browser.
const DRAFT_PREFIX = "peerdesk-draft:";
const DRAFT_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
// A reply htmx is still sending: the form it swaps in must not put the draft back meanwhile.
const DRAFT_SENDING_MS = 60 * 1000;

function draftKey(form) {
  return `${DRAFT_PREFIX}${form.dataset.draftUser}:${form.dataset.draft}`;
}

function draftFields(form) {
  return [...form.querySelectorAll("input[name], textarea[name], select[name]")].filter(
    (field) => !["hidden", "checkbox", "radio", "submit"].includes(field.type),
  );
}

function readDraft(key) {
  try {
    const draft = JSON.parse(localStorage.getItem(key) || "null");
    if (draft && Date.now() - draft.savedAt < DRAFT_MAX_AGE_MS) return draft;
  } catch (error) {
    // unreadable: dropped below
  }
  localStorage.removeItem(key);
  return null;
}

function writeDraft(key, draft) {
  try {
    localStorage.setItem(key, JSON.stringify(draft));
  } catch (error) {
    // storage full or refused (private mode): the form still works, without a draft
  }
}

function saveDraft(form, marks = {}) {
  const values = {};
  for (const field of draftFields(form)) values[field.name] = field.value;
  const key = draftKey(form);
  if (Object.values(values).every((value) => !value.trim())) localStorage.removeItem(key);
  else writeDraft(key, { values, savedAt: Date.now(), ...marks });
}

function isSending(draft) {
  return Boolean(draft.sendingAt) && Date.now() - draft.sendingAt < DRAFT_SENDING_MS;
}

function setUpDraft(form) {
  if (form.dataset.draftReady) return;
  form.dataset.draftReady = "1";
  const key = draftKey(form);
  const fields = draftFields(form);
  const typed = fields.some((field) => field.tagName !== "SELECT" && field.value.trim());
  const draft = readDraft(key);
  if (typed && draft) {
    saveDraft(form); // the server showed the form again with what was sent: that is the draft
  } else if (draft && !isSending(draft)) {
    for (const field of fields) {
      if (field.name in draft.values) field.value = draft.values[field.name];
    }
    writeDraft(key, { ...draft, sent: false, sendingAt: 0 });
    const note = form.querySelector("[data-draft-note]");
    if (note) note.hidden = false;
    for (const field of fields) field.dispatchEvent(new Event("input", { bubbles: true }));
  }
  let timer = null;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => saveDraft(form), 400);
  });
  form.addEventListener("submit", () => {
    clearTimeout(timer);
    if (form.hasAttribute("hx-post")) saveDraft(form, { sendingAt: Date.now() });
    else saveDraft(form, { sent: true });
  });
  form.querySelector("[data-draft-discard]")?.addEventListener("click", () => {
    localStorage.removeItem(key);
    for (const field of fields) {
      if (field.tagName !== "SELECT") field.value = "";
    }
    const note = form.querySelector("[data-draft-note]");
    if (note) note.hidden = true;
    fields.find((field) => field.tagName === "TEXTAREA")?.focus();
  });
}

function setUpDrafts(root) {
  for (const form of root.querySelectorAll("form[data-draft][data-draft-user]")) setUpDraft(form);
}

function forgetSentDrafts() {
  const here = new Set(
    [...document.querySelectorAll("form[data-draft][data-draft-user]")].map(draftKey),
  );
  for (const key of Object.keys(localStorage)) {
    if (!key.startsWith(DRAFT_PREFIX) || here.has(key)) continue;
    if (readDraft(key)?.sent) localStorage.removeItem(key);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  forgetSentDrafts();
  setUpDrafts(document);
});
document.addEventListener("htmx:load", (event) => {
  setUpDrafts(event.detail.elt);
  // A box swapped into a form (a moderator's canned reply) is part of its draft at once.
  const form = event.detail.elt.parentElement?.closest("form[data-draft-ready]");
  if (form) saveDraft(form);
});
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.requestConfig?.elt;
  if (!form?.matches?.("form[data-draft][data-draft-user]")) return;
  const key = draftKey(form);
  const draft = readDraft(key);
  if (event.detail.successful) localStorage.removeItem(key);
  else if (draft) writeDraft(key, { ...draft, sendingAt: 0 }); // refused or not sent: kept
});
document.addEventListener("submit", (event) => {
  const user = event.target.dataset?.forgetDrafts;
  if (!user) return;
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith(`${DRAFT_PREFIX}${user}:`)) localStorage.removeItem(key);
  }
});

// Images: "Attach an image" (data-image-attach names its text box; hidden without this script)
// sends the chosen file to /api/v1/uploads with the form's CSRF token. The server checks,
// cleans and stores it and answers with its Markdown, which goes in at the cursor; an "input"
// event tells the draft code (above) and anything else listening that the text changed.
// Refusals come with the server's reason, already in the reader's language.
function insertAtCursor(textarea, text) {
  const start = textarea.selectionStart;
  const before = textarea.value.slice(0, start);
  const gap = before && !before.endsWith("\n") ? "\n" : "";
  textarea.setRangeText(`${gap}${text}\n`, start, textarea.selectionEnd, "end");
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  textarea.focus();
}

function showUploadStatus(control, message, isError) {
  const status = control.querySelector("[data-image-status]");
  status.textContent = message;
  status.classList.toggle("error", isError);
}

async function attachImage(control, input) {
  const file = input.files[0];
  const textarea = document.getElementById(control.dataset.imageAttach);
  if (!file || !textarea) return;
  const body = new FormData();
  body.append("file", file);
  const token = control.closest("form")?.querySelector('input[name="csrf_token"]')?.value || "";
  showUploadStatus(control, control.dataset.uploading, false);
  input.disabled = true;
  try {
    const response = await fetch("/api/v1/uploads", {
      method: "POST",
      body,
      headers: { "X-CSRF-Token": token, Accept: "application/json" },
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      showUploadStatus(control, answer.detail || control.dataset.failed, true);
      return;
    }
    insertAtCursor(textarea, answer.markdown);
    showUploadStatus(control, control.dataset.done, false);
  } catch (error) {
    showUploadStatus(control, control.dataset.failed, true);
  } finally {
    input.disabled = false;
    input.value = ""; // the same file can be chosen again
  }
}

function showImageControls(root) {
  for (const control of root.querySelectorAll("[data-image-attach][hidden]")) {
    control.hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", () => showImageControls(document));
document.addEventListener("htmx:load", (event) => showImageControls(event.detail.elt));
document.addEventListener("change", (event) => {
  const control = event.target.closest?.("[data-image-attach]");
  if (control && event.target.type === "file") attachImage(control, event.target);
});
