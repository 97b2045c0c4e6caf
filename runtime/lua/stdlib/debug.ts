// The parts of LuaJIT's debug library that route files use: traceback (also as an xpcall
// handler, where it shows the frames of the error being handled) and getinfo with the
// source/line fields. Frames come from the JS stack mapped to Lua (callsites.ts).
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { currentLuaFrames, errorLuaFrames, type LuaFrame } from "../callsites.ts";
import { tostring } from "../tostring.ts";
import { checkInt } from "../args.ts";

/** Frames of the error an xpcall handler is handling, while it runs (set by base.ts). */
let handlingFrames: LuaFrame[] | null = null;

export function withErrorFrames<T>(error: unknown, run: () => T): T {
  const saved = handlingFrames;
  handlingFrames = error instanceof Error ? errorLuaFrames(error) : null;
  try {
    return run();
  } finally {
    handlingFrames = saved;
  }
}

function label(f: LuaFrame): string {
  if (f.line < 0) return `[C]: in function '${f.functionName ?? "?"}'`;
  const js = f.functionName;
  if (js === "L$main") return `${f.chunk}:${f.line}: in main chunk`;
  if (js !== null && js.startsWith("L$")) {
    const name = js.slice(2).replace(/\$g$/, "").replace(/\$\$/g, ":").replace(/\$/g, ".");
    return `${f.chunk}:${f.line}: in function '${name}'`;
  }
  return `${f.chunk}:${f.line}: in function <${f.chunk}>`;
}

export function traceback(message: LuaValue, level: LuaValue): LuaValue {
  if (message !== undefined && typeof message !== "string" && typeof message !== "number") return message;
  const skip = level === undefined ? 1 : checkInt(level, 2, "traceback");
  const frames = handlingFrames ?? currentLuaFrames(64).slice(Math.max(0, skip - 1));
  const head = message === undefined ? "" : tostring(message) + "\n";
  return head + "stack traceback:" + frames.map((f) => "\n\t" + label(f)).join("");
}

function getinfo(what: LuaValue): LuaValue {
  const info = new LuaTable();
  if (typeof what === "function") {
    const lua = what.name.startsWith("L$");
    info.setStr("what", lua ? "Lua" : "C");
    info.setStr("source", lua ? "=?" : "=[C]");
    info.setStr("short_src", lua ? "?" : "[C]");
    info.setStr("func", what);
    return info;
  }
  const level = checkInt(what, 1, "getinfo");
  const frame = currentLuaFrames(level + 2)[level - 1];
  if (frame === undefined) return undefined;
  const main = frame.functionName === "L$main";
  info.setStr("currentline", frame.line);
  info.setStr("source", frame.line < 0 ? "=[C]" : "@" + frame.chunk);
  info.setStr("short_src", frame.line < 0 ? "[C]" : frame.chunk);
  info.setStr("what", frame.line < 0 ? "C" : main ? "main" : "Lua");
  return info;
}

export function createDebugLib(): LuaTable {
  const lib = new LuaTable();
  const add = (name: string, f: (...a: any[]) => any) => {
    Object.defineProperty(f, "name", { value: name });
    lib.setStr(name, f);
  };
  add("traceback", traceback);
  add("getinfo", getinfo);
  return lib;
}
