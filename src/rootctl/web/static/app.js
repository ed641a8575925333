// rootctl dashboard: small progressive enhancements; every page works without this file.
"use strict";

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
    status.textContent = `Running… ${event.done} of ${event.total} accounts (${event.phase})`;
    if (Number(message.lastEventId) > seen) {
      seen = Number(message.lastEventId);
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = event.account_id;
      const state = document.createElement("span");
      state.className = `state state-${event.state}`;
      state.textContent = event.state;
      item.append(code, ` ${event.phase} `, state);
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
  showKindsForDelete();
  backLinks();
});
