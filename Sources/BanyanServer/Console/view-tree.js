// The key tree of a branch or commit, one value, and writing: add, edit, delete.
import { request, getValue, segment, keyPath, APIError } from "./api.js";
import { h, heading, errorBox, route, short } from "./dom.js";
import { valueView, asText } from "./value.js";

/** A write's error in words a person can act on. */
export function explain(error, branch) {
  if (!(error instanceof APIError)) return String(error);
  switch (error.status) {
    case 412: return `Not saved: ${branch} moved since you opened this page (another commit arrived). Reload to see the latest state, then try again. (${error.message})`;
    case 403: return `Not saved: ${error.message}`;
    case 400: return `Not saved: ${error.message}`;
    default: return `Not saved: ${error.message} (${error.code})`;
  }
}

function breadcrumbs(branch, path, at) {
  const parts = path ? path.split("/") : [];
  return h("nav", { "aria-label": "Path", class: "crumbs" },
    h("a", { href: route("tree", branch, "", { at }) }, branch), parts.map((part, index) =>
      [" / ", index === parts.length - 1 ? h("span", { "aria-current": "location" }, part)
        : h("a", { href: route("tree", branch, parts.slice(0, index + 1).join("/"), { at }) }, part)]));
}

function atBanner(branch, at) {
  if (!at) return null;
  return h("p", { class: "banner" }, `Viewing commit ${short(at)} (read-only). `, h("a", { href: route("tree", branch) }, `Back to the head of ${branch}`));
}

/** #/tree/BRANCH/PREFIX?at=COMMIT */
export async function treeView({ branch, path, query }, context) {
  const at = query.get("at");
  let response;
  try {
    response = await request(`list/${segment(branch)}${path ? `/${keyPath(path)}` : ""}${at ? `?at=${encodeURIComponent(at)}` : ""}`, { raw: true });
  } catch (error) {
    if (error.code !== "refNotFound" || at || path) throw error;
    return h("section", {}, heading(`Keys of ${branch}`), h("p", {}, `${branch} has no commit yet: add the first key.`),
      addForm(branch, "", null, context));
  }
  const head = (response.headers.get("ETag") || "").replaceAll('"', "");
  const { entries } = await response.json();
  const list = entries.length === 0 ? h("p", { class: "muted" }, "No keys here yet.")
    : h("ul", { class: "entries" }, entries.map((entry) => h("li", { class: `kind-${entry.kind}` },
      h("a", { href: route(entry.kind === "directory" ? "tree" : "key", branch, entry.key, { at }) },
        entry.kind === "directory" ? `${entry.name}/` : entry.name),
      h("span", { class: "muted" }, entry.kind === "directory" ? " directory" : " value"))));
  return h("section", {},
    heading(path ? `Keys under ${path}` : `Keys of ${branch}`),
    breadcrumbs(branch, path, at), atBanner(branch, at),
    h("p", { class: "muted" }, `at commit ${short(head)} · `, h("a", { href: route("log", branch, "", { key: path }) }, path ? "history of this directory" : "history")),
    list,
    at ? null : addForm(branch, path, head, context));
}

function addForm(branch, prefix, head, context) {
  const readOnly = context.info.readOnly;
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", "aria-labelledby": "add-title" },
    h("h2", { id: "add-title" }, "Add or replace a key"),
    readOnly ? h("p", { class: "muted", id: "ro-note" }, "This server is read-only: writes are refused.") : null,
    field("Key", h("input", { id: "add-key", name: "key", required: true, value: prefix ? `${prefix}/` : "", autocomplete: "off", spellcheck: "false" })),
    field("Value", h("textarea", { id: "add-value", name: "value", rows: 4 })),
    field("Commit message", h("input", { id: "add-message", name: "message", placeholder: "set KEY" })),
    h("button", { type: "submit", disabled: readOnly, "aria-describedby": readOnly ? "ro-note" : null }, "Commit"),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = form.key.value.trim().replace(/\/+$/, "");
    try {
      // The key goes in the body, not the URL, so the server sees it exactly as typed; `expect` is If-Match's check.
      const result = await request(`commit/${segment(branch)}`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: form.message.value || `set ${key}`, set: { [key]: form.value.value }, expect: head ?? undefined }),
      });
      context.notify(`Committed ${short(result.commit)}: set ${key}`, result.commit);
      location.hash = route("key", branch, key);
    } catch (error) {
      status.replaceChildren(errorBox(explain(error, branch)));
    }
  });
  return form;
}

