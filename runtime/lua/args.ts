// Argument checks for library functions, worded as LuaJIT's lauxlib words them:
// "bad argument #1 to 'rep' (number expected, got nil)".
import type { LuaValue } from "./value.ts";
import { LuaTable } from "./table.ts";
import { throwLuaError } from "./errors.ts";
import { currentLuaFrames } from "./callsites.ts";
import { type } from "./ops.ts";
import { numberToString, stringToNumber } from "./number.ts";

/** Called straight from pcall (a C caller), LuaJIT cannot name the function: it says '?'. */
export function argError(n: number, fname: string, message: string): never {
  const caller = currentLuaFrames(2)[0];
  const name = caller !== undefined && caller.line < 0 ? "?" : fname;
  throwLuaError("bad argument #" + n + " to '" + name + "' (" + message + ")");
}

function typeError(n: number, fname: string, expected: string, v: LuaValue): never {
  argError(n, fname, expected + " expected, got " + (v === undefined ? "no value" : type(v)));
}

/** A number argument; numeric strings are converted as in lua_tonumber. */
export function checkNumber(v: LuaValue, n: number, fname: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const x = stringToNumber(v);
    if (x !== undefined) return x;
  }
  return typeError(n, fname, "number", v);
}

/** An integer argument, truncated toward zero as lua_tointeger does in LuaJIT. */
export function checkInt(v: LuaValue, n: number, fname: string): number {
  const x = checkNumber(v, n, fname);
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

export function checkTable(v: LuaValue, n: number, fname: string): LuaTable {
  if (v instanceof LuaTable) return v;
  return typeError(n, fname, "table", v);
}

export function checkFunction(v: LuaValue, n: number, fname: string): (...a: any[]) => any {
  if (typeof v === "function") return v;
  return typeError(n, fname, "function", v);
}

export function checkAny(v: LuaValue, n: number, fname: string, present: boolean): LuaValue {
  if (!present) argError(n, fname, "value expected");
  return v;
}
