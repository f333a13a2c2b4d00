// What the write forms share: labelled fields, error messages, and the
// inline form that edits or deletes a key.
import { APIError } from "./api.js";
import { h, errorBox } from "./dom.js";

/** A write's error in words a person can act on. */
export function explain(error, branch) {
  if (!(error instanceof APIError)) return String(error);
  if (error.status === 412) {
    return `Not saved: ${branch} moved since you opened this page (another commit arrived). Reload to see the latest state, then try again. (${error.message})`;
  }
  return error.status === 400 || error.status === 403 ? `Not saved: ${error.message}` : `Not saved: ${error.message} (${error.code})`;
}

/** A control with its label above it. */
export function field(label, control) {
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

/**
 * An inline form of a write: a heading, `fields`, a submit and a Cancel
 * button, a notice shown when the branch moves meanwhile (the live stream
 * unhides [data-stale]), and a status line for the server's refusal.
 * `submit(form)` does the write; what it throws is shown in words.
 */
export function writeForm({ id, title, fields, submitLabel, danger = false, branch, onCancel, submit }) {
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", "data-editing": "", "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title),
    h("p", { class: "warn-text", "data-stale": "", hidden: true, role: "alert" },
      `${branch} has moved since you opened this key: saving will be refused. Copy your text, reload, and try again.`),
    fields,
    h("div", { class: "actions" }, h("button", { type: "submit", class: danger ? "danger" : null }, submitLabel),
      h("button", { type: "button", onclick: () => { form.remove(); onCancel(); } }, "Cancel")),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await submit(form);
    } catch (error) {
      status.replaceChildren(errorBox(explain(error, branch)));
    }
  });
  return form;
}
