// Stores a library function in its table under its Lua name. The JS function's `name` is
// set to the Lua name because tracebacks and "bad argument ... to 'name'" read it; `$C`
// functions (pcall, xpcall) keep theirs, since callsites.ts recognises C levels by it.
import type { LuaTable } from "../table.ts";

export function define(t: LuaTable, name: string, f: (...args: any[]) => any): void {
  if (f.name !== name && !f.name.endsWith("$C")) Object.defineProperty(f, "name", { value: name });
  t.setStr(name, f);
}
