// A Lua state: the globals table with the standard library, `require` over the modules
// compiled into the bundle, and `arg`. One state per worker thread, as in OpenResty.
import { LuaTable } from "./table.ts";
import type { LuaValue } from "./value.ts";
import { installBase } from "./stdlib/base.ts";
import { createStringLib } from "./stdlib/string.ts";
import { createTableLib } from "./stdlib/table.ts";
import { createMathLib } from "./stdlib/math.ts";
import { createOsLib } from "./stdlib/os.ts";
import { createBitLib } from "./stdlib/bit.ts";
import { createIoLib } from "./stdlib/io.ts";
import { createCoroutineLib } from "./stdlib/coroutine.ts";
import { createDebugLib } from "./stdlib/debug.ts";
import { setStringMetatable } from "./ops.ts";
import { throwLuaError } from "./errors.ts";
import { checkString } from "./args.ts";
import { first } from "./multi.ts";

/** A compiled chunk: called with the state's globals and the chunk's varargs. */
export type Chunk = (G: LuaTable, ...varargs: LuaValue[]) => any;

export interface StateOptions {
  /** Receives bytes (a latin1 JS string) written by print and io.write. */
  write: (bytes: string) => void;
  /** Same for io.stderr. */
  writeError?: (bytes: string) => void;
  /** Modules compiled into the bundle, by require name ("users", "lib.util"). */
  modules?: Record<string, Chunk>;
  /** arg[0] is the script, arg[1..] the extra arguments, arg[-1] the interpreter. */
  argv?: { script: string; args: string[] };
}

export interface LuaState {
  globals: LuaTable;
}

/** Optional libraries (loadstring...) register here when their module is bundled. */
const extensions: ((G: LuaTable) => void)[] = [];
export function registerStateExtension(install: (G: LuaTable) => void): void {
  extensions.push(install);
}

export function createLuaState(options: StateOptions): LuaState {
  const G = new LuaTable();
  installBase(G, options.write);
  const string = createStringLib();
  G.setStr("string", string);
  const stringMeta = new LuaTable();
  stringMeta.setStr("__index", string);
  setStringMetatable(stringMeta);
  G.setStr("table", createTableLib());
  G.setStr("math", createMathLib());
  G.setStr("os", createOsLib());
  G.setStr("bit", createBitLib());
  G.setStr("coroutine", createCoroutineLib());
  G.setStr("debug", createDebugLib());
  G.setStr("io", createIoLib(options.write, options.writeError ?? options.write));
  installRequire(G, options.modules ?? {});
  for (const install of extensions) install(G);
  if (options.argv !== undefined) {
    const arg = new LuaTable();
    arg.set(-1, "rover");
    arg.set(0, options.argv.script);
    options.argv.args.forEach((a, i) => arg.set(i + 1, a));
    G.setStr("arg", arg);
  }
  return { globals: G };
}

/** `require` resolves only modules found at build time; package.loaded caches and detects cycles. */
function installRequire(G: LuaTable, modules: Record<string, Chunk>): void {
  const pkg = new LuaTable();
  const loaded = new LuaTable();
  pkg.setStr("loaded", loaded);
  pkg.setStr("path", "./?.lua;./?/init.lua");
  for (const lib of ["string", "table", "math", "os", "bit", "io", "coroutine", "debug"])
    loaded.setStr(lib, G.getStr(lib));
  loaded.setStr("_G", G);
  G.setStr("package", pkg);
  const loading = {};
  const require = (name: LuaValue) => {
    const n = checkString(name, 1, "require");
    const have = loaded.getStr(n);
    if (have === (loading as any)) throwLuaError("loop or previous error loading module '" + n + "'");
    if (have !== undefined) return have;
    const chunk = Object.prototype.hasOwnProperty.call(modules, n) ? modules[n] : undefined;
    if (chunk === undefined) {
      throwLuaError(
        "module '" +
          n +
          "' not found:\n\tno module '" +
          n +
          "' was compiled into this build (require needs a constant name)",
      );
    }
    // As in Lua 5.1, the sentinel stays after a failed load: requiring it again reports the loop/previous error.
    loaded.setStr(n, loading as any);
    const result = first(chunk(G, n));
    if (result !== undefined) loaded.setStr(n, result);
    if (loaded.getStr(n) === (loading as any)) loaded.setStr(n, true);
    return loaded.getStr(n);
  };
  Object.defineProperty(require, "name", { value: "require" });
  G.setStr("require", require);
}