function field(label, control) {
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

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
  const readOnly = context.info.readOnly || Boolean(at);
  const status = h("div", { "aria-live": "polite" });
  const actions = h("div", { class: "actions" },
    h("a", { href: route("log", branch, "", { key }) }, "History of this key"),
    at ? null : h("button", { type: "button", disabled: context.info.readOnly, onclick: () => edit() }, "Edit"),
    at ? null : h("button", { type: "button", class: "danger", disabled: context.info.readOnly, onclick: () => confirmDelete() }, "Delete"));
  const section = h("section", {}, heading(`Key ${key}`), breadcrumbs(branch, key, at), atBanner(branch, at),
    h("p", { class: "muted" }, `read at commit ${short(value.commit)}`),
    context.info.readOnly ? h("p", { class: "muted" }, "This server is read-only: the value cannot be changed here.") : null,
    valueView(value.bytes), actions, status);

  function edit() {
    const text = asText(value.bytes);
    if (text === null) {
      status.replaceChildren(errorBox("This value is binary; it cannot be edited as text here. Use `banyan set` or the REST API."));
      return;
    }
    const form = h("form", { class: "card", "data-editing": "", "aria-labelledby": "edit-title" },
      h("h2", { id: "edit-title" }, `Edit ${key}`),
      h("p", { class: "warn-text", "data-stale": "", hidden: true, role: "alert" },
        `${branch} has moved since you opened this key: saving will be refused. Copy your text, reload, and edit again.`),
      field("Value", h("textarea", { id: "edit-value", name: "value", rows: Math.min(20, text.split("\n").length + 2) }, text)),
      field("Commit message", h("input", { id: "edit-message", name: "message", value: `set ${key}` })),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save"),
        h("button", { type: "button", onclick: () => { form.remove(); actions.hidden = false; } }, "Cancel")),
      h("div", { "aria-live": "polite", "data-status": "" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const result = await request(`kv/${segment(branch)}/${keyPath(key)}`, {
          method: "PUT", body: form.value.value,
          headers: { "If-Match": `"${value.commit}"`, "X-Banyan-Message": form.message.value || `set ${key}` },
        });
        context.notify(`Saved ${key} as commit ${short(result.commit)}`, result.commit);
        form.remove();
        context.render();
      } catch (error) {
        form.querySelector("[data-status]").replaceChildren(errorBox(explain(error, branch)));
      }
    });
    actions.hidden = true;
    section.insertBefore(form, status);
    form.value.focus();
  }

  function confirmDelete() {
    const form = h("form", { class: "card", "data-editing": "", "aria-labelledby": "delete-title" },
      h("h2", { id: "delete-title" }, `Delete ${key}?`),
      field("Commit message", h("input", { id: "delete-message", name: "message", value: `remove ${key}` })),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, `Delete ${key}`),
        h("button", { type: "button", onclick: () => { form.remove(); actions.hidden = false; } }, "Cancel")),
      h("div", { "aria-live": "polite", "data-status": "" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const result = await request(`kv/${segment(branch)}/${keyPath(key)}`, {
          method: "DELETE", headers: { "If-Match": `"${value.commit}"`, "X-Banyan-Message": form.message.value || `remove ${key}` },
        });
        context.notify(`Deleted ${key} in commit ${short(result.commit)}`, result.commit);
        location.hash = route("tree", branch, key.split("/").slice(0, -1).join("/"));
      } catch (error) {
        form.querySelector("[data-status]").replaceChildren(errorBox(explain(error, branch)));
      }
    });
    actions.hidden = true;
    section.insertBefore(form, status);
    form.querySelector("button[type=submit]").focus();
  }
  return section;
}
