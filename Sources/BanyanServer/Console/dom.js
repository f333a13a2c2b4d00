// Small DOM helpers: element building, links to console routes, dates.

/**
 * An element: h("a", {href: "#/x", class: "c"}, "text", child). Attributes
 * starting with "on" become listeners; false or null attributes are left out;
 * children may be strings, nodes, arrays or null.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** The first 7 hex digits of a commit id. */
export const short = (id) => (id ? id.slice(0, 7) : "—");

/** A commit time (seconds since 1970) in the reader's locale. */
export const when = (seconds) => new Date(seconds * 1000).toLocaleString();

/** The first line of a commit message. */
export const subject = (message) => message.split("\n")[0];

/** A console route: route("tree", "main", "notes") is "#/tree/main/notes". */
export function route(view, branch, path = "", query = {}) {
  const parts = [view];
  if (branch !== undefined) parts.push(encodeURIComponent(branch));
  if (path) parts.push(path.split("/").map(encodeURIComponent).join("/"));
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v)).toString();
  return `#/${parts.join("/")}${search ? `?${search}` : ""}`;
}

/** The heading of a view, focusable so the view can take focus when it opens. */
export const heading = (text) => h("h1", { tabindex: "-1", id: "view-title" }, text);

/** A paragraph for an error, read out when it appears. */
export const errorBox = (message) => h("p", { class: "error", role: "alert" }, message);
