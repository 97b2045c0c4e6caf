// Byte-level decoders for request data: form (query string) decoding and UTF-16 → UTF-8
// byte strings. Everything returns Lua byte strings (one char code per byte).
import { LuaTable } from "../lua/table.ts";

/** application/x-www-form-urlencoded value decoding: '+' → space, %XX → byte; a bad '%' stays literal. */
export function formDecode(s: string): string {
  if (s.indexOf("%") < 0 && s.indexOf("+") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) {
      out += " ";
    } else if (c === 0x25 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      out += String.fromCharCode(parseInt(s.substr(i + 1, 2), 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * A query string as a table: pairs split on '&', empty pairs skipped, key and value
 * form-decoded, `?flag` gives flag = "", the last duplicate wins (ROVER_API.md §2.4, 7c946d6).
 */
export function parseQuery(query: string): LuaTable {
  const t = new LuaTable();
  if (query === "") return t;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf("&", start);
    if (end < 0) end = query.length;
    if (end > start) {
      const eq = query.indexOf("=", start);
      if (eq >= 0 && eq < end)
        t.setStr(formDecode(query.slice(start, eq)), formDecode(query.slice(eq + 1, end)));
      else t.setStr(formDecode(query.slice(start, end)), "");
    }
    start = end + 1;
  }
  return t;
}

/** A JS string (UTF-16) as the byte string of its UTF-8 encoding. */
export function utf8Bytes(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, "utf8").toString("latin1");
  }
  return s;
}
