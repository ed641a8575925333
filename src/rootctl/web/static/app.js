// rootctl dashboard: small progressive enhancements; every page works without this file.
"use strict";

// Outside text (account names, AWS messages) shown inertly, as the server's pages do
// (rootctl.render.text.inert): control, bidi and invisible format characters become visible
// escapes such as \x1b or \u202e. textContent already keeps HTML inert.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0001}\u{e0020}-\u{e007f}]/gu;
const NAMED = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function visible(text) {
  return String(text).replace(UNSAFE, (char) => {
    if (NAMED[char]) return NAMED[char];
    const code = char.codePointAt(0);
    const hex = code.toString(16);
    if (code < 0x100) return `\\x${hex.padStart(2, "0")}`;
    return code < 0x10000 ? `\\u${hex.padStart(4, "0")}` : `\\U${hex.padStart(8, "0")}`;
  });
}

function followJob(section) {
  if (section.dataset.finished === "yes" || !window.EventSource) return;
  const bar = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  const log = document.getElementById("job-log");
  const source = new EventSource(section.dataset.events);
  let seen = log ? log.children.length : 0;
  source.addEventListener("progress", (message) => {
    const event = JSON.parse(message.data);
    bar.max = event.total || 1;
    bar.value = event.done;
    status.textContent = `Running… ${event.done} of ${event.total} accounts (${visible(event.phase)})`;
    if (Number(message.lastEventId) > seen) {
      seen = Number(message.lastEventId);
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = visible(event.account_id);
      const state = document.createElement("span");
      state.className = `state state-${String(event.state).replace(/[^a-z-]/g, "")}`;
      state.textContent = visible(event.state);
      item.append(code, ` ${visible(event.phase)} `, state);
      log.append(item);
    }
  });
  source.addEventListener("end", () => {
    source.close();
    status.textContent = "Finished; loading the result…";
    window.location.reload();
  });
}

// The server checks the typed confirmation; this only keeps the button honest.
function guardConfirmations() {
  for (const input of document.querySelectorAll("input[data-confirm]")) {
    const button = input.form && input.form.querySelector("button[type=submit]");
    if (!button) continue;
    const update = () => { button.disabled = input.value.trim() !== input.dataset.confirm; };
    input.addEventListener("input", update);
    update();
  }
}

// Selecting an OU includes everything under it: show that by checking and locking its accounts.
function linkUnitSelection() {
  for (const box of document.querySelectorAll("input[data-select-unit]")) {
    box.addEventListener("change", () => {
      const scope = box.closest("details");
      for (const inner of scope.querySelectorAll("input[type=checkbox]")) {
        if (inner === box || inner.hasAttribute("data-fixed")) continue;
        if (inner.name === "account" || inner.name === "ou") {
          inner.checked = box.checked;
          inner.disabled = box.checked;
        }
      }
    });
  }
}

// A live count of the accounts the bulk action will target (an OU's are checked with it).
function countSelection() {
  const form = document.getElementById("bulk");
  const out = document.getElementById("selected-count");
  if (!form || !out) return;
  const update = () => {
    const boxes = form.querySelectorAll("li.account input[name=account]");
    const n = [...boxes].filter((box) => box.checked).length;
    out.textContent = `${n} account${n === 1 ? "" : "s"} selected`;
  };
  form.addEventListener("change", update);
  update();
}

function showKindsForDelete() {
  const action = document.getElementById("action");
  const kinds = document.querySelector(".actionbar .kinds");
  if (!action || !kinds) return;
  const update = () => { kinds.hidden = action.value !== "delete"; };
  action.addEventListener("change", update);
  update();
}

function backLinks() {
  for (const link of document.querySelectorAll("a[data-back]")) {
    link.addEventListener("click", (event) => {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const job = document.getElementById("job");
  if (job) followJob(job);
  guardConfirmations();
  linkUnitSelection();
  countSelection();
  showKindsForDelete();
  backLinks();
});
