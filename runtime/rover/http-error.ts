// Request errors that map to a 4xx status ("Request has no body", 415, malformed JSON).
// They are raised into Lua as a table, not a string, so a handler's pcall still catches them
// (tostring(err) is the message; err.status / err.message / err.code are readable), and an
// uncaught one becomes that status with a JSON body {"error": message} (reply.ts).
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { LuaError } from "../lua/errors.ts";
import { tostring } from "../lua/tostring.ts";

/** Shared by every HTTP error object: its identity is how reply.ts recognises one. */
const HTTP_ERROR_META = new LuaTable();
HTTP_ERROR_META.setStr("__tostring", (e: LuaTable) => e.getStr("message"));
// `"failed: " .. err` is a common way to wrap an error; give it the message instead of a type error.
HTTP_ERROR_META.setStr("__concat", (a: LuaValue, b: LuaValue) => text(a) + text(b));

function text(v: LuaValue): string {
  return v instanceof LuaTable && v.metatable === HTTP_ERROR_META ? String(v.getStr("message")) : tostring(v);
}

export interface HttpErrorInfo {
  status: number;
  message: string;
}

/** Raises an HTTP error object into Lua code. */
export function raiseHttpError(status: number, code: string, message: string): never {
  const e = new LuaTable();
  e.setStr("status", status);
  e.setStr("message", message);
  e.setStr("code", code);
  e.metatable = HTTP_ERROR_META;
  throw new LuaError(e);
}

/** The status and message of an HTTP error object, or undefined for any other Lua value. */
export function httpErrorInfo(v: LuaValue): HttpErrorInfo | undefined {
  if (!(v instanceof LuaTable) || v.metatable !== HTTP_ERROR_META) return undefined;
  const status = v.getStr("status");
  const message = v.getStr("message");
  if (typeof status !== "number" || typeof message !== "string") return undefined;
  return { status, message };
}

/** Request error codes with their status, one place (STYLE.md: errors catalogue). */
export const NO_BODY = { status: 400, code: "ROVER_ERR_NO_BODY" } as const;
export const UNSUPPORTED_MEDIA_TYPE = { status: 415, code: "ROVER_ERR_UNSUPPORTED_MEDIA_TYPE" } as const;
export const INVALID_JSON = { status: 400, code: "ROVER_ERR_INVALID_JSON" } as const;
export const NOT_AN_OBJECT = { status: 400, code: "ROVER_ERR_NOT_AN_OBJECT" } as const;
export const BAD_MULTIPART = { status: 400, code: "ROVER_ERR_BAD_MULTIPART" } as const;
