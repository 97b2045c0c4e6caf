// The response builders installed on the root api table (ROVER_API.md §3.1): json, text,
// html, raw and redirect are callable tables with :status (and :permanent), error and
// no_content are functions. Every builder accepts both call forms (api.x(...) and api:x(...),
// api.json:status(...) and api.json.status(...)): the first argument is dropped when it is
// the api table or the builder itself. Fixed arities keep the hot path free of rest arrays.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { throwLuaError } from "../lua/errors.ts";
import { argError, checkString, checkTable, checkNumber } from "../lua/args.ts";
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
  SSE_TYPE,
} from "./response.ts";
import { errorBodyBytes, guardErrorBodyBytes } from "./error-body.ts";
import { guardIssues, parseGuardErrorText } from "./guard-error.ts";
import { renderTemplate } from "./template.ts";
import { idempotentBuilder } from "./idempotent.ts";

/** Resolves a template name that is not in the data table (§3.9 environment). */
export type TemplateBase = (name: string) => LuaValue;

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

/** Installs the builders on a fresh api table; `templates` resolves template names (§3.9). */
export function installBuilders(api: LuaTable, templates: TemplateBase): void {
  api.setStr("json", bodyBuilder(api, "json", jsonResponse));
  api.setStr(
    "text",
    bodyBuilder(api, "text", (code, v) => new RoverResponse(code, TEXT_HEADERS, checkString(v, 1, "text"))),
  );
  api.setStr(
    "html",
    bodyBuilder(api, "html", (code, v) => htmlResponse(code, v, templates)),
  );
  api.setStr(
    "raw",
    bodyBuilder(api, "raw", (code, v) => new RoverResponse(code, OCTET_HEADERS, checkString(v, 1, "raw"))),
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
  api.setStr(
    "stream",
    named("stream", (...args: LuaValue[]) => {
      if (args[0] === api) args.shift();
      const [code, type, producer] = args;
      return streamResponse("stream", code, type, undefined, producer);
    }),
  );
  api.setStr(
    "stream_with_headers",
    named("stream_with_headers", (...args: LuaValue[]) => {
      if (args[0] === api) args.shift();
      const [code, type, headers, producer] = args;
      return streamResponse("stream_with_headers", code, type, headers, producer);
    }),
  );
  api.setStr("sse", sseBuilder(api));
  api.setStr("idempotent", idempotentBuilder(api));
}

type Make = (status: number, v: LuaValue) => unknown;

/** A callable table: builder(v) → 200, builder:status(code, v) → code. */
function bodyBuilder(api: LuaTable, name: string, make: Make): LuaTable {
  const builder = new LuaTable();
  const meta = new LuaTable();
  meta.setStr(
    "__call",
    named(name, (_self: LuaValue, a: LuaValue, b: LuaValue) => make(200, a === api ? b : a)),
  );
  builder.metatable = meta;
  builder.setStr(
    "status",
    named("status", (a: LuaValue, b: LuaValue, c: LuaValue) => {
      const self = a === builder || a === api;
      return make(checkStatus(self ? b : a, "status"), self ? c : b);
    }),
  );
  return builder;
}

/**
 * api.json(v): any value encoded as JSON. A table's `headers` field, when it is a table,
 * becomes response headers and is left out of the body.
 */
function jsonResponse(status: number, v: LuaValue): RoverResponse {
  if (v instanceof LuaTable) {
    const h = v.getStr("headers");
    if (h instanceof LuaTable) {
      const headers = headerRecord(h, "json", JSON_HEADERS);
      const copy = new LuaTable();
      copy.jsonArray = v.jsonArray;
      v.forEach((k, x) => {
        if (k !== "headers") copy.set(k, x);
      });
      return new RoverResponse(status, headers, encodeJson(copy));
    }
  }
  return new RoverResponse(status, JSON_HEADERS, encodeJson(v));
}

/** api.html(s) serves s; api.html(data) / api.html(nil) returns a template builder (§3.9). */
function htmlResponse(status: number, v: LuaValue, templates: TemplateBase): unknown {
  if (typeof v === "string" || typeof v === "number")
    return new RoverResponse(status, HTML_HEADERS, checkString(v, 1, "html"));
  if (v !== undefined && !(v instanceof LuaTable)) throwLuaError("html() data must be a table or nil");
  return templateBuilder(v, (text) => new RoverResponse(status, HTML_HEADERS, text), templates);
}

/** The function that takes the template: builder(data) [[ ... ]]. */
export function templateBuilder(
  data: LuaTable | undefined,
  done: (text: string) => unknown,
  templates: TemplateBase,
): LuaTable {
  const t = new LuaTable();
  const meta = new LuaTable();
  meta.setStr(
    "__call",
    named("template", (_self: LuaValue, tpl: LuaValue) =>
      done(renderTemplate(checkString(tpl, 1, "template"), data, templates)),
    ),
  );
  t.metatable = meta;
  return t;
}

function streamResponse(
  fname: string,
  code: LuaValue,
  type: LuaValue,
  headers: LuaValue,
  producer: LuaValue,
): RoverResponse {
  const status = checkStatus(code, fname);
  const contentType = checkString(type, 2, fname);
  if (hasControlChar(contentType)) argError(2, fname, "content type contains control characters");
  if (typeof producer !== "function")
    argError(headers === undefined ? 3 : 4, fname, "producer function expected");
  const base = { "content-type": contentType };
  const record = headers === undefined ? base : headerRecord(checkTable(headers, 3, fname), fname, base);
  return new RoverResponse(status, record, null, { kind: "chunks", producer, retry: 0 });
}

/** api.sse(producer [, retry_ms]), api.sse:status(code, producer [, retry]), api.sse:with_headers(code, headers, producer [, retry]). */
function sseBuilder(api: LuaTable): LuaTable {
  const builder = new LuaTable();
  const meta = new LuaTable();
  const make = (status: number, headers: LuaValue, producer: LuaValue, retry: LuaValue): RoverResponse => {
    if (typeof producer !== "function") argError(1, "sse", "producer function expected");
    const r = retry === undefined ? 0 : checkNumber(retry, 2, "sse");
    const record =
      headers === undefined ? SSE_HEADERS : headerRecord(checkTable(headers, 2, "sse"), "sse", SSE_HEADERS);
    return new RoverResponse(status, record, null, {
      kind: "sse",
      producer,
      retry: Math.max(0, Math.floor(r)),
    });
  };
  meta.setStr(
    "__call",
    named("sse", (_self: LuaValue, ...args: LuaValue[]) => {
      if (args[0] === api) args.shift();
      return make(200, undefined, args[0], args[1]);
    }),
  );
  builder.metatable = meta;
  builder.setStr(
    "status",
    named("status", (...args: LuaValue[]) => {
      if (args[0] === builder || args[0] === api) args.shift();
      return make(checkStatus(args[0], "status"), undefined, args[1], args[2]);
    }),
  );
  builder.setStr(
    "with_headers",
    named("with_headers", (...args: LuaValue[]) => {
      if (args[0] === builder || args[0] === api) args.shift();
      return make(checkStatus(args[0], "with_headers"), args[1], args[2], args[3]);
    }),
  );
  return builder;
}

const SSE_HEADERS = Object.freeze({
  "content-type": SSE_TYPE,
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
});

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The message framing and connection headers: a handler's value would break the response. */
const SERVER_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
]);

