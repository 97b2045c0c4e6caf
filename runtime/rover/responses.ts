// The response builders installed on the root api table (ROVER_API.md §3.1): json, text,
// html, raw and redirect are callable tables with :status (and :permanent), error and
// no_content are functions. Every builder accepts both call forms (api.x(...) and api:x(...),
// api.json:status(...) and api.json.status(...)): the first argument is dropped when it is
// the api table or the builder itself. Fixed arities keep the hot path free of rest arrays.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { throwLuaError } from "../lua/errors.ts";
import { argError, checkString } from "../lua/args.ts";
import { tostring } from "../lua/tostring.ts";
import { type } from "../lua/ops.ts";
import { jsonEncode, JsonEncodeError } from "../lua/json.ts";
import { STATUS_CODES } from "node:http";
import {
  RoverResponse,
  JSON_HEADERS,
  TEXT_HEADERS,
  HTML_HEADERS,
  OCTET_HEADERS,
  NO_HEADERS,
} from "./response.ts";
import { errorBodyBytes } from "./error-body.ts";

/** The names builders take on the root api table; they are never route segments there. */
export const BUILDER_NAMES = [
  "config",
  "json",
  "text",
  "html",
  "redirect",
  "error",
  "no_content",
  "raw",
  "stream",
  "stream_with_headers",
  "sse",
  "idempotent",
] as const;

const NO_CONTENT = new RoverResponse(204, NO_HEADERS, null);

/** Installs the builders on a fresh api table. */
export function installBuilders(api: LuaTable): void {
  api.setStr("json", bodyBuilder(api, "json", encodeJson, JSON_HEADERS));
  api.setStr(
    "text",
    bodyBuilder(api, "text", (v) => checkString(v, 1, "text"), TEXT_HEADERS),
  );
  // TODO(issue 7): the template form api.html(data) [[...]] (ROVER_API.md §3.9).
  api.setStr(
    "html",
    bodyBuilder(api, "html", (v) => checkString(v, 1, "html"), HTML_HEADERS),
  );
  api.setStr(
    "raw",
    bodyBuilder(api, "raw", (v) => checkString(v, 1, "raw"), OCTET_HEADERS),
  );
  api.setStr("redirect", redirectBuilder(api));
  api.setStr(
    "error",
    named("error", (a: LuaValue, b: LuaValue, c: LuaValue) =>
      a === api ? errorResponse(b, c) : errorResponse(a, b),
    ),
  );
  api.setStr(
    "no_content",
    named("no_content", () => NO_CONTENT),
  );
}

/** A callable table: builder(v) → 200, builder:status(code, v) → code. */
function bodyBuilder(
  api: LuaTable,
  name: string,
  toBody: (v: LuaValue) => string,
  headers: Readonly<Record<string, string>>,
): LuaTable {
  const builder = new LuaTable();
  const meta = new LuaTable();
  meta.setStr(
    "__call",
    named(
      name,
      (_self: LuaValue, a: LuaValue, b: LuaValue) =>
        new RoverResponse(200, headers, toBody(a === api ? b : a)),
    ),
  );
  builder.metatable = meta;
  builder.setStr(
    "status",
    named("status", (a: LuaValue, b: LuaValue, c: LuaValue) => {
      const self = a === builder || a === api;
      const code = checkStatus(self ? b : a, "status");
      return new RoverResponse(code, headers, toBody(self ? c : b));
    }),
  );
  return builder;
}

function redirectBuilder(api: LuaTable): LuaTable {
  const builder = new LuaTable();
  const meta = new LuaTable();
  meta.setStr(
    "__call",
    named("redirect", (_self: LuaValue, a: LuaValue, b: LuaValue) => redirect(302, a === api ? b : a)),
  );
  builder.metatable = meta;
  builder.setStr(
    "permanent",
    named("permanent", (a: LuaValue, b: LuaValue) => redirect(301, a === builder || a === api ? b : a)),
  );
  builder.setStr(
    "status",
    named("status", (a: LuaValue, b: LuaValue, c: LuaValue) => {
      const self = a === builder || a === api;
      return redirect(checkStatus(self ? b : a, "status"), self ? c : b);
    }),
  );
  return builder;
}

function redirect(status: number, url: LuaValue): RoverResponse {
  const location = checkString(url, 1, "redirect");
  // A CR or LF would split the header (response splitting); Node would also throw on it later.
  if (hasControlChar(location)) argError(1, "redirect", "URL contains control characters");
  return new RoverResponse(status, { location }, null);
}

function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** api:error(code, message): message through tostring (so a caught error object works); nil → reason phrase. */
function errorResponse(code: LuaValue, message: LuaValue): RoverResponse {
  const status = checkStatus(code, "error");
  const text = message === undefined ? (STATUS_CODES[status] ?? "Error") : tostring(message);
  return new RoverResponse(status, JSON_HEADERS, errorBodyBytes(text));
}

function encodeJson(v: LuaValue): string {
  try {
    return jsonEncode(v);
  } catch (e) {
    if (e instanceof JsonEncodeError) throwLuaError("JSON serialization failed: " + e.message);
    throw e;
  }
}

/** Status codes are integers 200-599: 1xx are not final responses, and Node rejects others. */
function checkStatus(v: LuaValue, fname: string): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= 200 && v <= 599) return v;
  return argError(
    1,
    fname,
    "HTTP status code from 200 to 599 expected, got " + (typeof v === "number" ? tostring(v) : type(v)),
  );
}

function named<F extends (...args: any[]) => any>(name: string, f: F): F {
  Object.defineProperty(f, "name", { value: name });
  return f;
}
