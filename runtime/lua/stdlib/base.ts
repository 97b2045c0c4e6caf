// The base library: print, type, tostring, tonumber, pairs, ipairs, next, select, error,
// assert, pcall, xpcall, metatables, raw access, unpack. Functions follow the calling
// convention of multi.ts (one value as itself, several as a Multi, none as EMPTY).
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { Multi, EMPTY, fromArray, multi } from "../multi.ts";
import { LuaError, errorValue, throwAtLevel, throwLuaError } from "../errors.ts";
import { type, callable, getMetatable } from "../ops.ts";
import { tostring, tostringAny } from "../tostring.ts";
import { stringToNumber, stringToNumberBase } from "../number.ts";
import { argError, checkInt, checkTable, optInt } from "../args.ts";
import { luaNext, ipairsStep } from "../iterate.ts";
import { luaWhere } from "../callsites.ts";
import { gcall } from "../coroutine.ts";
import { withErrorFrames } from "./debug.ts";
import { define } from "./define.ts";

/** Thrown by os.exit to end a script: pcall must not catch it. */
export class ExitSignal {
  readonly code: number;
  /** "chunk:line" of the os.exit call, for the server's log line. */
  readonly where: string;
  constructor(code: number) {
    this.code = code;
    this.where = luaWhere(1).replace(/: $/, "");
  }
}

export function installBase(G: LuaTable, write: (bytes: string) => void): void {
  define(G, "print", (...args: LuaValue[]) => {
    let line = "";
    for (let i = 0; i < args.length; i++) {
      line += (i > 0 ? "\t" : "") + tostring(args[i], "'tostring' must return a string to 'print'");
    }
    write(line + "\n");
    return EMPTY;
  });
  define(G, "type", (...args: LuaValue[]) => {
    if (args.length === 0) argError(1, "type", "value expected");
    return type(args[0]);
  });
  define(G, "tostring", (...args: LuaValue[]) => {
    if (args.length === 0) argError(1, "tostring", "value expected");
    return tostringAny(args[0]);
  });
  define(G, "tonumber", (...a: LuaValue[]) => {
    if (a.length === 0) argError(1, "tonumber", "value expected");
    const [v, base] = a;
    if (base === undefined) {
      if (typeof v === "number") return v;
      return typeof v === "string" ? stringToNumber(v) : undefined;
    }
    const b = checkInt(base, 2, "tonumber");
    if (b < 2 || b > 36) argError(2, "tonumber", "base out of range");
    if (typeof v === "number") return stringToNumberBase(String(v), b);
    if (typeof v !== "string") argError(1, "tonumber", "string expected, got " + type(v));
    return stringToNumberBase(v, b);
  });
  define(G, "next", luaNext);
  define(
    G,
    "pairs",
    (...a: LuaValue[]) => new Multi([luaNext, checkTable(a[0], 1, "pairs", a.length > 0), undefined]),
  );
  define(G, "ipairs", (...a: LuaValue[]) => {
    if (a.length === 0) argError(1, "ipairs", "value expected");
    return new Multi([ipairsStep, checkTable(a[0], 1, "ipairs", true), 0]);
  });
  define(G, "select", (...all: LuaValue[]) => {
    const n = all[0];
    const rest = all.slice(1);
    if (n === "#") return rest.length;
    let i = checkInt(n, 1, "select", all.length > 0);
    if (i < 0) i = rest.length + i;
    else if (i === 0) argError(1, "select", "index out of range");
    else i--;
    if (i < 0) argError(1, "select", "index out of range");
    return i === 0 ? fromArrayOrEmpty(rest) : fromArrayOrEmpty(rest.slice(i));
  });
  define(G, "error", (msg: LuaValue, level: LuaValue) => {
    const lv = level === undefined ? 1 : checkInt(level, 2, "error");
    // Numbers are strings to lua_isstring: they get the position prefix too (and become strings).
    if (typeof msg === "string") throwAtLevel(msg, lv);
    if (typeof msg === "number" && lv > 0) throwAtLevel(tostring(msg), lv);
    throw new LuaError(msg);
  });
  define(G, "assert", (...args: LuaValue[]) => {
    if (args.length === 0) argError(1, "assert", "value expected");
    const v = args[0];
    if (v === undefined || v === false) {
      // OpenResty's LuaJIT (the oracle) raises the message as error(msg, 1) would: a string or
      // number gets the caller's position (and becomes a string), anything else is raised as is.
      const msg = args[1];
      if (typeof msg === "string") throwAtLevel(msg, 1);
      if (typeof msg === "number") throwAtLevel(tostring(msg), 1);
      if (args.length > 1) throw new LuaError(msg);
      throwLuaError("assertion failed!");
    }
    return fromArray(args);
  });
  define(G, "pcall", pcall$C);
  define(G, "xpcall", xpcall$C);
  define(G, "setmetatable", (...a: LuaValue[]) => {
    const [t, mt] = a;
    const tt = checkTable(t, 1, "setmetatable", a.length > 0);
    if (mt !== undefined && !(mt instanceof LuaTable)) argError(2, "setmetatable", "nil or table expected");
    if (tt.metatable !== undefined && tt.metatable.getStr("__metatable") !== undefined) {
      throwLuaError("cannot change a protected metatable");
    }
    tt.metatable = mt as LuaTable | undefined;
    return tt;
  });
  define(G, "getmetatable", (...a: LuaValue[]) => {
    if (a.length === 0) argError(1, "getmetatable", "value expected");
    const mt = getMetatable(a[0]);
    if (mt === undefined) return undefined;
    const protectedValue = mt.getStr("__metatable");
    return protectedValue !== undefined ? protectedValue : mt;
  });
  define(G, "rawget", (...a: LuaValue[]) => {
    const t = checkTable(a[0], 1, "rawget", a.length > 0);
    if (a.length < 2) argError(2, "rawget", "value expected");
    return t.get(a[1]);
  });
  define(G, "rawset", (...a: LuaValue[]) => {
    const t = checkTable(a[0], 1, "rawset", a.length > 0);
    if (a.length < 2) argError(2, "rawset", "value expected");
    if (a.length < 3) argError(3, "rawset", "value expected");
    t.set(a[1], a[2]);
    return t;
  });
  define(G, "rawequal", (...a: LuaValue[]) => {
    if (a.length < 1) argError(1, "rawequal", "value expected");
    if (a.length < 2) argError(2, "rawequal", "value expected");
    return a[0] === a[1];
  });
  define(G, "unpack", unpack);
  // Environments: chunks made by loadstring/load carry a replaceable one ($env, load.ts);
  // every other function sees the globals table.
  define(G, "getfenv", (f: LuaValue) => {
    if (typeof f === "function" && (f as any).$env !== undefined) return (f as any).$env.get();
    return G;
  });
  define(G, "setfenv", (f: LuaValue, t: LuaValue) => {
    const env = checkTable(t, 2, "setfenv");
    if (typeof f === "function" && (f as any).$env !== undefined) {
      (f as any).$env.set(env);
      return f;
    }
    throwLuaError("'setfenv' cannot change environment of given object");
  });
  define(G, "collectgarbage", (opt: LuaValue) => (opt === "count" ? new Multi([0, 0]) : 0));
  G.setStr("_VERSION", "Lua 5.1");
  G.setStr("_G", G);
}

