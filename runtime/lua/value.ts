// The Lua value model on V8: nil is `undefined`, booleans and numbers are themselves,
// strings are JS strings whose code units are bytes (0-255), tables are LuaTable and
// functions are plain JS functions that follow the calling convention in multi.ts.
import type { LuaTable } from "./table.ts";
import type { Coroutine } from "./coroutine-type.ts";

export type LuaFunction = (...args: any[]) => any;
export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction | Coroutine;