/**
 * A Lua headers table as a header record over `base`: names are lower-cased (a Content-Type
 * given here replaces the builder's), values are strings or numbers, or a list of them for a
 * repeated header (Set-Cookie). Bad names and values with control characters are Lua errors.
 */
function headerRecord(
  h: LuaTable,
  fname: string,
  base: Readonly<Record<string, string>>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { ...base };
  for (let e = h.next(undefined); e !== undefined; e = h.next(e[0])) {
    const [k, v] = e;
    if (typeof k !== "string" || !TOKEN.test(k)) argError(1, fname, "invalid header name " + tostring(k));
    const name = k.toLowerCase();
    if (SERVER_HEADERS.has(name)) argError(1, fname, "header '" + k + "' is set by the server");
    if (v instanceof LuaTable) {
      out[name] = v.arr.filter((x) => x !== undefined).map((x) => headerValue(x, fname, k));
    } else {
      out[name] = headerValue(v, fname, k);
    }
  }
  return out;
}

function headerValue(v: LuaValue, fname: string, name: string): string {
  if (typeof v !== "string" && typeof v !== "number")
    argError(1, fname, "header '" + name + "' must be a string, got " + type(v));
  const s = checkString(v, 1, fname);
  // A tab is allowed in a field value (RFC 9110 §5.5); CR and LF would split the header.
  if (hasControlChar(s.replaceAll("\t", " ")))
    argError(1, fname, "header '" + name + "' contains control characters");
  return s;
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

/**
 * api:error(code, message): a guard error, or its text (tostring(err)), gives the structured
 * {"errors":[...]} body (§3.6); anything else goes through tostring; nil → the reason phrase.
 */
function errorResponse(code: LuaValue, message: LuaValue): RoverResponse {
  const status = checkStatus(code, "error");
  const text = message === undefined ? (STATUS_CODES[status] ?? "Error") : tostring(message);
  const issues = guardIssues(message) ?? parseGuardErrorText(text);
  if (issues !== undefined) return new RoverResponse(status, JSON_HEADERS, guardErrorBodyBytes(issues));
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