export function unpack(...a: LuaValue[]): any {
  const [t, i, j] = a;
  const tt = checkTable(t, 1, "unpack", a.length > 0);
  const from = optInt(i, 2, "unpack", 1);
  const to = j === undefined ? tt.length() : checkInt(j, 3, "unpack");
  if (from > to) return EMPTY;
  if (to - from >= 8000000) throwLuaError("too many results to unpack");
  const out: LuaValue[] = new Array(to - from + 1);
  for (let k = from; k <= to; k++) out[k - from] = tt.getNum(k);
  return fromArray(out);
}

function fromArrayOrEmpty(values: LuaValue[]): any {
  return values.length === 0 ? EMPTY : fromArray(values);
}

export { multi };

// pcall and xpcall are named with a `$C` suffix: callsites.ts counts such frames as C
// levels, so error(msg, 2) inside a pcall'd function gets no position, as in LuaJIT.
function pcall$C(f: LuaValue, ...args: LuaValue[]): any {
  if (f === undefined && args.length === 0) argError(1, "pcall", "value expected");
  try {
    const r = callable(f)(...args);
    return withStatus(true, r);
  } catch (e) {
    if (e instanceof ExitSignal) throw e;
    return new Multi([false, errorValue(e)]);
  }
}

function xpcall$C(...all: LuaValue[]): any {
  const [f, handler] = all;
  const args = all.slice(2);
  if (all.length === 0) argError(1, "xpcall", "value expected");
  if (typeof handler !== "function") {
    argError(2, "xpcall", "function expected, got " + (all.length < 2 ? "no value" : type(handler)));
  }
  try {
    const r = callable(f)(...args);
    return withStatus(true, r);
  } catch (e) {
    return handleError(e, handler);
  }
}

// Generator versions, used inside coroutines: a yield inside the protected call suspends
// through pcall, as LuaJIT allows.
(pcall$C as any).$g = function* (f: LuaValue, ...args: LuaValue[]): Generator<any[], any, any[]> {
  if (f === undefined && args.length === 0) argError(1, "pcall", "value expected");
  try {
    const r = yield* gcall(f, undefined, ...args);
    return withStatus(true, r);
  } catch (e) {
    if (e instanceof ExitSignal) throw e;
    return new Multi([false, errorValue(e)]);
  }
};

(xpcall$C as any).$g = function* (
  f: LuaValue,
  handler: LuaValue,
  ...args: LuaValue[]
): Generator<any[], any, any[]> {
  try {
    const r = yield* gcall(f, undefined, ...args);
    return withStatus(true, r);
  } catch (e) {
    return handleError(e, handler);
  }
};

/**
 * xpcall's error path: the handler gets the error value and its results follow `false`. It
 * runs as a plain call (inside coroutines too): an error or a yield in it is "error in error
 * handling", as in LuaJIT.
 */
function handleError(e: unknown, handler: LuaValue): Multi {
  if (e instanceof ExitSignal) throw e;
  let hr: any;
  try {
    hr = withErrorFrames(e, () => callable(handler)(errorValue(e)));
  } catch (inner) {
    if (inner instanceof ExitSignal) throw inner;
    return new Multi([false, "error in error handling"]);
  }
  return withStatus(false, hr);
}

/** pcall's results: the status, then every value of the call (or of the handler). */
function withStatus(status: boolean, r: any): Multi {
  return r instanceof Multi ? new Multi([status, ...r.values]) : new Multi([status, r]);
}
