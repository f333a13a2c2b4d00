// How a value is shown: text, pretty JSON, or size and hex for binary;
// and the side-by-side diff of two versions.
import { h } from "./dom.js";

const strict = new TextDecoder("utf-8", { fatal: true });

/** The value as text, or null when it is not UTF-8 or holds a NUL byte. */
export function asText(bytes) {
  if (bytes.includes(0)) return null;
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

/** The text pretty-printed when it is a JSON object or array, else null. */
export function asJSON(text) {
  if (text === null || !/^\s*[[{]/.test(text)) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** A hex dump (offset, 16 bytes, ASCII) of at most `limit` bytes. */
function hexDump(bytes, limit = 4096) {
  const lines = [];
  for (let offset = 0; offset < Math.min(bytes.length, limit); offset += 16) {
    const row = bytes.slice(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > limit) lines.push(`… ${bytes.length - limit} more bytes`);
  return lines.join("\n");
}

const size = (n) => (n < 1024 ? `${n} bytes` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);

/**
 * A value with a choice of views: "JSON" (when it parses), "Text", "Hex".
 * Binary values show their size and hex dump only.
 */
export function valueView(bytes) {
  const text = asText(bytes);
  const json = asJSON(text);
  const views = [];
  if (json !== null) views.push(["JSON", json]);
  if (text !== null) views.push(["Text", text]);
  views.push(["Hex", hexDump(bytes)]);
  const output = h("pre", { class: "value", tabindex: "0", "aria-label": "stored value" });
  const kind = text === null ? `binary, ${size(bytes.length)}` : `${json !== null ? "JSON" : "text"}, ${size(bytes.length)}`;
  const buttons = views.map(([name, content], index) =>
    h("button", {
      type: "button", class: "toggle", "aria-pressed": index === 0 ? "true" : "false",
      onclick: (event) => {
        for (const button of buttons) button.setAttribute("aria-pressed", "false");
        event.currentTarget.setAttribute("aria-pressed", "true");
        output.textContent = content;
      },
    }, name));
  output.textContent = views[0][1];
  return h("div", { class: "value-view" },
    h("div", { class: "value-bar" }, h("span", { class: "muted", "data-kind": "" }, kind),
      h("span", { role: "group", "aria-label": "show as" }, buttons)),
    output);
}

/**
 * Two versions side by side, line by line, removed lines marked on the
 * left and added ones on the right. `old` or `new` may be null (absent).
 */
export function sideBySide(old, now, labels = ["before", "after"]) {
  const oldText = old === null ? null : asText(old), newText = now === null ? null : asText(now);
  if ((old !== null && oldText === null) || (now !== null && newText === null)) {
    return h("p", { class: "muted" }, `binary: ${old === null ? "absent" : size(old.length)} → ${now === null ? "absent" : size(now.length)}`);
  }
  const lines = (text) => (text === null ? [] : (asJSON(text) ?? text).replace(/\n$/, "").split("\n"));
  const a = lines(oldText), b = lines(newText);
  const table = h("table", { class: "diff" },
    h("colgroup", {}, h("col", { class: "ln" }), h("col"), h("col", { class: "ln" }), h("col")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", colspan: 2 }, labels[0]), h("th", { scope: "col", colspan: 2 }, labels[1]))));
  const body = h("tbody");
  for (const [kind, left, right] of align(a, b)) {
    body.append(h("tr", { class: kind },
      h("td", { class: "ln" }, left?.[0] ?? ""), h("td", { class: left && kind !== "same" ? "del" : "" }, left ? left[1] : ""),
      h("td", { class: "ln" }, right?.[0] ?? ""), h("td", { class: right && kind !== "same" ? "add" : "" }, right ? right[1] : "")));
  }
  table.append(body);
  return h("div", { class: "diff-wrap", tabindex: "0", role: "region", "aria-label": `${labels[0]} and ${labels[1]}` }, table);
}

/**
 * A disclosure whose body is a side-by-side diff, loaded the first time it
 * opens (at once when `open`). `load()` resolves to {old, now, labels, footer}:
 * the two versions' bytes (null when absent), their captions and what follows.
 */
export function lazyDiff({ summary, open, load }) {
  const body = h("div", { class: "diff-body" }, h("p", { class: "muted" }, "Loading…"));
  const details = h("details", { open }, h("summary", {}, summary), body);
  let loaded = false;
  const show = async () => {
    if (loaded) return;
    loaded = true;
    try {
      const { old, now, labels, footer } = await load();
      body.replaceChildren(sideBySide(old, now, labels), footer ?? "");
    } catch (error) {
      body.replaceChildren(h("p", { class: "error", role: "alert" }, `The values could not be read: ${error.message}`));
    }
  };
  details.addEventListener("toggle", () => details.open && show());
  if (open) show();
  return details;
}

/** Rows [kind, [lineNo, text] | null, [lineNo, text] | null] from a longest-common-subsequence alignment. */
function align(a, b) {
  if (a.length * b.length > 4_000_000) {
    return [["changed", [1, a.join("\n")], [1, b.join("\n")]]];
  }
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const rows = [];
  let i = 0, j = 0, removed = [], added = [];
  const flush = () => {
    for (let k = 0; k < Math.max(removed.length, added.length); k++) rows.push(["changed", removed[k] ?? null, added[k] ?? null]);
    removed = [];
    added = [];
  };
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      rows.push(["same", [i + 1, a[i]], [j + 1, b[j]]]);
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      added.push([j + 1, b[j]]);
      j++;
    } else {
      removed.push([i + 1, a[i]]);
      i++;
    }
  }
  flush();
  return rows;
}
