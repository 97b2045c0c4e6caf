// Argument checks for library functions, worded as LuaJIT's lauxlib words them:
// "bad argument #1 to 'rep' (number expected, got nil)".
import type { LuaValue } from "./value.ts";
import { LuaTable } from "./table.ts";
import { LuaError } from "./errors.ts";
import { currentLuaFrames } from "./callsites.ts";
import { type } from "./ops.ts";
import { numberToString, stringToNumber } from "./number.ts";

/**
 * "bad argument #n to 'f' (...)" with the caller's position. Called straight from pcall (a C
 * caller), LuaJIT cannot name the function: it says '?' and gives no position.
 */
export function argError(n: number, fname: string, message: string): never {
  let frames = currentLuaFrames(3);
  // pcall/xpcall check their own arguments: their own C frame is not the caller.
  if (frames[0] !== undefined && frames[0].line < 0 && frames[0].functionName === fname)
    frames = frames.slice(1);
  const caller = frames[0];
  const name = caller !== undefined && caller.line < 0 ? "?" : fname;
  const where = caller !== undefined && caller.line >= 0 ? caller.chunk + ":" + caller.line + ": " : "";
  throw new LuaError(where + "bad argument #" + n + " to '" + name + "' (" + message + ")");
}
/** `present` says whether the argument was passed at all: LuaJIT says "got nil" for an explicit nil. */
function typeError(
  n: number,
  fname: string,
  expected: string,
  v: LuaValue,
  present = v !== undefined,
): never {
  argError(n, fname, expected + " expected, got " + (present ? type(v) : "no value"));
}

/** A number argument; numeric strings are converted as in lua_tonumber. */
export function checkNumber(v: LuaValue, n: number, fname: string, present?: boolean): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const x = stringToNumber(v);
    if (x !== undefined) return x;
  }
  return typeError(n, fname, "number", v, present);
}

/** An integer argument, truncated toward zero as lua_tointeger does in LuaJIT. */
export function checkInt(v: LuaValue, n: number, fname: string, present?: boolean): number {
  const x = checkNumber(v, n, fname, present);
  return x >= 0 ? Math.floor(x) : Math.ceil(x);
}

export function optInt(v: LuaValue, n: number, fname: string, def: number): number {
  return v === undefined ? def : checkInt(v, n, fname);
}

export function optNumber(v: LuaValue, n: number, fname: string, def: number): number {
  return v === undefined ? def : checkNumber(v, n, fname);
}

/** A string argument; numbers are converted with Lua's number format. */
export function checkString(v: LuaValue, n: number, fname: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  return typeError(n, fname, "string", v);
}

export function optString(v: LuaValue, n: number, fname: string, def: string): string {
  return v === undefined ? def : checkString(v, n, fname);
}

export function checkTable(v: LuaValue, n: number, fname: string, present?: boolean): LuaTable {
  if (v instanceof LuaTable) return v;
  return typeError(n, fname, "table", v, present);
}

export function checkFunction(
  v: LuaValue,
  n: number,
  fname: string,
  present?: boolean,
): (...a: any[]) => any {
  if (typeof v === "function") return v;
  return typeError(n, fname, "function", v, present);
}

export function checkAny(v: LuaValue, n: number, fname: string, present: boolean): LuaValue {
  if (!present) argError(n, fname, "value expected");
  return v;
}
