// tostring() as LuaJIT does it: __tostring first, then numbers in "%.14g", and
// "table: 0x..." / "function: 0x..." with a stable per-object address.
import type { LuaValue } from "./value.ts";
import { numberToString } from "./number.ts";
import { metamethod, callable, type } from "./ops.ts";
import { first } from "./multi.ts";
import { throwLuaError } from "./errors.ts";

const addresses = new WeakMap<object, string>();
let nextAddress = 0x40000000;

/** A fake but stable address for tables, functions and coroutines. */
export function addressOf(o: object): string {
  let a = addresses.get(o);
  if (a === undefined) {
    nextAddress += 0x38;
    a = "0x" + nextAddress.toString(16).padStart(8, "0");
    addresses.set(o, a);
  }
  return a;
}

/** tostring without metamethods. */
export function rawToString(v: LuaValue): string {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return numberToString(v);
    case "undefined":
      return "nil";
    case "boolean":
      return v ? "true" : "false";
    case "function":
      return "function: " + addressOf(v);
    default:
      return type(v) + ": " + addressOf(v as object);
  }
}

/** tostring(v): __tostring's result is returned as it is, whatever its type (LuaJIT 2.1). */
export function tostringAny(v: LuaValue): LuaValue {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  const mm = metamethod(v, "__tostring");
  if (mm !== undefined) return first(callable(mm)(v));
  return rawToString(v);
}

/** tostring for places that need text (print, string.format %s, concat of errors): a string or an error. */
export function tostring(v: LuaValue, what = "'__tostring' must return a string"): string {
  const s = tostringAny(v);
  if (typeof s === "string") return s;
  if (typeof s === "number") return numberToString(s);
  throwLuaError(what);
}
