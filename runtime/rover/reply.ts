// Turns what a handler returned (or raised) into a ResponseOutput (ROVER_API.md §3.2, §3.5).
// Plain values: table → JSON 200, string/number/boolean → text 200, nil → 204. A value that
// cannot be sent raises ReplyError, which handle() turns into a logged 500, never a 200.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { LuaError } from "../lua/errors.ts";
import { type } from "../lua/ops.ts";
import { numberToString } from "../lua/number.ts";
import { jsonEncode, JsonEncodeError } from "../lua/json.ts";
import { RoverResponse, JSON_HEADERS, TEXT_HEADERS, NO_HEADERS } from "./response.ts";
import type { HeaderRecord } from "./response.ts";
import type { Readable } from "node:stream";
import type { StreamSpec } from "./stream.ts";
import { httpErrorInfo } from "./http-error.ts";
import { errorBodyBytes, guardErrorBodyBytes, isAscii } from "./error-body.ts";
import { guardIssues } from "./guard-error.ts";

export interface ResponseOutput {
  status: number;
  /** Lower-case names; may be a shared frozen record, so never mutate it. */
  headers: HeaderRecord;
  /**
   * null for an empty body (204, redirects); an ASCII string for a short body, else a Buffer
   * (the bytes); a Readable for api:stream* and api.sse*.
   */
  body: string | Buffer | Readable | null;
  /** Set by replyFromValue for streamed responses; RoverApp turns it into the Readable body. */
  stream?: StreamSpec;
}

/** A handler result that cannot become a response; the message is for the log only. */
export class ReplyError extends Error {}

const NO_CONTENT: ResponseOutput = { status: 204, headers: NO_HEADERS, body: null };

export const INTERNAL_ERROR: ResponseOutput = {
  status: 500,
  headers: JSON_HEADERS,
  body: Buffer.from('{"error":"Internal Server Error"}'),
};

/** The response for the first value a handler returned. */
export function replyFromValue(v: LuaValue): ResponseOutput {
  if (v instanceof RoverResponse) {
    if (v.stream !== null) return { status: v.status, headers: v.headers, body: null, stream: v.stream };
    return output(v.status, v.headers, v.body);
  }
  switch (typeof v) {
    case "undefined":
      return NO_CONTENT;
    case "string":
      return output(200, TEXT_HEADERS, v);
    case "number":
      return output(200, TEXT_HEADERS, numberToString(v));
    case "boolean":
      return output(200, TEXT_HEADERS, v ? "true" : "false");
  }
  if (v instanceof LuaTable) {
    try {
      return output(200, JSON_HEADERS, jsonEncode(v));
    } catch (e) {
      if (e instanceof JsonEncodeError)
        throw new ReplyError("returned table cannot be sent as JSON: " + e.message);
      throw e;
    }
  }
  throw new ReplyError("returned a " + type(v) + " value, which cannot be sent as a response");
}

/** The response for an uncaught 4xx error object, or undefined when `e` is anything else (a 500). */
export function replyFromHttpError(e: unknown): ResponseOutput | undefined {
  if (!(e instanceof LuaError)) return undefined;
  const issues = guardIssues(e.value);
  if (issues !== undefined) return output(400, JSON_HEADERS, guardErrorBodyBytes(issues));
  const info = httpErrorInfo(e.value);
  if (info === undefined) return undefined;
  // The table is writable from Lua; a status outside 4xx/5xx would turn an error into a success.
  const status =
    Number.isInteger(info.status) && info.status >= 400 && info.status <= 599 ? info.status : 500;
  return output(status, JSON_HEADERS, errorBodyBytes(info.message));
}

/**
 * Bodies are Lua byte strings. A short ASCII one is sent as a JS string: Node then writes the
 * headers and the body in one write, where a Buffer takes a writev of two (measured: 7 % more
 * requests per second for a 300-byte JSON body); longer ones are cheaper as a Buffer. Only with
 * a content type that names its charset (Fastify would append one to a string's JSON type) and
 * ASCII headers (headersAscii).
 */
const STRING_BODY_MAX = 4096;

function output(status: number, headers: HeaderRecord, body: string | null): ResponseOutput {
  if (body === null) return { status, headers, body: null };
  const type = headers["content-type"];
  const asString =
    body.length <= STRING_BODY_MAX &&
    typeof type === "string" &&
    type.includes("charset=") &&
    isAscii(body) &&
    (headers === JSON_HEADERS || headers === TEXT_HEADERS || headersAscii(headers));
  return { status, headers, body: asString ? body : Buffer.from(body, "latin1") };
}

/** Node writes the headers with a string body in the body's encoding (UTF-8): they must be ASCII then. */
function headersAscii(headers: HeaderRecord): boolean {
  for (const name in headers) {
    const v = headers[name];
    if (typeof v === "string" ? !isAscii(v) : !v.every(isAscii)) return false;
  }
  return true;
}
