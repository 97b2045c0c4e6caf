// Multiple results. A Lua function returns one value as itself and zero or several values
// as a Multi. Callers that need exactly one value use `first`; callers that expand results
// (last argument, last table item, return lists) use `spread`. Returning "nothing" is the
// shared EMPTY Multi, so `select('#', f())` and `print(f())` see zero values.
import type { LuaValue } from "./value.ts";

export class Multi {
  readonly values: LuaValue[];
  constructor(values: LuaValue[]) {
    this.values = values;
  }
}

export const EMPTY = new Multi([]);

/** Builds the return value for `return a, b, ...` from already-evaluated values. */
export function multi(...values: LuaValue[]): any {
  return new Multi(values);
}

/** The first value of a call result (Lua's adjustment to one value). */
export function first(r: any): LuaValue {
  return r instanceof Multi ? r.values[0] : r;
}

/** All values of a call result, as an array that may be shared: do not mutate it. */
export function spread(r: any): LuaValue[] {
  return r instanceof Multi ? r.values : [r];
}

/** Return list ending in a multi-value expression: `return a, f()`. */
export function multiTail(head: LuaValue[], tail: any): any {
  if (tail instanceof Multi) return new Multi(head.concat(tail.values));
  head.push(tail);
  return new Multi(head);
}

/** Turns a JS array of values into a Lua result (1 value is itself). */
export function fromArray(values: LuaValue[]): any {
  return values.length === 1 ? values[0] : new Multi(values);
}
