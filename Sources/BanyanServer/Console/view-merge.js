// Merge: preview what merging one branch into another does key by key, then run it.
import { request, findValue, APIError } from "./api.js";
import { h, heading, errorBox, route, short } from "./dom.js";
import { asJSON, lazyDiff } from "./value.js";

const results = {
  ours: "target's version kept",
  theirs: "source's version taken",
  same: "same change on both sides",
  merged: "both changed: combined by the strategy",
  conflict: "conflict: the merge stops",
};

/** #/merge?source=BRANCH&target=BRANCH&onConflict=fail|ours|theirs */
export async function mergeView({ query }, context) {
  const { branches } = await request("branches");
  const names = branches.map((b) => b.name);
  const target = query.get("target") ?? (branches.find((b) => b.default)?.name ?? names[0]);
  const source = query.get("source") ?? names.find((n) => n !== target) ?? target;
  const policy = query.get("onConflict") ?? "fail";
  const select = (id, label, value, options) => h("div", { class: "field" }, h("label", { for: id }, label),
    h("select", { id, name: id }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
  const form = h("form", { class: "card row", "aria-label": "Merge to preview" },
    select("source", "Merge", source, names.map((n) => [n, n])),
    select("target", "into", target, names.map((n) => [n, n])),
    select("onConflict", "on conflict", policy, [["fail", "stop (fail)"], ["ours", "keep the target's"], ["theirs", "take the source's"]]),
    h("button", { type: "submit" }, "Preview"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams({ source: form.elements.namedItem("source").value, target: form.elements.namedItem("target").value, onConflict: form.elements.namedItem("onConflict").value });
    location.hash = `#/merge?${next}`;
  });
  const section = h("section", {}, heading("Merge"), form,
    h("p", { class: "muted" }, "Conflicts are listed here; there is no conflict inbox yet to resolve them one by one. Choose a policy, or edit the keys on either branch and preview again."));
  if (!query.get("source")) return section;
  let preview;
  try {
    preview = await request(`merge/preview?${new URLSearchParams({ source, target, onConflict: policy })}`);
  } catch (error) {
    section.append(errorBox(error instanceof APIError ? `No preview: ${error.message}` : String(error)));
    return section;
  }
  section.append(previewTable(preview, source, target), runButton(preview, { source, target, policy }, context));
  return section;
}

function previewTable(preview, source, target) {
  const summary = {
    upToDate: `${target} already contains ${source}: nothing to merge.`,
    fastForward: `${target} has no commits of its own: it will move to ${source} (${short(preview.source)}), no merge commit.`,
    merged: `A merge commit will join ${short(preview.target)} (${target}) and ${short(preview.source)} (${source}), base ${short(preview.base)}.`,
    conflicts: `The merge stops: ${preview.keys.filter((k) => k.result === "conflict").length} conflict(s). ${target} would not move.`,
  }[preview.outcome];
  const rows = preview.keys.map((key) => h("tr", { class: `result-${key.result}` },
    h("th", { scope: "row" }, h("a", { href: route("key", target, key.key) }, key.key)),
    h("td", {}, h("span", { class: `badge ${key.result}` }, key.result), " ", results[key.result] ?? ""),
    h("td", {}, key.strategy ?? "", key.detail ? h("div", { class: "muted" }, key.detail) : null),
    h("td", {}, key.merged !== undefined && key.merged !== null ? h("pre", { class: "value small" }, asJSON(key.merged) ?? key.merged) : "")));
  const bothChanged = preview.keys.filter((key) => key.result === "merged" || key.result === "conflict");
  return h("div", { class: "preview" },
    h("p", { role: "status", class: preview.outcome === "conflicts" ? "error" : "ok-text" }, summary),
    preview.keys.length === 0 ? null : h("div", { class: "table-wrap" }, h("table", {},
      h("caption", {}, `Keys changed since the merge base, ${target} (ours) and ${source} (theirs)`),
      h("thead", {}, h("tr", {}, ["Key", "Result", "Strategy", "Merged value"].map((n) => h("th", { scope: "col" }, n)))),
      h("tbody", {}, rows))),
    bothChanged.length === 0 ? null : [h("h2", {}, "Changed on both sides"), bothChanged.map((key, index) => lazyDiff({
      summary: [h("span", { class: `badge ${key.result}` }, key.result), " ", key.key],
      open: index < 3,
      load: async () => {
        const [ours, theirs] = await Promise.all([findValue(target, key.key, preview.target), findValue(target, key.key, preview.source)]);
        return { old: ours?.bytes ?? null, now: theirs?.bytes ?? null,
          labels: [`${target} (${short(preview.target)})`, `${source} (${short(preview.source)})`] };
      },
    }))]);
}

function runButton(preview, { source, target, policy }, context) {
  const status = h("div", { "aria-live": "polite" });
  const blocked = context.info.readOnly ? "This server is read-only." : preview.outcome === "upToDate" ? "Nothing to merge."
    : preview.outcome === "conflicts" ? "Resolve the conflicts or choose a policy first." : null;
  const button = h("button", { type: "button", disabled: Boolean(blocked), "aria-describedby": blocked ? "merge-blocked" : null,
    onclick: async () => {
      try {
        const result = await request("merge", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ source, target, onConflict: policy }) });
        context.notify(`Merged ${source} into ${target}: ${result.outcome} ${short(result.commit)}`, result.commit);
        status.replaceChildren(h("p", { class: "ok-text" }, `Done: ${result.outcome}, ${target} is at `,
          h("a", { href: route("commit", target, result.commit) }, short(result.commit))));
        button.disabled = true;
      } catch (error) {
        const conflicts = error.body?.conflicts?.map((c) => c.key).join(", ");
        status.replaceChildren(errorBox(`Not merged: ${error.message}${conflicts ? ` (${conflicts})` : ""}`));
      }
    } }, `Merge ${source} into ${target}`);
  return h("div", { class: "actions" }, button, blocked ? h("span", { id: "merge-blocked", class: "muted" }, blocked) : null, status);
}
