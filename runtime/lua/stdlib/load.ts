// loadstring, load and dofile: Lua source compiled at run time by Rover's own compiler and
// evaluated with `new Function`. The generated code can only reach the runtime helpers it
// is given and the Lua globals, never JS globals. Importing this module registers the
// functions for every new Lua state (state.ts); bundles include it only when the app
// mentions one of these names.
import { readFileSync } from "node:fs";
import * as rt from "../index.ts";
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { Multi, first } from "../multi.ts";
import { registerStateExtension } from "../state.ts";
import { registerCompiledMap } from "../callsites.ts";
import { LuaError, errorValue, throwLuaError } from "../errors.ts";
import { argError, checkString, optString } from "../args.ts";
import { callable } from "../ops.ts";
import { compileChunkFunction, CompileError } from "../../../compiler/load-chunk.ts";

let loadCount = 0;

/** lj_debug_shortname (LUA_IDSIZE 60): "=name" and "@file" name themselves, source text becomes [string "..."]. */
export function chunkId(source: string): string {
  if (source.startsWith("=")) return source.slice(1, 60);
  if (source.startsWith("@")) {
    const path = source.slice(1);
    return path.length >= 60 ? "..." + path.slice(path.length - 56) : path;
  }
  let len = 0;
  while (len < 48 && len < source.length && source.charCodeAt(len) >= 32) len++;
  if (len < source.length) return `[string "${source.slice(0, Math.min(len, 45))}..."]`;
  return `[string "${source}"]`;
}

/** Compiles `text`; returns the Lua function, or [undefined, message] like LuaJIT's load. */
function compile(G: LuaTable, text: string, chunkName: string): LuaValue | [undefined, string] {
  let loaded;
  try {
    loaded = compileChunkFunction(text, chunkName);
  } catch (e) {
    if (e instanceof CompileError) {
      const d = e.diagnostics[0];
      return [undefined, `${chunkName}:${d.line}: ${d.message}`];
    }
    throw e;
  }
  const url = `rover-load-${++loadCount}.js`;
  // new Function puts two lines of its own before the body: shift the mappings by two lines.
  const map = {
    ...loaded.map,
    mappings: ";;" + loaded.map.mappings,
    x_rover_chunks: loaded.map.sources.map(() => chunkName),
  };
  registerCompiledMap(url, map);
  const factory = new Function("$rt", loaded.code + "\n//# sourceURL=" + url);
  const main = factory(rt) as (G: LuaTable, ...args: LuaValue[]) => any;
  // The chunk reads its globals from `env`, which setfenv can replace (base.ts).
  let env = G;
  const fn = (...args: LuaValue[]) => main(env, ...args);
  Object.defineProperty(fn, "name", { value: "L$main" });
  (fn as any).$env = { get: () => env, set: (t: LuaTable) => (env = t) };
  const gen = (main as any).$g;
  if (gen !== undefined) (fn as any).$g = (...args: LuaValue[]) => gen(env, ...args);
  return fn;
}

function result(r: LuaValue | [undefined, string]): any {
  return Array.isArray(r) ? new Multi(r) : r;
}

export function installLoad(G: LuaTable): void {
  const loadstring = (s: LuaValue, name: LuaValue) => {
    const text = checkString(s, 1, "loadstring");
    return result(compile(G, text, chunkId(optString(name, 2, "loadstring", text))));
  };
  G.setStr("loadstring", loadstring);
  G.setStr("load", (chunk: LuaValue, name: LuaValue) => {
    if (typeof chunk === "string")
      return result(compile(G, chunk, chunkId(optString(name, 2, "load", chunk))));
    if (typeof chunk !== "function") argError(1, "load", "function expected");
    let text = "";
    try {
      for (;;) {
        const piece = first(callable(chunk)());
        if (piece === undefined || piece === "") break;
        if (typeof piece !== "string") return new Multi([undefined, "reader function must return a string"]);
        text += piece;
      }
    } catch (e) {
      // An error in the reader is load's failure result, not an error of the caller.
      return new Multi([undefined, errorValue(e)]);
    }
    return result(compile(G, text, chunkId(optString(name, 2, "load", "=(load)"))));
  });
  G.setStr("loadfile", (file: LuaValue) => {
    const path = checkString(file, 1, "loadfile");
    let text: string;
    try {
      text = readFileSync(path, "latin1");
    } catch (e: any) {
      return new Multi([
        undefined,
        `cannot open ${path}` + (e?.code === "ENOENT" ? ": No such file or directory" : ""),
      ]);
    }
    return result(compile(G, text, chunkId("@" + path)));
  });
  G.setStr("dofile", (file: LuaValue) => {
    const path = checkString(file, 1, "dofile");
    let text: string;
    try {
      text = readFileSync(path, "latin1");
    } catch (e: any) {
      throwLuaError(`cannot open ${path}` + (e?.code === "ENOENT" ? ": No such file or directory" : ""));
    }
    const r = compile(G, text, chunkId("@" + path));
    if (Array.isArray(r)) throw new LuaError(r[1]);
    return callable(r)();
  });
}

registerStateExtension(installLoad);
