// Runs an app's main chunk as a plain Lua script (what `luajit app.lua args` does): a fresh
// state, `arg` set, output through the host's writer. Uncaught errors propagate; the host
// prints them with describeError, which gives LuaJIT's "msg\nstack traceback:" shape.
import { createLuaState, type Chunk } from "./state.ts";
import { LuaError } from "./errors.ts";
import { ExitSignal } from "./stdlib/base.ts";
import { errorLuaFrames } from "./callsites.ts";
import { tostring } from "./tostring.ts";
import { LuaTable } from "./table.ts";

export interface ScriptOptions {
  chunkName: string;
  write: (bytes: string) => void;
  writeError?: (bytes: string) => void;
  args?: string[];
}

export interface ScriptResult {
  /** Process exit status: 0 after a normal end, os.exit's code otherwise. */
  exitCode: number;
}

export function runScript(main: Chunk, modules: Record<string, Chunk>, options: ScriptOptions): ScriptResult {
  const state = createLuaState({
    write: options.write,
    writeError: options.writeError,
    modules,
    argv: { script: options.chunkName, args: options.args ?? [] },
  });
  try {
    main(state.globals, ...(options.args ?? []));
    return { exitCode: 0 };
  } catch (e) {
    if (e instanceof ExitSignal) return { exitCode: e.code };
    throw e;
  }
}

/** The text LuaJIT prints for an uncaught error: message, then a Lua-only traceback. */
export function describeError(e: unknown): string {
  if (e instanceof ExitSignal) return "";
  let message: string;
  if (e instanceof LuaError) {
    const v = e.value;
    // As luajit.c reports: nil prints nothing, non-strings without __tostring a fixed text.
    if (v === undefined) return "";
    if (typeof v === "string" || typeof v === "number") message = tostring(v);
    else if (v instanceof LuaTable && v.metatable?.getStr("__tostring") !== undefined) message = tostring(v);
    else return "(error object is not a string)\n";
  } else if (e instanceof RangeError) {
    message = "stack overflow";
  } else {
    message = e instanceof Error ? e.message : String(e);
  }
  const frames = e instanceof Error ? errorLuaFrames(e) : [];
  const lines = frames.map((f) =>
    f.line < 0
      ? `\t[C]: in function '${f.functionName}'`
      : `\t${f.chunk}:${f.line}: in ${luaFunctionLabel(f.functionName)}`,
  );
  return (
    message + "\nstack traceback:\n" + (lines.length > 0 ? lines.join("\n") + "\n" : "") + "\t[C]: at rover\n"
  );
}

function luaFunctionLabel(jsName: string | null): string {
  if (jsName === "L$main") return "main chunk";
  if (jsName !== null && jsName.startsWith("L$")) {
    const name = jsName.slice(2).replace(/\$g$/, "");
    return "function '" + name.replace(/\$\$/g, ":").replace(/\$/g, ".") + "'";
  }
  return "function <anonymous>";
}
