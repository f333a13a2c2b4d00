// One value: shown as text, JSON or hex; edited or deleted with If-Match.
import { request, getValue, segment, keyPath, APIError } from "./api.js";
import { h, heading, errorBox, route, short } from "./dom.js";
import { field, writeForm } from "./forms.js";
import { valueView, asText, asJSON } from "./value.js";
import { breadcrumbs, atBanner } from "./view-tree.js";

/** #/key/BRANCH/KEY?at=COMMIT */
export async function keyView({ branch, path: key, query }, context) {
  const at = query.get("at");
  let value;
  try {
    value = await getValue(branch, key, at);
  } catch (error) {
    if (!(error instanceof APIError)) throw error;
    const advice = error.code === "keyNotFound" ? "It may have been removed; see the key's history."
      : error.code === "invalidKey" ? "Keys are /-separated names; no segment may be empty, '.', '..' or '.git'." : "";
    return h("section", {}, heading(`Key ${key}`), breadcrumbs(branch, key, at),
      errorBox(`${error.message}. ${advice}`), h("p", {}, h("a", { href: route("log", branch, "", { key }) }, "History of this key")));
  }
  const status = h("div", { "aria-live": "polite" });
  const actions = h("div", { class: "actions" },
    h("a", { href: route("log", branch, "", { key }) }, "History of this key"),
    at ? null : h("button", { type: "button", disabled: context.info.readOnly, onclick: () => edit() }, "Edit"),
    at ? null : h("button", { type: "button", class: "danger", disabled: context.info.readOnly, onclick: () => confirmDelete() }, "Delete"));
  const section = h("section", {}, heading(`Key ${key}`), breadcrumbs(branch, key, at), atBanner(branch, at),
    h("p", { class: "muted" }, `read at commit ${short(value.commit)}`),
    context.info.readOnly ? h("p", { class: "muted" }, "This server is read-only: the value cannot be changed here.") : null,
    valueView(value.bytes), actions, status);

  /** Sends a write of this key, guarded by the commit the value was read at. */
  const write = (method, message, body) => request(`kv/${segment(branch)}/${keyPath(key)}`, {
    method, body, headers: { "If-Match": `"${value.commit}"`, "X-Banyan-Message": message },
  });

  function open(form, focus) {
    actions.hidden = true;
    section.insertBefore(form, status);
    focus.focus();
  }

  function edit() {
    const text = asText(value.bytes);
    if (text === null) {
      status.replaceChildren(errorBox("This value is binary; it cannot be edited as text here. Use `banyan set` or the REST API."));
      return;
    }
    const textarea = h("textarea", { id: "edit-value", name: "value", rows: Math.min(20, text.split("\n").length + 2) }, text);
    const message = h("input", { id: "edit-message", name: "message", value: `set ${key}` });
    // A JSON value that stops parsing is still saved (values are bytes), but the writer should know.
    const hint = h("p", { class: "warn-text", "aria-live": "polite" });
    if (asJSON(text) !== null) {
      textarea.addEventListener("input", () => {
        hint.textContent = asJSON(textarea.value) === null ? "This is no longer a JSON object or array; it will be saved as plain text." : "";
      });
    }
    open(writeForm({
      id: "edit", title: `Edit ${key}`, submitLabel: "Save", branch, onCancel: () => { actions.hidden = false; },
      fields: [field("Value", textarea), hint, field("Commit message", message)],
      submit: async (form) => {
        const result = await write("PUT", message.value || `set ${key}`, textarea.value);
        context.notify(`Saved ${key} as commit ${short(result.commit)}`, result.commit);
        form.remove();
        context.render();
      },
    }), textarea);
  }

  function confirmDelete() {
    const message = h("input", { id: "delete-message", name: "message", value: `remove ${key}` });
    const form = writeForm({
      id: "delete", title: `Delete ${key}?`, submitLabel: `Delete ${key}`, danger: true, branch,
      onCancel: () => { actions.hidden = false; }, fields: [field("Commit message", message)],
      submit: async () => {
        const result = await write("DELETE", message.value || `remove ${key}`);
        context.notify(`Deleted ${key} in commit ${short(result.commit)}`, result.commit);
        location.hash = route("tree", branch, key.split("/").slice(0, -1).join("/"));
      },
    });
    open(form, form.querySelector("button[type=submit]"));
  }
  return section;
}
