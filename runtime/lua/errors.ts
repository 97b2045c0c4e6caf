// Lua errors as JS exceptions. A LuaError carries any Lua value; string messages raised by
// the runtime get LuaJIT's "chunk:line: " prefix, found by mapping the JS stack through the
// source maps of the compiled chunks (callsites.ts), so the hot path never tracks lines.
import type { LuaValue } from "./value.ts";
import { errorLuaFrames, luaWhere } from "./callsites.ts";

export class LuaError extends Error {
  readonly value: LuaValue;
  /** Lua traceback text captured where the error was raised, filled lazily by tracebacks. */
  luaStack: string | undefined;
  constructor(value: LuaValue) {
    super(typeof value === "string" ? value : "(error object is a " + luaTypeName(value) + " value)");
    this.value = value;
    this.luaStack = undefined;
  }
}

function luaTypeName(v: LuaValue): string {
  if (v === undefined) return "nil";
  if (typeof v === "object") return (v as object).constructor.name === "LuaTable" ? "table" : "thread";
  return typeof v;
}

/** Raises a runtime error with the position of the innermost Lua frame, as lj_err_run does. */
export function throwLuaError(message: string): never {
  throw new LuaError(luaWhere(1) + message);
}

/** Raises `message` with the position prefix of the Lua frame `level` (1 = innermost), or none for level 0. */
export function throwAtLevel(message: string, level: number): never {
  throw new LuaError(level > 0 ? luaWhere(level) + message : message);
}

/** Converts anything thrown inside Lua code into the Lua error value pcall returns. */
export function errorValue(e: unknown): LuaValue {
  if (e instanceof LuaError) return e.value;
  if (e instanceof RangeError && /call stack/.test(e.message)) {
    // The innermost frames are the ones the RangeError captured: that is where LuaJIT reports it.
    const f = errorLuaFrames(e).find((fr) => fr.line >= 0);
    return (f === undefined ? luaWhere(1) : f.chunk + ":" + f.line + ": ") + "stack overflow";
  }
  // A JS exception from the runtime itself is a Rover bug; keep the message, never the JS stack.
  return String(e instanceof Error ? e.message : e);
}
