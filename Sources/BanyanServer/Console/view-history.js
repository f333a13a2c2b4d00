// History of a branch or of one key, and one commit's changed keys with a
// side-by-side diff of each value.
import { request, findValue, segment } from "./api.js";
import { h, heading, route, short, subject, when } from "./dom.js";
import { lazyDiff } from "./value.js";

/** #/log/BRANCH?key=KEY */
export async function logView({ branch, query }) {
  const key = query.get("key");
  const { commits } = await request(`log/${segment(branch)}?limit=200${key ? `&key=${encodeURIComponent(key)}` : ""}`);
  const list = commits.length === 0 ? h("p", { class: "muted" }, key ? `No commit of ${branch} changed ${key}.` : "No commits.")
    : h("ol", { class: "log" }, commits.map((commit) => h("li", {},
      h("a", { href: route("commit", branch, commit.id, { key }) }, subject(commit.message) || "(no message)"),
      h("div", { class: "muted" }, h("code", {}, short(commit.id)), ` · ${commit.author.name} · ${when(commit.author.time)}`,
        commit.parents.length > 1 ? " · merge" : ""))));
  return h("section", {},
    heading(key ? `History of ${key}` : `History of ${branch}`),
    key ? h("p", {}, "Commits of ", h("strong", {}, branch), " that changed this key. ",
      h("a", { href: route("key", branch, key) }, "Current value"), " · ", h("a", { href: route("log", branch) }, "whole branch")) : null,
    list);
}

/** #/commit/BRANCH/ID?key=KEY (the key, when given, is opened first) */
export async function commitView({ branch, path: id, query }) {
  const [{ commits: [commit] }, diff] = await Promise.all([
    request(`log/${segment(branch)}?limit=1&at=${encodeURIComponent(id)}`),
    request(`diff?to=${encodeURIComponent(id)}`),
  ]);
  const focusKey = query.get("key");
  const changes = [...diff.changes].sort((a, b) => (b.key === focusKey) - (a.key === focusKey));
  const items = changes.map((change, index) => lazyDiff({
    summary: [h("span", { class: `kind ${change.kind}` }, change.kind), " ", change.key],
    open: index < 10,
    load: async () => {
      const [old, now] = await Promise.all([
        change.old && diff.from ? findValue(branch, change.key, diff.from) : null,
        change.new ? findValue(branch, change.key, diff.to) : null,
      ]);
      return {
        old: old?.bytes ?? null, now: now?.bytes ?? null,
        labels: [diff.from ? `before (${short(diff.from)})` : "before (nothing)", `after (${short(diff.to)})`],
        footer: h("p", {}, h("a", { href: route("log", branch, "", { key: change.key }) }, "History of this key"), " · ",
          change.new ? h("a", { href: route("key", branch, change.key, { at: diff.to }) }, "value at this commit") : "removed here"),
      };
    },
  }));
  return h("section", {},
    heading(subject(commit.message) || `Commit ${short(commit.id)}`),
    h("dl", { class: "meta" },
      h("dt", {}, "Commit"), h("dd", {}, h("code", {}, commit.id)),
      h("dt", {}, "Author"), h("dd", {}, `${commit.author.name} <${commit.author.email}> · ${when(commit.author.time)}`),
      h("dt", {}, "Parents"), h("dd", {}, commit.parents.length === 0 ? "none (first commit)"
        : commit.parents.map((p, i) => [i ? ", " : "", h("a", { href: route("commit", branch, p) }, short(p))])),
      h("dt", {}, "Keys"), h("dd", {}, h("a", { href: route("tree", branch, "", { at: commit.id }) }, "browse the tree at this commit"))),
    commit.message.includes("\n") && commit.message.trim().includes("\n") ? h("pre", { class: "message" }, commit.message) : null,
    h("h2", {}, `${changes.length} changed key${changes.length === 1 ? "" : "s"}`, commit.parents.length > 1 ? " (against the first parent)" : ""),
    items);
}
