// The coroutine library: create, resume, yield, status, wrap, running, isyieldable, with
// LuaJIT's messages. Suspension works through generator versions of the compiled functions
// (runtime/lua/coroutine.ts); yielding across a library function that calls back into Lua
// (table.sort, gsub, metamethods) is "attempt to yield across C-call boundary".
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { Multi } from "../multi.ts";
import { Coroutine } from "../coroutine-type.ts";
import { currentCoroutine, resume, yieldGen, yieldPlain } from "../coroutine.ts";
import { LuaError } from "../errors.ts";
import { luaWhere } from "../callsites.ts";
import { argError } from "../args.ts";
import { type } from "../ops.ts";
import { define } from "./define.ts";

function checkCo(v: LuaValue, name: string): Coroutine {
  if (v instanceof Coroutine) return v;
  return argError(1, name, "coroutine expected" + (v === undefined ? "" : ", got " + type(v)));
}

export function createCoroutineLib(): LuaTable {
  const lib = new LuaTable();
  define(lib, "create", (...a: LuaValue[]) => {
    const f = a[0];
    if (typeof f !== "function")
      argError(1, "create", "function expected" + (a.length > 0 ? ", got " + type(f) : ""));
    return new Coroutine(f as (...args: any[]) => any);
  });
  define(
    lib,
    "resume",
    (co: LuaValue, ...args: LuaValue[]) => new Multi(resume(checkCo(co, "resume"), args)),
  );
  const yieldFn = (..._values: LuaValue[]) => yieldPlain();
  (yieldFn as any).$g = yieldGen;
  define(lib, "yield", yieldFn);
  define(lib, "status", (co: LuaValue) => checkCo(co, "status").status);
  define(lib, "running", () => currentCoroutine());
  define(lib, "isyieldable", () => currentCoroutine() !== undefined);
  define(lib, "wrap", (f: LuaValue) => {
    if (typeof f !== "function") argError(1, "wrap", "function expected");
    const co = new Coroutine(f as (...args: any[]) => any);
    return (...args: LuaValue[]) => {
      const r = resume(co, args);
      if (r[0] === true) return r.length === 2 ? r[1] : new Multi(r.slice(1));
      // Like LuaJIT's wrap: a string error gets the position of the Lua code calling the wrapper.
      const err = r[1];
      throw new LuaError(typeof err === "string" ? luaWhere(1) + err : err);
    };
  });
  return lib;
}
