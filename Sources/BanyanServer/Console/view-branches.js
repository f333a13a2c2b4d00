// Branches: heads, how far each is ahead of or behind another (the default
// branch unless another is chosen), creating one.
import { request, APIError } from "./api.js";
import { h, heading, errorBox, route, short } from "./dom.js";

/** #/branches?base=BRANCH */
export async function branchesView({ query }, context) {
  const { branches } = await request("branches");
  const fallback = branches.find((b) => b.default) ?? branches[0];
  const base = branches.find((b) => b.name === query.get("base")) ?? fallback;
  const comparisons = await Promise.all(branches.map((branch) =>
    branch === base || !branch.head || !base?.head ? null
      : request(`compare?base=${encodeURIComponent(base.name)}&head=${encodeURIComponent(branch.name)}`).catch(() => null)));
  const rows = branches.map((branch, index) => {
    const comparison = comparisons[index];
    const position = branch === base ? "the base of the comparison"
      : comparison ? `${comparison.ahead} ahead, ${comparison.behind} behind ${base.name}` : "—";
    return h("tr", {},
      h("th", { scope: "row" }, h("a", { href: route("tree", branch.name) }, branch.name), branch.default ? h("span", { class: "muted" }, " (default)") : null),
      h("td", {}, branch.head ? h("a", { href: route("commit", branch.name, branch.head) }, h("code", {}, short(branch.head))) : "no commit"),
      h("td", { "data-compare": branch.name }, position),
      h("td", {}, h("a", { href: route("log", branch.name) }, "history"),
        branch !== base ? [" · ", h("a", { href: `#/merge?source=${encodeURIComponent(branch.name)}&target=${encodeURIComponent(base.name)}` }, `merge into ${base.name}`)] : null));
  });
  const chooser = h("select", { id: "compare-base", onchange: (event) => { location.hash = `#/branches?base=${encodeURIComponent(event.target.value)}`; } },
    branches.map((b) => h("option", { value: b.name, selected: b === base }, b.name)));
  return h("section", {},
    heading("Branches"),
    branches.length > 1 ? h("div", { class: "field inline" }, h("label", { for: "compare-base" }, "Compare with"), chooser) : null,
    h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "muted" }, base ? `Commits ahead of and behind ${base.name}` : ""),
      h("thead", {}, h("tr", {}, ["Branch", "Head", "Position", "Actions"].map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, rows))),
    createForm(branches, context));
}

function createForm(branches, context) {
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", "aria-labelledby": "create-title" },
    h("h2", { id: "create-title" }, "Create a branch"),
    h("div", { class: "field" }, h("label", { for: "new-branch" }, "Name"), h("input", { id: "new-branch", name: "name", required: true, autocomplete: "off" })),
    h("div", { class: "field" }, h("label", { for: "new-from" }, "Starting at"),
      h("select", { id: "new-from", name: "from" }, branches.map((b) => h("option", { value: b.name, selected: b.name === context.branch }, b.name)))),
    h("button", { type: "submit", disabled: context.info.readOnly }, "Create"),
    context.info.readOnly ? h("p", { class: "muted" }, "This server is read-only.") : null, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await request("branches", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: form.elements.namedItem("name").value.trim(), from: form.elements.namedItem("from").value }) });
      context.notify(`Created branch ${created.name} at ${short(created.head)}`);
      context.render();
    } catch (error) {
      status.replaceChildren(errorBox(error instanceof APIError ? `Not created: ${error.message}` : String(error)));
    }
  });
  return form;
}
