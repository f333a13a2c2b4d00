// The REST API client: the token (kept for this tab only, in sessionStorage),
// JSON errors turned into APIError, and the SSE change stream read through
// fetch (EventSource cannot send the Authorization header).

const tokenKey = "banyan.token";

/** An error reply of the API: status, code and the server's message. */
export class APIError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

let unauthorizedHandler = () => {};

/** Calls `handler` whenever a request is refused for want of a good token. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export const token = {
  get: () => sessionStorage.getItem(tokenKey),
  set: (value) => sessionStorage.setItem(tokenKey, value),
  clear: () => sessionStorage.removeItem(tokenKey),
};

function headers(extra = {}) {
  const result = new Headers(extra);
  // Without it the server's 401 carries a Basic challenge, and the browser would show its own login prompt.
  result.set("X-Requested-With", "banyan-console");
  const value = token.get();
  if (value) result.set("Authorization", `Bearer ${value}`);
  return result;
}

/** One path segment, percent-encoded ('/' inside a branch name becomes %2F). */
export const segment = (text) => encodeURIComponent(text);

/**
 * A key's segments, each percent-encoded, joined by '/'. A URL cannot carry
 * an empty, "." or ".." segment (browsers resolve even %2E%2E away), so such
 * a key is refused here, as the server would refuse it; writes of keys typed
 * by hand go in a JSON body instead (see view-tree.js), where the server checks them.
 */
export function keyPath(key) {
  const bad = key.split("/").find((part) => part === "" || part === "." || part === "..");
  if (bad !== undefined) throw new APIError(400, "invalidKey", `key '${key}' has ${bad ? `the segment '${bad}'` : "an empty segment"}, which no key may have`);
  return key.split("/").map(segment).join("/");
}

/**
 * A request to /api/v1/PATH. Resolves to the parsed JSON (or the Response
 * when `raw`); rejects with APIError carrying the server's code and message.
 */
export async function request(path, { method = "GET", body, headers: extra, raw = false } = {}) {
  let response;
  try {
    response = await fetch(`/api/v1/${path}`, { method, body, headers: headers(extra), cache: "no-store" });
  } catch (error) {
    throw new APIError(0, "network", `the server did not answer (${error.message})`);
  }
  if (!response.ok) {
    let code = `http${response.status}`, message = response.statusText, json;
    try {
      json = await response.json();
      code = json.error.code;
      message = json.error.message;
    } catch { /* not the JSON error format: keep the status line */ }
    if (response.status === 401) unauthorizedHandler(message);
    throw new APIError(response.status, code, message, json);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/** A value's bytes and the commit they were read at (the ETag). */
export async function getValue(branch, key, at) {
  const query = at ? `?at=${encodeURIComponent(at)}` : "";
  const response = await request(`kv/${segment(branch)}/${keyPath(key)}${query}`, { raw: true });
  return { bytes: new Uint8Array(await response.arrayBuffer()), commit: (response.headers.get("ETag") || "").replaceAll('"', "") };
}

/** The value, or null when the key holds none at that commit. */
export async function findValue(branch, key, at) {
  try {
    return await getValue(branch, key, at);
  } catch (error) {
    if (error.code === "keyNotFound") return null;
    throw error;
  }
}

/**
 * Follows `GET /api/v1/watch/BRANCH`: `onUpdate` gets each commit's update
 * ({branch, old, new, changes}), `onState` "live", "reconnecting" or
 * "stopped". Reconnects with Last-Event-ID, so no commit is missed. Returns
 * a function that stops it.
 */
export function watch(branch, onUpdate, onState) {
  const controller = new AbortController();
  let last = null;
  (async () => {
    while (!controller.signal.aborted) {
      try {
        const extra = last ? { "Last-Event-ID": last } : {};
        const response = await fetch(`/api/v1/watch/${segment(branch)}`, { headers: headers(extra), signal: controller.signal });
        if (response.status === 401) {
          unauthorizedHandler("the token is wrong");
          onState("stopped");
          return;
        }
        if (!response.ok) throw new Error(`watch answered ${response.status}`);
        onState("live");
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const event = parseEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (event.type === "update") {
              last = event.id;
              onUpdate(JSON.parse(event.data));
            }
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  })();
  return () => {
    controller.abort();
    onState("stopped");
  };
}

function parseEvent(block) {
  const event = { type: "message", id: null, data: "" };
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event.type = value;
    else if (field === "id") event.id = value;
    else if (field === "data") event.data += (event.data ? "\n" : "") + value;
  }
  return event;
}
