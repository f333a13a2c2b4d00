// The key tree of a branch or commit, and adding a key.
import { request, segment, keyPath } from "./api.js";
import { h, heading, errorBox, route, short } from "./dom.js";
import { explain, field } from "./forms.js";

export function breadcrumbs(branch, path, at) {
  const parts = path ? path.split("/") : [];
  return h("nav", { "aria-label": "Path", class: "crumbs" },
    h("a", { href: route("tree", branch, "", { at }) }, branch), parts.map((part, index) =>
      [" / ", index === parts.length - 1 ? h("span", { "aria-current": "location" }, part)
        : h("a", { href: route("tree", branch, parts.slice(0, index + 1).join("/"), { at }) }, part)]));
}

export function atBanner(branch, at) {
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
