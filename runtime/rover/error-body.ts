// The JSON body of every error response, {"error": "<message>"}. Built without the Lua JSON
// encoder on purpose: an error body must never fail, so a message with invalid UTF-8 gets
// U+FFFD replacements instead of raising a second error while reporting the first.

/** `message` is a Lua byte string; the result is UTF-8 JSON as a byte string. */
export function errorBodyBytes(message: string): string {
  const text = isAscii(message) ? message : Buffer.from(message, "latin1").toString("utf8");
  const json = '{"error":' + JSON.stringify(text) + "}";
  return isAscii(json) ? json : Buffer.from(json, "utf8").toString("latin1");
}

/** The body of a validation failure, {"errors":[{"field","message","type"}, ...]}, as a UTF-8 byte string. */
export function guardErrorBodyBytes(
  issues: readonly { field: string; message: string; type: string }[],
): string {
  const rows = issues.map((i) => ({ field: utf8(i.field), message: utf8(i.message), type: utf8(i.type) }));
  const json = JSON.stringify({ errors: rows });
  return isAscii(json) ? json : Buffer.from(json, "utf8").toString("latin1");
}

function utf8(s: string): string {
  return isAscii(s) ? s : Buffer.from(s, "latin1").toString("utf8");
}

/** No byte above 0x7f: the same text as bytes and as UTF-8. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
