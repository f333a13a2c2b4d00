// The console's entry point: routes (#/view/branch/path?query), the header
// (branch choice, live state, read-only mode), token login and live updates.
import { request, token, onUnauthorized, watch, APIError } from "./api.js";
import { h, errorBox } from "./dom.js";
import { branchesView } from "./view-branches.js";
import { treeView } from "./view-tree.js";
import { keyView } from "./view-key.js";
import { logView, commitView } from "./view-history.js";
import { mergeView } from "./view-merge.js";

const views = { branches: branchesView, tree: treeView, key: keyView, log: logView, commit: commitView, merge: mergeView };
const main = document.getElementById("main");
const live = document.getElementById("live");
const notice = document.getElementById("notice");
const login = document.getElementById("login");

/** What every view may use: the server's info, the current branch, messages, re-rendering. */
const context = {
  info: { readOnly: false, defaultBranch: "main" },
  branches: [],
  branch: "main",
  /** Shows `message`; `commit`, when given, is this tab's own, so its live event says nothing more. */
  notify(message, commit) {
    notice.textContent = message;
    if (commit) ownCommits.add(commit);
  },
  render: () => render(),
};

const ownCommits = new Set();
let stopWatch = null;
let watched = null;
let rendering = 0;

/** The route in location.hash: {view, branch, path, query}. */
function parseRoute() {
  const [pathPart, queryPart = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = pathPart.split("/").filter((p) => p !== "").map(decodeURIComponent);
  const view = views[parts[0]] ? parts[0] : "tree";
  const branch = view === "branches" || view === "merge" ? context.branch : parts[1] || context.branch;
  return { view, branch, path: parts.slice(2).join("/"), query: new URLSearchParams(queryPart) };
}

/** The navigation entry a view belongs to: a key is under Keys, a commit under History. */
const section = (view) => ({ key: "tree", commit: "log" })[view] ?? view;

/** Where a navigation entry leads on `branch` (Branches and Merge are not per branch). */
const sectionLink = (view, branch) => (view === "branches" || view === "merge" ? `#/${view}` : `#/${view}/${encodeURIComponent(branch)}`);

async function render({ focus = true } = {}) {
  const route = parseRoute();
  const ticket = ++rendering;
  context.branch = route.branch;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === section(route.view)) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    link.href = sectionLink(link.dataset.view, context.branch);
  }
  main.setAttribute("aria-busy", "true");
  syncBranchSelect();
  follow(context.branch);
  let content;
  try {
    content = await views[route.view](route, context);
  } catch (error) {
    content = h("section", {}, h("h1", { tabindex: "-1", id: "view-title" }, "Something went wrong"),
      errorBox(error instanceof APIError ? `${error.message} (${error.code})` : String(error)));
  }
  if (ticket !== rendering) return;   // a newer render started meanwhile
  main.replaceChildren(content);
  main.setAttribute("aria-busy", "false");
  if (focus) (document.getElementById("view-title") || main).focus();
}

function syncBranchSelect() {
  const select = document.getElementById("branch-select");
  const names = context.branches.map((b) => b.name);
  if (!names.includes(context.branch)) names.push(context.branch);
  select.replaceChildren(...names.map((name) => h("option", { value: name, selected: name === context.branch }, name)));
}

document.getElementById("branch-select").addEventListener("change", (event) => {
  context.branch = event.target.value;
  location.hash = sectionLink(section(parseRoute().view), context.branch);
});

/** Follows the SSE stream of `branch`; each commit updates the page unless a form is being filled in. */
function follow(branch) {
  if (watched === branch) return;
  stopWatch?.();
  watched = branch;
  stopWatch = watch(branch, async (update) => {
    const keys = update.changes.map((c) => c.key);
    const more = keys.length > 3 ? ` and ${keys.length - 3} more` : "";
    if (!ownCommits.has(update.new)) {
      context.notify(`New commit ${update.new?.slice(0, 7) ?? "(branch removed)"} on ${update.branch}: ${keys.slice(0, 3).join(", ")}${more}`);
    }
    await loadBranches();
    const editing = main.querySelector("form[data-editing]");
    const focused = document.activeElement;
    if (editing) {
      editing.querySelector("[data-stale]")?.removeAttribute("hidden");
    } else if (!main.contains(focused) || focused === main || focused.id === "view-title") {
      // Only when the reader is not inside the view (typing in a field, on a button), so nothing moves under them.
      render({ focus: false });
    }
  }, (state) => {
    live.textContent = state === "live" ? `live: ${branch}` : state;
    live.classList.toggle("ok", state === "live");
  });
}

async function loadBranches() {
  context.branches = (await request("branches")).branches;
  syncBranchSelect();
}

onUnauthorized((message) => {
  if (login.open) return;
  document.getElementById("login-error").textContent = token.get() ? message : "";
  login.showModal();
});

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  token.set(document.getElementById("token").value);
  try {
    await start();
    login.close();
  } catch (error) {
    document.getElementById("login-error").textContent = error.message;
  }
});

document.getElementById("sign-out").addEventListener("click", () => {
  token.clear();
  stopWatch?.();
  watched = null;
  location.reload();
});

async function start() {
  context.info = await request("info");
  await loadBranches();
  if (!location.hash) context.branch = context.info.defaultBranch ?? context.branches[0]?.name ?? "main";
  document.getElementById("branch-pick").hidden = false;
  document.getElementById("read-only").hidden = !context.info.readOnly;
  document.getElementById("sign-out").hidden = !token.get();
  await render();
}

window.addEventListener("hashchange", () => render());
start().catch((error) => {
  // Without the token the dialog is already open; this stays behind it for when it is dismissed.
  main.replaceChildren(error.status === 401
    ? h("p", {}, "This server needs its token. ", h("button", { type: "button", onclick: () => login.showModal() }, "Sign in"))
    : errorBox(`The console could not start: ${error.message}`));
});
